"""Service functions for organisations, users and memberships.

Each checks the access policy ("manage" on organisation / membership), validates, and writes the audit log
with the values before and after. Views, the API, commands and tests call these, never the models directly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from fairthread.accounts import policy
from fairthread.accounts.models import ROLE_ORGANISATION_KINDS, Membership, Organisation, Role, User
from fairthread.audit.log import record, snapshot
from fairthread.reference.countries import resolve_country

ORGANISATION_FIELDS = ("name", "kind", "country")
DESIGNATIONS = ("is_case_handler", "is_custodian", "is_hotline_operator")
# What the audit log keeps of a user: never the password hash.
USER_AUDIT_FIELDS = ["id", "username", "email", "first_name", "last_name", "is_active"]


def roles_for_kind(kind: str) -> list[tuple[str, str]]:
    """The (value, label) roles an organisation of this kind may hold."""
    return [(r.value, r.label) for r in Role if ROLE_ORGANISATION_KINDS[r] == kind]


def _check_role(role: str, organisation: Organisation) -> None:
    if role not in Role.values:
        raise ValidationError(f"Unknown role {role!r}.")
    if ROLE_ORGANISATION_KINDS[Role(role)] != organisation.kind:
        raise ValidationError(
            f"A {Role(role).label.lower()} must belong to an organisation of kind "
            f"{Organisation.Kind(ROLE_ORGANISATION_KINDS[Role(role)]).label.lower()}, "
            f"not {organisation.get_kind_display().lower()}."
        )


def _clean_organisation_values(values: Mapping[str, Any], instance: Organisation | None) -> dict[str, Any]:
    unknown = set(values) - set(ORGANISATION_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown organisation field(s): {', '.join(sorted(unknown))}")
    clean: dict[str, Any] = {}
    if "name" in values:
        name = " ".join(str(values["name"] or "").split())
        if not name:
            raise ValidationError("An organisation needs a name.")
        others = Organisation.objects.filter(name__iexact=name)
        if instance is not None:
            others = others.exclude(pk=instance.pk)
        if others.exists():
            raise ValidationError(f"An organisation called {name!r} already exists.")
        clean["name"] = name[:200]
    if "kind" in values:
        if values["kind"] not in Organisation.Kind.values:
            raise ValidationError(f"Unknown organisation kind {values['kind']!r}.")
        clean["kind"] = values["kind"]
    if "country" in values:
        text = str(values["country"] or "").strip()
        if text:
            code = resolve_country(text)
            if code is None:
                raise ValidationError(f"Unknown country {text!r}.")
            clean["country"] = code
        else:
            clean["country"] = ""
    return clean


@transaction.atomic
def create_organisation(*, by: Any, name: str, kind: str, country: str = "") -> Organisation:
    policy.require(by, "manage", "organisation")
    values = _clean_organisation_values({"name": name, "kind": kind, "country": country}, None)
    org = Organisation.objects.create(**values)
    record(by, "organisation.create", org, after=snapshot(org))
    return org


@transaction.atomic
def update_organisation(org: Organisation, *, by: Any, values: Mapping[str, Any]) -> bool:
    """Apply changed values; returns whether anything changed."""
    policy.require(by, "manage", org)
    clean = _clean_organisation_values(values, org)
    if "kind" in clean and clean["kind"] != org.kind:
        # Changing the kind would leave members with roles the organisation may no longer hold.
        held = set(org.memberships.filter(active=True).values_list("role", flat=True))
        wrong = sorted(Role(r).label for r in held if ROLE_ORGANISATION_KINDS[Role(r)] != clean["kind"])
        if wrong:
            raise ValidationError(
                "The kind cannot change while active members hold the role(s): " + ", ".join(wrong) + "."
            )
    before = snapshot(org)
    for key, value in clean.items():
        setattr(org, key, value)
    after = snapshot(org)
    if after == before:
        return False
    org.save()
    changed = [k for k in after if after[k] != before.get(k)]
    record(by, "organisation.update", org,
           before={k: before.get(k) for k in changed}, after={k: after[k] for k in changed})
    return True


def set_password_path(user: User) -> str:
    """A one-time link for the user to choose a password.

    The token is derived from the current password hash, so it stops working once a password is set.
    """
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("web:set_password", args=[uidb64, token])


@transaction.atomic
def create_user_with_membership(
    *,
    by: Any,
    organisation: Organisation,
    username: str,
    email: str,
    role: str,
    first_name: str = "",
    last_name: str = "",
    password: str | None = None,
    designations: Mapping[str, bool] | None = None,
) -> tuple[User, Membership]:
    """Create a user and their membership of ``organisation``.

    Without ``password`` the account gets an unusable password: the admin passes on the one-time
    ``set_password_path(user)`` link. A given password must pass the configured validators.
    """
    policy.require(by, "manage", "membership")
    policy.require(by, "manage", organisation)
    username = username.strip()
    email = email.strip()
    if not username:
        raise ValidationError("A user needs a username.")
    try:
        User.username_validator(username)
    except ValidationError as exc:
        raise ValidationError(f"Username: {' '.join(exc.messages)}") from exc
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(f"The username {username!r} is already taken.")
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError(f"{email!r} is not a valid e-mail address.") from exc
    _check_role(role, organisation)
    flags = _clean_designations(designations or {})
    user = User(username=username, email=email, first_name=first_name.strip()[:150],
                last_name=last_name.strip()[:150])
    if password:
        validate_password(password, user)
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    membership = Membership.objects.create(user=user, organisation=organisation, role=role, **flags)
    record(by, "user.create", user, after=snapshot(user, USER_AUDIT_FIELDS),
           note="initial password set by admin" if password else "set-password link issued")
    record(by, "membership.create", membership, after=snapshot(membership))
    return user, membership


def _clean_designations(values: Mapping[str, Any]) -> dict[str, bool]:
    unknown = set(values) - set(DESIGNATIONS)
    if unknown:
        raise ValidationError(f"Unknown designation(s): {', '.join(sorted(unknown))}")
    return {k: bool(v) for k, v in values.items()}


def _is_last_admin(membership: Membership) -> bool:
    if membership.role != Role.BRAND_ADMIN or not membership.active:
        return False
    others = Membership.objects.filter(
        organisation_id=membership.organisation_id, role=Role.BRAND_ADMIN, active=True, user__is_active=True
    ).exclude(pk=membership.pk)
    return not others.exists()


@transaction.atomic
def update_membership(
    membership: Membership,
    *,
    by: Any,
    role: str | None = None,
    designations: Mapping[str, bool] | None = None,
) -> bool:
    """Change the role and/or designations; returns whether anything changed."""
    policy.require(by, "manage", membership)
    before = snapshot(membership)
    if role is not None and role != membership.role:
        _check_role(role, membership.organisation)
        if _is_last_admin(membership):
            raise ValidationError("This is the organisation's last brand admin: appoint another one first.")
        membership.role = role
    for key, value in _clean_designations(designations or {}).items():
        setattr(membership, key, value)
    after = snapshot(membership)
    if after == before:
        return False
    membership.save()
    changed = [k for k in after if after[k] != before.get(k)]
    action = "membership.change_role" if "role" in changed else "membership.update"
    record(by, action, membership,
           before={k: before.get(k) for k in changed}, after={k: after[k] for k in changed})
    return True


def change_role(membership: Membership, *, by: Any, role: str) -> bool:
    return update_membership(membership, by=by, role=role)


@transaction.atomic
def deactivate_membership(membership: Membership, *, by: Any) -> bool:
    """The user loses the role at once (the policy counts active memberships only); True if it changed."""
    policy.require(by, "manage", membership)
    if not membership.active:
        return False
    if _is_last_admin(membership):
        raise ValidationError("This is the organisation's last brand admin: appoint another one first.")
    membership.active = False
    membership.save(update_fields=["active"])
    record(by, "membership.deactivate", membership, before={"active": True}, after={"active": False})
    return True


@transaction.atomic
def reactivate_membership(membership: Membership, *, by: Any) -> bool:
    policy.require(by, "manage", membership)
    if membership.active:
        return False
    # One active membership per user: a person acts for one organisation at a time.
    if Membership.objects.filter(user_id=membership.user_id, active=True).exists():
        raise ValidationError(f"{membership.user} already has an active membership elsewhere.")
    membership.active = True
    membership.save(update_fields=["active"])
    record(by, "membership.reactivate", membership, before={"active": False}, after={"active": True})
    return True
