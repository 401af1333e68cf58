"""The matching workflow: the review queue, decisions (remembered, transitively consistent), merges that can be
undone, resolution of facilities against each other and linkage to the reference registry.

Every function that changes state checks the policy (``accounts.policy``), writes the audit log and is atomic.
The engine (``matching.engine``, plain Python) does the comparing; this module feeds it rows built from the
database and stores what it found.

Decisions are facts about pairs of records. Records merged into one (a confirmed pair) form a cluster whose
current record is its *root* (follow ``merged_into``); a confirmation joins two clusters, so it is refused when
any rejected pair lies between them (A = B and B ≠ C means A ≠ C), and a rejection is refused inside one cluster.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import hashlib
import io
import logging
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from fairthread.accounts import policy
from fairthread.audit.log import _plain, record, snapshot
from fairthread.matching.engine import (
    ENGINE_VERSION,
    MATCH,
    NEW,
    REVIEW,
    MatchModel,
    MatchResult,
    Registry,
    Thresholds,
    load_model,
)
from fairthread.matching.models import FacilityMerge, MatchCandidate, RegistryEdition, RegistryFacility
from fairthread.reference.countries import resolve_country
from fairthread.supplychain.models import AgentEngagement, Facility, FacilitySource, ImportBatch, SourcingLink
from fairthread.supplychain.signals import facilities_changed

log = logging.getLogger(__name__)

DECISIONS = {"confirm": MatchCandidate.Status.CONFIRMED, "reject": MatchCandidate.Status.REJECTED,
             "unsure": MatchCandidate.Status.UNSURE}
AUTOMATIC = "automatic"
CHUNK = 900
# Fields a merge fills on the survivor when it has no value and the merged record has one. Name and address
# stay as they are (the survivor's spelling; its identity key is how re-imports find it).
FILL_FIELDS = (
    "name_native", "region", "lat", "lng", "coordinate_precision", "sector", "facility_type", "processing_type",
    "product_type", "parent_company", "workers_count", "pct_female", "pct_migrant", "pct_agency", "dormitory",
    "recruitment_agents", "declared_tier", "organisation_id",
)
# Unique identifiers: moved to the survivor when it has none (the merged record keeps them otherwise, and
# lookups by them lead to the survivor through ``merged_into``).
UNIQUE_FIELDS = ("brand_ref", "os_id")
REGISTRY_COLUMNS = {
    "os_id": ("os_id", "os id"),
    "name": ("name",),
    "address": ("address",),
    "country": ("country_code", "country", "country_name"),
    "lat": ("lat", "latitude"),
    "lng": ("lng", "lon", "longitude"),
    "sector": ("sector",),
    "facility_type": ("facility_type", "facility type"),
    "parent_company": ("parent_company", "parent company"),
    "native_name": ("native_name", "name_native", "local_name"),
}
MAX_REGISTRY_ERRORS = 50


def _is_person(by: Any) -> bool:
    """A user to check against the policy; None or a label (the command line's operator) is not."""
    return by is not None and not isinstance(by, str)


class MatchingError(ValueError):
    """A decision, merge or registry file that cannot be taken; the message is for the user. ``problems``: one
    message per problem (a bad registry file: one per row and column)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems) if problems else [message]


@dataclass
class ResolutionSummary:
    matched: int = 0
    review: int = 0
    new: int = 0
    candidates: list[int] = field(default_factory=list)


# --- the engine, fed from the database ---------------------------------------------------------------------

_MODEL: list[MatchModel] = []


def matcher_model() -> MatchModel:
    """The shipped, trained model (loaded once per process; nothing is trained at start-up)."""
    if not _MODEL:
        _MODEL.append(load_model())
    return _MODEL[0]


def thresholds() -> Thresholds:
    """The model's thresholds, with any set in the settings (FAIRTHREAD_MATCH_*) in their place."""
    base = matcher_model().thresholds
    values = {"match": base.match, "review": base.review, "margin": base.margin}
    for key, name in (("match", "MATCH_AUTO_THRESHOLD"), ("review", "MATCH_REVIEW_THRESHOLD"),
                      ("margin", "MATCH_MARGIN")):
        raw = str(getattr(settings, name, "") or "").strip()
        if raw:
            try:
                values[key] = float(raw)
            except ValueError:
                raise ImproperlyConfigured(f"FAIRTHREAD_{name} must be a number (got {raw!r}).") from None
    try:
        return Thresholds(**values)
    except ValueError as exc:
        raise ImproperlyConfigured(f"Facility-matching thresholds: {exc}.") from None


ROW_FIELDS = ("id", "name", "address", "country", "lat", "lng", "os_id", "parent_company", "name_native",
              "coordinate_precision")


def engine_row(values: Mapping[str, Any], row_id: Any) -> dict[str, Any]:
    """A facility's values (model fields) as a row of the engine's matching format."""
    lat, lng = values.get("lat"), values.get("lng")
    return {
        "id": str(row_id),
        "name": values.get("name") or "",
        "address": values.get("address") or "",
        "country": values.get("country") or "",
        "lat": "" if lat is None else repr(float(lat)),
        "lng": "" if lng is None else repr(float(lng)),
        "os_id": values.get("os_id") or "",
        "parent_company": values.get("parent_company") or "",
        "native_name": values.get("name_native") or "",
        "coordinate_precision": values.get("coordinate_precision") or "",
    }


def facility_rows(qs: QuerySet[Facility]) -> Iterable[dict[str, Any]]:
    for values in qs.values(*ROW_FIELDS).iterator(chunk_size=5000):
        yield engine_row(values, values["id"])


def link_against_facilities(rows: list[dict[str, Any]], *, exclude: Iterable[int] = ()) -> list[MatchResult] | None:
    """Link rows against the current facilities of their countries; None when there are none (costs nothing)."""
    countries = {r["country"] for r in rows if r.get("country")}
    if not rows or not countries:
        return None
    qs = Facility.objects.filter(country__in=countries)
    excluded = sorted({int(i) for i in exclude})
    if excluded:
        qs = qs.exclude(pk__in=excluded)
    if not qs.exists():
        return None
    registry = Registry(facility_rows(qs), matcher_model())
    try:
        return registry.link(rows, thresholds()).results
    finally:
        registry.close()


def proposals(result: MatchResult) -> list[tuple[str, float, list[str], list[dict[str, Any]], str]]:
    """(other id, score, explanation, per-field evidence, decision) the engine proposes for one row, best first:
    its decision on the best candidate, then the runners-up worth a review (never an automatic match on a
    runner-up). The evidence is the engine's own, per field, with its direction from the model's weights."""
    if result.decision == NEW or not result.matched_id:
        return []
    out = [(result.matched_id, float(result.score), list(result.explanation), list(result.evidence),
            result.decision)]
    review_at = thresholds().review
    for c in result.candidates[1:]:
        if c.probability >= review_at:
            out.append((c.registry_id, round(float(c.probability), 6), list(c.explanation), list(c.evidence),
                        REVIEW))
    return out


def confirmed_pairs_for_training() -> list[tuple[dict[str, str], dict[str, str]]]:
    """Pairs a person confirmed as one facility, as the two records were written — real labelled pairs for
    ``trainmatcher --with-decisions``. Automatic matches are left out: the model would only learn from itself."""
    out: list[tuple[dict[str, str], dict[str, str]]] = []
    confirmed = (MatchCandidate.objects.filter(status=MatchCandidate.Status.CONFIRMED, decided_by__isnull=False)
                 .exclude(method=AUTOMATIC).select_related("facility", "other_facility", "registry_facility")
                 .order_by("pk"))
    for c in confirmed:
        other = c.other_facility or c.registry_facility
        sides = [(c.facility, f"f{c.facility_id}"),
                 (other, f"f{c.other_facility_id}" if c.other_facility_id else f"os{c.registry_facility_id}")]
        out.append(tuple({"id": key, "name": r.name, "address": r.address or "", "country": r.country}  # type: ignore
                         for r, key in sides))
    return out


# --- clusters of records merged into one -------------------------------------------------------------------

def root_id(facility_id: int) -> int:
    """The current record a facility was merged into (itself when it was not merged)."""
    seen: set[int] = set()
    current = int(facility_id)
    while current not in seen:
        seen.add(current)
        nxt = Facility.all_objects.filter(pk=current).values_list("merged_into_id", flat=True).first()
        if nxt is None:
            return current
        current = nxt
    return current


def cluster(root: int) -> set[int]:
    """The root and every record merged into it, directly or through others."""
    members = {int(root)}
    frontier = {int(root)}
    while frontier:
        frontier = set(Facility.all_objects.filter(merged_into_id__in=frontier).values_list("pk", flat=True))
        frontier -= members
        members |= frontier
    return members


def _rejection_between(a: set[int], b: set[int]) -> MatchCandidate | None:
    return (MatchCandidate.objects.filter(status=MatchCandidate.Status.REJECTED, other_facility__isnull=False)
            .filter(Q(facility_id__in=a, other_facility_id__in=b) | Q(facility_id__in=b, other_facility_id__in=a))
            .select_related("facility", "other_facility", "decided_by").first())


def _who(c: MatchCandidate) -> str:
    who = c.decided_by.get_username() if c.decided_by_id else "automatically"
    when = f" on {c.decided_at:%Y-%m-%d}" if c.decided_at else ""
    return f"{'by ' if c.decided_by_id else ''}{who}{when}"


def pair_blocked(a: int, b: int) -> bool:
    """Is the pair (a, b) not to be proposed: already one record, or a rejection lies between them?"""
    ra, rb = root_id(a), root_id(b)
    if ra == rb:
        return True
    return _rejection_between(cluster(ra), cluster(rb)) is not None


# --- review queue and decisions ----------------------------------------------------------------------------

def review_queue(user: Any) -> QuerySet[MatchCandidate]:
    """Pending and not-sure pairs the user may see, best score first (pairs whose records have since been merged
    away are left out: a decision elsewhere settled them)."""
    if not policy.can(user, "view", "match_candidate"):
        return MatchCandidate.objects.none()
    return (
        MatchCandidate.objects.filter(status__in=[MatchCandidate.Status.PENDING, MatchCandidate.Status.UNSURE])
        .exclude(facility__status=Facility.Status.MERGED)
        .exclude(other_facility__status=Facility.Status.MERGED)
        .select_related("facility", "other_facility", "registry_facility", "registry_facility__edition", "batch",
                        "decided_by")
        .order_by("-score", "id")
    )


def decide_pair(candidate: MatchCandidate, decision: str, *, by: Any, reason: str = "") -> MatchCandidate:
    """Confirm (merge, or record the OS ID), reject or mark 'not sure'. A decided pair is not decided again."""
    policy.require(by, "decide", candidate)
    if decision not in DECISIONS:
        raise MatchingError(f"Unknown decision '{decision}'; use confirm, reject or unsure.")
    with transaction.atomic():
        c = MatchCandidate.objects.select_for_update(of=("self",)).select_related(
            "facility", "other_facility", "registry_facility", "decided_by").get(pk=candidate.pk)
        if c.is_decided:
            raise MatchingError(f"This pair was already {c.get_status_display().lower()} {_who(c)}.")
        before = snapshot(c, ["status", "reason"])
        status = DECISIONS[decision]
        merge = None
        if status == MatchCandidate.Status.CONFIRMED:
            if c.is_registry_pair:
                _confirm_registry(c, by)
            else:
                merge = _confirm_facilities(c, by)
        elif (status == MatchCandidate.Status.REJECTED and not c.is_registry_pair
              and root_id(c.facility_id) == root_id(c.other_facility_id)):  # type: ignore[arg-type]
                raise MatchingError(
                    f"'{c.facility}' and '{c.other_facility}' are already one record; undo that merge first.")
        c.status = status
        c.reason = (reason or "").strip()
        c.decided_by = by if getattr(by, "is_authenticated", False) else None
        c.decided_at = timezone.now()
        c.save(update_fields=["status", "reason", "decided_by", "decided_at"])
        record(by, f"match.{decision}", c, before=before,
               after={"status": status, "reason": c.reason, "facility": c.facility_id,
                      "other_facility": c.other_facility_id,
                      "os_id": c.registry_facility.os_id if c.registry_facility_id else None,
                      "merge": merge.pk if merge else None})
        if merge is not None:
            merge.candidate = c
            merge.save(update_fields=["candidate"])
    return c


def _confirm_facilities(c: MatchCandidate, by: Any) -> FacilityMerge | None:
    ra, rb = root_id(c.facility_id), root_id(c.other_facility_id)  # type: ignore[arg-type]
    if ra == rb:
        return None  # already one record (through other decisions): the confirmation only records agreement
    rejected = _rejection_between(cluster(ra), cluster(rb))
    if rejected is not None:
        raise MatchingError(
            f"Cannot confirm: '{rejected.facility}' and '{rejected.other_facility}' were decided to be different "
            f"facilities ({_who(rejected)}), and confirming this pair would make them one record.")
    survivor = Facility.all_objects.get(pk=rb)  # the existing record stays; the one under review joins it
    merged = Facility.all_objects.get(pk=ra)
    return _merge(survivor, merged, by=by, candidate=c)


def registry_rejection(facility_id: int, os_id: str) -> MatchCandidate | None:
    """A rejection of ``os_id`` for any record of the facility's cluster (it, or a record merged with it): the
    whole cluster is one facility, so a person's "not this registry entry" holds for all of it."""
    keys = [MatchCandidate.registry_pair_key(m, os_id) for m in cluster(root_id(facility_id))]
    return (MatchCandidate.objects.filter(pair_key__in=keys, status=MatchCandidate.Status.REJECTED)
            .select_related("facility", "decided_by").first())


def _confirm_registry(c: MatchCandidate, by: Any) -> None:
    os_id = c.registry_facility.os_id  # type: ignore[union-attr]
    facility = Facility.all_objects.get(pk=root_id(c.facility_id))
    rejected = registry_rejection(facility.pk, os_id)
    if rejected is not None:
        raise MatchingError(f"Cannot confirm: '{rejected.facility}' was decided not to be {os_id} "
                            f"({_who(rejected)}).")
    if facility.os_id == os_id:
        return
    if facility.os_id:
        raise MatchingError(f"'{facility}' already has the OS ID {facility.os_id}; it cannot also be {os_id}.")
    holder = Facility.all_objects.filter(os_id=os_id).exclude(pk=facility.pk).first()
    if holder is not None:
        raise MatchingError(f"The OS ID {os_id} is recorded for '{holder}' already; if they are the same facility, "
                            "merge the two records first.")
    _set_os_id(facility, os_id, by)


def _set_os_id(facility: Facility, os_id: str, by: Any, note: str = "") -> None:
    before = {"os_id": facility.os_id}
    facility.os_id = os_id
    facility.save(update_fields=["os_id", "updated_at"])
    record(by, "facility.update", facility, before=before, after={"os_id": os_id}, note=note or "registry match")


# --- merging and undoing -----------------------------------------------------------------------------------

def merge_facilities(survivor: Facility, merged: Facility, *, by: Any,
                     candidate: MatchCandidate | None = None) -> FacilityMerge:
    """Fold ``merged`` into ``survivor``: everything linked to it moves over, blanks of the survivor are filled,
    the merged record is kept (status 'merged') so that the merge can be undone."""
    policy.require(by, "decide", "match_candidate")
    with transaction.atomic():
        survivor = Facility.all_objects.select_for_update().get(pk=survivor.pk)
        merged = Facility.all_objects.select_for_update().get(pk=merged.pk)
        if _rejection_between(cluster(survivor.pk), cluster(merged.pk)) is not None:
            raise MatchingError(f"'{survivor}' and '{merged}' were decided to be different facilities.")
        return _merge(survivor, merged, by=by, candidate=candidate)


def _link_key(link: SourcingLink | dict[str, Any]) -> tuple[Any, ...]:
    get = link.get if isinstance(link, dict) else (lambda k: getattr(link, k))
    return (get("brand_id"), get("buyer_id"), get("supplier_id"), get("material"), get("origin_country"),
            get("origin_region"))


def _merge(survivor: Facility, merged: Facility, *, by: Any, candidate: MatchCandidate | None = None,
           note: str = "", after: bool = True) -> FacilityMerge:
    if survivor.pk == merged.pk:
        raise MatchingError("A facility cannot be merged into itself.")
    for f in (survivor, merged):
        if f.status == Facility.Status.MERGED:
            raise MatchingError(f"'{f}' was merged into another record already.")
    snap: dict[str, Any] = {"merged": snapshot(merged), "filled": {}, "taken": {}, "removed_links": [],
                            "removed_engagements": []}
    moved: dict[str, list[int]] = {}
    for name in FILL_FIELDS:
        if _blank(getattr(survivor, name)) and not _blank(getattr(merged, name)):
            snap["filled"][name] = _plain(getattr(merged, name))
            setattr(survivor, name, getattr(merged, name))
    for name in UNIQUE_FIELDS:
        if _blank(getattr(survivor, name)) and not _blank(getattr(merged, name)):
            snap["taken"][name] = getattr(merged, name)
    # The merged record: history from now on. Identifiers it hands over are cleared first (they are unique).
    merged.status = Facility.Status.MERGED
    merged.merged_into = survivor
    for name in snap["taken"]:
        setattr(merged, name, None)
    merged.save()
    for name, value in snap["taken"].items():
        setattr(survivor, name, value)
    survivor.save()

    # Sourcing links, both directions. A link that would join the survivor to itself, or that the survivor has
    # already, is removed (and kept in the snapshot so that undo re-creates it).
    have = {_link_key(link) for link in SourcingLink.objects.filter(Q(buyer=survivor) | Q(supplier=survivor))}
    for link in SourcingLink.objects.filter(Q(buyer=merged) | Q(supplier=merged)).order_by("pk"):
        as_buyer, as_supplier = link.buyer_id == merged.pk, link.supplier_id == merged.pk
        new = {"brand_id": link.brand_id, "buyer_id": survivor.pk if as_buyer else link.buyer_id,
               "supplier_id": survivor.pk if as_supplier else link.supplier_id, "material": link.material,
               "origin_country": link.origin_country, "origin_region": link.origin_region}
        if (new["buyer_id"] is not None and new["buyer_id"] == new["supplier_id"]) or _link_key(new) in have:
            snap["removed_links"].append(snapshot(link))
            link.delete()
            continue
        SourcingLink.objects.filter(pk=link.pk).update(buyer_id=new["buyer_id"], supplier_id=new["supplier_id"])
        have.add(_link_key(new))
        if as_buyer:
            moved.setdefault("links_as_buyer", []).append(link.pk)
        if as_supplier:
            moved.setdefault("links_as_supplier", []).append(link.pk)

    moved["sources"] = list(FacilitySource.objects.filter(facility=merged).values_list("pk", flat=True))
    FacilitySource.objects.filter(pk__in=moved["sources"]).update(facility=survivor)

    engaged = set(AgentEngagement.objects.filter(facility=survivor).values_list("agent_id", "origin_country"))
    moved["engagements"] = []
    for e in AgentEngagement.objects.filter(facility=merged).order_by("pk"):
        if (e.agent_id, e.origin_country) in engaged:
            snap["removed_engagements"].append(snapshot(e))
            e.delete()
            continue
        moved["engagements"].append(e.pk)
    AgentEngagement.objects.filter(pk__in=moved["engagements"]).update(facility=survivor)

    from fairthread.screening.models import ScreeningHit

    moved["screening_hits"] = list(ScreeningHit.objects.filter(facility=merged).values_list("pk", flat=True))
    ScreeningHit.objects.filter(pk__in=moved["screening_hits"]).update(facility=survivor)

    challenges = _challenges_of(merged.pk)
    moved["challenges"] = list(challenges.values_list("pk", flat=True))
    challenges.update(object_id=str(survivor.pk))

    merge = FacilityMerge.objects.create(
        survivor=survivor, merged=merged, candidate=candidate,
        merged_by=by if getattr(by, "is_authenticated", False) else None, moved=moved, snapshot=snap,
    )
    record(by, "facility.merge", survivor, note=note or (f"match candidate #{candidate.pk}" if candidate else ""),
           after={"merge": merge.pk, "survivor": survivor.pk, "merged": merged.pk, "merged_name": merged.name,
                  "moved": {k: len(v) for k, v in moved.items()}, "filled": snap["filled"],
                  "taken": snap["taken"]})
    if after:
        _after_change({survivor.pk, merged.pk})
    return merge


def _challenges_of(facility_id: int) -> QuerySet[Any]:
    from fairthread.challenges.models import Challenge

    ct = ContentType.objects.get_for_model(Facility)
    return Challenge.objects.filter(content_type=ct, object_id=str(facility_id))


def _blank(value: Any) -> bool:
    return value is None or value == ""


def _after_change(ids: set[int]) -> None:
    """Tiers follow the moved links; risk (and screening) re-assess the two records once this commits."""
    from fairthread.supplychain.services import recompute_tiers

    recompute_tiers()
    facilities_changed.send(sender=Facility, facility_ids=set(ids))


def undo_merge(merge: FacilityMerge, *, by: Any) -> FacilityMerge:
    """Restore both records with everything linked to them; the pair counts as rejected from now on (so neither a
    person nor an automatic match joins them again)."""
    policy.require(by, "undo", merge)
    with transaction.atomic():
        merge = FacilityMerge.objects.select_for_update().get(pk=merge.pk)
        if merge.is_undone:
            raise MatchingError("This merge was undone already.")
        later = (FacilityMerge.objects.filter(undone_at__isnull=True, merged_id=merge.survivor_id, pk__gt=merge.pk)
                 .select_related("survivor").first())
        if later is not None:
            raise MatchingError(f"'{merge.survivor}' was merged into '{later.survivor}' afterwards; undo that merge "
                                "first.")
        survivor = Facility.all_objects.select_for_update().get(pk=merge.survivor_id)
        merged = Facility.all_objects.select_for_update().get(pk=merge.merged_id)
        snap, moved = merge.snapshot or {}, merge.moved or {}
        # Identifiers go back to the merged record (cleared on the survivor first: they are unique).
        for name, value in (snap.get("taken") or {}).items():
            if getattr(survivor, name) == value:
                setattr(survivor, name, None)
        for name, value in (snap.get("filled") or {}).items():
            if _plain(getattr(survivor, name)) == value:  # unless someone changed it since
                setattr(survivor, name, None if Facility._meta.get_field(name.removesuffix("_id")).null else "")
        survivor.save()
        before = snap.get("merged") or {}
        merged.status = before.get("status") or Facility.Status.ACTIVE
        merged.merged_into = None
        for name, value in (snap.get("taken") or {}).items():
            setattr(merged, name, value)
        merged.save()

        SourcingLink.objects.filter(pk__in=moved.get("links_as_buyer", []), buyer=survivor).update(buyer=merged)
        SourcingLink.objects.filter(pk__in=moved.get("links_as_supplier", []), supplier=survivor).update(
            supplier=merged)
        for row in snap.get("removed_links", []):
            SourcingLink.objects.create(**_model_fields(SourcingLink, row))
        FacilitySource.objects.filter(pk__in=moved.get("sources", []), facility=survivor).update(facility=merged)
        AgentEngagement.objects.filter(pk__in=moved.get("engagements", []), facility=survivor).update(
            facility=merged)
        for row in snap.get("removed_engagements", []):
            AgentEngagement.objects.get_or_create(**_model_fields(AgentEngagement, row))
        from fairthread.screening.models import ScreeningHit

        ScreeningHit.objects.filter(pk__in=moved.get("screening_hits", []), facility=survivor).update(
            facility=merged)
        _challenges_of(survivor.pk).filter(pk__in=moved.get("challenges", [])).update(object_id=str(merged.pk))

        now = timezone.now()
        user = by if getattr(by, "is_authenticated", False) else None
        merge.undone_at, merge.undone_by = now, user
        merge.save(update_fields=["undone_at", "undone_by"])
        # The pair is now known to be two facilities.
        key = MatchCandidate.facility_pair_key(survivor.pk, merged.pk)
        pair = MatchCandidate.objects.filter(Q(pk=merge.candidate_id) | Q(pair_key=key)).first()
        if pair is None:
            pair = MatchCandidate(facility=merged, other_facility=survivor, score=0.0, method="merge")
        pair.status, pair.decided_by, pair.decided_at = MatchCandidate.Status.REJECTED, user, now
        pair.reason = f"merge #{merge.pk} undone"
        pair.save()
        record(by, "facility.merge_undo", survivor,
               after={"merge": merge.pk, "survivor": survivor.pk, "merged": merged.pk,
                      "moved_back": {k: len(v) for k, v in moved.items()}})
        _after_change({survivor.pk, merged.pk})
    return merge


def _model_fields(model: Any, row: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for f in model._meta.concrete_fields:
        if f.name in row and f.name not in {"created_at", "updated_at"}:
            out[f.attname] = row[f.name]
    return out


def merges_for(facility: Facility) -> QuerySet[FacilityMerge]:
    """Merges where the facility is the survivor or the merged record, newest first."""
    return (FacilityMerge.objects.filter(Q(survivor=facility) | Q(merged=facility))
            .select_related("survivor", "merged", "candidate", "merged_by", "undone_by")
            .order_by("-merged_at", "-id"))


# --- resolution between the brand's facilities -------------------------------------------------------------

def new_candidate(facility_id: int, other_id: int, score: float, explanation: list[str],
                  evidence: list[dict[str, Any]], *, method: str, status: str = MatchCandidate.Status.PENDING,
                  batch_id: int | None = None) -> MatchCandidate:
    version = matcher_model().version
    return MatchCandidate.objects.create(
        facility_id=facility_id, other_facility_id=other_id,
        pair_key=MatchCandidate.facility_pair_key(facility_id, other_id), score=min(max(score, 0.0), 1.0),
        model_version=version, method=method, explanation=explanation,
        evidence=evidence, status=status,
        batch_id=batch_id, decided_at=timezone.now() if status == MatchCandidate.Status.CONFIRMED else None,
    )


def merge_automatically(survivor: Facility, merged: Facility, score: float, explanation: list[str],
                        evidence: list[dict[str, Any]], *, by: Any, batch_id: int | None, note: str
                        ) -> MatchCandidate:
    """The model's clear match, inside a change the caller already checked (an import, a resolution): the pair is
    remembered as confirmed by the matcher and the newcomer merged at once (undoable). Tiers and risk are left to
    the caller, once for all its merges."""
    c = new_candidate(merged.pk, survivor.pk, score, explanation, evidence, method=AUTOMATIC,
                      status=MatchCandidate.Status.CONFIRMED, batch_id=batch_id)
    _merge(survivor, merged, by=by, candidate=c, note=note, after=False)
    return c


def resolve_facilities(facility_ids: Iterable[int], *, by: Any, batch: ImportBatch | None = None
                       ) -> ResolutionSummary:
    """Resolve these (current) facilities against the other current facilities of their countries: a match is
    merged into the existing record (remembered as a confirmed automatic pair), a review becomes a pending pair;
    pairs decided or pending already are never proposed again."""
    if _is_person(by):
        policy.require(by, "decide", "match_candidate")
    ids = sorted({int(i) for i in facility_ids})
    summary = ResolutionSummary()
    batch_id = batch.pk if batch is not None else None
    with transaction.atomic():
        facilities = {f.pk: f for f in Facility.objects.filter(pk__in=ids)}
        rows = [engine_row(f.__dict__, f.pk) for f in facilities.values()]
        results = link_against_facilities(rows, exclude=ids) or []
        decided = {r.input_id for r in results}
        summary.new += len(facilities) - len(decided)
        claimed: set[int] = set()
        for result in results:
            fid = int(result.input_id)
            outcome = NEW
            for other, score, explanation, evidence, decision in proposals(result):
                oid = root_id(int(other))
                key = MatchCandidate.facility_pair_key(fid, oid)
                if MatchCandidate.objects.filter(pair_key=key).exists() or pair_blocked(fid, oid):
                    continue  # decided or pending already: never put to a person twice
                facility, existing = facilities[fid], Facility.all_objects.get(pk=oid)
                if decision == MATCH and oid not in claimed and not _conflicting_ids(facility, existing):
                    c = merge_automatically(existing, facility, score, explanation, evidence, by=by,
                                            batch_id=batch_id, note="automatic match")
                    claimed.add(oid)
                    outcome = MATCH
                else:
                    c = new_candidate(fid, oid, score, explanation, evidence, method=result.method,
                                      batch_id=batch_id)
                    outcome = REVIEW
                summary.candidates.append(c.pk)
                break
            if outcome == MATCH:
                summary.matched += 1
            elif outcome == REVIEW:
                summary.review += 1
            else:
                summary.new += 1
        if claimed:
            _after_change(claimed | {int(r.input_id) for r in results})
        record(by, "match.resolve", object_type="matching.matchcandidate", object_id="",
               object_repr=f"{len(ids)} facilities", after={"matched": summary.matched, "review": summary.review,
                                                            "new": summary.new})
    return summary


def _conflicting_ids(a: Any, b: Any) -> bool:
    """Two different OS IDs or two different brand references: not one facility without a person's word."""
    return any(getattr(a, n, None) and getattr(b, n, None) and getattr(a, n) != getattr(b, n)
               for n in UNIQUE_FIELDS)


# --- the reference registry --------------------------------------------------------------------------------

def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_registry_csv(data: bytes, filename: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows of an Open Supply Hub facilities export, and problems as "FILE row N, column 'X': message"."""
    errors: list[str] = []
    if b"\x00" in data[:4096]:
        return [], [f"{filename}: not a CSV text file"]
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    header = next(reader, None)
    if not header or not any(h.strip() for h in header):
        return [], [f"{filename} row 1: the file is empty (expected an Open Supply Hub facilities export)"]
    columns = [h.strip().lower() for h in header]
    index: dict[str, tuple[int, str]] = {}
    for key, names in REGISTRY_COLUMNS.items():
        for name in names:
            if name in columns:
                index[key] = (columns.index(name), header[columns.index(name)].strip())
                break
    missing = [k for k in ("os_id", "name", "country") if k not in index]
    if missing:
        return [], [f"{filename} row 1, column '{REGISTRY_COLUMNS[k][0]}': missing required column "
                    f"(columns found: {', '.join(h.strip() for h in header if h.strip())})" for k in missing]
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        raw = {k: (values[i].strip() if i < len(values) else "") for k, (i, _) in index.items()}
        col = {k: name for k, (_, name) in index.items()}
        where = f"{filename} row {line}, column"
        problems = []
        os_id = raw["os_id"].upper()
        if not os_id:
            problems.append(f"{where} '{col['os_id']}': empty; every registry facility needs its OS ID")
        elif len(os_id) > 20:
            problems.append(f"{where} '{col['os_id']}': '{raw['os_id']}' is too long for an OS ID")
        elif os_id in seen:
            problems.append(f"{where} '{col['os_id']}': '{os_id}' already used on row {seen[os_id]}")
        else:
            seen[os_id] = line
        if not raw["name"]:
            problems.append(f"{where} '{col['name']}': empty; every facility needs a name")
        country = resolve_country(raw["country"]) if raw["country"] else None
        if not raw["country"]:
            problems.append(f"{where} '{col['country']}': empty; give an ISO-2 code or a country name")
        elif country is None:
            problems.append(f"{where} '{col['country']}': '{raw['country']}' is not a known country")
        coords: dict[str, float | None] = {"lat": None, "lng": None}
        for key, bound in (("lat", 90.0), ("lng", 180.0)):
            text = raw.get(key, "")
            if not text:
                continue
            try:
                value = float(text)
            except ValueError:
                problems.append(f"{where} '{col[key]}': '{text}' is not a number")
                continue
            if not -bound <= value <= bound:
                problems.append(f"{where} '{col[key]}': {text} is outside -{bound:g}..{bound:g}")
            else:
                coords[key] = value
        if problems:
            errors.extend(problems)
            if len(errors) >= MAX_REGISTRY_ERRORS:
                errors.append(f"{filename}: stopped after {MAX_REGISTRY_ERRORS} problems")
                break
            continue
        rows.append({
            "os_id": os_id, "name": raw["name"][:300], "address": raw.get("address", "")[:500],
            "country": country, "lat": coords["lat"] if coords["lng"] is not None else None,
            "lng": coords["lng"] if coords["lat"] is not None else None,
            "sector": raw.get("sector", "")[:200], "facility_type": raw.get("facility_type", "")[:200],
            "parent_company": raw.get("parent_company", "")[:300], "native_name": raw.get("native_name", "")[:300],
            "_lat_text": raw.get("lat", ""), "_lng_text": raw.get("lng", ""),
        })
    if not rows and not errors:
        errors.append(f"{filename} row 2: the file has a header row but no facilities")
    return rows, errors


def registry_dir() -> Path:
    path = Path(settings.DATA_DIR) / "registry"
    path.mkdir(parents=True, exist_ok=True)
    return path


def import_registry(data: bytes, *, filename: str, name: str, by: Any, source: str = "", licence: str = ""
                    ) -> RegistryEdition:
    """Load an Open Supply Hub facilities export as the current reference registry (all or nothing), and prepare
    it once for linking (a DuckDB file the engine reopens for every link run)."""
    if _is_person(by):
        policy.require(by, "import", "registry")
    rows, errors = read_registry_csv(data, filename)
    if errors:
        shown = "; ".join(errors[:3]) + (f"; and {len(errors) - 3} more problems" if len(errors) > 3 else "")
        raise MatchingError(f"Nothing was imported: {shown}", errors)
    digest = hashlib.sha256(data).hexdigest()
    database = _registry_file(digest)
    engine_rows = ({"id": r["os_id"], "name": r["name"], "address": r["address"], "country": r["country"],
                    "lat": r["_lat_text"], "lng": r["_lng_text"], "os_id": r["os_id"],
                    "parent_company": r["parent_company"], "native_name": r["native_name"]} for r in rows)
    try:
        Registry(engine_rows, matcher_model(), database=database).close()
        with transaction.atomic():
            RegistryEdition.objects.filter(is_current=True).update(is_current=False)
            edition = RegistryEdition.objects.create(
                name=name[:200], source=source, licence=licence[:200], filename=filename[:255], sha256=digest,
                row_count=len(rows), imported_by=by if getattr(by, "is_authenticated", False) else None,
                database_path=str(database), is_current=True,
            )
            fields = [f for f in REGISTRY_COLUMNS if f != "country"] + ["country"]
            batch = []
            for r in rows:
                batch.append(RegistryFacility(edition=edition, **{f: r[f] for f in fields}))
                if len(batch) >= 5000:
                    RegistryFacility.objects.bulk_create(batch)
                    batch = []
            RegistryFacility.objects.bulk_create(batch)
            record(by, "registry.import", edition,
                   after={"name": edition.name, "filename": edition.filename, "rows": len(rows), "sha256": digest})
    except Exception:
        database.unlink(missing_ok=True)
        raise
    return edition


def _registry_file(digest: str) -> Path:
    return registry_dir() / f"registry-{digest[:16]}-{timezone.now():%Y%m%d%H%M%S%f}.duckdb"


def _edition_rows(edition: RegistryEdition) -> Iterable[dict[str, Any]]:
    """The edition's stored facilities in the engine's row format (coordinates as stored: full precision)."""
    for f in RegistryFacility.objects.filter(edition=edition).order_by("pk").iterator(chunk_size=5000):
        yield {"id": f.os_id, "name": f.name, "address": f.address, "country": f.country,
               "lat": "" if f.lat is None else repr(f.lat), "lng": "" if f.lng is None else repr(f.lng),
               "os_id": f.os_id, "parent_company": f.parent_company, "native_name": f.native_name}


@contextlib.contextmanager
def edition_lock(edition: RegistryEdition) -> Iterator[None]:
    """One link run per registry edition at a time (across processes on this machine, where the prepared file
    lives): DuckDB lets one process write a file, and preparing it again must not pull it from under a run."""
    with (registry_dir() / f"edition-{edition.pk}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def prepared_registry(edition: RegistryEdition, *, by: Any) -> Registry:
    """The edition's prepared registry, opened. When its file is gone, or was prepared by another engine or model
    (after an upgrade or a retrained model), it is prepared again from the edition's stored facilities — the
    new file first, then the edition points to it (audited as ``registry.prepare``), then the old file goes.
    Call it holding ``edition_lock(edition)``."""
    model = matcher_model()
    current = Path(edition.database_path) if edition.database_path else None
    prepared_by = Registry.prepared_by(current) if current is not None else None
    if prepared_by == (ENGINE_VERSION, model.version):
        return Registry.open(current, model)  # type: ignore[arg-type]
    database = _registry_file(edition.sha256 or "edition")
    try:
        Registry(_edition_rows(edition), model, database=database).close()
        with transaction.atomic():
            before = {"file": edition.database_path, "prepared_by": list(prepared_by or [])}
            edition.database_path = str(database)
            edition.save(update_fields=["database_path"])
            record(by, "registry.prepare", edition, before=before,
                   after={"file": str(database), "prepared_by": [ENGINE_VERSION, model.version]})
    except Exception:
        database.unlink(missing_ok=True)
        raise
    if current is not None and current != database:
        current.unlink(missing_ok=True)
        current.with_name(current.name + ".wal").unlink(missing_ok=True)
    return Registry.open(database, model)


def current_edition() -> RegistryEdition | None:
    return RegistryEdition.objects.filter(is_current=True).order_by("-imported_at", "-id").first()


def link_to_registry(*, by: Any, facility_ids: Iterable[int] | None = None) -> ResolutionSummary:
    """Link the brand's facilities without an OS ID (or the given ones) to the current registry edition. The
    prepared registry is reopened, never re-linked to itself; a match records the OS ID (unless another facility
    holds it: then a review), a review becomes a pending registry pair, rejected pairs are not proposed again."""
    if _is_person(by):
        policy.require(by, "link", "registry")
    edition = current_edition()
    if edition is None:
        raise MatchingError("No reference registry has been imported yet.")
    qs = Facility.objects.all()
    if facility_ids is not None:
        qs = qs.filter(pk__in=sorted({int(i) for i in facility_ids}))
    else:
        # Not linked yet: no OS ID and no registry pair waiting for a person.
        waiting = MatchCandidate.objects.filter(
            registry_facility__isnull=False,
            status__in=[MatchCandidate.Status.PENDING, MatchCandidate.Status.UNSURE]).values("facility_id")
        qs = qs.filter(os_id__isnull=True).exclude(pk__in=waiting)
    summary = ResolutionSummary()
    rows = list(facility_rows(qs))
    if not rows:
        return summary
    with edition_lock(edition):
        edition.refresh_from_db(fields=["database_path"])  # another run may have prepared it again meanwhile
        registry = prepared_registry(edition, by=by)
        try:
            results = registry.link(rows, thresholds()).results
        finally:
            registry.close()
    with transaction.atomic():
        by_os = {r.os_id: r for r in RegistryFacility.objects.filter(
            edition=edition, os_id__in={o for res in results for o, *_ in proposals(res)})}
        facilities = Facility.objects.in_bulk([int(r.input_id) for r in results])
        for result in results:
            facility = facilities.get(int(result.input_id))
            outcome = NEW
            for os_id, score, explanation, evidence, decision in proposals(result) if facility else []:
                entry = by_os.get(os_id)
                key = MatchCandidate.registry_pair_key(facility.pk, os_id)  # type: ignore[union-attr]
                if entry is None or MatchCandidate.objects.filter(pair_key=key).exists():
                    continue
                if registry_rejection(facility.pk, os_id) is not None:  # type: ignore[union-attr]
                    continue  # rejected for a record merged with this one: never proposed again
                if facility.os_id == os_id:  # type: ignore[union-attr]
                    break
                holder = Facility.all_objects.filter(os_id=os_id).exclude(pk=facility.pk).exists()  # type: ignore
                auto = decision == MATCH and not holder and not facility.os_id  # type: ignore[union-attr]
                c = MatchCandidate.objects.create(
                    facility=facility, registry_facility=entry, pair_key=key, score=min(max(score, 0.0), 1.0),
                    model_version=result.model_version, method=AUTOMATIC if auto else result.method,
                    explanation=explanation, evidence=evidence,
                    status=MatchCandidate.Status.CONFIRMED if auto else MatchCandidate.Status.PENDING,
                    decided_at=timezone.now() if auto else None,
                )
                if auto:
                    _set_os_id(facility, os_id, by, note=f"registry '{edition.name}', automatic match")  # type: ignore
                summary.candidates.append(c.pk)
                outcome = MATCH if auto else REVIEW
                break
            if outcome == MATCH:
                summary.matched += 1
            elif outcome == REVIEW:
                summary.review += 1
            else:
                summary.new += 1
        record(by, "registry.link", edition,
               after={"facilities": len(rows), "matched": summary.matched, "review": summary.review,
                      "new": summary.new})
    return summary
