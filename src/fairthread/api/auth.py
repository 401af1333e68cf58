"""API authentication: per-user tokens (stored hashed) or the browser session."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from fairthread.accounts import policy
from fairthread.accounts.models import ApiToken, hash_token

Gate = tuple[str, str]  # (action, object type) the operation needs at class level


def check_gate(user: Any, gate: Gate | None) -> Any:
    """Refuse (403) an authenticated user the policy does not allow; runs before the body is validated."""
    if gate is not None and not policy.can(user, *gate):
        action, object_type = gate
        raise PermissionDenied(f"You may not {action} {object_type.replace('_', ' ')}s.")
    return user


class ApiTokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``; only the token's SHA-256 is stored, revoked tokens are refused."""

    def __init__(self, gate: Gate | None = None) -> None:
        self.gate = gate
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token:
            return None
        try:
            api_token = ApiToken.objects.select_related("user").get(
                key_hash=hash_token(token), revoked_at__isnull=True
            )
        except ApiToken.DoesNotExist:
            return None
        user = api_token.user
        if not user.is_active:
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = user
        return check_gate(user, self.gate)


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; unsafe methods need the CSRF token (header ``X-CSRFToken``)."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self, gate: Gate | None = None) -> None:
        self.gate = gate
        # CSRF is checked below, and only for requests that really are session-authenticated, so an
        # anonymous client gets 401 (not a CSRF 403) and token clients are never asked for CSRF.
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if not getattr(request, "_ninja_csrf_exempt", False) and check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the CSRF token in the X-CSRFToken header.")
        return check_gate(user, self.gate)
