"""The JSON API (django-ninja) under /api/v1/, with its OpenAPI document at /api/v1/openapi.json.

Handlers stay thin: they check the access policy (``fairthread.accounts.policy``) and call the same
service functions as the web UI. Errors are JSON: 401 unauthenticated, 403 forbidden, 404 not found (also
for objects the user may not see, so their existence does not leak), 422 invalid input.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

from fairthread.api import challenges, facilities, imports, links, matching, risk, screening, tokens
from fairthread.api.auth import ApiTokenAuth, SessionAuth
from fairthread.api.common import validation_details

log = logging.getLogger(__name__)

api = NinjaAPI(
    title="fairthread API",
    version="1",
    description=(
        "Facilities, sourcing links, imports and critical-friend challenges. The same access policy as the "
        "web UI applies. Authenticate with `Authorization: Bearer <token>` (create one at POST /tokens or "
        "with `fairthread createtoken`) or with the browser session (unsafe methods need `X-CSRFToken`)."
    ),
    auth=[ApiTokenAuth(), SessionAuth()],
    urls_namespace="api",
    # Without ninja among the installed apps its docs page loads Swagger UI from a CDN; no third-party hosts.
    docs_url="/docs" if "ninja" in settings.INSTALLED_APPS else None,
)

api.add_router("", facilities.router)
api.add_router("", links.router)
api.add_router("", imports.router)
api.add_router("", challenges.router)
api.add_router("", tokens.router)
api.add_router("", risk.router)
api.add_router("", screening.router)
api.add_router("", matching.router)


@api.exception_handler(AuthenticationError)
def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = api.create_response(
        request, {"detail": "Authentication required: send a Bearer token or sign in."}, status=401
    )
    response["WWW-Authenticate"] = 'Bearer realm="fairthread"'
    return response


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "You may not do this."}, status=403)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "Not found."}, status=404)


@api.exception_handler(ValidationError)
def invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": validation_details(exc)}, status=422)


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    # Logged in full for the operator; the client gets JSON without a traceback.
    log.exception("API error on %s %s", request.method, request.path)
    return api.create_response(request, {"detail": "Something went wrong on our side; it has been logged."},
                               status=500)
