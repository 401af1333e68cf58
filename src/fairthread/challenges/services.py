"""Challenges raised by the critical friend and answered by the brand, on the record."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model, QuerySet
from django.utils import timezone

from fairthread.accounts import policy
from fairthread.accounts.models import Role, User
from fairthread.audit.log import record, snapshot
from fairthread.challenges.models import Challenge, ChallengeResponse
from fairthread.notifications.services import notify


def _users_with_roles(*roles: str) -> QuerySet:
    return User.objects.filter(is_active=True, memberships__active=True, memberships__role__in=roles).distinct()


@transaction.atomic
def open_challenge(subject: Model, *, by: Any, title: str, text: str, due_date: datetime.date) -> Challenge:
    policy.require(by, "open", "challenge")
    if not policy.can(by, "view", subject):
        raise ValidationError("You cannot challenge something you cannot see.")
    title, text = title.strip(), text.strip()
    if not title or not text:
        raise ValidationError("A challenge needs a title and a text.")
    if due_date < timezone.localdate():
        raise ValidationError("The due date cannot be in the past.")
    challenge = Challenge.objects.create(
        content_type=ContentType.objects.get_for_model(subject),
        object_id=str(subject.pk),
        subject_repr=str(subject)[:300],
        title=title[:200],
        text=text,
        due_date=due_date,
        raised_by=by,
    )
    record(by, "challenge.open", challenge, after=snapshot(challenge))
    notify(
        _users_with_roles(Role.BRAND_ADMIN, Role.BRAND_ANALYST),
        key=f"challenge:{challenge.pk}:opened",
        text=f"New challenge from the critical friend on {challenge.subject_repr}: {challenge.title} "
             f"(answer due {due_date:%d %b %Y})",
        url=f"/challenges/{challenge.pk}/",
    )
    return challenge


@transaction.atomic
def answer_challenge(challenge: Challenge, *, by: Any, text: str) -> ChallengeResponse:
    policy.require(by, "answer", challenge)
    text = text.strip()
    if not text:
        raise ValidationError("An answer cannot be empty.")
    if challenge.status == Challenge.Status.CLOSED:
        raise ValidationError("This challenge is closed.")
    response = ChallengeResponse.objects.create(challenge=challenge, author=by, text=text)
    before = snapshot(challenge, ["status"])
    challenge.status = Challenge.Status.ANSWERED
    challenge.save(update_fields=["status"])
    record(by, "challenge.answer", challenge, before=before, after={"status": challenge.status, "answer": text})
    notify(
        [challenge.raised_by],
        key=f"challenge:{challenge.pk}:answer:{response.pk}",
        text=f"The brand answered your challenge: {challenge.title}",
        url=f"/challenges/{challenge.pk}/",
    )
    return response


@transaction.atomic
def close_challenge(challenge: Challenge, *, by: Any, note: str = "") -> None:
    policy.require(by, "close", challenge)
    if challenge.status == Challenge.Status.CLOSED:
        return
    before = snapshot(challenge, ["status"])
    challenge.status = Challenge.Status.CLOSED
    challenge.closed_at = timezone.now()
    challenge.save(update_fields=["status", "closed_at"])
    record(by, "challenge.close", challenge, before=before, after={"status": challenge.status}, note=note)


def challenges_for(subject: Model) -> QuerySet:
    return Challenge.objects.filter(
        content_type=ContentType.objects.get_for_model(subject), object_id=str(subject.pk)
    ).prefetch_related("responses")


def notify_overdue(today: datetime.date | None = None) -> int:
    """Periodic job: tell both sides about challenges past their due date, once per challenge."""
    today = today or timezone.localdate()
    sent = 0
    for challenge in Challenge.objects.filter(status=Challenge.Status.OPEN, due_date__lt=today):
        users = list(_users_with_roles(Role.BRAND_ADMIN, Role.BRAND_ANALYST)) + [challenge.raised_by]
        sent += notify(
            users,
            key=f"challenge:{challenge.pk}:overdue",
            text=f"Challenge overdue since {challenge.due_date:%d %b %Y}: {challenge.title}",
            url=f"/challenges/{challenge.pk}/",
        )
    return sent
