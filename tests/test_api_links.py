"""Sourcing links through the API, for each role."""

from __future__ import annotations

import pytest

from fairthread.audit.models import AuditEvent
from fairthread.supplychain.models import Facility, SourcingLink
from tests.api_support import as_role, field_errors
from tests.factories import make_facility, make_link


@pytest.fixture
def world(people, facility):
    other = make_facility("Other Fabric Mill", "IN", organisation=people.other_supplier_org)
    spinner = make_facility("Coimbatore Spinning", "IN")
    links = {
        "brand_own": make_link(people.brand, facility, material="garments"),
        "own_other": make_link(facility, other, material="fabric", volume_share=40),
        "other_spinner": make_link(other, spinner, material="cotton"),
        "spinner_origin": SourcingLink.objects.create(buyer=spinner, material="cotton", origin_country="TM"),
    }
    return {"own": facility, "other": other, "spinner": spinner, "links": links}


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [link["id"] for link in response.json()["items"]]


@pytest.mark.parametrize("role", ["admin", "analyst", "ngo"])
def test_readers_list_every_link(people, world, role):
    assert _ids(as_role(people, role).get("/links")) == sorted(link.pk for link in world["links"].values())


def test_supplier_lists_links_touching_its_own_facilities(people, world):
    links = world["links"]
    assert _ids(as_role(people, "supplier").get("/links")) == [links["brand_own"].pk, links["own_other"].pk]
    assert _ids(as_role(people, "other_supplier").get("/links")) == [links["own_other"].pk,
                                                                    links["other_spinner"].pk]


def test_outsider_and_anonymous(people, world):
    assert as_role(people, "outsider").get("/links").status_code == 403
    assert as_role(people, "anonymous").get("/links").status_code == 401


def test_filters(people, world):
    api, links = as_role(people, "ngo"), world["links"]
    assert _ids(api.get("/links", facility=str(world["other"].uid))) == [links["own_other"].pk,
                                                                         links["other_spinner"].pk]
    assert _ids(api.get("/links", material="Organic Cotton")) == [links["other_spinner"].pk,
                                                                  links["spinner_origin"].pk]
    assert api.get("/links", facility="nope").status_code == 422


def test_read_one_link(people, world):
    link = world["links"]["own_other"]
    body = as_role(people, "analyst").get(f"/links/{link.pk}").json()
    assert body["buyer"]["name"] == "Own Knitwear Ltd"
    assert body["supplier"]["name"] == "Other Fabric Mill"
    assert body["material"] == "fabric" and body["volume_share"] == 40
    origin = as_role(people, "analyst").get(f"/links/{world['links']['spinner_origin'].pk}").json()
    assert origin["supplier"] is None
    assert (origin["origin_country"], origin["origin_country_name"]) == ("TM", "Turkmenistan")


def test_supplier_gets_404_for_a_link_it_is_not_party_to(people, world):
    assert as_role(people, "supplier").get(f"/links/{world['links']['other_spinner'].pk}").status_code == 404
    assert as_role(people, "supplier").get("/links/999999").status_code == 404


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_brand_creates_links(people, world, role):
    api = as_role(people, role)
    response = api.post("/links", {"buyer": "brand", "supplier": str(world["other"].uid), "material": "Rayon",
                                   "volume_share": 25})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["buyer_brand"]["name"] == "Northwind Fashion"
    assert body["material"] == "viscose"  # rayon is an alias
    link = SourcingLink.objects.get(pk=body["id"])
    assert link.brand == people.brand and link.supplier == world["other"]
    assert AuditEvent.objects.filter(action="link.create", object_id=str(link.pk)).count() == 1
    # Tiers are re-derived: the mill is now also a direct (tier-1) supplier of the brand.
    assert Facility.objects.get(pk=world["other"].pk).tier == 1


def test_declared_origin_link(people, world):
    response = as_role(people, "analyst").post("/links", {
        "buyer": str(world["spinner"].uid), "origin_country": "India", "origin_region": "Gujarat",
        "material": "cotton",
    })
    assert response.status_code == 201, response.content
    assert (response.json()["origin_country"], response.json()["origin_region"]) == ("IN", "Gujarat")


@pytest.mark.parametrize(("body", "field"), [
    ({"buyer": "brand"}, "supplier"),  # neither supplier nor origin
    ({"buyer": "brand", "origin_country": "Atlantis"}, "origin_country"),
    ({"buyer": "not-a-uid", "origin_country": "IN"}, "buyer"),
    ({"buyer": "00000000-0000-0000-0000-000000000000", "origin_country": "IN"}, "buyer"),
    ({"buyer": "brand", "supplier": "00000000-0000-0000-0000-000000000000"}, "supplier"),
    ({"buyer": "brand", "origin_country": "IN", "volume_share": 120}, "volume_share"),
    ({"buyer": "brand", "origin_country": "IN", "valid_from": "2025-02-01", "valid_to": "2025-01-01"},
     "valid_to"),
])
def test_invalid_link_is_422(people, world, body, field):
    before = SourcingLink.objects.count()
    response = as_role(people, "analyst").post("/links", body)
    assert response.status_code == 422, response.content
    assert field in field_errors(response)
    assert SourcingLink.objects.count() == before


def test_facility_cannot_supply_itself(people, world):
    uid = str(world["own"].uid)
    response = as_role(people, "analyst").post("/links", {"buyer": uid, "supplier": uid})
    assert response.status_code == 422


def test_supplier_declares_a_sub_supplier_of_its_own_facility(people, world):
    response = as_role(people, "supplier").post("/links", {
        "buyer": str(world["own"].uid), "origin_country": "Uzbekistan", "material": "cotton"})
    assert response.status_code == 201, response.content
    assert SourcingLink.objects.get(pk=response.json()["id"]).buyer == world["own"]


def test_supplier_may_not_link_to_the_brand_or_for_another_facility(people, world):
    api = as_role(people, "supplier")
    as_brand = api.post("/links", {"buyer": "brand", "supplier": str(world["own"].uid)})
    assert as_brand.status_code == 403
    # Another organisation's facility is invisible to it: not found, so nothing is created either.
    for_other = api.post("/links", {"buyer": str(world["other"].uid), "origin_country": "IN"})
    assert for_other.status_code == 422
    assert SourcingLink.objects.count() == 4


@pytest.mark.parametrize("role", ["ngo", "outsider"])
def test_critical_friend_and_outsider_may_not_create_links(people, world, role):
    response = as_role(people, role).post("/links", {"buyer": "brand", "supplier": str(world["own"].uid)})
    assert response.status_code == 403


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_brand_deletes_links(people, world, role):
    link = world["links"]["own_other"]
    response = as_role(people, role).delete(f"/links/{link.pk}")
    assert response.status_code == 204
    assert not SourcingLink.objects.filter(pk=link.pk).exists()
    event = AuditEvent.objects.get(action="link.delete")
    assert event.object_id == str(link.pk) and event.before["supplier"] == world["other"].pk
    assert as_role(people, role).delete(f"/links/{link.pk}").status_code == 404


@pytest.mark.parametrize("role", ["ngo", "supplier", "other_supplier", "outsider"])
def test_others_may_not_delete_links(people, world, role):
    link = world["links"]["own_other"]
    assert as_role(people, role).delete(f"/links/{link.pk}").status_code == 403
    assert SourcingLink.objects.filter(pk=link.pk).exists()


def test_supplier_deleting_a_link_it_cannot_see_gets_404(people, world):
    link = world["links"]["other_spinner"]
    assert as_role(people, "supplier").delete(f"/links/{link.pk}").status_code == 404
    assert SourcingLink.objects.filter(pk=link.pk).exists()
