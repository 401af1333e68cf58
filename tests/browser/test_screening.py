"""Issue 4's browser journey: confirm a screening hit from the queue and see the facility's risk change."""

from __future__ import annotations

import re

import pytest

from fairthread.risk import services as risk
from fairthread.screening import services
from fairthread.supplychain.services import recompute_tiers
from tests.factories import make_facility, make_link

pytestmark = pytest.mark.django_db(transaction=True)
LIST = "id,name,aliases,country,address,list,effective_date\nU1,Hoa Phat Spinning Company Limited,,VN,,Own list,\n"


def test_analyst_confirms_a_hit_from_the_queue_and_the_risk_changes(page, login, people):
    garment = make_facility("Gazipur Garments", "BD")
    spinner = make_facility("Hoa Phat Spinning Co., Ltd.", "VN")
    make_link(people.brand, garment, material="cotton", volume_share=100)
    make_link(garment, spinner, material="cotton", volume_share=100)
    recompute_tiers()
    services.load_list_version(LIST.encode(), fmt="csv", name="Own list", by="test")
    risk.run_assessment(by=people.analyst)
    login("analyst")
    page.goto(f"/risk/facilities/{garment.uid}/")
    assert "Not remediable through supplier engagement" not in page.locator("main").inner_text()

    page.get_by_role("link", name="Screening", exact=True).click()
    page.get_by_role("heading", level=1, name="Screening: open hits").wait_for()
    row = page.locator("#hits tbody tr", has_text="Hoa Phat Spinning Co., Ltd.")
    assert "Hoa Phat Spinning Company Limited" in row.inner_text()
    row.get_by_label("Reason (optional)").fill("Same company registration number")
    row.get_by_role("button", name="Confirm hit").click()
    page.get_by_text(re.compile("^Confirmed: Hoa Phat Spinning")).wait_for()
    assert "No open hits." in page.locator("#hits").inner_text()

    # The tier-1 buyer now carries the state-imposed exposure: critical and not remediable.
    page.goto(f"/risk/facilities/{garment.uid}/")
    assert "Not remediable through supplier engagement" in page.locator("main").inner_text()
    page.goto(f"/screening/facilities/{spinner.uid}/")
    assert "Confirmed by analyst" in page.locator("#history").inner_text()


AGENT_LIST = ("id,name,aliases,country,address,list,effective_date\n"
              "A1,Annapurna Overseas Employment Pvt. Ltd.,,NP,,Own list,\n")


def test_analyst_names_an_agent_confirms_its_hit_and_the_facility_risk_changes(page, login, people):
    gloves = make_facility("Klang Gloves", "MY")
    make_link(people.brand, gloves, material="cotton", volume_share=100)
    recompute_tiers()
    services.load_list_version(AGENT_LIST.encode(), fmt="csv", name="Own list", by="test")
    risk.run_assessment(by=people.analyst)
    login("analyst")

    # Name the agent on the facility page: it is screened once saved.
    page.goto(f"/facilities/{gloves.uid}/")
    page.get_by_role("button", name="Add a recruitment agent").click()
    page.get_by_label("Agent name").fill("Annapurna Overseas Employment Pvt Ltd")
    page.get_by_label("Based in").select_option("NP")
    page.get_by_label("Workers recruited in").select_option("NP")
    page.get_by_role("button", name="Add agent").click()
    agents = page.locator("#agents")
    agents.wait_for()
    assert "NP → MY" in agents.inner_text() and "open hit" in agents.inner_text()

    # The queue shows the hit on the agent with the facility engaging it; confirming it changes that facility's risk.
    page.goto("/screening/")
    row = page.locator("#hits tbody tr", has_text="Annapurna Overseas Employment Pvt Ltd")
    assert "Recruitment agent" in row.inner_text() and "Klang Gloves" in row.inner_text()
    row.get_by_role("button", name="Confirm hit").click()
    page.get_by_text(re.compile("^Confirmed: Annapurna Overseas")).wait_for()
    page.goto(f"/risk/facilities/{gloves.uid}/")
    assert "Not remediable through supplier engagement" in page.locator("main").inner_text()
    page.goto(f"/facilities/{gloves.uid}/")
    assert "confirmed hit" in page.locator("#agents").inner_text()
