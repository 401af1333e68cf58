"""Critical-friend challenges: list, read, open (on a facility), answer (brand), close."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from fairthread.accounts import policy
from fairthread.api.common import get_visible, guard, page, parse_uid, user_of
from fairthread.api.schemas import (
    AnswerIn,
    ChallengeAnswerOut,
    ChallengeIn,
    ChallengeOut,
    ChallengePage,
    CloseIn,
    Error,
    ValidationErrors,
)
from fairthread.challenges import services
from fairthread.challenges.models import Challenge
from fairthread.supplychain.models import Facility

router = Router(tags=["challenges"])


class ChallengeFilters(Schema):
    status: str | None = None
    facility: str | None = None
    overdue: bool | None = None
    limit: int = 50
    offset: int = 0


def _challenges() -> QuerySet:
    return Challenge.objects.select_related("content_type", "raised_by").prefetch_related("responses__author")


def _with_facility_uids(challenges: list[Challenge]) -> list[Challenge]:
    """Attach the facility uid to challenges about facilities (one query for the page)."""
    facility_type = ContentType.objects.get_for_model(Facility)
    ids = {int(c.object_id) for c in challenges if c.content_type_id == facility_type.pk}
    uids = dict(Facility.objects.filter(pk__in=ids).values_list("pk", "uid"))
    for c in challenges:
        c.facility_uid = uids.get(int(c.object_id)) if c.content_type_id == facility_type.pk else None
    return challenges


def _one(challenge_id: int) -> Challenge:
    return _with_facility_uids([get_visible(_challenges(), pk=challenge_id)])[0]


@router.get("/challenges", response=ChallengePage, operation_id="list_challenges",
            **guard("view", "challenge"), summary="List challenges (filter by status, facility)")
def list_challenges(request: HttpRequest, filters: Query[ChallengeFilters]) -> dict[str, Any]:
    qs = _challenges()
    if filters.status:
        qs = qs.filter(status=filters.status.strip().lower())
    if filters.facility:
        facility = Facility.objects.filter(uid=parse_uid(filters.facility.strip(), "facility")).first()
        qs = qs.filter(content_type=ContentType.objects.get_for_model(Facility),
                       object_id=str(facility.pk if facility else 0))
    if filters.overdue is True:
        qs = qs.filter(status=Challenge.Status.OPEN, due_date__lt=timezone.localdate())
    elif filters.overdue is False:
        qs = qs.exclude(status=Challenge.Status.OPEN, due_date__lt=timezone.localdate())
    count, items = page(qs, filters.limit, filters.offset)
    return {"count": count, "limit": filters.limit, "offset": filters.offset,
            "items": _with_facility_uids(items)}


@router.get("/challenges/{challenge_id}", response={200: ChallengeOut, 404: Error},
            operation_id="get_challenge", **guard("view", "challenge"),
            summary="Read a challenge")
def get_challenge(request: HttpRequest, challenge_id: int) -> Challenge:
    return _one(challenge_id)


@router.post("/challenges", response={201: ChallengeOut, 422: ValidationErrors},
             operation_id="create_challenge", **guard("open", "challenge"),
             summary="Open a challenge on a facility")
def open_challenge(request: HttpRequest, payload: ChallengeIn) -> Status:
    user = user_of(request)
    uid = parse_uid(payload.facility.strip(), "facility")
    facility = policy.visible_facilities(user).filter(uid=uid).first()
    if facility is None:
        raise ValidationError({"facility": f"No facility {payload.facility!r}."})
    challenge = services.open_challenge(facility, by=user, title=payload.title, text=payload.text,
                                        due_date=payload.due_date)
    return Status(201, _one(challenge.pk))


@router.post("/challenges/{challenge_id}/answers", response={201: ChallengeAnswerOut, 404: Error,
                                                             422: ValidationErrors},
             operation_id="answer_challenge", **guard("answer", "challenge"),
             summary="Answer a challenge on the record (brand)")
def answer_challenge(
    request: HttpRequest, challenge_id: int, payload: AnswerIn
) -> Status:
    user = user_of(request)
    challenge = get_visible(Challenge.objects.all(), pk=challenge_id)
    return Status(201, services.answer_challenge(challenge, by=user, text=payload.text))


@router.post("/challenges/{challenge_id}/close", response={200: ChallengeOut, 404: Error},
             operation_id="close_challenge", **guard("close", "challenge"),
             summary="Close a challenge (critical friend)")
def close_challenge(request: HttpRequest, challenge_id: int, payload: CloseIn | None = None) -> Challenge:
    user = user_of(request)
    challenge = get_visible(Challenge.objects.all(), pk=challenge_id)
    services.close_challenge(challenge, by=user, note=payload.note if payload else "")
    return _one(challenge.pk)
