"""Issue 3's browser journey: from the risk heatmap to one facility's explanation, in headless Chromium."""

from __future__ import annotations

import re

import pytest

from fairthread.risk import services
from tests.risk.services_support import make_chain

pytestmark = pytest.mark.django_db(transaction=True)


def test_critical_friend_walks_from_the_heatmap_to_a_facility_explanation(page, login, people):
    chain = make_chain(people)
    services.run_assessment(by=people.analyst)
    login("ngo")
    page.get_by_role("link", name="Risk", exact=True).click()
    page.get_by_role("heading", level=1, name="Forced-labour risk").wait_for()
    # Both charts come from the site itself as SVG (the page fixture fails on any third-party request).
    for chart in ("heatmap", "map"):
        src = page.locator(f"img[src*='/risk/charts/{chart}.svg']").get_attribute("src")
        response = page.request.get(src)
        assert response.status == 200 and response.headers["content-type"].startswith("image/svg+xml")
    # The heat grid: China, tier 3 holds the yarn spinner sourcing Xinjiang cotton.
    page.get_by_role("link", name=re.compile(r"^China, tier 3: 1 facility")).click()
    page.wait_for_url(re.compile(r"/risk/facilities/\?country=CN&tier=3"))
    assert page.locator("[data-count=total]").inner_text() == "1"
    page.get_by_role("link", name="Jiangsu Yarn").click()
    page.get_by_role("heading", level=1, name=re.compile("Jiangsu Yarn")).wait_for()
    assert page.url.endswith(f"/risk/facilities/{chain.jiangsu.uid}/")
    explanation = page.locator("#explanation").inner_text()
    assert explanation.strip()
    assert "Not remediable through supplier engagement" in page.locator("main").inner_text()
    contributions = page.locator("#contributions tbody tr")
    assert contributions.count() >= 2
    assert "Global Slavery Index" in page.locator("#contributions").inner_text()
