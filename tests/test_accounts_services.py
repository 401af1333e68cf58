"""Organisation, user and membership services: policy-checked, validated, audited with before/after."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.core.exceptions import PermissionDenied, ValidationError

from fairthread.accounts import services
from fairthread.accounts.models import Membership, Organisation, Role, User
from fairthread.audit.models import AuditEvent

STRONG = "violet-harbour-lantern-42"


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_admin_creates_organisation_audited(people):
    org = services.create_organisation(by=people.admin, name="  Tiruppur   Spinning Mills ", kind="supplier",
                                       country="India")
    assert org.name == "Tiruppur Spinning Mills"
    assert org.country == "IN"
    [event] = events("organisation.create")
    assert event.actor == people.admin
    assert event.object_id == str(org.pk)
    assert event.before is None
    assert event.after["name"] == "Tiruppur Spinning Mills"
    assert event.after["kind"] == "supplier"


@pytest.mark.parametrize("who", ["analyst", "ngo", "supplier", "outsider"])
def test_only_admin_creates_organisations(people, who):
    with pytest.raises(PermissionDenied):
        services.create_organisation(by=getattr(people, who), name="X Ltd", kind="supplier")
    assert not Organisation.objects.filter(name="X Ltd").exists()
    assert not AuditEvent.objects.exists()


def test_organisation_name_unique_case_insensitive_and_country_checked(people):
    with pytest.raises(ValidationError, match="already exists"):
        services.create_organisation(by=people.admin, name="other mills", kind="supplier")
    with pytest.raises(ValidationError, match="Unknown country"):
        services.create_organisation(by=people.admin, name="New Co", kind="supplier", country="Atlantis")
    with pytest.raises(ValidationError, match="kind"):
        services.create_organisation(by=people.admin, name="New Co", kind="factory")


def test_update_organisation_records_only_changed_fields(people):
    org = people.other_supplier_org
    values = {"name": "Other Mills", "country": "Türkiye"}
    assert services.update_organisation(org, by=people.admin, values=values)
    [event] = events("organisation.update")
    assert event.before == {"country": "IN"}
    assert event.after == {"country": "TR"}
    assert not services.update_organisation(org, by=people.admin, values={"country": "TR"})
    assert len(events("organisation.update")) == 1


def test_kind_cannot_change_under_members_with_incompatible_roles(people):
    with pytest.raises(ValidationError, match="Supplier user"):
        services.update_organisation(people.supplier_org, by=people.admin, values={"kind": "ngo"})
    people.supplier_org.refresh_from_db()
    assert people.supplier_org.kind == "supplier"


def test_create_user_with_link_has_unusable_password_and_audit_without_hash(people):
    user, membership = services.create_user_with_membership(
        by=people.admin, organisation=people.supplier_org, username="rahima", email="rahima@example.org",
        role="supplier_user", designations={"is_custodian": True},
    )
    assert not user.has_usable_password()
    assert membership.role == Role.SUPPLIER_USER and membership.is_custodian and membership.active
    assert user.organisation == people.supplier_org
    [user_event] = events("user.create")
    assert "password" not in user_event.after
    assert user_event.after["username"] == "rahima"
    [m_event] = events("membership.create")
    assert m_event.after["role"] == "supplier_user"
    assert m_event.after["organisation"] == people.supplier_org.pk
    assert m_event.after["is_custodian"] is True
    path = services.set_password_path(user)
    assert path.startswith("/set-password/")


def test_create_user_with_initial_password_that_passes_validators(people):
    user, _ = services.create_user_with_membership(
        by=people.admin, organisation=people.brand, username="beth", email="", role="brand_analyst",
        password=STRONG,
    )
    assert authenticate(username="beth", password=STRONG) == user


def test_weak_initial_password_rejected_and_nothing_written(people):
    with pytest.raises(ValidationError):
        services.create_user_with_membership(
            by=people.admin, organisation=people.brand, username="weak", email="", role="brand_analyst",
            password="12345",
        )
    assert not User.objects.filter(username="weak").exists()
    assert not AuditEvent.objects.exists()


def test_role_must_fit_organisation_kind(people):
    with pytest.raises(ValidationError, match="organisation of kind ngo"):
        services.create_user_with_membership(
            by=people.admin, organisation=people.brand, username="cf", email="", role="critical_friend",
        )
    assert not User.objects.filter(username="cf").exists()


def test_duplicate_username_rejected(people):
    with pytest.raises(ValidationError, match="already taken"):
        services.create_user_with_membership(
            by=people.admin, organisation=people.brand, username="ANALYST", email="", role="brand_analyst",
        )


@pytest.mark.parametrize("who", ["analyst", "ngo", "supplier"])
def test_only_admin_creates_users(people, who):
    with pytest.raises(PermissionDenied):
        services.create_user_with_membership(
            by=getattr(people, who), organisation=people.brand, username="sneaky", email="",
            role="brand_admin",
        )
    assert not User.objects.filter(username="sneaky").exists()


def test_change_role_audited_and_takes_effect(people):
    membership = people.analyst.memberships.get()
    assert services.change_role(membership, by=people.admin, role="brand_admin")
    [event] = events("membership.change_role")
    assert event.before == {"role": "brand_analyst"}
    assert event.after == {"role": "brand_admin"}
    fresh = User.objects.get(pk=people.analyst.pk)
    assert fresh.role == "brand_admin"


def test_designations_update(people):
    membership = people.ngo.memberships.get()
    assert services.update_membership(membership, by=people.admin, designations={"is_hotline_operator": True})
    [event] = events("membership.update")
    assert event.before == {"is_hotline_operator": False}
    assert event.after == {"is_hotline_operator": True}


def test_last_admin_cannot_be_demoted_or_deactivated(people):
    membership = people.admin.memberships.get()
    with pytest.raises(ValidationError, match="last brand admin"):
        services.change_role(membership, by=people.admin, role="brand_analyst")
    with pytest.raises(ValidationError, match="last brand admin"):
        services.deactivate_membership(membership, by=people.admin)
    membership.refresh_from_db()
    assert membership.role == "brand_admin" and membership.active


def test_deactivate_removes_access_and_reactivate_restores(people):
    membership = people.supplier.memberships.get()
    assert services.deactivate_membership(membership, by=people.admin)
    assert User.objects.get(pk=people.supplier.pk).role is None
    [event] = events("membership.deactivate")
    assert event.before == {"active": True} and event.after == {"active": False}
    # Already inactive: no second event.
    assert not services.deactivate_membership(membership, by=people.admin)
    assert len(events("membership.deactivate")) == 1
    assert services.reactivate_membership(membership, by=people.admin)
    assert User.objects.get(pk=people.supplier.pk).role == "supplier_user"


def test_analyst_cannot_change_roles(people):
    membership = people.supplier.memberships.get()
    with pytest.raises(PermissionDenied):
        services.change_role(membership, by=people.analyst, role="supplier_user")
    with pytest.raises(PermissionDenied):
        services.deactivate_membership(membership, by=people.analyst)
    assert Membership.objects.get(pk=membership.pk).active
