"""Facility list (search, filters, sort, pagination), facility page, edit/create, links, scoping."""

from __future__ import annotations

import re

import pytest

from fairthread.audit.models import AuditEvent
from fairthread.supplychain.models import Facility, FacilitySource, ImportBatch, SourcingLink
from fairthread.supplychain.services import recompute_tiers
from tests.factories import make_facility, make_link


def names(html: str) -> list[str]:
    """Facility names in the list's table, in order."""
    return re.findall(r'<td><a href="/facilities/[0-9a-f-]+/">([^<]+)</a>', html)


def total(html: str) -> int:
    return int(re.search(r'data-count="total">([\d,]+)<', html).group(1).replace(",", ""))


@pytest.fixture
def listed(people):
    """Four facilities with distinct values for each filter."""
    a = make_facility(
        "Aurora Knit",
        "BD",
        brand_ref="NW-001",
        os_id="BD2024000001A",
        tier=1,
        workers_count=800,
        facility_type="final product assembly",
        organisation=people.supplier_org,
        address="12 Tongi Road, Gazipur",
    )
    b = make_facility(
        "Bosphorus Denim",
        "TR",
        brand_ref="NW-002",
        tier=1,
        workers_count=300,
        facility_type="washing",
        organisation=people.other_supplier_org,
    )
    c = make_facility(
        "Coimbatore Spinners",
        "IN",
        brand_ref="NW-003",
        tier=3,
        workers_count=1200,
        facility_type="spinning",
        status=Facility.Status.CLOSED,
    )
    d = make_facility("Delta Weaving", "IN", facility_type="fabric mill", workers_count=50)
    make_link(b, d, material="cotton")
    make_link(d, c, material="yarn")
    return a, b, c, d


def get(client, query: str = "") -> str:
    response = client.get("/facilities/" + query)
    assert response.status_code == 200
    return response.content.decode()


def test_list_shows_all_sorted_by_name_with_total(client, people, listed) -> None:
    client.force_login(people.analyst)
    html = get(client)
    assert names(html) == ["Aurora Knit", "Bosphorus Denim", "Coimbatore Spinners", "Delta Weaving"]
    assert total(html) == 4


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?q=bosph", ["Bosphorus Denim"]),  # name, case-insensitive
        ("?q=NW-003", ["Coimbatore Spinners"]),  # brand reference
        ("?q=BD2024000001", ["Aurora Knit"]),  # Open Supply Hub ID
        ("?q=gazipur", ["Aurora Knit"]),  # address
        ("?country=IN", ["Coimbatore Spinners", "Delta Weaving"]),
        ("?country=India", ["Coimbatore Spinners", "Delta Weaving"]),  # a typed country name works too
        ("?tier=1", ["Aurora Knit", "Bosphorus Denim"]),
        ("?tier=3", ["Coimbatore Spinners"]),
        ("?tier=unknown", ["Delta Weaving"]),
        ("?type=washing", ["Bosphorus Denim"]),
        ("?material=cotton", ["Delta Weaving"]),  # supplies cotton on some link
        ("?material=yarn", ["Coimbatore Spinners"]),
        ("?status=closed", ["Coimbatore Spinners"]),
        ("?country=IN&status=active", ["Delta Weaving"]),
    ],
)
def test_search_and_each_filter(client, people, listed, query, expected) -> None:
    client.force_login(people.analyst)
    html = get(client, query)
    assert names(html) == expected
    assert total(html) == len(expected)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("-name", ["Delta Weaving", "Coimbatore Spinners", "Bosphorus Denim", "Aurora Knit"]),
        ("workers", ["Delta Weaving", "Bosphorus Denim", "Aurora Knit", "Coimbatore Spinners"]),
        ("-workers", ["Coimbatore Spinners", "Aurora Knit", "Bosphorus Denim", "Delta Weaving"]),
        (
            "country",
            ["Aurora Knit", "Coimbatore Spinners", "Delta Weaving", "Bosphorus Denim"],
        ),  # BD, IN, IN, TR
        ("-country", ["Bosphorus Denim", "Delta Weaving", "Coimbatore Spinners", "Aurora Knit"]),
    ],
)
def test_sort(client, people, listed, sort, expected) -> None:
    client.force_login(people.analyst)
    assert names(get(client, f"?sort={sort}")) == expected


def test_bad_filter_values_are_reported_not_fatal(client, people, listed) -> None:
    client.force_login(people.analyst)
    html = get(client, "?country=Atlantis&tier=9&sort=colour")
    assert "Unknown country &#x27;Atlantis&#x27;" in html
    assert "Tier must be 1, 2, 3, 4 or unknown" in html
    assert total(html) == 4


def test_pagination_50_per_page(client, people) -> None:
    for i in range(120):
        make_facility(f"Factory {i:03d}", "CN")
    client.force_login(people.analyst)
    first = get(client)
    assert total(first) == 120
    assert names(first)[0] == "Factory 000" and len(names(first)) == 50
    third = get(client, "?page=3")
    assert names(third) == [f"Factory {i:03d}" for i in range(100, 120)]
    assert "Page 3 of 3" in third
    # Filters and sort travel with the page links.
    html = get(client, "?country=CN&sort=-name")
    assert 'href="?country=CN&amp;sort=-name&amp;page=2"' in html


def test_supplier_sees_only_own_facilities(client, people, listed) -> None:
    a, b, _, _ = listed
    client.force_login(people.supplier)
    html = get(client)
    assert names(html) == ["Aurora Knit"]
    assert total(html) == 1
    assert client.get(f"/facilities/{a.uid}/").status_code == 200
    assert client.get(f"/facilities/{b.uid}/").status_code == 404


def test_facility_page_shows_provenance(client, people, listed) -> None:
    a = listed[0]
    batch = ImportBatch.objects.create(filename="northwind-suppliers-2024.csv", status="succeeded")
    FacilitySource.objects.create(
        facility=a,
        batch=batch,
        organisation=people.brand,
        row_number=7,
        values={"name": "Aurora Knit", "workers_count": 760},
    )
    FacilitySource.objects.create(
        facility=a, batch=None, organisation=people.supplier_org, row_number=2, values={"workers_count": 800}
    )
    client.force_login(people.analyst)
    html = client.get(f"/facilities/{a.uid}/").content.decode()
    table = html[html.index('id="provenance"') :]
    table = table[: table.index("</table>")]
    assert "northwind-suppliers-2024.csv" in table
    assert ">7<" in table and ">760<" in table
    # Latest first: the supplier's 800 (made last) comes before the import's 760.
    assert table.index(">800<") < table.index(">760<")
    assert "Own Knitwear Group" in table


def test_facility_page_shows_links_and_chain(client, people) -> None:
    cmt = make_facility("Gazipur CMT", "BD")
    mill = make_facility("Narayanganj Mill", "BD")
    spinner = make_facility("Tiruppur Spinner", "IN", declared_tier=2)
    make_link(people.brand, cmt, material="garments")
    make_link(cmt, mill, material="fabric", volume_share=60)
    make_link(mill, spinner, material="yarn")
    make_link(mill, None, material="cotton", origin_country="IN", origin_region="Gujarat")
    recompute_tiers()
    client.force_login(people.analyst)
    html = client.get(f"/facilities/{mill.uid}/").content.decode()
    up = html[html.index('id="upstream-heading"') : html.index('id="downstream-heading"')]
    down = html[html.index('id="downstream-heading"') : html.index('id="provenance-heading"')]
    assert "Tiruppur Spinner" in up and "Gujarat" in up and "Gazipur CMT" not in up
    assert "Gazipur CMT" in down and "60 %" in down and "Tiruppur Spinner" not in down
    assert re.findall(r'chain-path">([^<]*)<', html) == ["Narayanganj Mill → Gazipur CMT → Northwind Fashion"]
    spinner_html = client.get(f"/facilities/{spinner.uid}/").content.decode()
    assert re.findall(r'chain-path">([^<]*)<', spinner_html) == [
        "Tiruppur Spinner → Narayanganj Mill → Gazipur CMT → Northwind Fashion"
    ]
    # Derived tier 3 from the links; declared 2 is shown and flagged as different.
    assert 'data-tier="derived">Tier 3<' in spinner_html
    assert "Tier 2" in spinner_html and "differs from the links" in spinner_html


def test_cycle_warning_on_facility_page(client, people) -> None:
    x = make_facility("Loop Mill", "PK")
    y = make_facility("Loop Spinner", "PK")
    make_link(x, y)
    make_link(y, x)
    recompute_tiers()
    client.force_login(people.analyst)
    assert "Sourcing cycle." in client.get(f"/facilities/{x.uid}/").content.decode()


def _form_data(facility: Facility, **changes) -> dict:
    data = {
        "name": facility.name,
        "country": facility.country,
        "address": facility.address,
        "status": facility.status,
        "workers_count": facility.workers_count or "",
        "facility_type": facility.facility_type,
    }
    data.update(changes)
    return data


def test_edit_writes_audit_event(client, people, listed) -> None:
    a = listed[0]
    client.force_login(people.analyst)
    assert client.get(f"/facilities/{a.uid}/edit/").status_code == 200
    response = client.post(
        f"/facilities/{a.uid}/edit/",
        _form_data(a, workers_count="950", brand_ref="NW-001", os_id="BD2024000001A"),
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert a.workers_count == 950
    event = AuditEvent.objects.get(action="facility.update", object_id=str(a.pk))
    assert event.actor == people.analyst
    assert event.before["workers_count"] == 800 and event.after["workers_count"] == 950
    # The page shows its history to whoever may read the audit log.
    client.force_login(people.admin)
    assert "facility.update" in client.get(f"/facilities/{a.uid}/").content.decode()


def test_edit_reports_errors_in_the_form(client, people, listed) -> None:
    a, b = listed[0], listed[1]
    client.force_login(people.analyst)
    response = client.post(f"/facilities/{a.uid}/edit/", _form_data(a, brand_ref="NW-002", pct_female="140"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Another facility already has this brand reference." in html
    assert "less than or equal to 100" in html
    a.refresh_from_db()
    assert a.brand_ref == "NW-001" and b.brand_ref == "NW-002"
    assert not AuditEvent.objects.filter(action="facility.update").exists()


def test_supplier_edits_own_but_not_another_orgs_facility(client, people, listed) -> None:
    a, b = listed[0], listed[1]
    client.force_login(people.supplier)
    assert client.get(f"/facilities/{b.uid}/edit/").status_code == 404
    assert client.post(f"/facilities/{b.uid}/edit/", _form_data(b, name="Hijacked")).status_code == 404
    b.refresh_from_db()
    assert b.name == "Bosphorus Denim"
    # On its own facility the supplier may change workforce data, not the country.
    response = client.post(
        f"/facilities/{a.uid}/edit/", _form_data(a, workers_count="810", country="TR", pct_migrant="12")
    )
    assert response.status_code == 302
    a.refresh_from_db()
    assert (a.workers_count, a.country, str(a.pct_migrant)) == (810, "BD", "12.00")
    assert AuditEvent.objects.filter(action="facility.update", actor=people.supplier).count() == 1


def test_create_facility(client, people) -> None:
    client.force_login(people.analyst)
    response = client.post(
        "/facilities/new/",
        {
            "name": "New Dye House",
            "country": "VN",
            "status": "active",
            "facility_type": "dyeing",
            "declared_tier": "2",
        },
    )
    facility = Facility.objects.get(name="New Dye House")
    assert response.status_code == 302 and response["Location"] == f"/facilities/{facility.uid}/"
    assert (facility.country, facility.facility_type, facility.declared_tier) == ("VN", "dyeing", 2)
    assert AuditEvent.objects.filter(action="facility.create", object_id=str(facility.pk)).exists()
    client.force_login(people.supplier)
    assert client.get("/facilities/new/").status_code == 403
    client.force_login(people.ngo)
    assert client.post("/facilities/new/", {"name": "X", "country": "VN"}).status_code == 403


def test_supplier_declares_a_sub_supplier_of_own_facility(client, people, listed) -> None:
    a, b, _, d = listed
    d.os_id = "IN2024000009Z"
    d.save()
    client.force_login(people.supplier)
    response = client.post(
        f"/facilities/{a.uid}/links/new/",
        {"relation": "upstream", "other": "IN2024000009Z", "material": "fabric", "volume_share": "40"},
    )
    assert response.status_code == 302
    link = SourcingLink.objects.get(buyer=a, supplier=d)
    assert (link.material, str(link.volume_share)) == ("fabric", "40.00")
    assert AuditEvent.objects.filter(action="link.create", actor=people.supplier).exists()
    # Not on another organisation's facility, and not placing its facility under the brand.
    assert client.get(f"/facilities/{b.uid}/links/new/").status_code == 404
    html = client.post(f"/facilities/{a.uid}/links/new/", {"relation": "brand"}).content.decode()
    assert "Select a valid choice" in html
    assert not SourcingLink.objects.filter(brand__isnull=False, supplier=a).exists()


def test_declared_origin_link_and_delete(client, people, listed) -> None:
    d = listed[3]
    client.force_login(people.analyst)
    response = client.post(
        f"/facilities/{d.uid}/links/new/",
        {"relation": "upstream", "material": "cotton", "origin_country": "IN", "origin_region": "Gujarat"},
    )
    assert response.status_code == 302
    link = SourcingLink.objects.get(buyer=d, supplier__isnull=True)
    assert (link.origin_country, link.origin_region) == ("IN", "Gujarat")
    missing = client.post(f"/facilities/{d.uid}/links/new/", {"relation": "upstream", "other": "NOPE-9"})
    assert "No facility found with the reference" in missing.content.decode()
    assert client.get(f"/links/{link.pk}/delete/").status_code == 405
    response = client.post(f"/links/{link.pk}/delete/", {"facility": str(d.uid)})
    assert response.status_code == 302 and response["Location"] == f"/facilities/{d.uid}/"
    assert not SourcingLink.objects.filter(pk=link.pk).exists()
    assert AuditEvent.objects.filter(action="link.delete", object_id=str(link.pk)).exists()


def test_supplier_cannot_delete_links(client, people, listed) -> None:
    a, b, _, d = listed
    link = make_link(a, d)
    client.force_login(people.supplier)
    assert client.post(f"/links/{link.pk}/delete/").status_code == 403
    assert SourcingLink.objects.filter(pk=link.pk).exists()


def test_critical_friend_gets_the_challenge_form(client, people, listed) -> None:
    a = listed[0]
    client.force_login(people.ngo)
    html = client.get(f"/facilities/{a.uid}/").content.decode()
    assert f'action="/challenges/new/?type=facility&amp;id={a.uid}"' in html
    for name in ("title", "text", "due_date"):
        assert f'name="{name}"' in html
    client.force_login(people.analyst)
    assert "/challenges/new/" not in client.get(f"/facilities/{a.uid}/").content.decode()


def test_list_page_accessibility_basics(client, people, listed) -> None:
    client.force_login(people.analyst)
    html = get(client, "?sort=-workers")
    assert html.count("<h1") == 1
    for input_id in re.findall(r'<(?:input|select)[^>]* id="([^"]+)"', html):
        assert f'for="{input_id}"' in html, input_id
    assert 'aria-sort="descending"' in html
    assert "<caption>" in html and 'scope="col"' in html
    assert 'aria-current="page">Facilities<' in html


def export_names(response) -> list[str]:
    import csv
    import io

    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    return sorted(row[1] for row in rows[1:])  # OSH: country, name, …


def test_export_osh_csv_with_tiers_and_list_filters(client, people, listed) -> None:
    client.force_login(people.analyst)
    response = client.get("/facilities/export/?format=osh&type=csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    everything = ["Aurora Knit", "Bosphorus Denim", "Coimbatore Spinners", "Delta Weaving"]
    assert export_names(response) == everything  # all tiers, unknown included, by default
    assert export_names(client.get("/facilities/export/?format=osh&type=csv&tiers=1")) == everything[:2]
    assert export_names(client.get("/facilities/export/?format=osh&type=csv&publish=3&publish=unknown")) == [
        "Coimbatore Spinners",
        "Delta Weaving",
    ]
    # The list's filters travel with the export (facility type as facility_type: "type" is the file type).
    assert export_names(client.get("/facilities/export/?format=osh&type=csv&country=IN")) == everything[2:]
    assert export_names(client.get("/facilities/export/?format=osh&type=csv&facility_type=washing")) == [
        "Bosphorus Denim"
    ]
    html = get(client, "?type=washing")
    assert "/facilities/export/?format=osh&amp;type=csv&amp;facility_type=washing" in html


def test_export_xlsx_and_bad_requests(client, people, listed) -> None:
    import io

    from openpyxl import load_workbook

    client.force_login(people.ngo)
    response = client.get("/facilities/export/?format=odsas&type=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 5  # header + 4 facilities
    assert client.get("/facilities/export/?format=pdf&type=csv").status_code == 400
    assert client.get("/facilities/export/?format=osh&type=csv&tiers=7").status_code == 400
    assert client.get("/facilities/export/?format=osh&type=csv&publish_form=1").status_code == 400
    client.force_login(people.supplier)
    assert client.get("/facilities/export/?format=osh&type=csv").status_code == 403
