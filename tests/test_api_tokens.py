"""The tokens endpoints: each user lists, creates and revokes only their own."""

from __future__ import annotations

import pytest
from django.test import Client

from fairthread.accounts.models import ApiToken, hash_token
from fairthread.audit.models import AuditEvent
from tests.api_support import as_role

ROLES = ["admin", "analyst", "ngo", "supplier", "other_supplier"]


@pytest.mark.parametrize("role", ROLES)
def test_create_list_and_use_a_token(people, role):
    api = as_role(people, role)
    response = api.post("/tokens", {"name": "my script"})
    assert response.status_code == 201, response.content
    body = response.json()
    raw = body["key"]
    assert body["key_prefix"] == raw[:10]
    assert ApiToken.objects.get(pk=body["id"]).key_hash == hash_token(raw)
    listed = api.get("/tokens").json()
    assert "my script" in [t["name"] for t in listed]
    assert all("key" not in t and "key_hash" not in t for t in listed)  # shown once, at creation only
    assert Client().get("/api/v1/tokens", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_list_shows_only_own_tokens(people):
    as_role(people, "admin").post("/tokens", {"name": "admin's"})
    names = [t["name"] for t in as_role(people, "analyst").get("/tokens").json()]
    assert "admin's" not in names


def test_revoke_own_token(people):
    api = as_role(people, "supplier")
    created = api.post("/tokens", {"name": "old"}).json()
    assert api.delete(f"/tokens/{created['id']}").status_code == 204
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(created["id"])).count() == 1
    refused = Client().get("/api/v1/tokens", headers={"Authorization": f"Bearer {created['key']}"})
    assert refused.status_code == 401


@pytest.mark.parametrize("role", ["admin", "other_supplier"])
def test_another_users_token_is_not_found(people, role):
    created = as_role(people, "supplier").post("/tokens", {"name": "mine"}).json()
    assert as_role(people, role).delete(f"/tokens/{created['id']}").status_code == 404
    assert ApiToken.objects.get(pk=created["id"]).revoked_at is None


def test_outsider_and_anonymous(people):
    assert as_role(people, "outsider").get("/tokens").status_code == 403
    assert as_role(people, "outsider").post("/tokens", {"name": "x"}).status_code == 403
    assert as_role(people, "anonymous").get("/tokens").status_code == 401


def test_token_name_required(people):
    response = as_role(people, "analyst").post("/tokens", {"name": ""})
    assert response.status_code == 422
    assert as_role(people, "analyst").post("/tokens", {}).status_code == 422
