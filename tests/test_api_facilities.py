"""Facilities through the API, for each role (expected results from the roles table of PRODUCT.md)."""

from __future__ import annotations

import pytest

from fairthread.audit.models import AuditEvent
from fairthread.supplychain.models import Facility
from tests.api_support import as_role, field_errors
from tests.factories import make_facility, make_link

READERS = ["admin", "analyst", "ngo"]
WRITERS = ["admin", "analyst"]


@pytest.fixture
def world(people, facility):
    """Own (supplier_org, BD, tier 1), another supplier's mill (IN, tier 2), a spinner (IN, tier 3)."""
    facility.tier = 1
    facility.facility_type = "final product assembly"
    facility.save()
    other = make_facility("Other Fabric Mill", "IN", organisation=people.other_supplier_org, tier=2,
                          facility_type="fabric mill", region="Tamil Nadu", brand_ref="NW-002")
    spinner = make_facility("Coimbatore Spinning", "IN", tier=3, facility_type="spinning",
                            os_id="IN2024001ABC")
    make_link(people.brand, facility, material="garments")
    make_link(facility, other, material="fabric")
    make_link(other, spinner, material="cotton")
    return {"own": facility, "other": other, "spinner": spinner}


# --- reading ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", READERS)
def test_brand_and_critical_friend_list_every_facility(people, world, role):
    body = as_role(people, role).get("/facilities").json()
    assert body["count"] == 3
    assert [f["name"] for f in body["items"]] == [
        "Coimbatore Spinning", "Other Fabric Mill", "Own Knitwear Ltd"]


def test_supplier_lists_only_its_own_facilities(people, world):
    body = as_role(people, "supplier").get("/facilities").json()
    assert body["count"] == 1
    assert [f["uid"] for f in body["items"]] == [str(world["own"].uid)]
    other_body = as_role(people, "other_supplier").get("/facilities").json()
    assert [f["name"] for f in other_body["items"]] == ["Other Fabric Mill"]


def test_outsider_is_forbidden_and_anonymous_unauthenticated(people, world):
    assert as_role(people, "outsider").get("/facilities").status_code == 403
    assert as_role(people, "outsider").get(f"/facilities/{world['own'].uid}").status_code == 403
    assert as_role(people, "anonymous").get("/facilities").status_code == 401


@pytest.mark.parametrize("role", READERS + ["supplier"])
def test_read_own_facility(people, world, role):
    response = as_role(people, role).get(f"/facilities/{world['own'].uid}")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Own Knitwear Ltd"
    assert body["country"] == "BD" and body["country_name"] == "Bangladesh"
    assert body["organisation"] == {"id": people.supplier_org.pk, "name": "Own Knitwear Group"}
    assert body["tier"] == 1


def test_supplier_gets_404_for_another_organisations_facility(people, world):
    response = as_role(people, "supplier").get(f"/facilities/{world['other'].uid}")
    assert response.status_code == 404
    # The same answer as for a facility that does not exist: existence does not leak.
    missing = as_role(people, "supplier").get("/facilities/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json() == response.json()


def test_filters(people, world):
    api = as_role(people, "analyst")

    def names(**params):
        response = api.get("/facilities", **params)
        assert response.status_code == 200, response.content
        return [f["name"] for f in response.json()["items"]]

    assert names(country="India") == ["Coimbatore Spinning", "Other Fabric Mill"]
    assert names(country="IND") == ["Coimbatore Spinning", "Other Fabric Mill"]
    assert names(country="bd") == ["Own Knitwear Ltd"]
    assert names(tier=2) == ["Other Fabric Mill"]
    assert names(facility_type="spinning mill") == ["Coimbatore Spinning"]  # alias of "spinning"
    assert names(material="cotton") == ["Coimbatore Spinning"]  # supplies cotton to someone
    assert names(material="fabric") == ["Other Fabric Mill"]
    assert names(q="knit") == ["Own Knitwear Ltd"]
    assert names(q="nw-002") == ["Other Fabric Mill"]  # the brand's reference
    assert names(q="IN2024001ABC") == ["Coimbatore Spinning"]  # the Open Supply Hub ID
    assert names(status="closed") == []
    assert names(country="IN", tier=3) == ["Coimbatore Spinning"]


def test_unknown_country_filter_is_422_with_suggestion(people, world):
    response = as_role(people, "analyst").get("/facilities", country="Indai")
    assert response.status_code == 422
    assert "Did you mean India?" in field_errors(response)["country"][0]


def test_pagination(people, world):
    api = as_role(people, "ngo")
    first = api.get("/facilities", limit=2, offset=0).json()
    second = api.get("/facilities", limit=2, offset=2).json()
    assert first["count"] == second["count"] == 3
    assert [f["name"] for f in first["items"]] == ["Coimbatore Spinning", "Other Fabric Mill"]
    assert [f["name"] for f in second["items"]] == ["Own Knitwear Ltd"]
    assert (first["limit"], first["offset"]) == (2, 0)
    assert api.get("/facilities", limit=0).status_code == 422
    assert api.get("/facilities", limit=501).status_code == 422
    assert api.get("/facilities", offset=-1).status_code == 422
    assert api.get("/facilities", limit="many").status_code == 422


# --- creating ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", WRITERS)
def test_brand_creates_facilities(people, role):
    response = as_role(people, role).post("/facilities", {
        "name": "Leicester CMT Unit 4", "country": "United Kingdom", "region": "Leicestershire",
        "facility_type": "cut make trim", "workers_count": 35, "pct_migrant": 60,
        "organisation": "own knitwear group", "brand_ref": "NW-900",
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["country"] == "GB" and body["country_name"] == "United Kingdom"
    assert body["facility_type"] == "final product assembly"
    assert body["pct_migrant"] == 60
    assert body["organisation"]["name"] == "Own Knitwear Group"
    facility = Facility.objects.get(uid=body["uid"])
    assert facility.identity_key  # computed by the service
    event = AuditEvent.objects.get(action="facility.create")
    assert event.actor == getattr(people, role) and event.object_id == str(facility.pk)


@pytest.mark.parametrize("role", ["ngo", "supplier", "other_supplier", "outsider"])
def test_others_may_not_create_facilities(people, role):
    response = as_role(people, role).post("/facilities", {"name": "X Mill", "country": "IN"})
    assert response.status_code == 403
    assert not Facility.objects.exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"country": "IN"}, "name"),
    ({"name": "X"}, "country"),
    ({"name": "X", "country": "Atlantis"}, "country"),
    ({"name": "X", "country": "IN", "pct_female": 140}, "pct_female"),
    ({"name": "X", "country": "IN", "lat": 95}, "lat"),
    ({"name": "X", "country": "IN", "status": "sleeping"}, "status"),
    ({"name": "X", "country": "IN", "workers_count": "lots"}, "workers_count"),
    ({"name": "X", "country": "IN", "organisation": "Nobody Ltd"}, "organisation"),
    ({"name": "X", "country": "IN", "organisation": "Northwind Fashion"}, "organisation"),  # a brand
    ({"name": "   ", "country": "IN"}, "name"),
])
def test_invalid_facility_is_422_with_the_field(people, body, field):
    response = as_role(people, "analyst").post("/facilities", body)
    assert response.status_code == 422, response.content
    assert field in field_errors(response)
    assert not Facility.objects.exists()


def test_duplicate_brand_reference_is_422(people, world):
    response = as_role(people, "analyst").post("/facilities",
                                               {"name": "Y", "country": "IN", "brand_ref": "NW-002"})
    assert response.status_code == 422
    assert "brand_ref" in field_errors(response)


# --- updating ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", WRITERS)
def test_brand_updates_any_facility(people, world, role):
    response = as_role(people, role).patch(f"/facilities/{world['other'].uid}",
                                           {"workers_count": 1200, "country": "Türkiye"})
    assert response.status_code == 200, response.content
    assert response.json()["workers_count"] == 1200
    assert response.json()["country"] == "TR"


def test_patch_writes_an_audit_event_with_before_and_after(people, world):
    other = world["other"]
    response = as_role(people, "analyst").patch(f"/facilities/{other.uid}", {"workers_count": 800,
                                                                            "dormitory": True})
    assert response.status_code == 200
    event = AuditEvent.objects.get(action="facility.update")
    assert event.actor == people.analyst
    assert event.object_id == str(other.pk)
    assert event.before == {"workers_count": None, "dormitory": None}
    assert event.after == {"workers_count": 800, "dormitory": True}


def test_patch_only_changes_the_fields_sent(people, world):
    api = as_role(people, "analyst")
    api.patch(f"/facilities/{world['other'].uid}", {"address": "12 Mill Road"})
    other = Facility.objects.get(pk=world["other"].pk)
    assert other.address == "12 Mill Road"
    assert other.region == "Tamil Nadu" and other.brand_ref == "NW-002"


def test_supplier_updates_its_own_facility(people, world):
    response = as_role(people, "supplier").patch(f"/facilities/{world['own'].uid}",
                                                 {"workers_count": 450, "pct_female": "72.5"})
    assert response.status_code == 200, response.content
    assert response.json()["pct_female"] == 72.5
    assert AuditEvent.objects.filter(action="facility.update", actor=people.supplier).count() == 1


def test_supplier_may_not_change_ids_or_ownership(people, world):
    for body in ({"brand_ref": "MINE"}, {"organisation": "Other Mills"}, {"country": "IN"},
                 {"declared_tier": 2}):
        response = as_role(people, "supplier").patch(f"/facilities/{world['own'].uid}", body)
        assert response.status_code == 422, body
    assert not AuditEvent.objects.filter(action="facility.update").exists()


def test_supplier_gets_404_updating_another_organisations_facility(people, world):
    response = as_role(people, "supplier").patch(f"/facilities/{world['other'].uid}", {"workers_count": 1})
    assert response.status_code == 404
    assert Facility.objects.get(pk=world["other"].pk).workers_count is None


@pytest.mark.parametrize("role", ["ngo", "outsider"])
def test_critical_friend_and_outsider_may_not_update(people, world, role):
    response = as_role(people, role).patch(f"/facilities/{world['own'].uid}", {"workers_count": 1})
    assert response.status_code == 403


def test_invalid_patch_is_422_and_changes_nothing(people, world):
    response = as_role(people, "analyst").patch(f"/facilities/{world['own'].uid}",
                                                {"workers_count": 10, "pct_agency": -5})
    assert response.status_code == 422
    assert "pct_agency" in field_errors(response)
    assert Facility.objects.get(pk=world["own"].pk).workers_count is None


# --- upstream and downstream ------------------------------------------------------------------------------

def test_upstream_and_downstream(people, world):
    api = as_role(people, "ngo")
    up = api.get(f"/facilities/{world['other'].uid}/upstream").json()
    assert [(lk["supplier"]["name"], lk["material"]) for lk in up] == [("Coimbatore Spinning", "cotton")]
    down = api.get(f"/facilities/{world['other'].uid}/downstream").json()
    assert [(link["buyer"]["name"], link["material"]) for link in down] == [("Own Knitwear Ltd", "fabric")]
    own_down = api.get(f"/facilities/{world['own'].uid}/downstream").json()
    assert own_down[0]["buyer"] is None
    assert own_down[0]["buyer_brand"] == {"id": people.brand.pk, "name": "Northwind Fashion"}


def test_supplier_sees_the_chain_of_its_own_facility_only(people, world):
    api = as_role(people, "supplier")
    up = api.get(f"/facilities/{world['own'].uid}/upstream")
    assert up.status_code == 200
    assert [link["supplier"]["name"] for link in up.json()] == ["Other Fabric Mill"]
    assert api.get(f"/facilities/{world['other'].uid}/upstream").status_code == 404
    assert api.get(f"/facilities/{world['spinner'].uid}/downstream").status_code == 404
    assert as_role(people, "outsider").get(f"/facilities/{world['own'].uid}/upstream").status_code == 403


@pytest.mark.parametrize("role", ["ngo", "supplier", "outsider"])
def test_forbidden_comes_before_body_validation(people, role):
    # Someone who may not create facilities learns nothing about the expected body.
    response = as_role(people, role).post("/facilities", {"unexpected": True})
    assert response.status_code == 403
