"""The notifications page: one's own notifications, mark all read."""

from __future__ import annotations

import pytest
from django.urls import reverse

from fairthread.notifications.models import Notification
from fairthread.notifications.services import notify


def test_lists_own_notifications_only_and_marks_all_read(client, people):
    notify([people.analyst], key="a:1", text="Challenge on Alpha Mill", url="/challenges/1/")
    notify([people.analyst], key="a:2", text="Challenge on Beta Mill")
    notify([people.ngo], key="n:1", text="Answer for the critical friend")
    client.force_login(people.analyst)
    response = client.get(reverse("web:notifications"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Challenge on Alpha Mill" in html and "Challenge on Beta Mill" in html
    assert "Answer for the critical friend" not in html
    assert response.context["unread_count"] == 2
    assert 'href="/challenges/1/"' in html

    response = client.post(reverse("web:notifications_mark_read"))
    assert response.status_code == 302
    assert Notification.objects.filter(user=people.analyst, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(user=people.ngo, read_at__isnull=True).count() == 1


def test_mark_read_needs_post(client, people):
    notify([people.analyst], key="a:1", text="x")
    client.force_login(people.analyst)
    assert client.get(reverse("web:notifications_mark_read")).status_code == 405
    assert Notification.objects.get().read_at is None


@pytest.mark.parametrize("who", ["admin", "analyst", "ngo", "supplier"])
def test_every_role_has_the_page(client, people, who):
    client.force_login(getattr(people, who))
    assert client.get(reverse("web:notifications")).status_code == 200


def test_user_without_membership_gets_403(client, people):
    client.force_login(people.outsider)
    assert client.get(reverse("web:notifications")).status_code == 403
