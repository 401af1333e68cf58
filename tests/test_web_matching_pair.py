"""One pair side by side with the evidence for and against, and its decision form: confirm (merges, or records the
OS ID of a registry pair), reject, not sure; a contradiction or a second decision is a message, not an error."""

from __future__ import annotations

import pytest

from fairthread.matching.models import FacilityMerge
from fairthread.supplychain.models import Facility
from tests.factories import make_facility
from tests.web_matching_support import client_for, make_mills, make_registry_pair, pair

pytestmark = pytest.mark.django_db


@pytest.fixture
def mills(people):
    return make_mills(people)


@pytest.fixture
def registry_pair(people):
    return make_registry_pair()


def test_pair_page_shows_both_records_the_score_and_the_evidence_for_and_against(people, mills):
    best = mills["best"]
    html = client_for(people.analyst).get(f"/matching/{best.pk}/").content.decode()
    assert "Plot 12, Seethawaka EPZ" in html and "Plot 12 Seethawaka Export Processing Zone" in html
    assert "LK2019000AAAA" in html  # the existing record's OS ID, beside the newcomer's "—"
    assert "0.91" in html and "splink-test-1" in html and "pair 1 of 3 in the queue" in html
    evidence_for = html[html.index('id="evidence-for"'):html.index('id="evidence-against"')]
    evidence_against = html[html.index('id="evidence-against"'):html.index('id="evidence-neutral"')]
    assert "names agree apart from the legal form" in evidence_for
    assert "plot 12 against plot 21" in evidence_against and "legal form" not in evidence_against
    assert "no coordinates on one side" in html and "Name: very similar." in html
    assert 'id="decision-form"' in html and 'for="d-reason"' in html
    # The critical friend reads the pair but gets no decision form.
    ngo = client_for(people.ngo).get(f"/matching/{best.pk}/").content.decode()
    assert "names agree apart from the legal form" in ngo and 'id="decision-form"' not in ngo


def test_confirm_merges_the_pair_and_goes_on_to_the_next_pair(people, mills):
    best = mills["best"]
    c = client_for(people.analyst)
    response = c.post(f"/matching/{best.pk}/decide/", {"decision": "confirm", "reason": "Same plot in the EPZ"})
    assert response.status_code == 302 and response["Location"] == f"/matching/{mills['middle'].pk}/"
    best.refresh_from_db()
    assert best.status == "confirmed" and best.decided_by == people.analyst and best.reason == "Same plot in the EPZ"
    merge = FacilityMerge.objects.get(candidate=best)
    assert {merge.survivor_id, merge.merged_id} == {mills["existing"].pk, mills["newcomer"].pk}
    merged = Facility.all_objects.get(pk=merge.merged_id)
    assert merged.status == Facility.Status.MERGED and merged.merged_into_id == merge.survivor_id
    follow = c.get(response["Location"]).content.decode()
    assert "Confirmed:" in follow and "are the same facility" in follow


def test_reject_and_not_sure(people, mills):
    c = client_for(people.admin)
    c.post(f"/matching/{mills['middle'].pk}/decide/", {"decision": "reject", "reason": "Two units"})
    mills["middle"].refresh_from_db()
    assert mills["middle"].status == "rejected" and mills["middle"].reason == "Two units"
    assert Facility.objects.filter(pk__in=[mills["middle"].facility_id, mills["middle"].other_facility_id]).count() == 2
    response = c.post(f"/matching/{mills['vn'].pk}/decide/", {"decision": "unsure"}, follow=True)
    mills["vn"].refresh_from_db()
    assert mills["vn"].status == "unsure" and "Marked as not sure" in response.content.decode()
    queue = c.get("/matching/").content.decode()
    assert f'id="pair-{mills["vn"].pk}"' in queue and f'id="pair-{mills["middle"].pk}"' not in queue
    assert "1 marked not sure" in queue


def test_a_contradicting_decision_is_a_message_not_an_error(people, mills):
    """A = B confirmed and A ≠ C rejected: confirming B = C would make A = C, so it is refused in words."""
    a = make_facility("Sunrise Denim", "BD", address="Road 4, Ashulia")
    b = make_facility("Sunrise Denim Ltd", "BD", address="Road 4 Ashulia")
    c_fac = make_facility("Sunrise Denim Washing", "BD", address="Road 4, Ashulia")
    ab, ac, bc = pair(b, a, 0.9), pair(c_fac, a, 0.8), pair(c_fac, b, 0.8)
    client = client_for(people.analyst)
    client.post(f"/matching/{ab.pk}/decide/", {"decision": "confirm"}, follow=True)
    client.post(f"/matching/{ac.pk}/decide/", {"decision": "reject", "reason": "separate washing plant"}, follow=True)
    response = client.post(f"/matching/{bc.pk}/decide/", {"decision": "confirm"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/matching/{bc.pk}/"
    errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert len(errors) == 1 and "different" in errors[0]
    assert "Confirmed:" not in response.content.decode()
    bc.refresh_from_db()
    assert bc.status == "pending"
    assert Facility.objects.filter(pk=c_fac.pk).exists()  # C was not merged
    # Deciding a pair twice is refused with a message too.
    again = client.post(f"/matching/{ab.pk}/decide/", {"decision": "reject"}, follow=True)
    assert again.status_code == 200 and [m for m in again.context["messages"] if m.level_tag == "error"]
    ab.refresh_from_db()
    assert ab.status == "confirmed"


def test_decision_must_be_one_of_three(people, mills):
    response = client_for(people.analyst).post(f"/matching/{mills['best'].pk}/decide/", {"decision": "maybe"},
                                               follow=True)
    assert "Choose a decision" in response.content.decode()
    mills["best"].refresh_from_db()
    assert mills["best"].status == "pending"


def test_registry_pair_side_by_side_and_confirm_records_the_os_id(people, registry_pair):
    c = client_for(people.analyst)
    html = c.get(f"/matching/{registry_pair.pk}/").content.decode()
    assert "Your facility and an entry of the reference registry" in html
    assert "BD2020000TEST9" in html and "Road 9, Ashulia, Savar" in html and "23.9, 90.3" in html
    queue = c.get("/matching/?kind=registry").content.decode()
    assert f'id="pair-{registry_pair.pk}"' in queue and "Registry pair" in queue
    response = c.post(f"/matching/{registry_pair.pk}/decide/", {"decision": "confirm"}, follow=True)
    assert "its OS ID BD2020000TEST9 was recorded" in response.content.decode()
    assert Facility.objects.get(pk=registry_pair.facility_id).os_id == "BD2020000TEST9"
    assert "Nothing to review" in response.content.decode()


def test_the_queue_filters_travel_from_pair_to_pair(people, mills):
    # make_mills: the best (0.91) and the middle (0.74) pair in Bangladesh, a 0.62 pair in Viet Nam
    analyst = client_for(people.analyst)
    queue = analyst.get("/matching/?country=VN").content.decode()
    assert f'href="/matching/{mills["vn"].pk}/?country=VN"' in queue
    html = analyst.get(f"/matching/{mills['vn'].pk}/?country=VN").content.decode()
    assert '<input type="hidden" name="country" value="VN">' in html
    assert "pair 1 of 1 in the queue" in html
    # deciding the only Viet Nam pair goes back to the filtered queue, not to the Bangladesh pairs
    r = analyst.post(f"/matching/{mills['vn'].pk}/decide/", {"decision": "reject", "country": "VN"})
    assert r.status_code == 302 and r.url == "/matching/?country=VN"
    # with the Bangladesh filter, the next pair is the other Bangladesh one, still filtered
    r = analyst.post(f"/matching/{mills['best'].pk}/decide/", {"decision": "unsure", "country": "BD"})
    assert r.status_code == 302 and r.url == f"/matching/{mills['middle'].pk}/?country=BD"
