"""API tokens: created for oneself, shown once, stored only as a hash, revoked; the createtoken command."""

from __future__ import annotations

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from fairthread.accounts.models import ApiToken
from fairthread.accounts.tokens import create_token, revoke_token
from fairthread.audit.models import AuditEvent


def test_create_token_stores_only_the_sha256(people):
    token, raw = create_token(people.analyst, "ERP sync", by=people.analyst)
    assert raw.startswith("ft_") and len(raw) > 40
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw[:10] == stored.key_prefix
    # The raw key appears in no column of the row.
    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert all(raw not in str(value) for value in row.values())


def test_two_tokens_have_different_keys(people):
    _, a = create_token(people.analyst, "one", by=people.analyst)
    _, b = create_token(people.analyst, "two", by=people.analyst)
    assert a != b


def test_create_is_audited_without_the_hash(people):
    token, raw = create_token(people.ngo, "notebook", by=people.ngo)
    event = AuditEvent.objects.get(action="api_token.create")
    assert event.actor == people.ngo
    assert event.after["name"] == "notebook"
    assert token.key_hash not in str(event.after) and raw not in str(event.after)


def test_nobody_creates_tokens_for_someone_else(people):
    with pytest.raises(PermissionDenied):
        create_token(people.analyst, "sneaky", by=people.admin)
    assert not ApiToken.objects.exists()


def test_user_without_membership_gets_no_token(people):
    with pytest.raises(PermissionDenied):
        create_token(people.outsider, "x", by=people.outsider)


def test_token_needs_a_name(people):
    with pytest.raises(ValidationError) as exc:
        create_token(people.analyst, "   ", by=people.analyst)
    assert "name" in exc.value.message_dict


def test_revoke_own_token(people):
    token, _ = create_token(people.supplier, "mine", by=people.supplier)
    assert revoke_token(token, by=people.supplier) is True
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", object_id=str(token.pk)).count() == 1
    assert revoke_token(token, by=people.supplier) is False  # already revoked: nothing more recorded
    assert AuditEvent.objects.filter(action="api_token.revoke").count() == 1


@pytest.mark.parametrize("who", ["admin", "analyst", "other_supplier"])
def test_nobody_revokes_someone_elses_token(people, who):
    token, _ = create_token(people.supplier, "mine", by=people.supplier)
    with pytest.raises(PermissionDenied):
        revoke_token(token, by=getattr(people, who))
    token.refresh_from_db()
    assert token.revoked_at is None


def test_createtoken_command_prints_the_key_once(people):
    out = io.StringIO()
    call_command("createtoken", "analyst", "--name", "nightly export", stdout=out)
    lines = out.getvalue().strip().splitlines()
    raw = lines[-1]
    token = ApiToken.objects.get(user=people.analyst)
    assert token.name == "nightly export"
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert out.getvalue().count(raw) == 1


def test_createtoken_unknown_user_is_invalid_input(people):
    with pytest.raises(CommandError) as exc:
        call_command("createtoken", "nobody", "--name", "x", stdout=io.StringIO())
    assert exc.value.returncode == 1
    assert "nobody" in str(exc.value)


def test_createtoken_refuses_user_without_membership(people):
    with pytest.raises(CommandError):
        call_command("createtoken", "outsider", "--name", "x", stdout=io.StringIO())
    assert not ApiToken.objects.exists()
