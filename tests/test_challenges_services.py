"""Challenge services: open (critical friend), answer (brand), close; notifications and audit."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from fairthread.audit.models import AuditEvent
from fairthread.challenges import services
from fairthread.challenges.models import Challenge
from fairthread.notifications.models import Notification


def in_days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def test_open_notifies_brand_users_by_ui_and_email(people, facility):
    challenge = services.open_challenge(facility, by=people.ngo, title="Recruitment fees",
                                        text="Workers report paying agents.", due_date=in_days(14))
    assert challenge.status == "open"
    assert challenge.subject == facility
    notified = set(Notification.objects.filter(key=f"challenge:{challenge.pk}:opened")
                   .values_list("user__username", flat=True))
    assert notified == {"admin", "analyst"}
    recipients = sorted(r for m in mail.outbox for r in m.to)
    assert recipients == ["admin@example.org", "analyst@example.org"]
    [event] = AuditEvent.objects.filter(action="challenge.open")
    assert event.after["title"] == "Recruitment fees"


@pytest.mark.parametrize("who", ["analyst", "admin", "supplier"])
def test_only_critical_friend_opens(people, facility, who):
    with pytest.raises(PermissionDenied):
        services.open_challenge(facility, by=getattr(people, who), title="t", text="x", due_date=in_days(3))
    assert not Challenge.objects.exists()


def test_due_date_in_past_and_empty_text_rejected(people, facility):
    with pytest.raises(ValidationError, match="past"):
        services.open_challenge(facility, by=people.ngo, title="t", text="x", due_date=in_days(-1))
    with pytest.raises(ValidationError, match="title and a text"):
        services.open_challenge(facility, by=people.ngo, title="t", text="   ", due_date=in_days(1))
    assert not Challenge.objects.exists()


def test_answer_then_close(people, facility):
    challenge = services.open_challenge(facility, by=people.ngo, title="Dormitory", text="Locked at night?",
                                        due_date=in_days(7))
    mail.outbox.clear()
    services.answer_challenge(challenge, by=people.analyst, text="Audit on 3 May found doors unlocked.")
    challenge.refresh_from_db()
    assert challenge.status == "answered"
    assert [r.text for r in challenge.responses.all()] == ["Audit on 3 May found doors unlocked."]
    assert Notification.objects.filter(user=people.ngo, text__contains="answered").count() == 1
    assert [m.to for m in mail.outbox] == [["ngo@example.org"]]
    with pytest.raises(PermissionDenied):
        services.close_challenge(challenge, by=people.analyst)
    services.close_challenge(challenge, by=people.ngo, note="Satisfied")
    challenge.refresh_from_db()
    assert challenge.status == "closed" and challenge.closed_at is not None
    with pytest.raises(ValidationError, match="closed"):
        services.answer_challenge(challenge, by=people.analyst, text="more")
    actions = list(AuditEvent.objects.filter(object_id=str(challenge.pk), object_type="challenges.challenge")
                   .order_by("id").values_list("action", flat=True))
    assert actions == ["challenge.open", "challenge.answer", "challenge.close"]


def test_ngo_cannot_answer(people, facility):
    challenge = services.open_challenge(facility, by=people.ngo, title="t", text="x", due_date=in_days(2))
    with pytest.raises(PermissionDenied):
        services.answer_challenge(challenge, by=people.ngo, text="self-answer")


def test_notify_overdue_once_per_challenge(people, facility):
    challenge = services.open_challenge(facility, by=people.ngo, title="Late", text="x", due_date=in_days(1))
    Challenge.objects.filter(pk=challenge.pk).update(due_date=in_days(-2))
    # Both brand users and the critical friend who raised it: 3 notifications, then none on the second run.
    assert services.notify_overdue() == 3
    assert services.notify_overdue() == 0
    assert Notification.objects.filter(key=f"challenge:{challenge.pk}:overdue").count() == 3


def test_answered_challenge_is_not_overdue(people, facility):
    challenge = services.open_challenge(facility, by=people.ngo, title="t", text="x", due_date=in_days(1))
    services.answer_challenge(challenge, by=people.analyst, text="done")
    Challenge.objects.filter(pk=challenge.pk).update(due_date=in_days(-5))
    challenge.refresh_from_db()
    assert not challenge.is_overdue
    assert services.notify_overdue() == 0
