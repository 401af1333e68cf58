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
