"""`fairthread setupdemo`: idempotent demo set-up, refused in production."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.utils import timezone

from fairthread.accounts.models import Membership, Organisation, User
from fairthread.audit.models import AuditEvent
from fairthread.challenges.models import Challenge
from fairthread.supplychain import demo
from fairthread.supplychain.models import Facility, ImportBatch, SourcingLink

pytestmark = pytest.mark.django_db


def _counts() -> dict[str, int]:
    models = [Organisation, User, Membership, Facility, SourcingLink, Challenge, ImportBatch, AuditEvent]
    return {m.__name__: m.objects.count() for m in models}


def _setup() -> str:
    out = io.StringIO()
    call_command("setupdemo", facilities=200, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_setupdemo_twice_changes_nothing() -> None:
    first_output = _setup()
    first = _counts()
    _setup()
    assert _counts() == first
    # The 200 facilities of the chain (each with a brand reference), plus the facilities of the re-spelt supplier
    # list (matching demo) that were sent to review or are new.
    assert Facility.objects.exclude(brand_ref=None).count() == 200
    assert first["Challenge"] == 3
    for name in ("admin", "analyst", "ngo", "supplier"):
        assert name in first_output
    assert "http://127.0.0.1:8000" in first_output


def test_demo_users_sign_in_with_password_demo_in_their_roles() -> None:
    _setup()
    roles = {}
    for name in ("admin", "analyst", "ngo", "supplier"):
        user = authenticate(username=name, password="demo")
        assert user is not None
        roles[name] = user.role
    assert roles == {
        "admin": "brand_admin",
        "analyst": "brand_analyst",
        "ngo": "critical_friend",
        "supplier": "supplier_user",
    }


def test_supplier_user_works_for_one_tier_one_group_with_several_facilities() -> None:
    _setup()
    org = User.objects.get(username="supplier").organisation
    assert org.name == demo.SUPPLIER_GROUP
    assert org.kind == "supplier"
    assert Facility.objects.filter(organisation=org, tier=1).count() >= 3


def test_challenges_include_an_overdue_one_from_the_ngo() -> None:
    _setup()
    ngo = User.objects.get(username="ngo")
    challenges = Challenge.objects.filter(raised_by=ngo)
    assert challenges.count() == 3
    assert challenges.filter(due_date__lt=timezone.localdate(), status="open").count() == 1


def test_setupdemo_refused_in_production(settings) -> None:
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production") as excinfo:
        call_command("setupdemo", facilities=200, stdout=io.StringIO())
    assert excinfo.value.returncode == 1
    assert User.objects.count() == 0
    assert Facility.objects.count() == 0
