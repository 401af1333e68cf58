"""API tokens: created for oneself (the raw key is shown once, only its SHA-256 is stored) and revoked."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from fairthread.accounts import policy
from fairthread.accounts.models import ApiToken, hash_token
from fairthread.audit.log import record

PREFIX_LENGTH = 10


def _audit_view(token: ApiToken) -> dict[str, Any]:
    # Never the hash: the audit log is readable by more people than the token's owner.
    return {"user": token.user_id, "name": token.name, "key_prefix": token.key_prefix,
            "revoked_at": token.revoked_at.isoformat() if token.revoked_at else None}


@transaction.atomic
def create_token(user: Any, name: str, *, by: Any) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it with the raw key, which is not stored anywhere."""
    # Minting a key for someone else would let one act as them, so everyone mints only their own.
    if by is None or user.pk != by.pk:
        raise PermissionDenied("You can create API tokens only for yourself.")
    token = ApiToken(user=user, name=(name or "").strip())
    policy.require(by, "manage", token)
    if not token.name:
        raise ValidationError({"name": "Give the token a name (e.g. the script that will use it)."})
    if len(token.name) > 100:
        raise ValidationError({"name": "The name can be at most 100 characters."})
    raw = ApiToken.new_raw_key()
    token.key_prefix = raw[:PREFIX_LENGTH]
    token.key_hash = hash_token(raw)
    token.save()
    record(by, "api_token.create", token, after=_audit_view(token))
    return token, raw


@transaction.atomic
def revoke_token(token: ApiToken, *, by: Any) -> bool:
    """Revoke one's own ``token``; returns False if it was already revoked."""
    policy.require(by, "manage", token)
    # The policy table says "own" for every role: nobody manages another person's tokens.
    if by is None or token.user_id != by.pk:
        raise PermissionDenied("You can revoke only your own API tokens.")
    if token.revoked_at is not None:
        return False
    before = _audit_view(token)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    record(by, "api_token.revoke", token, before=before, after=_audit_view(token))
    return True
