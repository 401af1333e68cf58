"""The screening workflow: screen facilities against the current list versions, keep the review queue,
remember decisions per (facility, list entity), and feed confirmed hits to the risk engine.

Names screened per facility: its name and native-script name (subject ``facility``) and its parent company
(``parent_company``). The facility model records only *whether* recruitment agents are used, not their names,
so the ``recruitment_agent`` subject exists for when agent names are recorded but nothing is screened under it.

What is re-screened:
- a facility that changed (import, edit): its names against every current list entity;
- a new list version: only the entities added or changed (by entity_id + fingerprint) against the facilities
  an index over facility names says could match them; entities removed take their open hits with them.
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
from fairthread.supplychain.models import Facility

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


def _screen_facilities(facilities: Iterable[Facility], screener: Screener, rows: dict[Key, ListEntity],
                       stats: ScreenStats) -> dict[tuple[int, Key], tuple[str, str, Hit]]:
    """Best flagged hit per (facility, list entity): (subject, screened name, hit)."""
    by_key = {_key_id(k): k for k in rows}
    found: dict[tuple[int, Key], tuple[str, str, Hit]] = {}
    for facility in facilities:
        for subject, query in facility_queries(facility):
            stats.queries += 1
            for hit in screener.candidates(query, limit=CANDIDATES_PER_NAME):
                if hit.decision == "clear" or hit.entity_id not in by_key:
                    continue
                slot = (facility.pk, by_key[hit.entity_id])
                if slot not in found or hit.score > found[slot][2].score:
                    found[slot] = (subject, query.name, hit)
    return found


def _store(found: dict[tuple[int, Key], tuple[str, str, Hit]], rows: dict[Key, ListEntity],
           stats: ScreenStats, *, scope_facilities: set[int] | None = None,
           scope_keys: set[Key] | None = None) -> set[int]:
    """Write hits; open hits in scope that were not found again are withdrawn (deleted: never decided).

    Decisions are remembered: a (facility, entity) whose latest hit is confirmed or dismissed is raised again
    only when the entity's fingerprint changed. Returns the facilities whose hits changed."""
    touched: set[int] = set()
    facility_ids = {f for f, _ in found} | (scope_facilities or set())
    latest: dict[tuple[int, Key], ScreeningHit] = {}
    ordered = sorted(facility_ids)
    for start in range(0, len(ordered), CHUNK):
        for h in ScreeningHit.objects.filter(facility_id__in=ordered[start:start + CHUNK]).order_by("id"):
            latest[(h.facility_id, (h.restricted_list_id, h.entity_id))] = h
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
        ScreeningHit.objects.create(facility_id=slot[0], restricted_list_id=slot[1][0], entity_id=slot[1][1],
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


def screen_facilities(facility_ids: Iterable[int]) -> ScreenStats:
    """Screen these facilities against every current list entity."""
    ids = {int(i) for i in facility_ids if i is not None}
    stats = ScreenStats(facilities=set())
    if not ids:
        return stats
    rows, screener = _current_screener()
    with transaction.atomic():
        found: dict = {}
        ordered = sorted(ids)
        for start in range(0, len(ordered), CHUNK):
            facilities = Facility.objects.filter(pk__in=ordered[start:start + CHUNK])
            if screener is not None:
                found.update(_screen_facilities(facilities, screener, rows, stats))
        stats.facilities = _store(found, rows, stats, scope_facilities=ids)
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


def screen_version_change(version: ListVersion) -> ScreenStats:
    """After a new version of a list: re-screen only what changed."""
    stats = ScreenStats(facilities=set())
    previous = (ListVersion.objects.filter(restricted_list=version.restricted_list_id, number__lt=version.number)
                .order_by("-number").first())
    diff = diff_versions(previous, version)
    list_id = version.restricted_list_id
    changed = {(list_id, e.entity_id): e for e in diff["added"] + diff["changed"]}
    removed = {(list_id, e.entity_id) for e in diff["removed"]}
    with transaction.atomic():
        found: dict = {}
        candidates: set[int] = set()
        if changed:
            index, owner = _facility_index()
            for row in changed.values():
                for name in dict.fromkeys((row.name, *(row.aliases or ()))):
                    for hit in index.candidates(Query(id="", name=name, country=row.country), limit=INDEX_LIMIT):
                        if hit.decision != "clear":
                            candidates.add(owner[hit.entity_id])
            screener = _screener(changed)
            ordered = sorted(candidates)
            for start in range(0, len(ordered), CHUNK):
                facilities = Facility.objects.filter(pk__in=ordered[start:start + CHUNK])
                found.update(_screen_facilities(facilities, screener, changed, stats))
        # Open hits on changed entities that no candidate matched any more, and on removed ones, are withdrawn.
        scope = set(changed) | removed
        affected = set(ScreeningHit.objects.filter(restricted_list_id=list_id, status=ScreeningHit.Status.OPEN,
                                                   entity_id__in=[k[1] for k in scope])
                       .values_list("facility_id", flat=True)) if scope else set()
        stats.facilities = _store(found, changed, stats, scope_facilities=None, scope_keys=scope) | set()
        if affected:
            stats.facilities |= _withdraw(affected, scope, found)
    return stats


def _withdraw(facility_ids: set[int], scope: set[Key], found: dict) -> set[int]:
    touched: set[int] = set()
    for h in ScreeningHit.objects.filter(facility_id__in=facility_ids, status=ScreeningHit.Status.OPEN):
        slot = (h.facility_id, (h.restricted_list_id, h.entity_id))
        if slot[1] in scope and slot not in found:
            h.delete()
            touched.add(h.facility_id)
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


def schedule_screening(facility_ids: Iterable[int]) -> None:
    ids = set(facility_ids)

    def go() -> None:
        try:
            after_screening(screen_facilities(ids))
        except Exception:  # the edit is saved; a failed screening must not turn it into an error page
            log.exception("screening failed for %d facilities", len(ids))

    transaction.on_commit(go)


# --- review -----------------------------------------------------------------------------------------------

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
        record(by, f"screening.{'confirm' if status == ScreeningHit.Status.CONFIRMED else 'dismiss'}", hit,
               before=before, after={"status": status, "reason": hit.reason, "facility": hit.facility_id,
                                     "entity": f"{hit.restricted_list.name}:{hit.entity_id}"})
    from fairthread.risk.services import reassess_downstream

    # The decision stands even if re-assessment fails; the next run picks it up.
    try:
        reassess_downstream({hit.facility_id})
    except Exception:
        log.exception("re-assessment after a screening decision failed (hit %s)", hit.pk)
    return hit


def confirm_hit(hit: ScreeningHit, by: Any, reason: str = "") -> ScreeningHit:
    """The facility is the listed entity: state-imposed forced-labour evidence from now on."""
    return _decide(hit, by, ScreeningHit.Status.CONFIRMED, reason)


def dismiss_hit(hit: ScreeningHit, by: Any, reason: str) -> ScreeningHit:
    """Not the listed entity; not raised again for this entity unless the entity's data changes."""
    if not (reason or "").strip():
        raise ValidationError("Give a reason for dismissing the hit.")
    return _decide(hit, by, ScreeningHit.Status.DISMISSED, reason)


# --- risk evidence ----------------------------------------------------------------------------------------

def evidence_rows(ids: set[int] | None) -> list[tuple[int, str, str, str, int]]:
    """Rows for the engine's EVIDENCE table: confirmed hits (state-imposed) and open hits, per facility."""
    qs = ScreeningHit.objects.filter(status__in=[ScreeningHit.Status.OPEN, ScreeningHit.Status.CONFIRMED])
    counts: dict[tuple[int, str], int] = {}
    if ids is None:
        pairs = list(qs.values_list("facility_id", "status"))
    else:
        pairs = []
        ordered = sorted(ids)
        for start in range(0, len(ordered), CHUNK):
            pairs.extend(qs.filter(facility_id__in=ordered[start:start + CHUNK]).values_list("facility_id", "status"))
    for fid, status in pairs:
        counts[(fid, status)] = counts.get((fid, status), 0) + 1
    return [(fid, "screening_hit", "", status, n) for (fid, status), n in sorted(counts.items())]


def lists_with_versions() -> list[RestrictedList]:
    return list(RestrictedList.objects.prefetch_related("versions"))
