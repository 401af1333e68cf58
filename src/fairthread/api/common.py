"""Helpers shared by the API routers: policy checks, pagination, countries, error shapes."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from fairthread.accounts import policy
from fairthread.api.auth import ApiTokenAuth, SessionAuth
from fairthread.reference.countries import resolve_country, suggest_country

MAX_LIMIT = 500


def guard(action: str, object_type: str, *, gate: str | None = None) -> dict[str, Any]:
    """Operation options: authentication plus the policy check, and the OpenAPI note naming the action.

    The class-level check runs during authentication, so a forbidden user gets 403 before the request body is
    validated (no 422 hints to someone who may not act at all). ``gate`` replaces the class-level action
    where the object decides: e.g. deleting a link needs only "view" first, so a link the user cannot see
    answers 404, and the service then refuses the "delete" itself with 403.
    """
    assert action in policy.ACTIONS[object_type], (action, object_type)
    needed = (gate or action, object_type)
    return {
        "auth": [ApiTokenAuth(needed), SessionAuth(needed)],
        "openapi_extra": {"x-fairthread-access": {"action": action, "object": object_type}},
    }


def user_of(request: HttpRequest) -> Any:
    """The authenticated user (already checked against the operation's class-level action)."""
    return request.auth  # type: ignore[attr-defined]


def get_visible(qs: QuerySet, **lookup: Any) -> Model:
    """One object from an already policy-scoped queryset; 404 whether it is missing or not visible."""
    obj = qs.filter(**lookup).first()
    if obj is None:
        raise Http404("Not found.")
    return obj


def page(qs: QuerySet, limit: int, offset: int) -> tuple[int, list[Any]]:
    if limit < 1 or limit > MAX_LIMIT:
        raise ValidationError({"limit": f"limit must be between 1 and {MAX_LIMIT}."})
    if offset < 0:
        raise ValidationError({"offset": "offset cannot be negative."})
    return qs.count(), list(qs[offset:offset + limit])


def country_code(text: str, field: str) -> str:
    """ISO alpha-2 from a name or code, else a field-level validation error with a suggestion."""
    code = resolve_country(text or "")
    if code is None:
        hint = suggest_country(text or "")
        msg = f"Unknown country {text!r}." + (f" Did you mean {hint}?" if hint else "")
        raise ValidationError({field: msg})
    return code


def parse_uid(value: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationError({field: f"{value!r} is not a facility identifier (a UUID)."}) from None


def path_uid(value: str) -> uuid.UUID:
    """A uid from the URL; one that is not a UUID names no facility, so 404."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404("Not found.") from None


def validation_details(exc: ValidationError, location: str = "body") -> list[dict[str, Any]]:
    """Django ValidationError → the same shape as ninja's own 422 errors."""
    if hasattr(exc, "error_dict"):
        out = []
        for field, messages in exc.message_dict.items():
            loc = [location] if field == "__all__" else [location, field]
            out.extend({"type": "validation_error", "loc": loc, "msg": m} for m in messages)
        return out
    return [{"type": "validation_error", "loc": [location], "msg": m} for m in exc.messages]
