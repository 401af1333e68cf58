"""Critical-friend challenges through the API: the NGO opens and closes, the brand answers."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from fairthread.audit.models import AuditEvent
from fairthread.challenges.models import Challenge, ChallengeResponse
from fairthread.challenges.services import open_challenge
from tests.api_support import as_role, field_errors

IN_TWO_WEEKS = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()


@pytest.fixture
def challenge(people, facility):
    return open_challenge(facility, by=people.ngo, title="Recruitment fees", text="Who pays the agents?",
                          due_date=timezone.localdate() + datetime.timedelta(days=7))


def test_critical_friend_opens_a_challenge_on_a_facility(people, facility):
    response = as_role(people, "ngo").post("/challenges", {
        "facility": str(facility.uid), "title": "Dormitory conditions",
        "text": "Please share the last audit.", "due_date": IN_TWO_WEEKS,
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["facility_uid"] == str(facility.uid)
    assert body["subject_type"] == "facility" and body["subject_repr"] == "Own Knitwear Ltd"
    assert body["status"] == "open" and body["overdue"] is False
    assert body["raised_by"] == "ngo" and body["answers"] == []
    assert AuditEvent.objects.filter(action="challenge.open", object_id=str(body["id"])).exists()


@pytest.mark.parametrize("role", ["admin", "analyst", "supplier", "outsider"])
def test_only_the_critical_friend_opens_challenges(people, facility, role):
    response = as_role(people, role).post("/challenges", {
        "facility": str(facility.uid), "title": "t", "text": "x", "due_date": IN_TWO_WEEKS})
    assert response.status_code == 403
    assert not Challenge.objects.exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"facility": "00000000-0000-0000-0000-000000000000", "title": "t", "text": "x",
      "due_date": IN_TWO_WEEKS}, "facility"),
    ({"facility": "FACILITY", "title": "t", "text": "x", "due_date": "2020-01-01"}, None),  # past due date
    ({"facility": "FACILITY", "title": "t", "text": "x", "due_date": "soon"}, "due_date"),
    ({"facility": "FACILITY", "title": "t", "due_date": IN_TWO_WEEKS}, "text"),
])
def test_invalid_challenge_is_422(people, facility, body, field):
    body = {k: (str(facility.uid) if v == "FACILITY" else v) for k, v in body.items()}
    response = as_role(people, "ngo").post("/challenges", body)
    assert response.status_code == 422, response.content
    if field:
        assert field in field_errors(response)
    assert not Challenge.objects.exists()


@pytest.mark.parametrize("role", ["admin", "analyst", "ngo"])
def test_brand_and_critical_friend_list_challenges(people, challenge, role):
    body = as_role(people, role).get("/challenges").json()
    assert body["count"] == 1
    assert body["items"][0]["title"] == "Recruitment fees"


@pytest.mark.parametrize("role", ["supplier", "outsider"])
def test_supplier_and_outsider_may_not_list_challenges(people, challenge, role):
    assert as_role(people, role).get("/challenges").status_code == 403
    assert as_role(people, role).get(f"/challenges/{challenge.pk}").status_code == 403


def test_list_filters(people, challenge, facility):
    api = as_role(people, "ngo")
    assert api.get("/challenges", status="open").json()["count"] == 1
    assert api.get("/challenges", status="closed").json()["count"] == 0
    assert api.get("/challenges", facility=str(facility.uid)).json()["count"] == 1
    assert api.get("/challenges", facility="00000000-0000-0000-0000-000000000000").json()["count"] == 0
    assert api.get("/challenges", overdue="true").json()["count"] == 0
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    Challenge.objects.filter(pk=challenge.pk).update(due_date=yesterday)
    overdue = api.get("/challenges", overdue="true").json()
    assert overdue["count"] == 1 and overdue["items"][0]["overdue"] is True


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_brand_answers_on_the_record(people, challenge, role):
    response = as_role(people, role).post(f"/challenges/{challenge.pk}/answers",
                                          {"text": "The brand pays, per the Employer Pays Principle."})
    assert response.status_code == 201, response.content
    assert response.json()["author"] == role
    challenge.refresh_from_db()
    assert challenge.status == "answered"
    detail = as_role(people, "ngo").get(f"/challenges/{challenge.pk}").json()
    assert [a["text"] for a in detail["answers"]] == ["The brand pays, per the Employer Pays Principle."]


@pytest.mark.parametrize("role", ["ngo", "supplier", "outsider"])
def test_others_may_not_answer(people, challenge, role):
    response = as_role(people, role).post(f"/challenges/{challenge.pk}/answers", {"text": "x"})
    assert response.status_code == 403
    assert not ChallengeResponse.objects.exists()


def test_empty_answer_is_422_and_unknown_challenge_404(people, challenge):
    api = as_role(people, "analyst")
    assert api.post(f"/challenges/{challenge.pk}/answers", {"text": "  "}).status_code == 422
    assert api.post("/challenges/999999/answers", {"text": "x"}).status_code == 404


def test_critical_friend_closes(people, challenge):
    response = as_role(people, "ngo").post(f"/challenges/{challenge.pk}/close", {"note": "Answer accepted."})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed" and response.json()["closed_at"]
    assert AuditEvent.objects.get(action="challenge.close").note == "Answer accepted."
    # A closed challenge takes no more answers.
    late = as_role(people, "analyst").post(f"/challenges/{challenge.pk}/answers", {"text": "x"})
    assert late.status_code == 422


@pytest.mark.parametrize("role", ["admin", "analyst", "supplier", "outsider"])
def test_only_the_critical_friend_closes(people, challenge, role):
    assert as_role(people, role).post(f"/challenges/{challenge.pk}/close", {}).status_code == 403
    challenge.refresh_from_db()
    assert challenge.status == "open"
