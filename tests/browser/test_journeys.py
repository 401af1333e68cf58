"""The journeys of issue 2's "Done when", in headless Chromium against the live server."""

from __future__ import annotations

import csv
import datetime
import re
from pathlib import Path

import pytest

from fairthread.challenges.models import Challenge
from fairthread.supplychain.models import Facility
from tests.factories import make_facility, make_link

DATA = Path(__file__).parent.parent / "data" / "facilities" / "oar_lists"

pytestmark = pytest.mark.django_db(transaction=True)


def test_analyst_uploads_a_real_list_and_walks_a_facility_chain(page, login, people):
    real_list = DATA / "4.csv"
    with real_list.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    login("analyst")
    page.goto("/imports/")
    page.get_by_label("Supplier list (CSV or XLSX)").set_input_files(str(real_list))
    page.get_by_role("button", name="Import").click()
    # The validation report: every row of the real list became a facility, nothing failed.
    page.get_by_role("heading", name=re.compile("Facilities from this import")).wait_for()
    assert page.locator("td[data-count=created]").inner_text().replace(",", "") == str(len(rows))
    assert Facility.objects.count() == len(rows)

    # Open one of the new facilities; give it a supplier so it has a chain to show.
    first = rows[0]["name"].strip()
    facility = Facility.objects.get(name=first)
    make_link(people.brand, facility, material="cotton")
    mill = make_facility("Chain Test Fabric Mill", "IN", facility_type="fabric mill")
    make_link(facility, mill, material="cotton")
    page.get_by_role("link", name=first).first.click()
    page.get_by_role("heading", level=1, name=first).wait_for()
    upstream = page.locator("section[aria-labelledby=upstream-heading]")
    assert "Chain Test Fabric Mill" in upstream.inner_text()
    page.get_by_role("button", name="Explore its chain").click()
    page.wait_for_url(re.compile(r"/explorer/"))
    assert "Chain Test Fabric Mill" in page.content()
    assert people.brand.name in page.content()


def test_supplier_sees_only_its_own_facilities(page, login, people):
    own = make_facility("Own Knitwear Unit 1", "BD", organisation=people.supplier_org)
    make_facility("Own Knitwear Unit 2", "BD", organisation=people.supplier_org)
    other = make_facility("Other Spinning Mill", "IN", organisation=people.other_supplier_org)
    login("supplier")
    page.goto("/facilities/")
    body = page.locator("main").inner_text()
    assert "Own Knitwear Unit 1" in body and "Own Knitwear Unit 2" in body
    assert "Other Spinning Mill" not in body
    response = page.goto(f"/facilities/{other.uid}/")
    assert response.status == 404
    response = page.goto(f"/facilities/{own.uid}/")
    assert response.status == 200
    assert page.goto("/imports/").status == 403


def test_critical_friend_challenges_and_analyst_answers(page, login, people):
    facility = make_facility("Leicester Stitch Unit", "GB", region="Leicestershire")
    login("ngo")
    page.goto(f"/facilities/{facility.uid}/")
    page.get_by_text("Open a challenge on this facility").click()
    page.get_by_label("Title").fill("Agency workers at the Leicester unit")
    page.get_by_label("What should the brand answer?").fill("How many agency workers, and paid how?")
    due = datetime.date.today() + datetime.timedelta(days=21)
    page.get_by_label("Answer due by").fill(due.isoformat())
    page.get_by_role("button", name="Open challenge").click()
    page.get_by_role("heading", level=1, name="Agency workers at the Leicester unit").wait_for()
    challenge = Challenge.objects.get()
    assert challenge.status == Challenge.Status.OPEN and challenge.due_date == due

    page.get_by_role("button", name="Sign out").click()
    login("analyst")
    page.goto("/challenges/")
    page.get_by_role("link", name="Agency workers at the Leicester unit").click()
    page.locator("form[action$='/answer/'] textarea").fill("Audit found 40 agency workers; paid weekly.")
    page.get_by_role("button", name="Answer on the record").click()
    page.get_by_text("Audit found 40 agency workers; paid weekly.").wait_for()
    challenge.refresh_from_db()
    assert challenge.status == Challenge.Status.ANSWERED
    assert challenge.responses.get().author == people.analyst
