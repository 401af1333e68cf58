"""Challenge pages: the critical friend opens, the brand answers on the record, the critical friend closes."""

from __future__ import annotations

import datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from fairthread.challenges.models import Challenge
from fairthread.notifications.models import Notification
from tests.factories import make_facility


def in_days(n: int) -> str:
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def days_ago(n: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=n)


def open_by_post(client, facility, title="Agency fees", due=14):
    return client.post(f"{reverse('web:challenge_create')}?facility={facility.uid}",
                       {"title": title, "text": "Migrant workers report fees.", "due_date": in_days(due)})


def test_full_flow(client, people, facility):
    client.force_login(people.ngo)
    form = client.get(reverse("web:challenge_create"), {"facility": str(facility.uid)})
    assert form.status_code == 200 and "Own Knitwear Ltd" in form.content.decode()
    response = open_by_post(client, facility)
    challenge = Challenge.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:challenge_detail", args=[challenge.pk])
    assert challenge.subject == facility and challenge.raised_by == people.ngo
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"admin", "analyst"}
    assert sorted(r for m in mail.outbox for r in m.to) == ["admin@example.org", "analyst@example.org"]

    # The detail page links to the facility; the ngo sees a close button but no answer form.
    page = client.get(reverse("web:challenge_detail", args=[challenge.pk])).content.decode()
    assert reverse("web:facility_detail", args=[facility.uid]) in page
    assert reverse("web:challenge_close", args=[challenge.pk]) in page
    assert reverse("web:challenge_answer", args=[challenge.pk]) not in page
    assert client.post(reverse("web:challenge_answer", args=[challenge.pk]), {"text": "x"}).status_code == 403

    client.force_login(people.analyst)
    page = client.get(reverse("web:challenge_detail", args=[challenge.pk])).content.decode()
    assert reverse("web:challenge_answer", args=[challenge.pk]) in page
    assert reverse("web:challenge_close", args=[challenge.pk]) not in page
    mail.outbox.clear()
    response = client.post(reverse("web:challenge_answer", args=[challenge.pk]),
                           {"text": "We reimbursed all fees in March."})
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == "answered"
    assert Notification.objects.filter(user=people.ngo).count() == 1
    assert [m.to for m in mail.outbox] == [["ngo@example.org"]]
    assert client.post(reverse("web:challenge_close", args=[challenge.pk])).status_code == 403

    client.force_login(people.ngo)
    page = client.get(reverse("web:challenge_detail", args=[challenge.pk])).content.decode()
    assert "We reimbursed all fees in March." in page
    assert client.post(reverse("web:challenge_close", args=[challenge.pk])).status_code == 302
    challenge.refresh_from_db()
    assert challenge.status == "closed"


def test_generic_type_and_id_parameters(client, people, facility):
    client.force_login(people.ngo)
    response = client.post(reverse("web:challenge_create"), {
        "type": "facility", "id": str(facility.uid), "title": "Generic", "text": "t", "due_date": in_days(3),
    })
    assert response.status_code == 302
    assert Challenge.objects.get().object_id == str(facility.pk)


@pytest.mark.parametrize("params", [{"type": "spaceship", "id": "1"}, {"facility": "not-a-uuid"},
                                    {"facility": "00000000-0000-0000-0000-000000000000"}, {}])
def test_unknown_subject_is_404(client, people, params):
    client.force_login(people.ngo)
    assert client.get(reverse("web:challenge_create"), params).status_code == 404


def test_past_due_date_shows_error_and_creates_nothing(client, people, facility):
    client.force_login(people.ngo)
    response = open_by_post(client, facility, due=-1)
    assert response.status_code == 400
    assert "cannot be in the past" in response.content.decode()
    assert not Challenge.objects.exists()


@pytest.mark.parametrize("who", ["analyst", "admin"])
def test_brand_cannot_open(client, people, facility, who):
    client.force_login(getattr(people, who))
    assert open_by_post(client, facility).status_code == 403
    assert not Challenge.objects.exists()


def test_supplier_gets_403_everywhere(client, people, facility):
    client.force_login(people.ngo)
    open_by_post(client, facility)
    challenge = Challenge.objects.get()
    client.force_login(people.supplier)
    assert client.get(reverse("web:challenge_list")).status_code == 403
    assert client.get(reverse("web:challenge_detail", args=[challenge.pk])).status_code == 403
    assert open_by_post(client, facility, title="From supplier").status_code == 403
    assert Challenge.objects.count() == 1


def test_overdue_listed_as_overdue_and_filters(client, people, facility):
    other = make_facility(name="Second Mill", country="IN", organisation=people.other_supplier_org)
    client.force_login(people.ngo)
    open_by_post(client, facility, title="Late one", due=5)
    open_by_post(client, other, title="On time", due=5)
    Challenge.objects.filter(title="Late one").update(due_date=days_ago(3))

    client.force_login(people.analyst)
    response = client.get(reverse("web:challenge_list"))
    assert response.status_code == 200
    rows = {c.title: c.is_overdue for c in response.context["page"].object_list}
    assert rows == {"Late one": True, "On time": False}
    html = response.content.decode()
    assert html.count('class="overdue"') == 1
    assert "1 challenge overdue" in html

    overdue = client.get(reverse("web:challenge_list"), {"status": "overdue"})
    assert [c.title for c in overdue.context["page"].object_list] == ["Late one"]
    closed = client.get(reverse("web:challenge_list"), {"status": "closed"})
    assert list(closed.context["page"].object_list) == []


def test_runjobs_sends_overdue_notification_once(client, people, facility):
    client.force_login(people.ngo)
    open_by_post(client, facility, title="Late one", due=5)
    challenge = Challenge.objects.get()
    Challenge.objects.filter(pk=challenge.pk).update(due_date=days_ago(1))
    key = f"challenge:{challenge.pk}:overdue"
    mail.outbox.clear()

    out = StringIO()
    call_command("runjobs", stdout=out)
    # admin + analyst (brand) + ngo (who raised it).
    assert "notify_overdue_challenges: 3 overdue-challenge notification(s) sent" in out.getvalue()
    assert "recompute_tiers:" in out.getvalue()
    assert Notification.objects.filter(key=key).count() == 3
    assert len(mail.outbox) == 3

    out = StringIO()
    call_command("runjobs", stdout=out)
    assert "notify_overdue_challenges: 0 overdue-challenge notification(s) sent" in out.getvalue()
    assert Notification.objects.filter(key=key).count() == 3
    assert len(mail.outbox) == 3
