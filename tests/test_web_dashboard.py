"""Dashboard: counts by tier and country from hand-built data, the offline map, scope per role."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from fairthread.challenges.models import Challenge
from fairthread.supplychain.models import ImportBatch
from tests.factories import make_facility

SVG_NS = "http://www.w3.org/2000/svg"


def count(html: str, key: str) -> int | None:
    match = re.search(rf'data-count="{re.escape(key)}">([\d,]+)<', html)
    return int(match.group(1).replace(",", "")) if match else None


@pytest.fixture
def chain(people):
    """Five facilities: BD ×2 (tiers 1, 1), IN ×1 (tier 2), TR ×2 (tier 3 and unknown)."""
    return [
        make_facility("Dhaka Knit", "BD", tier=1, organisation=people.supplier_org),
        make_facility("Chittagong Sewing", "BD", tier=1, organisation=people.other_supplier_org),
        make_facility("Tiruppur Mill", "IN", tier=2),
        make_facility("Izmir Spinning", "TR", tier=3),
        make_facility("Anatolia Gin", "TR"),
    ]


def shaded_countries(svg: bytes) -> int:
    match = re.search(rb'<g class="[^"]*layer_1_marks"[^>]*>(.*?)</g>', svg, re.S)
    return match.group(1).count(b"<path") if match else 0


def test_dashboard_counts_by_tier_and_country(client, people, chain) -> None:
    client.force_login(people.analyst)
    html = client.get("/").content.decode()
    assert count(html, "facilities") == 5
    assert [count(html, f"tier-{t}") for t in ("1", "2", "3", "4", "unknown")] == [2, 1, 1, 0, 1]
    assert count(html, "country-BD") == 2
    assert count(html, "country-TR") == 2
    assert count(html, "country-IN") == 1
    # Most facilities first; BD before TR on a tie (by code).
    assert html.index('data-country="BD"') < html.index('data-country="TR"') < html.index('data-country="IN"')


def test_supplier_sees_counts_of_own_facilities_only(client, people, chain) -> None:
    client.force_login(people.supplier)
    html = client.get("/").content.decode()
    assert count(html, "facilities") == 1
    assert [count(html, f"tier-{t}") for t in ("1", "2", "3", "4", "unknown")] == [1, 0, 0, 0, 0]
    assert count(html, "country-BD") == 1
    assert count(html, "country-IN") is None
    assert "Recent imports" not in html  # suppliers may not view imports


def test_country_table_shows_the_top_15(client, people) -> None:
    codes = ["AL", "BD", "CN", "DE", "EG", "FR", "GB", "HU", "IN", "JO", "KH", "LK", "MA", "NL", "PK", "RO"]
    for i, code in enumerate(codes):
        make_facility(f"Factory {i}", code)
    make_facility("Second Romanian", "RO")
    client.force_login(people.analyst)
    html = client.get("/").content.decode()
    # RO has 2 and leads; of the 15 countries with 1 facility, the first 14 by code fill the table.
    assert count(html, "country-RO") == 2
    shown = re.findall(r'data-country="([A-Z]{2})"', html)
    assert shown == ["RO"] + codes[:14]
    assert "1 facilities elsewhere" in html or "1 facility elsewhere" in html


def test_recent_imports_and_challenge_counts(client, people, chain) -> None:
    for i in range(6):
        ImportBatch.objects.create(filename=f"list-{i}.csv", status=ImportBatch.Status.SUCCEEDED)
    today = timezone.localdate()
    ct = ContentType.objects.get_for_model(chain[0])
    for due in (today - datetime.timedelta(days=3), today + datetime.timedelta(days=10)):
        Challenge.objects.create(
            content_type=ct,
            object_id=str(chain[0].pk),
            subject_repr="x",
            title="Why?",
            text="Explain",
            due_date=due,
            raised_by=people.ngo,
        )
    Challenge.objects.create(
        content_type=ct,
        object_id=str(chain[0].pk),
        subject_repr="x",
        title="Done",
        text="ok",
        due_date=today - datetime.timedelta(days=9),
        raised_by=people.ngo,
        status=Challenge.Status.CLOSED,
    )
    client.force_login(people.ngo)
    html = client.get("/").content.decode()
    # The last five imports, newest first: list-5 … list-1, not list-0.
    assert [f"list-{i}.csv" in html for i in range(6)] == [False, True, True, True, True, True]
    assert count(html, "challenges-open") == 2
    assert count(html, "challenges-overdue") == 1


def test_map_svg_is_served_offline(client, people, chain) -> None:
    client.force_login(people.analyst)
    html = client.get("/").content.decode()
    assert 'src="/charts/facilities-map.svg?v=' in html
    response = client.get("/charts/facilities-map.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = response.content.decode()
    assert svg.startswith("<svg")
    assert set(re.findall(r"https?://[^\s\"'<>)]+", svg)) == {SVG_NS}


def test_map_svg_follows_the_users_scope(client, people, chain) -> None:
    client.force_login(people.analyst)
    everyone = client.get("/charts/facilities-map.svg").content
    client.force_login(people.supplier)
    own = client.get("/charts/facilities-map.svg").content
    # The supplier's map shades only Bangladesh; the brand's shades three countries.
    assert shaded_countries(own) == 1
    assert shaded_countries(everyone) == 3


def test_dashboard_needs_sign_in_and_a_role(client, people) -> None:
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.get("/charts/facilities-map.svg").status_code == 302
    client.force_login(people.outsider)
    assert client.get("/").status_code == 403
    assert client.get("/charts/facilities-map.svg").status_code == 403


def test_page_is_accessible_basics(client, people, chain) -> None:
    client.force_login(people.analyst)
    html = client.get("/").content.decode()
    assert '<html lang="en">' in html
    assert html.count("<h1") == 1
    assert 'aria-current="page">Dashboard<' in html
    assert '<th scope="col">' in html and '<th scope="row">' in html and "<caption>" in html
    assert re.search(r'<img [^>]*alt="World map', html)
