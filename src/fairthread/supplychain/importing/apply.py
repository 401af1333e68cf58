"""Matching validated rows to the facilities already in fairthread, and writing everything in one transaction.

``plan`` only reads (a dry run stops there); ``write`` applies a plan atomically with bulk operations:
existing facilities are preloaded by key in a few queries, never one query per row.
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from fairthread.accounts.models import Organisation
from fairthread.audit.log import record, snapshot
from fairthread.audit.models import AuditEvent
from fairthread.supplychain.identity import identity_key
from fairthread.supplychain.importing.bulk import insert_rows, update_rows
from fairthread.supplychain.importing.validation import AgentSpec, FacilityGroup, LinkSpec, Validated
from fairthread.supplychain.models import (
    AgentEngagement,
    Facility,
    FacilitySource,
    ImportBatch,
    RecruitmentAgent,
    SourcingLink,
)
from fairthread.supplychain.signals import agents_changed, facilities_changed
from fairthread.supplychain.tiers import BRAND, derive_tiers

# Values per IN (...) query: SQLite before 3.32 allowed only 999 bound parameters.
CHUNK = 900 if sqlite3.sqlite_version_info < (3, 32) else 10_000
BATCH = 1000


def chunks(items: Iterable[Any], size: int = CHUNK) -> Iterable[list[Any]]:
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def lookup_refs(refs: set[str]) -> dict[str, int]:
    """brand_ref -> facility id for references not found in the file."""
    found: dict[str, int] = {}
    for part in chunks(sorted(refs)):
        found.update(Facility.objects.filter(brand_ref__in=part).values_list("brand_ref", "id"))
    return found


@dataclass
class Plan:
    validated: Validated
    brand: Organisation | None
    existing: dict[int, Any] = field(default_factory=dict)  # group index -> stored facility (a light record)
    new_values: dict[int, dict[str, Any]] = field(default_factory=dict)  # group index -> values of a new one
    updated: dict[int, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)  # before, after
    unchanged: list[int] = field(default_factory=list)
    orgs: dict[str, Organisation] = field(default_factory=dict)  # casefolded name -> existing organisation
    new_orgs: dict[str, str] = field(default_factory=dict)  # casefolded name -> name to create
    org_of_group: dict[int, str] = field(default_factory=dict)
    new_links: list[LinkSpec] = field(default_factory=list)
    changed_links: list[tuple[int, Decimal]] = field(default_factory=list)  # link id, new volume share
    # Recruitment agents by identity key: stored ones found again, new ones, changes to stored ones.
    agents_found: dict[str, RecruitmentAgent] = field(default_factory=dict)
    new_agents: dict[str, AgentSpec] = field(default_factory=dict)
    agent_updates: dict[str, dict[str, str]] = field(default_factory=dict)
    new_engagements: list[tuple[int, str, str]] = field(default_factory=list)  # group index, agent key, origin
    errors: list[str] = field(default_factory=list)
    # Facility matching of rows that would be new facilities: group index -> the existing facility it is
    # (merged into it on writing) or the existing facilities a person should compare it with.
    matched: dict[int, Any] = field(default_factory=dict)  # gi -> resolving.Proposal
    review: dict[int, Any] = field(default_factory=dict)  # gi -> resolving.Proposal

    @property
    def created(self) -> list[int]:
        return [gi for gi in self.new_values if gi not in self.matched]

    @property
    def links_created(self) -> int:
        return len(self.new_links)

    @property
    def agents_created(self) -> int:
        return len(self.new_agents)

    @property
    def engagements_created(self) -> int:
        return len(self.new_engagements)


_STORED_FIELDS = tuple(
    f.attname for f in Facility._meta.concrete_fields if f.name not in {"uid", "created_at", "updated_at"}
)


def _load(groups: list[FacilityGroup]) -> tuple[dict[str, list[Any]], ...]:
    """Stored facilities that share a brand_ref, os_id or identity key with the file, as light records."""
    wanted = {
        "brand_ref": {g.ref for g in groups if g.ref},
        "os_id": {g.os_id for g in groups if g.os_id},
        "identity_key": {g.identity_key for g in groups},
    }
    ids: set[int] = set()
    for name, values in wanted.items():
        for part in chunks(sorted(values)):
            ids.update(Facility.all_objects.filter(**{f"{name}__in": part}).values_list("id", flat=True))
    stored = _light(ids)
    # A record merged into another (a confirmed match) leads to the record it was merged into: a stored
    # decision is consulted before anything else, so a re-import finds the facility under either spelling.
    survivors = {f.pk: f for f in stored}
    pending = {f.merged_into_id for f in stored if f.merged_into_id} - set(survivors)
    while pending:
        found = _light(pending)
        survivors.update({f.pk: f for f in found})
        pending = {f.merged_into_id for f in found if f.merged_into_id} - set(survivors)

    def root(facility: Any) -> Any:
        seen = set()
        while facility.merged_into_id and facility.pk not in seen:
            seen.add(facility.pk)
            facility = survivors[facility.merged_into_id]
        return facility

    stored.sort(key=lambda f: (f.status == Facility.Status.MERGED, f.pk))
    indexes: tuple[dict[str, list[Any]], ...] = ({}, {}, {})
    for facility in stored:
        target = facility
        if facility.merged_into_id:
            target = SimpleNamespace(**vars(root(facility)))
            target.redirected = True
        for index, name in zip(indexes, wanted, strict=True):
            value = getattr(facility, name)
            if value:
                index.setdefault(value, []).append(target)
    return indexes


def _light(ids: Iterable[int]) -> list[Any]:
    out = []
    for part in chunks(sorted(ids)):
        # Plain records, not model instances: comparing 10,000 rows should not build 10,000 models.
        out.extend(
            SimpleNamespace(pk=row["id"], **row)
            for row in Facility.all_objects.filter(id__in=part).values(*_STORED_FIELDS)
        )
    return out


def _organisations(result: Plan) -> None:
    """Existing organisations by name (case-insensitive); names to create as suppliers."""
    groups = result.validated.groups
    wanted = {g.values["organisation"] for g in groups if g.values.get("organisation")}
    if not wanted:
        return
    existing = {o.name.casefold(): o for o in Organisation.objects.all()}
    for name in sorted(wanted):
        key = name.casefold()
        org = existing.get(key)
        if org is None:
            result.new_orgs.setdefault(key, name)
        elif org.kind != Organisation.Kind.SUPPLIER:
            group = next(g for g in groups if g.values.get("organisation") == name)
            result.errors.append(
                f"row {group.first}, column '{group.rows[0].column('organisation')}': '{org.name}' is a "
                f"{org.get_kind_display().lower()} organisation; a facility is run by a supplier organisation"
            )
        else:
            result.orgs[key] = org


def _match(
    group: FacilityGroup,
    by_ref: dict[str, list[Any]],
    by_os: dict[str, list[Any]],
    by_key: dict[str, list[Any]],
    claimed: set[int],
    errors: list[str],
) -> Any:
    ref, os_id = group.ref, group.os_id
    row = group.rows[0]
    if ref and ref in by_ref:
        facility = by_ref[ref][0]
        other = by_os[os_id][0] if os_id and os_id in by_os else None
        if other is not None and other.pk != facility.pk:
            errors.append(
                f"row {group.first}, column '{row.column('os_id')}': os_id '{os_id}' already belongs to "
                f"another facility, '{other.name}' (reference {other.brand_ref or 'none'})"
            )
        return facility
    if os_id and os_id in by_os:
        facility = by_os[os_id][0]
        if ref and facility.brand_ref and facility.brand_ref != ref:
            errors.append(
                f"row {group.first}, column '{row.column('brand_ref')}': os_id '{os_id}' is already "
                f"recorded for the facility with reference '{facility.brand_ref}', not '{ref}'"
            )
        return facility
    for facility in by_key.get(group.identity_key, []):
        if facility.pk in claimed:
            continue
        if ref and facility.brand_ref and facility.brand_ref != ref:
            continue
        if os_id and facility.os_id and facility.os_id != os_id:
            continue
        return facility
    return None


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) or isinstance(b, Decimal):
        if a is None or b is None:
            return a is b
        return Decimal(str(a)) == Decimal(str(b))
    return a == b


def plan(validated: Validated, brand: Organisation | None) -> Plan:
    """Match every facility group to what is stored and work out what would change (reads only)."""
    result = Plan(validated=validated, brand=brand)
    groups = validated.groups
    by_ref, by_os, by_key = _load(groups)
    _organisations(result)
    claimed: set[int] = set()
    for gi, group in enumerate(groups):
        values = dict(group.values)
        org_name = values.pop("organisation", None)
        if org_name:
            result.org_of_group[gi] = org_name.casefold()
        facility = _match(group, by_ref, by_os, by_key, claimed, result.errors)
        if facility is None:
            result.new_values[gi] = values
            continue
        claimed.add(facility.pk)
        result.existing[gi] = facility
        # Found by a reference or OS ID that a merge moved to this facility, while the row spells the merged
        # record: that is also "found through a merged record".
        redirected = getattr(facility, "redirected", False) or (
            group.identity_key != facility.identity_key
            and any(getattr(f, "redirected", False) and f.pk == facility.pk for f in by_key.get(group.identity_key, []))
        )
        if redirected:
            # Found through a record merged into this one: this list spells it differently. Its values only
            # fill what the facility lacks; the facility keeps its own name and address.
            values = {k: v for k, v in values.items()
                      if k not in {"name", "address"} and getattr(facility, k, None) in (None, "")}
        elif group.identity_key == facility.identity_key:
            # Same normalised name + address + country: a difference in punctuation or case is no update.
            values.pop("name", None)
            values.pop("address", None)
        before: dict[str, Any] = {}
        after: dict[str, Any] = {}
        for name, value in values.items():
            current = getattr(facility, name)
            if not _same(current, value):
                before[name], after[name] = current, value
        if org_name:
            org = result.orgs.get(org_name.casefold())
            if org is None or facility.organisation_id != org.pk:
                before["organisation"], after["organisation"] = facility.organisation_id, org_name
        if after:
            result.updated[gi] = (before, after)
        else:
            result.unchanged.append(gi)
    if result.new_values and not result.errors:
        from fairthread.matching.resolving import resolve_new_groups

        resolve_new_groups(result, claimed)
    _plan_links(result)
    _plan_agents(result)
    return result


def _plan_agents(result: Plan) -> None:
    """Agents named in the file: found again by identity key (name + country) or new; engagements not stored yet."""
    specs: dict[str, AgentSpec] = {}
    first_row: dict[str, int] = {}
    wanted: dict[tuple[int, str, str], None] = {}
    for gi, group in enumerate(result.validated.groups):
        for row in group.rows:
            for spec in row.agents:
                key = spec.identity_key
                prev = specs.get(key)
                if prev is None:
                    specs[key], first_row[key] = spec, row.number
                else:
                    for name, column in (("name_native", "recruitment_agent_native"),
                                         ("licence_number", "recruitment_agent_licence")):
                        old, new = getattr(prev, name), getattr(spec, name)
                        if old and new and old != new:
                            result.errors.append(
                                f"rows {first_row[key]} and {row.number} name the recruitment agent '{spec.name}' "
                                f"with different values in column '{row.column(column)}' ('{old}' and '{new}')")
                        elif new and not old:
                            prev = specs[key] = replace(prev, **{name: new})
                wanted[(gi, key, spec.origin_country)] = None
    if not specs:
        return
    for part in chunks(sorted(specs)):
        for agent in RecruitmentAgent.objects.filter(identity_key__in=part).order_by("id"):
            result.agents_found.setdefault(agent.identity_key, agent)
    for key, spec in specs.items():
        agent = result.agents_found.get(key)
        if agent is None:
            result.new_agents[key] = spec
            continue
        changes = {name: getattr(spec, name) for name in ("name_native", "licence_number")
                   if getattr(spec, name) and getattr(spec, name) != getattr(agent, name)}
        if changes:
            result.agent_updates[key] = changes
    stored: set[tuple[int, int, str]] = set()
    agent_ids = [a.pk for a in result.agents_found.values()]
    for part in chunks(agent_ids):
        stored.update(AgentEngagement.objects.filter(agent_id__in=part).values_list(
            "agent_id", "facility_id", "origin_country"))
    for gi, key, origin in wanted:
        agent, facility = result.agents_found.get(key), result.existing.get(gi)
        if agent is not None and facility is not None and (agent.pk, facility.pk, origin) in stored:
            continue  # engaged already: a re-import changes nothing
        result.new_engagements.append((gi, key, origin))


def _plan_links(result: Plan) -> None:
    specs = result.validated.links
    if not specs:
        return
    existing_ids = [f.pk for f in result.existing.values()]
    existing: dict[tuple[Any, ...], tuple[int, Decimal | None]] = {}
    columns = (
        "brand_id",
        "buyer_id",
        "supplier_id",
        "material",
        "origin_country",
        "origin_region",
        "id",
        "volume_share",
    )
    for part in chunks(existing_ids):
        rows = [
            *SourcingLink.objects.filter(supplier_id__in=part).values_list(*columns),
            *SourcingLink.objects.filter(buyer_id__in=part, supplier__isnull=True).values_list(*columns),
        ]
        for row in rows:
            existing[row[:6]] = (row[6], row[7])
    brand_id = result.brand.pk if result.brand is not None else None
    changed: dict[int, Decimal] = {}
    for spec in specs:
        supplier = result.existing.get(spec.supplier) if spec.supplier is not None else None
        buyer = result.existing.get(spec.buyer_group) if spec.buyer_group is not None else None
        supplier_new = spec.supplier is not None and supplier is None
        buyer_new = spec.buyer_group is not None and buyer is None
        if not (supplier_new or buyer_new):
            buyer_id = buyer.pk if buyer is not None else spec.buyer_db
            key = (
                brand_id if spec.to_brand else None,
                None if spec.to_brand else buyer_id,
                supplier.pk if supplier is not None else None,
                spec.material,
                spec.origin_country,
                spec.origin_region,
            )
            found = existing.get(key)
            if found is not None:
                link_id, share = found
                if spec.volume_share is not None and not _same(share, spec.volume_share):
                    changed[link_id] = spec.volume_share
                continue
        result.new_links.append(spec)
    result.changed_links = sorted(changed.items())


def _json(value: Any) -> Any:
    if value is None or type(value) in (str, int, float, bool):
        return value
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    if hasattr(value, "pk"):
        return value.pk
    return value


def _tiers_for_new(
    result: Plan, ids: dict[int, Any], declared_updates: dict[int, int | None]
) -> dict[Any, Any]:
    """Derive tiers over the stored graph plus this import, so new facilities are inserted with their tier.

    ``recompute_tiers`` runs afterwards all the same; it then finds the new rows already right and only
    rewrites the stored facilities whose tier this import changed.
    """
    declared = dict(Facility.objects.values_list("id", "declared_tier"))
    declared.update(declared_updates)
    edges = [
        (BRAND if brand_id else buyer_id, supplier_id)
        for brand_id, buyer_id, supplier_id in SourcingLink.objects.filter(supplier__isnull=False)
        .values_list("brand_id", "buyer_id", "supplier_id")
        .iterator(chunk_size=10_000)
    ]
    for gi, values in result.new_values.items():
        declared[ids[gi]] = values.get("declared_tier")
    for spec in result.new_links:
        if spec.supplier is None:
            continue
        buyer = (
            BRAND
            if spec.to_brand
            else (ids[spec.buyer_group] if spec.buyer_group is not None else spec.buyer_db)
        )
        edges.append((buyer, ids[spec.supplier]))
    return derive_tiers(declared.keys(), edges, declared)


def write(result: Plan, *, by: Any, batch: ImportBatch, organisation: Organisation | None) -> int:
    """Apply the plan in one transaction; any exception rolls everything back. Returns links created."""
    from fairthread.supplychain.services import recompute_tiers

    user = by if getattr(by, "is_authenticated", False) else None
    label = user.get_username() if user else (str(by) if by else "system")
    now = timezone.now()
    groups = result.validated.groups
    audit: list[dict[str, Any]] = []
    note = f"import #{batch.pk} {batch.filename}"[:500]

    def event(
        action: str, object_type: str, object_id: Any, repr_: str, before: dict | None, after: dict | None
    ) -> None:
        audit.append(
            {
                "actor_id": user.pk if user else None,
                "actor_label": label,
                "action": action,
                "object_type": object_type,
                "object_id": str(object_id),
                "object_repr": repr_[:300],
                "before": before,
                "after": after,
                "note": note,
            }
        )

    with transaction.atomic():
        orgs = dict(result.orgs)
        # One INSERT for all new supplier organisations (a demo list names hundreds of them).
        new_orgs = Organisation.objects.bulk_create(
            [Organisation(name=name, kind=Organisation.Kind.SUPPLIER) for name in result.new_orgs.values()],
            batch_size=500,
        )
        for key, org in zip(result.new_orgs, new_orgs, strict=True):
            if org.pk is None:  # databases that cannot return ids from a bulk insert
                org = Organisation.objects.get(name=org.name)
            orgs[key] = org
            event("organisation.create", "accounts.organisation", org.pk, str(org), None, snapshot(org))

        # Every group gets an id: stored facilities keep theirs, new ones get a placeholder until inserted.
        ids: dict[int, Any] = {gi: f.pk for gi, f in result.existing.items()}
        uids = {gi: uuid.uuid4() for gi in result.new_values}
        ids.update({gi: ("new", gi) for gi in result.new_values})
        declared_updates = {
            result.existing[gi].pk: after["declared_tier"]
            for gi, (_, after) in result.updated.items()
            if "declared_tier" in after
        }
        tiers = _tiers_for_new(result, ids, declared_updates) if result.new_values else None

        rows = []
        for gi, values in result.new_values.items():
            row = dict(values)
            row["uid"] = uids[gi]
            org_key = result.org_of_group.get(gi)
            row["organisation_id"] = orgs[org_key].pk if org_key else None
            row["identity_key"] = groups[gi].identity_key
            if tiers is not None:
                row["tier"] = tiers.tiers.get(ids[gi])
                row["in_cycle"] = ids[gi] in tiers.in_cycle
            rows.append(row)
        last_id = Facility.objects.aggregate(last=Max("id"))["last"] or 0
        insert_rows(Facility, rows)
        # The new rows are those above the previous highest id whose uid is ours (others may insert too).
        by_uid = dict(Facility.objects.filter(id__gt=last_id).values_list("uid", "id"))
        for gi, uid in uids.items():
            ids[gi] = by_uid[uid]
            values = result.new_values[gi]
            event(
                "facility.create",
                "supplychain.facility",
                ids[gi],
                values.get("name", ""),
                None,
                {k: _json(v) for k, v in values.items()} | {"uid": str(uid)},
            )

        changes = []
        for gi, (before, after) in result.updated.items():
            facility = result.existing[gi]
            update = {}
            for name, value in after.items():
                if name == "organisation":
                    org = orgs[value.casefold()]
                    after["organisation"] = org.pk
                    update["organisation_id"] = org.pk
                else:
                    update[name] = value
                    setattr(facility, name, value)
            key = identity_key(facility.name, facility.address, facility.country)
            if key != facility.identity_key:
                update["identity_key"] = key
            update["updated_at"] = now
            changes.append((facility.pk, update))
            event(
                "facility.update",
                "supplychain.facility",
                facility.pk,
                facility.name,
                {k: _json(v) for k, v in before.items()},
                {k: _json(v) for k, v in after.items()},
            )
        update_rows(Facility, changes)

        brand_id = result.brand.pk if result.brand is not None else None
        link_rows = []
        for spec in result.new_links:
            link_rows.append(
                {
                    "brand_id": brand_id if spec.to_brand else None,
                    "buyer_id": None
                    if spec.to_brand
                    else (ids[spec.buyer_group] if spec.buyer_group is not None else spec.buyer_db),
                    "supplier_id": ids[spec.supplier] if spec.supplier is not None else None,
                    "material": spec.material,
                    "volume_share": spec.volume_share,
                    "origin_country": spec.origin_country,
                    "origin_region": spec.origin_region,
                }
            )
        insert_rows(SourcingLink, link_rows)
        update_rows(
            SourcingLink,
            [(pk, {"volume_share": share, "updated_at": now}) for pk, share in result.changed_links],
        )
        for pk, share in result.changed_links:
            event(
                "link.update",
                "supplychain.sourcinglink",
                pk,
                f"link #{pk}",
                None,
                {"volume_share": str(share)},
            )

        screen_agents, engaged = _write_agents(result, ids, now, event)
        _write_sources(result, ids, batch, organisation)
        insert_rows(AuditEvent, audit)
        matched_into: set[int] = set()
        if result.matched or result.review:
            from fairthread.matching.resolving import write_resolutions

            matched_into = write_resolutions(result, ids, by=by, batch=batch)
        counts = {
            "created": len(result.created),
            "matched_existing": len(result.matched),
            "sent_to_review": len(result.review),
            "updated": len(result.updated),
            "unchanged": len(result.unchanged),
            "links_created": len(link_rows),
            "links_updated": len(result.changed_links),
            "agents_created": result.agents_created,
            "engagements_created": result.engagements_created,
        }
        record(by, "import.apply", batch, after={"filename": batch.filename, **counts}, note=note)
        recompute_tiers()
        touched: set[int | None] = {ids[gi] for gi in result.updated} | {ids[gi] for gi in result.new_values}
        touched |= matched_into
        for row in link_rows:
            touched.update((row["buyer_id"], row["supplier_id"]))
        for part in chunks([pk for pk, _ in result.changed_links]):
            for pair in SourcingLink.objects.filter(id__in=part).values_list("buyer_id", "supplier_id"):
                touched.update(pair)
        touched.discard(None)
        # Risk re-assesses these and what lies downstream of them once the transaction commits.
        if touched:
            facilities_changed.send(sender=Facility, facility_ids=touched)
        # New engagements change those facilities' risk (an agent's confirmed hit reaches them); new or renamed
        # agents are screened.
        engaged -= touched  # those are re-assessed already
        if engaged:
            facilities_changed.send(sender=AgentEngagement, facility_ids=engaged)
        if screen_agents:
            agents_changed.send(sender=RecruitmentAgent, agent_ids=screen_agents)
    return len(link_rows)


def _write_agents(result: Plan, ids: dict[int, Any], now: Any, event: Any) -> tuple[set[int], set[int]]:
    """Create new agents, update found ones, add engagements. Returns (agents to screen, facilities engaged)."""
    agent_ids = {key: agent.pk for key, agent in result.agents_found.items()}
    uids = {key: uuid.uuid4() for key in result.new_agents}
    RecruitmentAgent.objects.bulk_create([
        RecruitmentAgent(uid=uids[key], name=spec.name, name_native=spec.name_native, country=spec.country,
                         licence_number=spec.licence_number, identity_key=key)
        for key, spec in result.new_agents.items()], batch_size=500)
    by_uid: dict[Any, int] = {}
    for part in chunks(list(uids.values())):
        by_uid.update(RecruitmentAgent.objects.filter(uid__in=part).values_list("uid", "id"))
    for key, spec in result.new_agents.items():
        agent_ids[key] = by_uid[uids[key]]
        event("recruitment_agent.create", "supplychain.recruitmentagent", agent_ids[key], spec.name, None,
              {"name": spec.name, "name_native": spec.name_native, "country": spec.country,
               "licence_number": spec.licence_number, "uid": str(uids[key])})
    renamed: set[int] = set()
    for key, changes in result.agent_updates.items():
        agent = result.agents_found[key]
        RecruitmentAgent.objects.filter(pk=agent.pk).update(**changes, updated_at=now)
        event("recruitment_agent.update", "supplychain.recruitmentagent", agent.pk, agent.name,
              {k: getattr(agent, k) for k in changes}, dict(changes))
        if "name_native" in changes:
            renamed.add(agent.pk)
    engagements = [AgentEngagement(agent_id=agent_ids[key], facility_id=ids[gi], origin_country=origin)
                   for gi, key, origin in result.new_engagements]
    AgentEngagement.objects.bulk_create(engagements, batch_size=500)
    for (gi, key, origin), engagement in zip(result.new_engagements, engagements, strict=True):
        corridor = f"{origin or '?'} → {groups_country(result, gi)}"
        event("agent_engagement.create", "supplychain.agentengagement",
              engagement.pk or f"{agent_ids[key]}:{ids[gi]}:{origin}",
              f"{result.new_agents[key].name if key in result.new_agents else result.agents_found[key].name} "
              f"({corridor})", None, {"agent": agent_ids[key], "facility": ids[gi], "origin_country": origin})
    return {agent_ids[key] for key in result.new_agents} | renamed, {ids[gi] for gi, _, _ in result.new_engagements}


def groups_country(result: Plan, gi: int) -> str:
    """The country of a file group's facility (its new value, else the stored one)."""
    country = result.validated.groups[gi].values.get("country")
    if country:
        return country
    facility = result.existing.get(gi)
    return getattr(facility, "country", "") if facility is not None else ""


def _write_sources(
    result: Plan, ids: dict[int, int], batch: ImportBatch, organisation: Organisation | None
) -> None:
    org_id = organisation.pk if organisation is not None else None
    known: set[tuple[int, int | None, str]] = set()
    for part in chunks([f.pk for f in result.existing.values()]):
        for fid, oid, values in FacilitySource.objects.filter(facility_id__in=part).values_list(
            "facility_id", "organisation_id", "values"
        ):
            known.add((fid, oid, _freeze(values)))
    rows = []
    for gi, group in enumerate(result.validated.groups):
        stored = gi in result.existing
        for row in group.rows:
            values = {k: _json(v) for k, v in row.values.items()}
            if stored:
                key = (ids[gi], org_id, _freeze(values))
                if key in known:
                    continue  # the same organisation already supplied exactly these values
                known.add(key)
            rows.append(
                {
                    "facility_id": ids[gi],
                    "batch_id": batch.pk,
                    "organisation_id": org_id,
                    "row_number": row.number,
                    "values": values,
                }
            )
    insert_rows(FacilitySource, rows)


def _freeze(values: dict[str, Any]) -> str:
    return repr(sorted((k, str(v)) for k, v in (values or {}).items()))
