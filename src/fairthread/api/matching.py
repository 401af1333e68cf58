"""Matching: the candidate pairs (the review queue and its decisions) and facility merges (list, undo).

Brand users and the critical friend read; brand users decide pairs and undo merges; supplier users get 403.
A decision that contradicts another, or a pair already decided, answers 409 with the reason in words.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from fairthread.accounts import policy
from fairthread.api.common import get_visible, guard, page, user_of
from fairthread.api.schemas import Error, ValidationErrors
from fairthread.matching import services
from fairthread.matching.models import FacilityMerge, MatchCandidate
from fairthread.supplychain.models import Facility

router = Router(tags=["matching"])


class RecordOut(Schema):
    kind: str = Field(description="facility (one of the brand's facilities) or registry (a reference entry)")
    uid: uuid.UUID | None = Field(None, description="The facility's uid (facility records only)")
    os_id: str
    name: str
    native_name: str
    address: str
    country: str
    lat: float | None
    lng: float | None
    parent_company: str
    status: str


class EvidenceOut(Schema):
    field: str
    label: str
    for_match: bool | None
    text: str


class CandidateOut(Schema):
    id: int
    kind: str = Field(description="facility (two facilities) or registry (a facility and a registry entry)")
    facility: RecordOut
    other: RecordOut
    score: float
    model_version: str
    method: str
    explanation: list[str]
    evidence: list[EvidenceOut]
    status: str
    decided_by: str | None
    decided_at: datetime.datetime | None
    reason: str
    created_at: datetime.datetime


class CandidatePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CandidateOut]


class CandidateFilters(Schema):
    status: str | None = Field(None, description="pending | unsure | confirmed | rejected; "
                                                 "without it, the review queue (pending and unsure, best first)")
    kind: str | None = Field(None, description="facility | registry")
    limit: int = 50
    offset: int = 0


class DecisionIn(Schema):
    decision: Literal["confirm", "reject", "unsure"] = Field(
        description="confirm: the same facility (merges two facilities, or records the registry OS ID); "
                    "reject: different facilities (never proposed again); unsure: stays in the queue")
    reason: str = Field("", max_length=2000)


class FacilityRefOut(Schema):
    uid: uuid.UUID
    name: str
    country: str
    status: str


class MergeOut(Schema):
    id: int
    survivor: FacilityRefOut
    merged: FacilityRefOut
    candidate_id: int | None
    merged_by: str | None
    merged_at: datetime.datetime
    moved: dict[str, list[Any]]
    undone_at: datetime.datetime | None
    undone_by: str | None
    is_undone: bool


class MergePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MergeOut]


class MergeFilters(Schema):
    facility: str | None = Field(None, description="A facility uid: only merges where it is survivor or merged")
    limit: int = 50
    offset: int = 0


def _record(obj: Any) -> dict[str, Any]:
    if isinstance(obj, Facility):
        return {"kind": "facility", "uid": obj.uid, "os_id": obj.os_id or "", "name": obj.name,
                "native_name": obj.name_native or "", "address": obj.address or "", "country": obj.country,
                "lat": obj.lat, "lng": obj.lng, "parent_company": obj.parent_company or "", "status": obj.status}
    return {"kind": "registry", "uid": None, "os_id": obj.os_id, "name": obj.name, "native_name": obj.native_name,
            "address": obj.address, "country": obj.country, "lat": obj.lat, "lng": obj.lng,
            "parent_company": obj.parent_company, "status": "registry"}


def _candidate(c: MatchCandidate) -> dict[str, Any]:
    other = c.other_facility if c.other_facility_id else c.registry_facility
    evidence = [e for e in (c.evidence or []) if isinstance(e, dict)]
    return {
        "id": c.pk, "kind": "facility" if c.other_facility_id else "registry", "facility": _record(c.facility),
        "other": _record(other), "score": c.score, "model_version": c.model_version, "method": c.method,
        "explanation": [str(x) for x in (c.explanation or [])],
        "evidence": [{"field": str(e.get("field", "")), "label": str(e.get("label", "")),
                      "for_match": e.get("for_match"), "text": str(e.get("text", ""))} for e in evidence],
        "status": c.status, "decided_by": c.decided_by.get_username() if c.decided_by else None,
        "decided_at": c.decided_at, "reason": c.reason, "created_at": c.created_at,
    }


def _ref(f: Facility) -> dict[str, Any]:
    return {"uid": f.uid, "name": f.name, "country": f.country, "status": f.status}


def _merge(m: FacilityMerge) -> dict[str, Any]:
    return {
        "id": m.pk, "survivor": _ref(m.survivor), "merged": _ref(m.merged), "candidate_id": m.candidate_id,
        "merged_by": m.merged_by.get_username() if m.merged_by else None, "merged_at": m.merged_at,
        "moved": {str(k): list(v) for k, v in (m.moved or {}).items()}, "undone_at": m.undone_at,
        "undone_by": m.undone_by.get_username() if m.undone_by else None, "is_undone": m.is_undone,
    }


def _visible(request: HttpRequest) -> Any:
    return policy.visible_facilities(user_of(request), Facility.all_objects.all())


def _candidates(request: HttpRequest) -> Any:
    return MatchCandidate.objects.filter(facility__in=_visible(request)).select_related(
        "facility", "other_facility", "registry_facility", "decided_by")


def _merges(request: HttpRequest) -> Any:
    return FacilityMerge.objects.filter(survivor__in=_visible(request)).select_related(
        "survivor", "merged", "merged_by", "undone_by")


@router.get("/matching/candidates", response={200: CandidatePage, 422: ValidationErrors},
            operation_id="list_match_candidates", **guard("view", "match_candidate"),
            summary="Candidate pairs: the review queue (best score first), or those with a given status")
def list_match_candidates(request: HttpRequest, filters: Query[CandidateFilters]) -> dict[str, Any]:
    if filters.status:
        if filters.status not in MatchCandidate.Status.values:
            raise ValidationError({"status": "status must be pending, unsure, confirmed or rejected."})
        qs = _candidates(request).filter(status=filters.status)
        qs = qs.order_by("-score", "id") if filters.status in ("pending", "unsure") else qs.order_by(
            "-decided_at", "-id")
    else:
        queue = services.review_queue(user_of(request)).values("pk")
        qs = _candidates(request).filter(pk__in=queue).order_by("-score", "id")
    if filters.kind:
        if filters.kind not in ("facility", "registry"):
            raise ValidationError({"kind": "kind must be facility or registry."})
        qs = qs.filter(**{"other_facility__isnull" if filters.kind == "facility" else "registry_facility__isnull":
                          False})
    count, items = page(qs, filters.limit, filters.offset)
    return {"count": count, "limit": filters.limit, "offset": filters.offset,
            "items": [_candidate(c) for c in items]}


@router.get("/matching/candidates/{candidate_id}", response={200: CandidateOut, 404: Error},
            operation_id="get_match_candidate", **guard("view", "match_candidate"),
            summary="One candidate pair, with the evidence for and against in words")
def get_match_candidate(request: HttpRequest, candidate_id: int) -> dict[str, Any]:
    return _candidate(get_visible(_candidates(request), pk=candidate_id))


@router.post("/matching/candidates/{candidate_id}/decision",
             response={200: CandidateOut, 404: Error, 409: Error, 422: ValidationErrors},
             operation_id="decide_match_candidate", **guard("decide", "match_candidate"),
             summary="Decide a pair: confirm (same facility), reject (different) or unsure; remembered for good")
def decide_match_candidate(request: HttpRequest, candidate_id: int, payload: DecisionIn) -> Any:
    candidate = get_visible(_candidates(request), pk=candidate_id)
    try:
        decided = services.decide_pair(candidate, payload.decision, by=user_of(request), reason=payload.reason)
    except services.MatchingError as exc:
        return Status(409, {"detail": str(exc)})
    return _candidate(_candidates(request).get(pk=decided.pk))


@router.get("/matching/merges", response={200: MergePage, 422: ValidationErrors},
            operation_id="list_facility_merges", **guard("view", "facility_merge"),
            summary="Facility merges, newest first (optionally those of one facility)")
def list_facility_merges(request: HttpRequest, filters: Query[MergeFilters]) -> dict[str, Any]:
    qs = _merges(request)
    if filters.facility:
        try:
            uid = uuid.UUID(filters.facility)
        except ValueError:
            raise ValidationError({"facility": f"{filters.facility!r} is not a facility identifier (a UUID)."}) \
                from None
        qs = qs.filter(Q(survivor__uid=uid) | Q(merged__uid=uid))
    count, items = page(qs.order_by("-merged_at", "-id"), filters.limit, filters.offset)
    return {"count": count, "limit": filters.limit, "offset": filters.offset, "items": [_merge(m) for m in items]}


@router.post("/matching/merges/{merge_id}/undo", response={200: MergeOut, 404: Error, 409: Error},
             operation_id="undo_facility_merge", **guard("undo", "facility_merge"),
             summary="Undo a merge: both records again, with everything that was linked to each")
def undo_facility_merge(request: HttpRequest, merge_id: int) -> Any:
    merge = get_visible(_merges(request), pk=merge_id)
    try:
        services.undo_merge(merge, by=user_of(request))
    except services.MatchingError as exc:
        return Status(409, {"detail": str(exc)})
    return _merge(_merges(request).get(pk=merge.pk))

