"""The audit log page: brand admins and critical friends read it; each event shows before → after."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from fairthread.accounts import services as account_services
from fairthread.audit.models import AuditEvent
from fairthread.supplychain import services as supplychain_services


@pytest.mark.parametrize("who", ["admin", "ngo"])
def test_visible_to_admin_and_critical_friend(client, people, who):
    account_services.create_organisation(by=people.admin, name="Leicester CMT Unit", kind="supplier")
    client.force_login(getattr(people, who))
    response = client.get(reverse("web:audit_log"))
    assert response.status_code == 200
    assert "Leicester CMT Unit" in response.content.decode()


@pytest.mark.parametrize("who", ["analyst", "supplier", "outsider"])
def test_403_for_others(client, people, who):
    client.force_login(getattr(people, who))
    assert client.get(reverse("web:audit_log")).status_code == 403


def test_shows_before_and_after_of_changed_fields_only(client, people, facility):
    supplychain_services.update_facility(facility, by=people.analyst, values={"workers_count": 850})
    client.force_login(people.admin)
    response = client.get(reverse("web:audit_log"), {"action": "facility.update"})
    [(event, changes)] = response.context["events"]
    assert event.actor_label == "analyst"
    assert changes == [("workers_count", None, 850)]
    html = response.content.decode()
    assert "<th scope=\"row\">workers_count</th>" in html
    assert "850" in html


def test_filters_by_type_actor_action_and_date(client, people, facility):
    account_services.create_organisation(by=people.admin, name="A Co", kind="supplier")
    supplychain_services.update_facility(facility, by=people.analyst, values={"region": "Dhaka"})
    # The log is append-only (no UPDATE), so the old event is written with the clock set back.
    month_ago = timezone.now() - datetime.timedelta(days=30)
    with mock.patch("django.utils.timezone.now", return_value=month_ago):
        account_services.create_organisation(by=people.admin, name="Old Co", kind="supplier")
    client.force_login(people.ngo)

    def actions(**params: str) -> list[str]:
        response = client.get(reverse("web:audit_log"), params)
        assert response.status_code == 200
        return sorted(e.object_repr for e, _ in response.context["events"])

    assert actions(object_type="accounts.organisation") == ["A Co", "Old Co"]
    assert actions(actor="analyst") == ["Own Knitwear Ltd"]
    assert actions(action="facility.update") == ["Own Knitwear Ltd"]
    week_ago = (timezone.localdate() - datetime.timedelta(days=7)).isoformat()
    assert actions(object_type="accounts.organisation", date_from=week_ago) == ["A Co"]
    assert actions(date_to=week_ago) == ["Old Co"]


def test_bad_date_filter_gives_message_not_error(client, people):
    client.force_login(people.admin)
    response = client.get(reverse("web:audit_log"), {"date_from": "yesterday-ish"})
    assert response.status_code == 200
    assert "Enter a valid date" in response.content.decode()


def test_paginated(client, people):
    AuditEvent.objects.bulk_create(
        [AuditEvent(actor_label="system", action="test.event", object_type="x", object_id=str(i),
                    object_repr=f"event {i}") for i in range(120)]
    )
    client.force_login(people.admin)
    first = client.get(reverse("web:audit_log"))
    assert len(first.context["events"]) == 50
    assert first.context["page"].paginator.num_pages == 3
    last = client.get(reverse("web:audit_log"), {"page": 3})
    assert len(last.context["events"]) == 20
