"""Service functions: the one entry point for every change to facilities and sourcing links.

Each checks the access policy, validates, writes the audit log and keeps derived tiers current.
Views, the API, the CLI and tests all call these.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from fairthread.accounts import policy
from fairthread.audit.log import record, snapshot
from fairthread.supplychain.identity import agent_identity_key, identity_key
from fairthread.supplychain.models import AgentEngagement, Facility, RecruitmentAgent, SourcingLink
from fairthread.supplychain.signals import agents_changed, facilities_changed
from fairthread.supplychain.tiers import BRAND, derive_tiers

# Fields a supplier user may change on its own facility (not ids, not ownership, not tiers).
SUPPLIER_EDITABLE = {
    "name", "name_native", "address", "region", "lat", "lng", "coordinate_precision", "sector",
    "facility_type", "processing_type", "product_type", "parent_company", "workers_count", "pct_female",
    "pct_migrant", "pct_agency", "dormitory", "recruitment_agents", "status",
}
EDITABLE = SUPPLIER_EDITABLE | {"brand_ref", "os_id", "country", "declared_tier", "organisation"}


def _clean_and_key(facility: Facility) -> None:
    facility.identity_key = identity_key(facility.name, facility.address, facility.country)
    facility.full_clean(exclude=["uid"])


@transaction.atomic
def create_facility(*, by: Any, values: Mapping[str, Any], audit: bool = True) -> Facility:
    policy.require(by, "create", "facility")
    unknown = set(values) - EDITABLE
    if unknown:
        raise ValidationError(f"Unknown facility field(s): {', '.join(sorted(unknown))}")
    facility = Facility(**values)
    _clean_and_key(facility)
    facility.save()
    if audit:
        record(by, "facility.create", facility, after=snapshot(facility))
    # A new facility is screened (and assessed once it has links) like an edited one.
    facilities_changed.send(sender=Facility, facility_ids={facility.pk})
    return facility


@transaction.atomic
def update_facility(facility: Facility, *, by: Any, values: Mapping[str, Any], audit: bool = True) -> bool:
    """Apply changed values; returns whether anything changed."""
    policy.require(by, "change", facility)
    allowed = SUPPLIER_EDITABLE if policy.role_of(by) == "supplier_user" else EDITABLE
    unknown = set(values) - allowed
    if unknown:
        raise ValidationError(f"You may not change: {', '.join(sorted(unknown))}")
    before = snapshot(facility)
    for name, value in values.items():
        setattr(facility, name, value)
    _clean_and_key(facility)
    after = snapshot(facility)
    if after == before:
        return False
    facility.save()
    if audit:
        changed = {k for k in after if after[k] != before.get(k)}
        record(by, "facility.update", facility,
               before={k: before.get(k) for k in changed}, after={k: after[k] for k in changed})
    if "declared_tier" in values:
        recompute_tiers()
    facilities_changed.send(sender=Facility, facility_ids={facility.pk})
    return True


@transaction.atomic
def create_link(*, by: Any, values: Mapping[str, Any], audit: bool = True, recompute: bool = True) -> SourcingLink:
    link = SourcingLink(**values)
    policy.require(by, "create", link)
    if link.buyer_id is not None and link.buyer_id == link.supplier_id:
        raise ValidationError("A facility cannot supply itself.")
    link.full_clean()
    link.save()
    if audit:
        record(by, "link.create", link, after=snapshot(link))
    if recompute:
        recompute_tiers()
    _links_changed(link.buyer_id, link.supplier_id)
    return link


@transaction.atomic
def update_link(link: SourcingLink, *, by: Any, values: Mapping[str, Any]) -> bool:
    policy.require(by, "change", link)
    before = snapshot(link)
    for name, value in values.items():
        setattr(link, name, value)
    link.full_clean()
    after = snapshot(link)
    if after == before:
        return False
    link.save()
    record(by, "link.update", link, before=before, after=after)
    recompute_tiers()
    _links_changed(link.buyer_id, link.supplier_id, before.get("buyer"), before.get("supplier"))
    return True


@transaction.atomic
def delete_link(link: SourcingLink, *, by: Any) -> None:
    policy.require(by, "delete", link)
    before = snapshot(link)
    repr_ = str(link)
    pk = link.pk
    link.delete()
    record(by, "link.delete", None, object_type="supplychain.sourcinglink", object_id=str(pk),
           object_repr=repr_, before=before)
    recompute_tiers()
    _links_changed(before.get("buyer"), before.get("supplier"))


def _links_changed(*facility_ids: int | None) -> None:
    ids = {pk for pk in facility_ids if pk is not None}
    if ids:
        facilities_changed.send(sender=SourcingLink, facility_ids=ids)


def recompute_tiers() -> list[list[int]]:
    """Re-derive every facility's tier from the link graph; returns the cycles found (facility ids)."""
    ids_declared = dict(Facility.objects.values_list("id", "declared_tier"))
    edges = [
        (BRAND if brand_id else buyer_id, supplier_id)
        for brand_id, buyer_id, supplier_id in SourcingLink.objects.filter(supplier__isnull=False)
        .values_list("brand_id", "buyer_id", "supplier_id")
        .iterator(chunk_size=10_000)
    ]
    result = derive_tiers(ids_declared.keys(), edges, ids_declared)
    in_cycle = result.in_cycle
    current = {
        pk: (tier, cyc) for pk, tier, cyc in Facility.objects.values_list("id", "tier", "in_cycle").iterator(
            chunk_size=10_000)
    }
    # Group changed facilities by their new (tier, in_cycle): one UPDATE per distinct value is far faster
    # than a row-by-row bulk_update at 100,000 facilities.
    by_value: dict[tuple[int | None, bool], list[int]] = {}
    for pk, (tier, cyc) in current.items():
        new = (result.tiers.get(pk), pk in in_cycle)
        if (tier, cyc) != new:
            by_value.setdefault(new, []).append(pk)
    for (tier, cyc), pks in by_value.items():
        for start in range(0, len(pks), 900):  # stay under SQLite's bound-parameter limit
            Facility.objects.filter(id__in=pks[start:start + 900]).update(tier=tier, in_cycle=cyc)
    return result.cycles


# --- recruitment agents -------------------------------------------------------------------------------------

AGENT_FIELDS = ("name", "name_native", "country", "address", "licence_number")


def _find_or_create_agent(by: Any, values: Mapping[str, Any]) -> tuple[RecruitmentAgent, bool]:
    """The agent with this identity (name + country, as in imports), or a new one. Returns (agent, created)."""
    name = (values.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": "Give the recruitment agent's name."})
    clean = {k: (values.get(k) or "").strip() for k in AGENT_FIELDS}
    clean["country"] = clean["country"].upper()
    key = agent_identity_key(clean["name"], clean["country"])
    agent = RecruitmentAgent.objects.filter(identity_key=key).order_by("id").first()
    if agent is not None:
        return agent, False
    agent = RecruitmentAgent(**clean, identity_key=key)
    agent.full_clean(exclude=["uid"])
    agent.save()
    record(by, "recruitment_agent.create", agent, after=snapshot(agent))
    return agent, True


def _engage(by: Any, facility: Facility, agent: RecruitmentAgent, origin: str) -> AgentEngagement:
    if AgentEngagement.objects.filter(agent=agent, facility=facility, origin_country=origin).exists():
        raise ValidationError(f"{facility.name} already recruits through {agent.name} along this corridor.")
    engagement = AgentEngagement(agent=agent, facility=facility, origin_country=origin)
    engagement.full_clean()
    engagement.save()
    record(by, "agent_engagement.create", engagement,
           after={"agent": agent.pk, "agent_name": agent.name, "facility": facility.pk, "origin_country": origin})
    if facility.recruitment_agents is not True:
        before = facility.recruitment_agents
        facility.recruitment_agents = True
        facility.save(update_fields=["recruitment_agents", "updated_at"])
        record(by, "facility.update", facility, before={"recruitment_agents": before},
               after={"recruitment_agents": True}, note="a recruitment agent was named")
    return engagement


def _agents_changed(agent_ids: set[int], facility_ids: set[int]) -> None:
    if agent_ids:
        agents_changed.send(sender=RecruitmentAgent, agent_ids=agent_ids)
    if facility_ids:
        facilities_changed.send(sender=AgentEngagement, facility_ids=facility_ids)


@transaction.atomic
def add_agent_engagement(facility: Facility, *, by: Any, values: Mapping[str, Any]) -> AgentEngagement:
    """Record that ``facility`` recruits through an agent (found by name + country, else created).

    ``values``: the agent's name, name_native, country, address, licence_number, and origin_country (where the
    workers are recruited). A new agent is screened; the facility's risk is re-assessed."""
    policy.require(by, "change", facility)
    agent, created = _find_or_create_agent(by, values)
    engagement = _engage(by, facility, agent, (values.get("origin_country") or "").strip().upper())
    _agents_changed({agent.pk} if created else set(), {facility.pk})
    return engagement


@transaction.atomic
def update_agent_engagement(engagement: AgentEngagement, *, by: Any, values: Mapping[str, Any]) -> bool:
    """Change an engagement: the corridor's origin, or the agent's details.

    An agent engaged by this facility only is edited in place (and screened again if a name or its country
    changed). An agent other facilities engage too is not renamed under them: the engagement moves to the agent
    with the new name / country (found or created); its licence number or native name (the same agent)
    is changed in place, by brand users only. Returns whether anything changed."""
    facility = engagement.facility
    policy.require(by, "change", facility)
    agent = engagement.agent
    clean = {k: (values.get(k, getattr(agent, k)) or "").strip() for k in AGENT_FIELDS}
    clean["country"] = clean["country"].upper()
    origin = (values.get("origin_country", engagement.origin_country) or "").strip().upper()
    agent_changes = {k: v for k, v in clean.items() if v != getattr(agent, k)}
    if not agent_changes and origin == engagement.origin_country:
        return False
    if not clean["name"]:
        raise ValidationError({"name": "Give the recruitment agent's name."})
    screen: set[int] = set()
    if agent_changes:
        shared = agent.engagements.exclude(facility=facility).exists()
        same_identity = agent_identity_key(clean["name"], clean["country"]) == agent.identity_key
        if shared and same_identity and policy.role_of(by) == "supplier_user":
            # Only details of the agent itself (licence, native name) changed, and other facilities engage it.
            raise ValidationError("Other facilities also recruit through this agent; ask the brand to change its "
                                  "licence number or native name.")
        if shared and not same_identity:
            new_agent, created = _find_or_create_agent(by, clean)
            if created:
                screen.add(new_agent.pk)
            before = {"agent": agent.pk}
            engagement.agent = new_agent
            record(by, "agent_engagement.update", engagement, before=before, after={"agent": new_agent.pk})
            agent = new_agent
        else:
            before = snapshot(agent)
            for k, v in agent_changes.items():
                setattr(agent, k, v)
            agent.identity_key = agent_identity_key(agent.name, agent.country)
            agent.full_clean(exclude=["uid"])
            agent.save()
            record(by, "recruitment_agent.update", agent, before={k: before.get(k) for k in agent_changes},
                   after=agent_changes)
            if {"name", "name_native", "country"} & set(agent_changes):
                screen.add(agent.pk)
    if origin != engagement.origin_country:
        record(by, "agent_engagement.update", engagement, before={"origin_country": engagement.origin_country},
               after={"origin_country": origin})
        engagement.origin_country = origin
    if AgentEngagement.objects.filter(agent=agent, facility=facility, origin_country=origin).exclude(
            pk=engagement.pk).exists():
        raise ValidationError(f"{facility.name} already recruits through {agent.name} along this corridor.")
    engagement.full_clean()
    engagement.save()
    _agents_changed(screen, {facility.pk})
    return True


@transaction.atomic
def remove_agent_engagement(engagement: AgentEngagement, *, by: Any) -> None:
    """The facility no longer recruits through this agent (the agent's record and screening history stay)."""
    facility = engagement.facility
    policy.require(by, "change", facility)
    pk, repr_ = engagement.pk, str(engagement)
    before = {"agent": engagement.agent_id, "agent_name": engagement.agent.name, "facility": facility.pk,
              "origin_country": engagement.origin_country}
    engagement.delete()
    record(by, "agent_engagement.delete", None, object_type="supplychain.agentengagement", object_id=str(pk),
           object_repr=repr_, before=before)
    _agents_changed(set(), {facility.pk})
