"""The JSON API (django-ninja) under /api/v1/, with its OpenAPI document at /api/v1/openapi.json."""

from __future__ import annotations

from ninja import NinjaAPI

from fairthread.api.auth import ApiTokenAuth, SessionAuth

api = NinjaAPI(
    title="fairthread API",
    version="1",
    description="Facilities, sourcing links and imports. The same access policy as the web UI applies.",
    auth=[ApiTokenAuth(), SessionAuth()],
    urls_namespace="api",
)
