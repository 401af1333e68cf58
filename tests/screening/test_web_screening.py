"""Screening pages: queue, decisions through forms, facility history, lists with an upload, version diff."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fairthread.screening import services
from fairthread.screening.models import RestrictedList, ScreeningHit
from tests.factories import make_facility

pytestmark = pytest.mark.django_db
HEADER = "id,name,aliases,country,address,list,effective_date\n"
V1 = HEADER + "U1,Hoa Phat Spinning Company Limited,,VN,,Own list,\n"
V2 = HEADER + "U1,Hoa Phat Spinning Company Limited,Hoa Phat Yarn,VN,,Own list,\nU2,Marigold Button Factory,,IN,,,\n"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def hit(people):
    make_facility("Hoa Phat Spinning Co., Ltd.", "VN")
    services.load_list_version(V1.encode(), fmt="csv", name="Own list", by="test")
    return ScreeningHit.objects.get()


def test_queue_shows_score_explanation_facility_and_entity(people, hit):
    html = client_for(people.analyst).get("/screening/").content.decode()
    assert "Hoa Phat Spinning Co., Ltd." in html and "Hoa Phat Spinning Company Limited" in html
    assert hit.explanation.split(";")[0] in html
    assert f"/screening/hits/{hit.pk}/confirm/" in html and f"/screening/hits/{hit.pk}/dismiss/" in html
    # The critical friend reads the queue but gets no decision forms.
    ngo_html = client_for(people.ngo).get("/screening/").content.decode()
    assert "Hoa Phat Spinning Co., Ltd." in ngo_html and "/confirm/" not in ngo_html


def test_dismiss_without_reason_is_refused_with_a_message(people, hit):
    response = client_for(people.analyst).post(f"/screening/hits/{hit.pk}/dismiss/", {"reason": ""}, follow=True)
    assert "Give a reason for dismissing" in response.content.decode()
    hit.refresh_from_db()
    assert hit.status == "open"


def test_confirm_from_the_queue_and_see_it_in_the_facility_history(people, hit):
    c = client_for(people.admin)
    response = c.post(f"/screening/hits/{hit.pk}/confirm/", {"reason": "Same registration"}, follow=True)
    assert response.status_code == 200 and "Confirmed:" in response.content.decode()
    hit.refresh_from_db()
    assert hit.status == "confirmed" and hit.decided_by == people.admin
    history = c.get(f"/screening/facilities/{hit.facility.uid}/").content.decode()
    assert "Confirmed by admin" in history and "Same registration" in history
    # Deciding twice is refused with a message, not an error page.
    again = c.post(f"/screening/hits/{hit.pk}/dismiss/", {"reason": "oops"}, follow=True)
    assert "already confirmed" in again.content.decode()


def test_lists_page_upload_and_diff(people, hit):
    c = client_for(people.analyst)
    upload = SimpleUploadedFile("own.csv", V2.encode(), content_type="text/csv")
    response = c.post("/screening/lists/", {"name": "Own list", "format": "csv", "file": upload}, follow=True)
    html = response.content.decode()
    assert "Loaded Own list version 2: 2 entities" in html
    assert "2 (current)" in html
    rl = RestrictedList.objects.get(name="Own list")
    diff = c.get(f"/screening/lists/{rl.pk}/diff/?a=1&b=2").content.decode()
    assert "Added (1)" in diff and "U2: Marigold Button Factory" in diff
    assert "Changed (1)" in diff and "Hoa Phat Yarn" in diff and "Removed (0)" in diff


def test_a_bad_upload_lists_its_problems(people):
    c = client_for(people.analyst)
    upload = SimpleUploadedFile("bad.csv", (HEADER + ",,,,,,\nX1,,,,,,\n").encode(), content_type="text/csv")
    html = c.post("/screening/lists/", {"name": "Bad", "format": "csv", "file": upload}, follow=True).content.decode()
    assert "row " in html and not RestrictedList.objects.exists()


def test_nav_link_only_for_roles_that_see_screening(people):
    assert 'href="/screening/"' in client_for(people.ngo).get("/").content.decode()
    assert 'href="/screening/"' not in client_for(people.supplier).get("/").content.decode()
