"""The screening workflow: screen facilities and recruitment agents against the current list versions, keep the
review queue, remember decisions per (facility or agent, list entity), and feed confirmed hits to the risk engine.

Names screened per facility: its name and native-script name (subject ``facility``) and its parent company
(``parent_company``). Per recruitment agent: its name and native-script name (subject ``recruitment_agent``),
with the agent's country as the country constraint. An agent hit is about the agent (``ScreeningHit.agent``, no
facility): it is decided once, and it concerns every facility that engages the agent — for the risk engine a
confirmed agent hit is a confirmed hit of each of those facilities (state-imposed, not remediable).

What is re-screened:
- a facility that changed (import, edit): its names against every current list entity;
- an agent that was created or renamed (import, facility page): its names against every current list entity;
- a new list version: only the entities added or changed (by entity_id + fingerprint) against the facilities
  and agents an index over their names says could match them; entities removed take their open hits with them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from fairthread.accounts import policy
from fairthread.audit.log import record, snapshot
from fairthread.screening.engine import Entity, Hit, Query, Screener, Thresholds
from fairthread.screening.loaders import LoadResult, store_list_version, to_entity
from fairthread.screening.models import ListEntity, ListVersion, RestrictedList, ScreeningHit
from fairthread.supplychain.models import AgentEngagement, Facility, RecruitmentAgent

log = logging.getLogger(__name__)
CANDIDATES_PER_NAME = 3
# The facility-name index only finds facilities worth scoring: a low bar, then the real screen decides.
INDEX_THRESHOLDS = Thresholds(hit=0.5, review=0.3)
INDEX_LIMIT = 50
CHUNK = 900
Key = tuple[int, str]  # (restricted list id, entity_id)


@dataclass
class ScreenStats:
    """What one screening pass did (tests count engine queries through it)."""

    queries: int = 0
    raised: int = 0
    updated: int = 0
    withdrawn: int = 0
    facilities: set[int] | None = None
    agents: set[int] | None = None


def _key_id(key: Key) -> str:
    return f"{key[0]}:{key[1]}"


def current_entities() -> dict[Key, ListEntity]:
    rows = ListEntity.objects.filter(version__is_current=True).select_related("version")
    return {(r.version.restricted_list_id, r.entity_id): r for r in rows}


# The index over every current entity is rebuilt only when the set of current versions changes (versions are
# immutable once stored), not on every facility edit.
_CURRENT: dict[tuple, tuple[dict[Key, ListEntity], Screener | None]] = {}


def _current_screener() -> tuple[dict[Key, ListEntity], Screener | None]:
    # loaded_at and sha256 too: a rolled-back database (tests on SQLite) may reuse a version's id.
    key = tuple(ListVersion.objects.filter(is_current=True).order_by("pk").values_list("pk", "sha256", "loaded_at"))
    if key not in _CURRENT:
        rows = current_entities()
        _CURRENT.clear()
        _CURRENT[key] = (rows, _screener(rows) if rows else None)
    return _CURRENT[key]


def _screener(rows: dict[Key, ListEntity]) -> Screener:
    # Entity ids are prefixed with the list id so that two lists may use the same ids.
    entities = [replace(to_entity(r), id=_key_id(k)) for k, r in rows.items()]
    return Screener(entities)


def facility_queries(facility: Facility) -> list[tuple[str, Query]]:
    """(subject, query) for each name of the facility worth screening."""
    address = " ".join(p for p in (facility.address, facility.region) if p)
    out: list[tuple[str, Query]] = []
    for subject, name in ((ScreeningHit.Subject.FACILITY, facility.name),
                          (ScreeningHit.Subject.FACILITY, facility.name_native),
                          (ScreeningHit.Subject.PARENT_COMPANY, facility.parent_company)):
        name = (name or "").strip()
        if name and all(q.name != name or s != subject for s, q in out):
            out.append((subject, Query(id=str(facility.pk), name=name, country=facility.country or "",
                                       address=address)))
    return out


def agent_queries(agent: RecruitmentAgent) -> list[tuple[str, Query]]:
    """(subject, query) for each name of the recruitment agent; its country is the country constraint."""
    names = dict.fromkeys(n.strip() for n in (agent.name or "", agent.name_native or "") if n.strip())
    return [(ScreeningHit.Subject.RECRUITMENT_AGENT,
             Query(id=str(agent.pk), name=name, country=agent.country or "", address=agent.address or ""))
            for name in names]


def _screen_targets(targets: Iterable[Any], queries: Any, screener: Screener, rows: dict[Key, ListEntity],
                    stats: ScreenStats) -> dict[tuple[int, Key], tuple[str, str, Hit]]:
    """Best flagged hit per (facility or agent, list entity): (subject, screened name, hit)."""
    by_key = {_key_id(k): k for k in rows}
    found: dict[tuple[int, Key], tuple[str, str, Hit]] = {}
    for target in targets:
        for subject, query in queries(target):
            stats.queries += 1
            for hit in screener.candidates(query, limit=CANDIDATES_PER_NAME):
                if hit.decision == "clear" or hit.entity_id not in by_key:
                    continue
                slot = (target.pk, by_key[hit.entity_id])
                if slot not in found or hit.score > found[slot][2].score:
                    found[slot] = (subject, query.name, hit)
    return found


def _store(found: dict[tuple[int, Key], tuple[str, str, Hit]], rows: dict[Key, ListEntity],
           stats: ScreenStats, *, scope_facilities: set[int] | None = None,
           scope_keys: set[Key] | None = None, target: str = "facility") -> set[int]:
    """Write hits; open hits in scope that were not found again are withdrawn (deleted: never decided).

    ``target`` says whose ids the slots hold: "facility" or "agent" (and ``scope_facilities`` then holds
    those ids). Decisions are remembered: a (target, entity) whose latest hit is confirmed or dismissed is
    raised again only when the entity's fingerprint changed. Returns the targets whose hits changed."""
    attr = f"{target}_id"
    touched: set[int] = set()
    target_ids = {f for f, _ in found} | (scope_facilities or set())
    latest: dict[tuple[int, Key], ScreeningHit] = {}
    ordered = sorted(target_ids)
    for start in range(0, len(ordered), CHUNK):
        for h in ScreeningHit.objects.filter(**{f"{attr}__in": ordered[start:start + CHUNK]}).order_by("id"):
            latest[(getattr(h, attr), (h.restricted_list_id, h.entity_id))] = h
    for slot, (subject, name, hit) in found.items():
        row = rows[slot[1]]
        prev = latest.get(slot)
        values = dict(subject=subject, screened_name=name, list_entity=row, entity_name=row.name,
                      matched_name=hit.matched_name, entity_fingerprint=row.fingerprint, score=hit.score,
                      decision=hit.decision, engine_version=hit.engine_version, explanation=hit.explanation)
        if prev is not None and prev.status == ScreeningHit.Status.OPEN:
            changed = any(getattr(prev, k) != v for k, v in values.items() if k != "list_entity")
            if changed or prev.list_entity_id != row.pk:
                for k, v in values.items():
                    setattr(prev, k, v)
                prev.save()
                stats.updated += 1
                touched.add(slot[0])
            continue
        if prev is not None and prev.entity_fingerprint == row.fingerprint:
            continue  # decided, and the entity's data did not change: the decision stands
        ScreeningHit.objects.create(**{attr: slot[0]}, restricted_list_id=slot[1][0], entity_id=slot[1][1],
                                    **values)
        stats.raised += 1
        touched.add(slot[0])
    for slot, prev in latest.items():
        if prev.status != ScreeningHit.Status.OPEN or slot in found:
            continue
        in_scope = (scope_facilities is not None and slot[0] in scope_facilities) or (
            scope_keys is not None and slot[1] in scope_keys)
        if in_scope:
            prev.delete()
            stats.withdrawn += 1
            touched.add(slot[0])
    return touched


def engaging_facilities(agent_ids: Iterable[int]) -> set[int]:
    """The (current, not merged) facilities that engage any of these recruitment agents."""
    ordered = sorted({int(i) for i in agent_ids})
    out: set[int] = set()
    for start in range(0, len(ordered), CHUNK):
        out.update(AgentEngagement.objects.filter(agent_id__in=ordered[start:start + CHUNK])
                   .exclude(facility__status=Facility.Status.MERGED).values_list("facility_id", flat=True))
    return out


def _screen_subjects(model: Any, queries: Any, ids: set[int], target: str) -> tuple[ScreenStats, set[int]]:
    """Screen these facilities or agents (``model``) against every current list entity, in chunks; returns the
    stats and the ids whose hits changed."""
    stats = ScreenStats(facilities=set(), agents=set())
    if not ids:
        return stats, set()
    rows, screener = _current_screener()
    with transaction.atomic():
        found: dict = {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), CHUNK):
            if screener is not None:
                subjects = model.objects.filter(pk__in=ordered[start:start + CHUNK])
                found.update(_screen_targets(subjects, queries, screener, rows, stats))
        changed = _store(found, rows, stats, scope_facilities=ids, target=target)
    return stats, changed


def screen_facilities(facility_ids: Iterable[int]) -> ScreenStats:
    """Screen these facilities against every current list entity."""
    stats, stats.facilities = _screen_subjects(Facility, facility_queries,
                                               {int(i) for i in facility_ids if i is not None}, "facility")
    return stats


def screen_agents(agent_ids: Iterable[int]) -> ScreenStats:
    """Screen these recruitment agents against every current list entity.

    ``stats.agents`` holds the agents whose hits changed, ``stats.facilities`` the facilities engaging them."""
    stats, stats.agents = _screen_subjects(RecruitmentAgent, agent_queries,
                                           {int(i) for i in agent_ids if i is not None}, "agent")
    stats.facilities = engaging_facilities(stats.agents)
    return stats


def _facility_index() -> tuple[Screener, dict[str, int]]:
    """An index over facility names (and parent companies): the engine, with facilities as its 'entities'."""
    entries: list[Entity] = []
    owner: dict[str, int] = {}
    for pk, name, native, parent, country in Facility.objects.values_list(
            "pk", "name", "name_native", "parent_company", "country").iterator(chunk_size=2000):
        for n, text in enumerate((name, native, parent)):
            if text and text.strip():
                key = f"{pk}:{n}"
                entries.append(Entity(id=key, name=text, country=country or ""))
                owner[key] = pk
    return Screener(entries, INDEX_THRESHOLDS), owner


def _agent_index() -> tuple[Screener | None, dict[str, int]]:
    """The same index over recruitment agents' names (None when there are no agents)."""
    entries: list[Entity] = []
    owner: dict[str, int] = {}
    for pk, name, native, country in RecruitmentAgent.objects.values_list(
            "pk", "name", "name_native", "country").iterator(chunk_size=2000):
        for n, text in enumerate((name, native)):
            if text and text.strip():
                key = f"{pk}:{n}"
                entries.append(Entity(id=key, name=text, country=country or ""))
                owner[key] = pk
    return (Screener(entries, INDEX_THRESHOLDS) if entries else None), owner


def diff_versions(old: ListVersion | None, new: ListVersion) -> dict[str, list[ListEntity]]:
    """Entities added, removed and changed (same entity_id, different fingerprint) from ``old`` to ``new``."""
    before = {e.entity_id: e for e in old.entities.all()} if old is not None else {}
    after = {e.entity_id: e for e in new.entities.all()}
    return {
        "added": [after[k] for k in sorted(after.keys() - before.keys())],
        "removed": [before[k] for k in sorted(before.keys() - after.keys())],
        "changed": [after[k] for k in sorted(after.keys() & before.keys())
                    if after[k].fingerprint != before[k].fingerprint],
    }


def _index_candidates(index: Screener, owner: dict[str, int], changed: dict[Key, ListEntity]) -> set[int]:
    candidates: set[int] = set()
    for row in changed.values():
        for name in dict.fromkeys((row.name, *(row.aliases or ()))):
            for hit in index.candidates(Query(id="", name=name, country=row.country), limit=INDEX_LIMIT):
                if hit.decision != "clear":
                    candidates.add(owner[hit.entity_id])
    return candidates


def screen_version_change(version: ListVersion) -> ScreenStats:
    """After a new version of a list: re-screen only what changed (facilities and recruitment agents)."""
    stats = ScreenStats(facilities=set(), agents=set())
    previous = (ListVersion.objects.filter(restricted_list=version.restricted_list_id, number__lt=version.number)
                .order_by("-number").first())
    diff = diff_versions(previous, version)
    list_id = version.restricted_list_id
    changed = {(list_id, e.entity_id): e for e in diff["added"] + diff["changed"]}
    removed = {(list_id, e.entity_id) for e in diff["removed"]}
    scope = set(changed) | removed
    with transaction.atomic():
        for target in ("facility", "agent"):
            model = Facility if target == "facility" else RecruitmentAgent
            found: dict = {}
            if changed:
                index, owner = _facility_index() if target == "facility" else _agent_index()
                candidates = _index_candidates(index, owner, changed) if index is not None else set()
                screener = _screener(changed)
                ordered = sorted(candidates)
                for start in range(0, len(ordered), CHUNK):
                    targets = model.objects.filter(pk__in=ordered[start:start + CHUNK])
                    found.update(_screen_targets(targets, facility_queries if target == "facility" else agent_queries,
                                                 screener, changed, stats))
            # Open hits on changed entities that no candidate matched any more, and on removed ones, are withdrawn.
            affected = set(ScreeningHit.objects.filter(
                restricted_list_id=list_id, status=ScreeningHit.Status.OPEN, entity_id__in=[k[1] for k in scope],
                **{f"{target}__isnull": False}).values_list(f"{target}_id", flat=True)) if scope else set()
            touched = _store(found, changed, stats, scope_facilities=None, scope_keys=scope, target=target)
            if affected:
                touched |= _withdraw(affected, scope, found, target)
            if target == "facility":
                stats.facilities |= touched
            else:
                stats.agents = touched
                stats.facilities |= engaging_facilities(touched)
    return stats


def _withdraw(target_ids: set[int], scope: set[Key], found: dict, target: str = "facility") -> set[int]:
    attr = f"{target}_id"
    touched: set[int] = set()
    for h in ScreeningHit.objects.filter(**{f"{attr}__in": target_ids}, status=ScreeningHit.Status.OPEN):
        slot = (getattr(h, attr), (h.restricted_list_id, h.entity_id))
        if slot[1] in scope and slot not in found:
            h.delete()
            touched.add(slot[0])
    return touched


def load_list_version(data: bytes, *, fmt: str, name: str, by: Any = None, filename: str = "",
                      list_type: str | None = None) -> tuple[LoadResult, ScreenStats | None]:
    """Store a list file as a new version and re-screen what changed (nothing when the file is identical)."""
    result = store_list_version(data, fmt=fmt, name=name, by=by, filename=filename, list_type=list_type)
    if not result.created:
        return result, None
    stats = screen_version_change(result.version)
    after_screening(stats)
    return result, stats


def after_screening(stats: ScreenStats) -> None:
    """Hits changed: the risk picture of those facilities (open hits are evidence) and downstream moves."""
    if stats.facilities:
        from fairthread.risk.services import reassess_downstream

        reassess_downstream(stats.facilities)


def _screen_after_commit(screen: Any, ids: Iterable[int], what: str) -> None:
    ids = set(ids)

    def go() -> None:
        try:
            after_screening(screen(ids))
        except Exception:  # the change is saved; a failed screening must not turn it into an error page
            log.exception("screening failed for %d %s", len(ids), what)

    transaction.on_commit(go)


def schedule_screening(facility_ids: Iterable[int]) -> None:
    """After facilities were created or edited: screen them once the transaction commits."""
    _screen_after_commit(screen_facilities, facility_ids, "facilities")


def schedule_agent_screening(agent_ids: Iterable[int]) -> None:
    """After agents were created or renamed: screen them once the transaction commits, then re-assess the
    facilities engaging the agents whose hits changed."""
    _screen_after_commit(screen_agents, agent_ids, "recruitment agents")


# --- review -----------------------------------------------------------------------------------------------

def concerned_facilities(hit: ScreeningHit) -> set[int]:
    """The facilities a hit concerns: its facility, or every facility engaging its recruitment agent."""
    if hit.agent_id is not None:
        return engaging_facilities({hit.agent_id})
    return {hit.facility_id} if hit.facility_id is not None else set()


def _decide(hit: ScreeningHit, by: Any, status: str, reason: str) -> ScreeningHit:
    policy.require(by, "review", hit)
    if hit.status != ScreeningHit.Status.OPEN:
        raise ValidationError(f"This hit was already {hit.get_status_display().lower()}.")
    with transaction.atomic():
        before = snapshot(hit, ["status", "reason"])
        hit.status = status
        hit.reason = reason.strip()
        hit.decided_by = by
        hit.decided_at = timezone.now()
        hit.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
        after = {"status": status, "reason": hit.reason, "facility": hit.facility_id,
                 "entity": f"{hit.restricted_list.name}:{hit.entity_id}"}
        if hit.agent_id is not None:
            after["recruitment_agent"] = hit.agent_id
            after["facilities"] = sorted(concerned_facilities(hit))
        record(by, f"screening.{'confirm' if status == ScreeningHit.Status.CONFIRMED else 'dismiss'}", hit,
               before=before, after=after)
    from fairthread.risk.services import reassess_downstream

    # The decision stands even if re-assessment fails; the next run picks it up.
    try:
        reassess_downstream(concerned_facilities(hit))
    except Exception:
        log.exception("re-assessment after a screening decision failed (hit %s)", hit.pk)
    return hit


def confirm_hit(hit: ScreeningHit, by: Any, reason: str = "") -> ScreeningHit:
    """The facility (or agent) is the listed entity: state-imposed forced-labour evidence from now on."""
    return _decide(hit, by, ScreeningHit.Status.CONFIRMED, reason)


def dismiss_hit(hit: ScreeningHit, by: Any, reason: str) -> ScreeningHit:
    """Not the listed entity; not raised again for this entity unless the entity's data changes."""
    if not (reason or "").strip():
        raise ValidationError("Give a reason for dismissing the hit.")
    return _decide(hit, by, ScreeningHit.Status.DISMISSED, reason)


# --- risk evidence ----------------------------------------------------------------------------------------

def evidence_rows(ids: set[int] | None) -> list[tuple[int, str, str, str, int]]:
    """Rows for the engine's EVIDENCE table: confirmed hits (state-imposed) and open hits, per facility.

    A recruitment agent's hit counts for every facility that engages the agent (once per facility, however
    many corridors it recruits along through that agent)."""
    statuses = [ScreeningHit.Status.OPEN, ScreeningHit.Status.CONFIRMED]
    qs = ScreeningHit.objects.filter(status__in=statuses, facility__isnull=False)
    counts: dict[tuple[int, str], int] = {}
    pairs: list[tuple[int, str]] = []
    if ids is None:
        pairs = list(qs.values_list("facility_id", "status"))
    else:
        ordered = sorted(ids)
        for start in range(0, len(ordered), CHUNK):
            pairs.extend(qs.filter(facility_id__in=ordered[start:start + CHUNK]).values_list("facility_id", "status"))
    agent_hits: dict[int, list[str]] = {}
    for agent_id, status in ScreeningHit.objects.filter(status__in=statuses, agent__isnull=False).values_list(
            "agent_id", "status"):
        agent_hits.setdefault(agent_id, []).append(status)
    if agent_hits:
        engaged: set[tuple[int, int]] = set()
        agents = sorted(agent_hits)
        for start in range(0, len(agents), CHUNK):
            rows = AgentEngagement.objects.filter(agent_id__in=agents[start:start + CHUNK]).values_list(
                "facility_id", "agent_id")
            engaged.update((f, a) for f, a in rows if ids is None or f in ids)
        for fid, agent_id in engaged:
            pairs.extend((fid, status) for status in agent_hits[agent_id])
    for fid, status in pairs:
        counts[(fid, status)] = counts.get((fid, status), 0) + 1
    return [(fid, "screening_hit", "", status, n) for (fid, status), n in sorted(counts.items())]


def visible_hits(user: Any) -> Any:
    """Hits on the facilities the user may see, and agent hits on agents engaged by such a facility."""
    from django.db.models import Exists, OuterRef, Q

    visible = policy.visible_facilities(user)
    engaged = AgentEngagement.objects.filter(agent_id=OuterRef("agent_id"), facility__in=visible)
    return ScreeningHit.objects.alias(_engaged=Exists(engaged)).filter(
        Q(facility__in=visible) | Q(agent__isnull=False, _engaged=True))


def agent_screening_status(agent_ids: Iterable[int]) -> dict[int, str]:
    """Per agent, in words: "confirmed hit", "open hit", "dismissed" (only dismissed hits) or "clear"."""
    rank = {ScreeningHit.Status.CONFIRMED: 3, ScreeningHit.Status.OPEN: 2, ScreeningHit.Status.DISMISSED: 1}
    words = {3: "confirmed hit", 2: "open hit", 1: "dismissed", 0: "clear"}
    best: dict[int, int] = {}
    for agent_id, status in ScreeningHit.objects.filter(agent_id__in=set(agent_ids)).values_list("agent_id",
                                                                                                 "status"):
        best[agent_id] = max(best.get(agent_id, 0), rank.get(status, 0))
    return {a: words[best.get(a, 0)] for a in set(agent_ids)}


def facility_agents(facility: Facility) -> Any:
    """The recruitment agents a facility engages."""
    return RecruitmentAgent.objects.filter(engagements__facility=facility).distinct()


def lists_with_versions() -> list[RestrictedList]:
    return list(RestrictedList.objects.prefetch_related("versions"))
