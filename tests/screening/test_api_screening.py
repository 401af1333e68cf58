"""The screening API: list and get hits, confirm and dismiss, lists with versions."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fairthread.screening import services
from fairthread.screening.models import ScreeningHit
from tests.factories import make_facility

pytestmark = pytest.mark.django_db
V1 = "id,name,aliases,country,address,list,effective_date\nU1,Hoa Phat Spinning Company Limited,,VN,,Own list,\n"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def hit(people):
    make_facility("Hoa Phat Spinning Co., Ltd.", "VN")
    services.load_list_version(V1.encode(), fmt="csv", name="Own list", by="test")
    return ScreeningHit.objects.get()


def post(c: Client, url: str, body: dict):
    return c.post(url, data=json.dumps(body), content_type="application/json")


def test_list_and_get_hits(people, hit):
    c = client_for(people.ngo)
    body = c.get("/api/v1/screening/hits?status=open").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == hit.pk and item["entity_id"] == "U1" and item["list_name"] == "Own list"
    assert item["facility_uid"] == str(hit.facility.uid) and item["status"] == "open"
    assert 0.85 <= item["score"] <= 1 and item["explanation"]
    assert c.get("/api/v1/screening/hits?status=confirmed").json()["count"] == 0
    assert c.get("/api/v1/screening/hits?status=maybe").status_code == 422
    assert c.get(f"/api/v1/screening/hits/{hit.pk}").json()["entity_name"] == "Hoa Phat Spinning Company Limited"


def test_dismiss_needs_a_reason_then_confirm_is_refused(people, hit):
    c = client_for(people.analyst)
    assert post(c, f"/api/v1/screening/hits/{hit.pk}/dismiss", {"reason": ""}).status_code == 422
    done = post(c, f"/api/v1/screening/hits/{hit.pk}/dismiss", {"reason": "other firm"})
    assert done.status_code == 200 and done.json()["status"] == "dismissed"
    assert done.json()["decided_by"] == "analyst" and done.json()["reason"] == "other firm"
    assert post(c, f"/api/v1/screening/hits/{hit.pk}/confirm", {}).status_code == 422


def test_confirm(people, hit):
    response = post(client_for(people.admin), f"/api/v1/screening/hits/{hit.pk}/confirm", {"reason": "same"})
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    assert ScreeningHit.objects.get().status == "confirmed"


def test_lists_with_versions(people, hit):
    body = client_for(people.analyst).get("/api/v1/screening/lists").json()
    assert [(x["name"], x["list_type"]) for x in body] == [("Own list", "brand_own")]
    assert body[0]["versions"][0]["number"] == 1 and body[0]["versions"][0]["entity_count"] == 1
    assert body[0]["versions"][0]["is_current"] is True and len(body[0]["versions"][0]["sha256"]) == 64
