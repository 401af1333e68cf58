"""Screening: the hits review queue (list, get, confirm, dismiss) and the restricted lists with versions.

Brand users and the critical friend read; brand users confirm and dismiss; supplier users get 403.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from fairthread.accounts import policy
from fairthread.api.common import get_visible, guard, page, user_of
from fairthread.api.schemas import Error, ValidationErrors
from fairthread.screening import services
from fairthread.screening.models import RestrictedList, ScreeningHit

router = Router(tags=["screening"])


class ConcernedFacility(Schema):
    uid: uuid.UUID
    name: str
    country: str


class HitOut(Schema):
    id: int
    facility_uid: uuid.UUID | None = Field(None, description="The facility screened; null for an agent hit")
    facility_name: str | None = None
    agent_uid: uuid.UUID | None = Field(None, description="The recruitment agent screened (subject recruitment_agent)")
    agent_name: str | None = None
    agent_country: str | None = None
    facilities: list[ConcernedFacility] = Field(
        default_factory=list, description="The facilities the hit concerns: the facility, or every (visible) "
                                          "facility engaging the agent")
    subject: str
    screened_name: str
    list_name: str
    entity_id: str
    entity_name: str
    matched_name: str
    entity_fingerprint: str
    score: float
    decision: str
    engine_version: str
    explanation: str
    status: str
    decided_by: str | None
    decided_at: datetime.datetime | None
    reason: str
    created_at: datetime.datetime


class HitPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[HitOut]


class DecisionIn(Schema):
    reason: str = Field("", description="Why; required to dismiss")


class HitFilters(Schema):
    status: str | None = Field(None, description="open | confirmed | dismissed")
    limit: int = 50
    offset: int = 0


class VersionOut(Schema):
    number: int
    loaded_at: datetime.datetime
    loaded_by: str = Field(alias="loaded_label")
    file_format: str
    sha256: str
    entity_count: int
    is_current: bool


class ListOut(Schema):
    id: int
    name: str
    list_type: str
    source: str
    licence: str
    versions: list[VersionOut]


def _concerned(h: ScreeningHit, request: HttpRequest) -> list[dict[str, Any]]:
    if h.agent_id is None:
        return [{"uid": h.facility.uid, "name": h.facility.name, "country": h.facility.country}]
    visible = policy.visible_facilities(user_of(request))
    rows = visible.filter(agent_engagements__agent_id=h.agent_id).distinct().order_by("name")
    return [{"uid": f.uid, "name": f.name, "country": f.country} for f in rows]


def _hit(h: ScreeningHit, request: HttpRequest) -> dict[str, Any]:
    agent = h.agent
    return {
        "id": h.pk, "facility_uid": h.facility.uid if h.facility_id else None,
        "facility_name": h.facility.name if h.facility_id else None,
        "agent_uid": agent.uid if agent else None, "agent_name": agent.name if agent else None,
        "agent_country": agent.country if agent else None, "facilities": _concerned(h, request),
        "subject": h.subject,
        "screened_name": h.screened_name, "list_name": h.restricted_list.name, "entity_id": h.entity_id,
        "entity_name": h.entity_name, "matched_name": h.matched_name, "entity_fingerprint": h.entity_fingerprint,
        "score": h.score, "decision": h.decision, "engine_version": h.engine_version,
        "explanation": h.explanation, "status": h.status,
        "decided_by": h.decided_by.get_username() if h.decided_by else None, "decided_at": h.decided_at,
        "reason": h.reason, "created_at": h.created_at,
    }


def _hits(request: HttpRequest) -> Any:
    return services.visible_hits(user_of(request)).select_related("facility", "agent", "restricted_list",
                                                                   "decided_by")


@router.get("/screening/hits", response={200: HitPage, 422: ValidationErrors}, operation_id="list_screening_hits",
            **guard("view", "screening"), summary="Screening hits, highest score first (filter by status)")
def list_screening_hits(request: HttpRequest, filters: Query[HitFilters]) -> dict[str, Any]:
    qs = _hits(request).order_by("-score", "id")
    if filters.status:
        if filters.status not in ScreeningHit.Status.values:
            raise ValidationError({"status": "status must be open, confirmed or dismissed."})
        qs = qs.filter(status=filters.status)
    count, items = page(qs, filters.limit, filters.offset)
    return {"count": count, "limit": filters.limit, "offset": filters.offset,
            "items": [_hit(h, request) for h in items]}


@router.get("/screening/hits/{hit_id}", response={200: HitOut, 404: Error}, operation_id="get_screening_hit",
            **guard("view", "screening"), summary="One screening hit")
def get_screening_hit(request: HttpRequest, hit_id: int) -> dict[str, Any]:
    return _hit(get_visible(_hits(request), pk=hit_id), request)


@router.post("/screening/hits/{hit_id}/confirm", response={200: HitOut, 404: Error, 422: ValidationErrors},
             operation_id="confirm_screening_hit", **guard("review", "screening"),
             summary="Confirm a hit: state-imposed forced-labour evidence; re-assesses the facility and downstream")
def confirm_screening_hit(request: HttpRequest, hit_id: int, payload: DecisionIn) -> dict[str, Any]:
    hit = get_visible(_hits(request), pk=hit_id)
    return _hit(services.confirm_hit(hit, user_of(request), payload.reason), request)


@router.post("/screening/hits/{hit_id}/dismiss", response={200: HitOut, 404: Error, 422: ValidationErrors},
             operation_id="dismiss_screening_hit", **guard("review", "screening"),
             summary="Dismiss a hit (reason required); not raised again unless the list entity changes")
def dismiss_screening_hit(request: HttpRequest, hit_id: int, payload: DecisionIn) -> dict[str, Any]:
    hit = get_visible(_hits(request), pk=hit_id)
    try:
        return _hit(services.dismiss_hit(hit, user_of(request), payload.reason), request)
    except ValidationError as exc:
        raise ValidationError({"reason": " ".join(exc.messages)}) from None


@router.get("/screening/lists", response=list[ListOut], operation_id="list_screening_lists",
            **guard("view", "screening"), summary="Restricted lists with their versions, newest first")
def list_screening_lists(request: HttpRequest) -> list[dict[str, Any]]:
    return [{"id": rl.pk, "name": rl.name, "list_type": rl.list_type, "source": rl.source, "licence": rl.licence,
             "versions": list(rl.versions.all())} for rl in RestrictedList.objects.prefetch_related("versions")]
