"""Matching pages: the review queue (order, counts, filters, empty state), a pair side by side with its evidence,
decisions through the form (confirm merges, reject, not sure, contradictions as a message), the decided pairs, the
merge panel with undo on the facility page, the merged record's page, and the registry page.

The candidate pairs are written directly (as the resolver would store them); every decision goes through the
pages, so the matching services are exercised as a user would."""

from __future__ import annotations

import pytest
from django.test import Client

from fairthread.matching.models import FacilityMerge, MatchCandidate
from fairthread.supplychain.models import Facility
from tests.factories import make_facility, make_link

pytestmark = pytest.mark.django_db

EVIDENCE = [
    {"field": "name", "label": "Name", "for_match": True, "text": "names agree apart from the legal form"},
    {"field": "address_numbers", "label": "Address numbers", "for_match": False, "text": "plot 12 against plot 21"},
    {"field": "distance", "label": "Distance", "for_match": None, "text": "no coordinates on one side"},
]


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def pair(a: Facility, b: Facility, score: float, **fields) -> MatchCandidate:
    values = {"model_version": "splink-test-1", "method": "model", "explanation": ["Name: very similar."],
              "evidence": EVIDENCE}
    values.update(fields)
    return MatchCandidate.objects.create(facility=a, other_facility=b, score=score, **values)


@pytest.fixture
def mills(people):
    """Three pairs to review in two countries: the best (0.91) in BD, then 0.74 in BD, then 0.62 in VN."""
    existing = make_facility("Mercury Apparel (Pvt) Ltd", "BD", address="Plot 12, Seethawaka EPZ",
                             organisation=people.supplier_org, os_id="LK2019000AAAA")
    newcomer = make_facility("M E R C U R Y APPAR EL", "BD", address="Plot 12 Seethawaka Export Processing Zone")
    make_link(people.brand, existing, material="cotton")
    other_a = make_facility("Gazipur Knit Composite", "BD", address="Kashimpur Road")
    other_b = make_facility("Gazipur Knit Composite Ltd", "BD", address="Kashimpur Rd, Gazipur")
    vn_a = make_facility("Hoa Phat Spinning", "VN", address="Lot C1, Pho Noi A")
    vn_b = make_facility("Hoa Phat Yarn", "VN", address="Lot C2, Pho Noi A")
    return {
        "existing": existing, "newcomer": newcomer,
        "best": pair(newcomer, existing, 0.91),
        "middle": pair(other_b, other_a, 0.74),
        "vn": pair(vn_b, vn_a, 0.62),
    }


def test_queue_lists_pairs_best_first_with_counts(people, mills):
    html = client_for(people.ngo).get("/matching/").content.decode()
    positions = [html.index(f'id="pair-{mills[k].pk}"') for k in ("best", "middle", "vn")]
    assert positions == sorted(positions)
    assert "<strong>3</strong> pairs to review: 3 facility pairs, 0 registry pairs" in html
    assert "M E R C U R Y APPAR EL" in html and "Mercury Apparel (Pvt) Ltd" in html
    assert "0.91" in html and "0.62" in html


def test_queue_filters_by_country_and_kind_and_has_an_empty_state(people, mills):
    c = client_for(people.analyst)
    vn = c.get("/matching/?country=VN").content.decode()
    assert f'id="pair-{mills["vn"].pk}"' in vn and f'id="pair-{mills["best"].pk}"' not in vn
    assert "1 of 3 pairs match the filters" in vn
    registry_only = c.get("/matching/?kind=registry").content.decode()
    assert "No pair to review matches these filters." in registry_only
    bad = c.get("/matching/?country=Atlantis", follow=True).content.decode()
    assert "Unknown country &#x27;Atlantis&#x27;" in bad
    MatchCandidate.objects.update(status=MatchCandidate.Status.REJECTED)
    assert "Nothing to review: every pair has been decided." in c.get("/matching/").content.decode()


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


def test_decided_pairs_list_who_and_why(people, mills):
    client_for(people.admin).post(f"/matching/{mills['middle'].pk}/decide/",
                                  {"decision": "reject", "reason": "Two units"})
    html = client_for(people.ngo).get("/matching/decisions/").content.decode()
    row = html[html.index(f'id="decision-{mills["middle"].pk}"'):]
    row = row[:row.index("</tr>")]
    assert "Rejected" in row and "admin" in row and "Two units" in row
    assert f'id="decision-{mills["best"].pk}"' not in html  # still pending
    confirmed_only = client_for(people.ngo).get("/matching/decisions/?status=confirmed").content.decode()
    assert "No decided pairs yet." in confirmed_only


def test_facility_page_shows_the_merge_with_undo_and_the_merged_record_points_to_it(people, mills):
    c = client_for(people.analyst)
    c.post(f"/matching/{mills['best'].pk}/decide/", {"decision": "confirm"})
    merge = FacilityMerge.objects.get(candidate=mills["best"])
    survivor = Facility.all_objects.get(pk=merge.survivor_id)
    merged = Facility.all_objects.get(pk=merge.merged_id)
    page = c.get(f"/facilities/{survivor.uid}/").content.decode()
    assert 'id="merges"' in page and f"/matching/merges/{merge.pk}/undo/" in page
    assert f"{merged.name}</a> merged into this record" in page
    gone = c.get(f"/facilities/{merged.uid}/")
    assert gone.status_code == 200
    assert f'href="/facilities/{survivor.uid}/"' in gone.content.decode()
    assert 'id="merged-into"' in gone.content.decode()
    # The critical friend sees the merge but no Undo button.
    ngo_page = client_for(people.ngo).get(f"/facilities/{survivor.uid}/").content.decode()
    assert 'id="merges"' in ngo_page and "/undo/" not in ngo_page

    undone = c.post(f"/matching/merges/{merge.pk}/undo/", {"next": f"/facilities/{survivor.uid}/"}, follow=True)
    assert "Merge undone" in undone.content.decode()
    merge.refresh_from_db()
    assert merge.is_undone
    assert Facility.objects.filter(pk__in=[survivor.pk, merged.pk]).count() == 2
    back = c.get(f"/facilities/{merged.uid}/").content.decode()
    assert 'id="merged-into"' not in back and "Undone by analyst" in back
    # Undoing twice is a message, not an error page.
    twice = c.post(f"/matching/merges/{merge.pk}/undo/", follow=True)
    assert twice.status_code == 200 and [m for m in twice.context["messages"] if m.level_tag == "error"]


def test_facility_page_lists_pairs_waiting_for_review(people, mills):
    html = client_for(people.analyst).get(f"/facilities/{mills['existing'].uid}/").content.decode()
    assert 'id="pending-pairs"' in html and f"/matching/{mills['best'].pk}/" in html
    supplier = client_for(people.supplier).get(f"/facilities/{mills['existing'].uid}/").content.decode()
    assert "Matches and merges" not in supplier


def test_nav_shows_matching_to_brand_users_only(people):
    assert 'href="/matching/"' in client_for(people.analyst).get("/").content.decode()
    assert 'href="/matching/"' not in client_for(people.supplier).get("/").content.decode()


@pytest.fixture
def registry_pair(people):
    from fairthread.matching.models import RegistryEdition, RegistryFacility

    edition = RegistryEdition.objects.create(name="OSH test edition", filename="osh.csv", sha256="0" * 64,
                                             row_count=1, is_current=True)
    entry = RegistryFacility.objects.create(edition=edition, os_id="BD2020000TEST9", name="Lakeside Dyeing Works Ltd",
                                            address="Road 9, Ashulia, Savar", country="BD", lat=23.9, lng=90.3)
    facility = make_facility("Lakeside Dyeing", "BD", address="Road 9 Ashulia")
    candidate = MatchCandidate.objects.create(facility=facility, registry_facility=entry, score=0.77,
                                              model_version="splink-test-1", method="model", evidence=EVIDENCE)
    return candidate


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
