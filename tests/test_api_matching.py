"""The matching API: the review queue and decided pairs, one pair with its evidence, decisions (409 with a message
on a contradiction or a second decision, 422 on an unknown decision), merges and undoing them."""

from __future__ import annotations

import pytest

from fairthread.matching.models import FacilityMerge, MatchCandidate
from fairthread.supplychain.models import Facility
from tests.api_support import Api
from tests.factories import make_facility

pytestmark = pytest.mark.django_db

EVIDENCE = [
    {"field": "name", "label": "Name", "for_match": True, "text": "names agree apart from the legal form"},
    {"field": "address_numbers", "label": "Address numbers", "for_match": False, "text": "plot 12 against plot 21"},
]


def pair(a: Facility, b: Facility, score: float) -> MatchCandidate:
    return MatchCandidate.objects.create(facility=a, other_facility=b, score=score, model_version="splink-test-1",
                                         method="model", explanation=["Name: very similar."], evidence=EVIDENCE)


@pytest.fixture
def pairs(people):
    a = make_facility("Sunrise Denim", "BD", address="Road 4, Ashulia")
    b = make_facility("Sunrise Denim Ltd", "BD", address="Road 4 Ashulia")
    c = make_facility("Sunrise Denim Washing", "BD", address="Road 4, Ashulia")
    return {"a": a, "b": b, "c": c, "ab": pair(b, a, 0.9), "ac": pair(c, a, 0.6), "bc": pair(c, b, 0.8)}


def test_queue_best_first_and_one_pair_with_evidence(people, pairs):
    api = Api(people.ngo)
    body = api.get("/matching/candidates").json()
    assert body["count"] == 3
    assert [i["id"] for i in body["items"]] == [pairs["ab"].pk, pairs["bc"].pk, pairs["ac"].pk]
    one = api.get(f"/matching/candidates/{pairs['ab'].pk}").json()
    assert one["kind"] == "facility" and one["status"] == "pending"
    assert one["facility"]["uid"] == str(pairs["b"].uid) and one["other"]["uid"] == str(pairs["a"].uid)
    assert one["other"]["address"] == "Road 4, Ashulia"
    assert one["score"] == 0.9 and one["model_version"] == "splink-test-1"
    assert one["evidence"][1] == {"field": "address_numbers", "label": "Address numbers", "for_match": False,
                                  "text": "plot 12 against plot 21"}
    assert one["explanation"] == ["Name: very similar."]
    assert api.get("/matching/candidates", status="maybe").status_code == 422
    assert api.get("/matching/candidates", kind="registry").json()["count"] == 0


def test_decide_confirm_reject_and_status_filter(people, pairs):
    api = Api(people.analyst)
    done = api.post(f"/matching/candidates/{pairs['ab'].pk}/decision", {"decision": "confirm", "reason": "same"})
    assert done.status_code == 200
    assert done.json()["status"] == "confirmed" and done.json()["decided_by"] == "analyst"
    assert done.json()["reason"] == "same" and done.json()["decided_at"]
    # B is merged into A now, so B–C is the same question as A–C: the queue asks it once, as A–C.
    assert [i["id"] for i in api.get("/matching/candidates").json()["items"]] == [pairs["ac"].pk]
    rejected = api.post(f"/matching/candidates/{pairs['ac'].pk}/decision", {"decision": "reject"})
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert [i["id"] for i in api.get("/matching/candidates", status="rejected").json()["items"]] == [pairs["ac"].pk]
    assert api.get("/matching/candidates").json()["count"] == 0


def test_unknown_decision_is_422_and_changes_nothing(people, pairs):
    response = Api(people.analyst).post(f"/matching/candidates/{pairs['ab'].pk}/decision", {"decision": "merge"})
    assert response.status_code == 422
    assert MatchCandidate.objects.get(pk=pairs["ab"].pk).status == "pending"


def test_contradiction_and_second_decision_are_409_with_a_message(people, pairs):
    api = Api(people.analyst)
    api.post(f"/matching/candidates/{pairs['ab'].pk}/decision", {"decision": "confirm"})
    api.post(f"/matching/candidates/{pairs['ac'].pk}/decision", {"decision": "reject"})
    # B is A now, and A is not C: B = C would contradict the rejection.
    conflict = api.post(f"/matching/candidates/{pairs['bc'].pk}/decision", {"decision": "confirm"})
    assert conflict.status_code == 409 and conflict.json()["detail"]
    assert MatchCandidate.objects.get(pk=pairs["bc"].pk).status == "pending"
    twice = api.post(f"/matching/candidates/{pairs['ab'].pk}/decision", {"decision": "reject"})
    assert twice.status_code == 409 and twice.json()["detail"]
    assert MatchCandidate.objects.get(pk=pairs["ab"].pk).status == "confirmed"


def test_critical_friend_may_read_but_not_decide_or_undo(people, pairs):
    api = Api(people.ngo)
    assert api.post(f"/matching/candidates/{pairs['ab'].pk}/decision", {"decision": "confirm"}).status_code == 403
    Api(people.analyst).post(f"/matching/candidates/{pairs['ab'].pk}/decision", {"decision": "confirm"})
    merge = FacilityMerge.objects.get(candidate=pairs["ab"])
    assert api.post(f"/matching/merges/{merge.pk}/undo").status_code == 403
    assert Api(people.supplier).get("/matching/merges").status_code == 403


def test_merges_list_and_undo(people, pairs):
    api = Api(people.admin)
    api.post(f"/matching/candidates/{pairs['ab'].pk}/decision", {"decision": "confirm"})
    merge = FacilityMerge.objects.get(candidate=pairs["ab"])
    body = api.get("/matching/merges").json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item["id"] == merge.pk and item["candidate_id"] == pairs["ab"].pk and item["is_undone"] is False
    assert {item["survivor"]["uid"], item["merged"]["uid"]} == {str(pairs["a"].uid), str(pairs["b"].uid)}
    assert item["merged"]["status"] == "merged" and item["merged_by"] == "admin"
    assert api.get("/matching/merges", facility=str(pairs["c"].uid)).json()["count"] == 0
    assert api.get("/matching/merges", facility=str(pairs["b"].uid)).json()["count"] == 1
    assert api.get("/matching/merges", facility="not-a-uid").status_code == 422

    undone = api.post(f"/matching/merges/{merge.pk}/undo")
    assert undone.status_code == 200
    assert undone.json()["is_undone"] is True and undone.json()["undone_by"] == "admin"
    assert undone.json()["merged"]["status"] != "merged"
    assert Facility.objects.filter(pk__in=[pairs["a"].pk, pairs["b"].pk]).count() == 2
    again = api.post(f"/matching/merges/{merge.pk}/undo")
    assert again.status_code == 409 and again.json()["detail"]


def test_registry_pair_kind_and_record(people):
    from fairthread.matching.models import RegistryEdition, RegistryFacility

    edition = RegistryEdition.objects.create(name="OSH test edition", filename="osh.csv", sha256="0" * 64,
                                             row_count=1, is_current=True)
    entry = RegistryFacility.objects.create(edition=edition, os_id="BD2020000TEST9", name="Lakeside Dyeing Works Ltd",
                                            address="Road 9, Ashulia, Savar", country="BD")
    facility = make_facility("Lakeside Dyeing", "BD", address="Road 9 Ashulia")
    candidate = MatchCandidate.objects.create(facility=facility, registry_facility=entry, score=0.77,
                                              model_version="splink-test-1", method="model")
    api = Api(people.analyst)
    listed = api.get("/matching/candidates", kind="registry").json()
    assert [i["id"] for i in listed["items"]] == [candidate.pk]
    assert api.get("/matching/candidates", kind="facility").json()["count"] == 0
    one = listed["items"][0]
    assert one["kind"] == "registry" and one["other"]["kind"] == "registry" and one["other"]["uid"] is None
    assert one["other"]["os_id"] == "BD2020000TEST9" and one["facility"]["name"] == "Lakeside Dyeing"
    done = api.post(f"/matching/candidates/{candidate.pk}/decision", {"decision": "confirm"})
    assert done.status_code == 200 and done.json()["facility"]["os_id"] == "BD2020000TEST9"
