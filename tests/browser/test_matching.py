"""Issue 5's browser journey: review a pair in the matching queue, confirm it, see the merged facility; then undo
the merge and see both facilities again."""

from __future__ import annotations

import re

import pytest

from fairthread.matching.models import MatchCandidate
from tests.factories import make_facility, make_link

pytestmark = pytest.mark.django_db(transaction=True)


def test_analyst_confirms_a_pair_sees_the_merge_and_undoes_it(page, login, people):
    existing = make_facility("Mercury Apparel (Pvt) Ltd", "LK", address="Plot 12, Seethawaka EPZ, Avissawella")
    newcomer = make_facility("M E R C U R Y APPAR EL SEETHAWAKA", "LK",
                             address="Plot 12 Seethawaka Export Processing Zone")
    make_link(people.brand, existing, material="cotton")
    make_link(people.brand, newcomer, material="elastane")
    MatchCandidate.objects.create(
        facility=newcomer, other_facility=existing, score=0.83, model_version="splink-test-1", method="model",
        explanation=["Name: the same words once spacing is ignored.", "Address: the same plot number."],
        evidence=[
            {"field": "name", "label": "Name", "for_match": True,
             "text": "the same words once spacing is ignored"},
            {"field": "address_numbers", "label": "Address numbers", "for_match": True, "text": "both on plot 12"},
            {"field": "address", "label": "Address words", "for_match": False,
             "text": "few address words in common (EPZ against Export Processing Zone)"},
        ],
    )
    login("analyst")

    page.get_by_role("link", name="Matching", exact=True).click()
    page.get_by_role("heading", level=1, name="Matching: pairs to review").wait_for()
    row = page.locator("#pairs tbody tr", has_text="M E R C U R Y APPAR EL SEETHAWAKA")
    assert "Mercury Apparel (Pvt) Ltd" in row.inner_text() and "0.83" in row.inner_text()
    row.get_by_role("link", name=re.compile("^Review")).click()

    page.get_by_role("heading", level=1, name="Is this the same facility?").wait_for()
    assert "the same words once spacing is ignored" in page.locator("#evidence-for").inner_text()
    assert "few address words in common" in page.locator("#evidence-against").inner_text()
    assert "Plot 12 Seethawaka Export Processing Zone" in page.locator("#pair").inner_text()
    page.get_by_label("Same facility").check()
    page.get_by_label("Reason (optional)").fill("Same plot in the Seethawaka EPZ")
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_text(re.compile("^Confirmed: ")).wait_for()
    assert "Nothing to review" in page.locator("#pairs").inner_text()

    # The decided pair says where the record went; the survivor's page shows the merge and both links.
    page.get_by_role("link", name="Decided pairs").click()
    decision = page.locator("#decisions tbody tr", has_text="M E R C U R Y APPAR EL SEETHAWAKA")
    assert "Confirmed" in decision.inner_text() and "analyst" in decision.inner_text()
    decision.get_by_role("link", name="M E R C U R Y APPAR EL SEETHAWAKA").click()
    page.locator("#decided").wait_for()
    page.get_by_role("link", name="Mercury Apparel (Pvt) Ltd").last.click()
    page.get_by_role("heading", level=1, name=re.compile("^Mercury Apparel")).wait_for()
    merges = page.locator("#merges")
    assert "M E R C U R Y APPAR EL SEETHAWAKA merged into this record" in merges.inner_text()
    materials = page.locator("#downstream").inner_text()
    assert "cotton" in materials and "elastane" in materials  # the newcomer's link now lives on the survivor

    page.goto(f"/facilities/{newcomer.uid}/")
    assert "This record was merged into" in page.locator("#merged-into").inner_text()
    page.locator("#merged-into").get_by_role("link", name="Mercury Apparel (Pvt) Ltd").click()

    page.get_by_role("button", name=re.compile("^Undo merge")).click()
    page.get_by_text(re.compile("^Merge undone")).wait_for()
    assert "Undone by analyst" in page.locator("#merges").inner_text()
    assert "elastane" not in page.locator("#downstream").inner_text()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Facilities", exact=True).click()
    names = page.locator("table.facility-table").inner_text()
    assert "Mercury Apparel (Pvt) Ltd" in names and "M E R C U R Y APPAR EL SEETHAWAKA" in names
    page.goto(f"/facilities/{newcomer.uid}/")
    assert "elastane" in page.locator("#downstream").inner_text()
