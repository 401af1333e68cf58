"""A small JSON client for the API tests: Bearer-token requests as one user (or anonymous)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.test import Client

from fairthread.accounts.models import ApiToken, User, hash_token

BASE = "/api/v1"


class Api:
    """Requests to /api/v1 as ``user`` with a token made directly in the database (not via the service)."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            raw = f"ft_test_{user.username}_{uuid.uuid4().hex}"
            ApiToken.objects.create(user=user, name="tests", key_prefix=raw[:10], key_hash=hash_token(raw))
            self.headers = {"Authorization": f"Bearer {raw}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(BASE + path, params, headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.client.post(BASE + path, json.dumps(body if body is not None else {}),
                                content_type="application/json", headers=self.headers)

    def patch(self, path: str, body: Any) -> Any:
        return self.client.patch(BASE + path, json.dumps(body), content_type="application/json",
                                 headers=self.headers)

    def delete(self, path: str) -> Any:
        return self.client.delete(BASE + path, headers=self.headers)

    def upload(self, path: str, files: dict[str, Any], data: dict[str, Any] | None = None) -> Any:
        return self.client.post(BASE + path, {**(data or {}), **files}, headers=self.headers)


def as_role(people: Any, role: str) -> Api:
    return Api(None if role == "anonymous" else getattr(people, role))


def field_errors(response: Any) -> dict[str, list[str]]:
    """422 body → {field: [messages]} (the last element of each error's location)."""
    out: dict[str, list[str]] = {}
    for item in response.json()["detail"]:
        out.setdefault(str(item["loc"][-1]), []).append(item["msg"])
    return out
