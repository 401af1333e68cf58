"""The access policy: the one place that answers "may this user do this to this object?".

Every view, API endpoint and service function asks ``can`` (or ``require``) and scopes querysets with
``visible_facilities`` / ``visible_links``. Default deny: a user without an active membership, an unknown
object type or an unknown action gets no.

The expected behaviour is written independently as a literal table in
``tests/access/expected_permissions.yaml`` and tested as a role × object × action matrix.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from fairthread.accounts.models import Role

# Object types and the actions that exist on them.
ACTIONS: dict[str, frozenset[str]] = {
    "dashboard": frozenset({"view"}),
    "facility": frozenset({"view", "create", "change"}),
    "sourcing_link": frozenset({"view", "create", "change", "delete"}),
    "import": frozenset({"view", "run"}),
    "export": frozenset({"run"}),
    "organisation": frozenset({"view", "manage"}),
    "membership": frozenset({"manage"}),
    "challenge": frozenset({"view", "open", "answer", "close"}),
    "audit_log": frozenset({"view"}),
    "api_token": frozenset({"manage"}),
    "job": frozenset({"view"}),
    # The brand's internal risk assessment (runs and results) and the versioned method behind it.
    "risk_assessment": frozenset({"view", "run"}),
    "methodology": frozenset({"view", "change"}),
    # Restricted-entity screening: the hits review queue and the restricted lists.
    "screening": frozenset({"view", "review", "load_list"}),
    # Facility matching: the pairs put to a person (review queue), merges (undoable), the reference registry.
    "match_candidate": frozenset({"view", "decide"}),
    "facility_merge": frozenset({"view", "undo"}),
    "registry": frozenset({"view", "import", "link"}),
}

_ALL = ACTIONS
_BRAND_WORK = {
    "dashboard": {"view"},
    "facility": {"view", "create", "change"},
    "sourcing_link": {"view", "create", "change", "delete"},
    "import": {"view", "run"},
    "export": {"run"},
    "organisation": {"view"},
    "challenge": {"view", "answer"},
    "api_token": {"manage"},
    "job": {"view"},
    "risk_assessment": {"view", "run"},
    "methodology": {"view"},
    "screening": {"view", "review", "load_list"},
    # Who edits facilities decides pairs and undoes merges; who imports imports and links the registry.
    "match_candidate": {"view", "decide"},
    "facility_merge": {"view", "undo"},
    "registry": {"view", "import", "link"},
}

RULES: dict[str, dict[str, frozenset[str]]] = {
    Role.BRAND_ADMIN: {
        **{k: frozenset(v) for k, v in _BRAND_WORK.items()},
        "organisation": frozenset({"view", "manage"}),
        "membership": frozenset({"manage"}),
        "audit_log": frozenset({"view"}),
        "methodology": frozenset({"view", "change"}),
    },
    Role.BRAND_ANALYST: {k: frozenset(v) for k, v in _BRAND_WORK.items()},
    # The critical friend reads everything (nothing here identifies a worker yet) and raises challenges.
    Role.CRITICAL_FRIEND: {
        "dashboard": frozenset({"view"}),
        "facility": frozenset({"view"}),
        "sourcing_link": frozenset({"view"}),
        "import": frozenset({"view"}),
        "export": frozenset({"run"}),
        "organisation": frozenset({"view"}),
        "challenge": frozenset({"view", "open", "close"}),
        "audit_log": frozenset({"view"}),
        "api_token": frozenset({"manage"}),
        "job": frozenset({"view"}),
        # Reads every assessment and method version; challenges them (through "challenge": "open").
        "risk_assessment": frozenset({"view"}),
        "methodology": frozenset({"view"}),
        "screening": frozenset({"view"}),
        "match_candidate": frozenset({"view"}),
        "facility_merge": frozenset({"view"}),
        "registry": frozenset({"view"}),
    },
    # Suppliers see and update their own facilities and declare their own sub-suppliers.
    Role.SUPPLIER_USER: {
        "dashboard": frozenset({"view"}),
        "facility": frozenset({"view", "change"}),
        "sourcing_link": frozenset({"view", "create"}),
        "api_token": frozenset({"manage"}),
    },
    Role.AUDITOR: {
        "dashboard": frozenset({"view"}),
    },
}


def object_type(target: Any) -> str:
    if isinstance(target, str):
        return target
    label = getattr(getattr(target, "_meta", None), "model_name", "")
    return {
        "facility": "facility",
        "sourcinglink": "sourcing_link",
        "importbatch": "import",
        "organisation": "organisation",
        "membership": "membership",
        "challenge": "challenge",
        "auditevent": "audit_log",
        "apitoken": "api_token",
        "assessmentrun": "risk_assessment",
        "facilityassessment": "risk_assessment",
        "methodologyversion": "methodology",
        "screeninghit": "screening",
        "restrictedlist": "screening",
        "listversion": "screening",
        "matchcandidate": "match_candidate",
        "facilitymerge": "facility_merge",
        "registryedition": "registry",
        "registryfacility": "registry",
    }.get(label, label)


def role_of(user: Any) -> str | None:
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return user.role


def _owns_facility(user: Any, facility: Any) -> bool:
    org = user.organisation
    return org is not None and facility.organisation_id == org.pk


def can(user: Any, action: str, target: Any) -> bool:
    """May ``user`` do ``action`` to ``target`` (a model instance, or an object-type name for a class of objects)?"""
    role = role_of(user)
    if role is None:
        return False
    otype = object_type(target)
    if action not in ACTIONS.get(otype, ()):
        return False
    if action not in RULES.get(role, {}).get(otype, frozenset()):
        return False
    if isinstance(target, str):
        return True
    if otype == "api_token":
        return target.user_id == user.pk  # everyone manages only their own tokens
    if role != Role.SUPPLIER_USER:
        return True
    # Supplier users: only what belongs to their own organisation.
    if otype == "facility":
        return _owns_facility(user, target)
    if otype == "sourcing_link":
        buyer_owned = target.buyer_id is not None and _owns_facility(user, target.buyer)
        if action == "create":
            return buyer_owned  # declaring a sub-supplier of one's own facility
        supplier_owned = target.supplier_id is not None and _owns_facility(user, target.supplier)
        return buyer_owned or supplier_owned
    return False


def require(user: Any, action: str, target: Any) -> None:
    if not can(user, action, target):
        raise PermissionDenied(f"You may not {action} this {object_type(target).replace('_', ' ')}.")


def visible_facilities(user: Any, qs: QuerySet | None = None) -> QuerySet:
    from fairthread.supplychain.models import Facility

    qs = Facility.objects.all() if qs is None else qs
    role = role_of(user)
    if role is None or not can(user, "view", "facility"):
        return qs.none()
    if role == Role.SUPPLIER_USER:
        org = user.organisation
        return qs.filter(organisation=org) if org else qs.none()
    return qs


def visible_links(user: Any, qs: QuerySet | None = None) -> QuerySet:
    from fairthread.supplychain.models import SourcingLink

    qs = SourcingLink.objects.all() if qs is None else qs
    role = role_of(user)
    if role is None or not can(user, "view", "sourcing_link"):
        return qs.none()
    if role == Role.SUPPLIER_USER:
        org = user.organisation
        if org is None:
            return qs.none()
        return qs.filter(Q(buyer__organisation=org) | Q(supplier__organisation=org))
    return qs
