"""The fairthread format: links to BRAND and between rows, declared origins, derived tiers, provenance,
idempotent re-import, audit, the access policy and the background task."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings

from fairthread.audit.models import AuditEvent
from fairthread.supplychain.import_templates import template_bytes
from fairthread.supplychain.importing import enqueue_import, import_file
from fairthread.supplychain.models import Facility, FacilitySource, ImportBatch, SourcingLink
from tests.import_support import csv_bytes, db_counts

pytestmark = pytest.mark.django_db

HEADER = [
    "facility_ref",
    "name",
    "country",
    "region",
    "address",
    "facility_type",
    "organisation",
    "tier",
    "supplies",
    "material",
    "volume_share",
    "origin_material",
    "origin_country",
    "origin_region",
    "pct_migrant",
    "dormitory",
]
CHAIN = [
    HEADER,
    [
        "CMT-1",
        "Gazipur Garments",
        "Bangladesh",
        "Dhaka",
        "Road 1",
        "CMT",
        "Gazipur Group",
        "",
        "BRAND",
        "garments",
        "60",
        "",
        "",
        "",
        "12",
        "no",
    ],
    [
        "MILL-1",
        "Narayanganj Knit",
        "BD",
        "",
        "Road 2",
        "knitting",
        "",
        "",
        "CMT-1",
        "cotton",
        "100",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        "SPIN-1",
        "Tiruppur Spinning",
        "India",
        "Tamil Nadu",
        "Road 3",
        "spinning mill",
        "",
        "",
        "MILL-1",
        "yarn",
        "70",
        "cotton",
        "IN",
        "Gujarat",
        "35",
        "yes",
    ],
    # The same spinner supplies a second buyer: a second row for the same facility_ref, same facility data.
    [
        "SPIN-1",
        "Tiruppur Spinning",
        "India",
        "Tamil Nadu",
        "Road 3",
        "spinning mill",
        "",
        "",
        "CMT-1",
        "yarn",
        "",
        "",
        "",
        "",
        "35",
        "yes",
    ],
    ["FARM-9", "Unlinked Farm", "Uzbekistan", "", "", "farm", "", "4", "", "", "", "", "", "", "", ""],
]


def run(rows=CHAIN, **kwargs):
    return import_file(csv_bytes(rows), filename="chain.csv", by=kwargs.pop("by", None), **kwargs)


def test_links_origins_and_derived_tiers(people):
    result = run(organisation=people.brand)
    assert result.ok, result.errors
    assert result.file_format == "fairthread"
    assert (result.created, result.updated, result.unchanged) == (4, 0, 0)
    # CMT-1→BRAND, MILL-1→CMT-1, SPIN-1→MILL-1, SPIN-1→CMT-1, and SPIN-1's declared cotton origin.
    assert result.links_created == 5
    tiers = dict(Facility.objects.values_list("brand_ref", "tier"))
    assert tiers == {"CMT-1": 1, "MILL-1": 2, "SPIN-1": 2, "FARM-9": 4}
    brand_link = SourcingLink.objects.get(brand=people.brand)
    assert (brand_link.supplier.brand_ref, brand_link.material, brand_link.volume_share) == (
        "CMT-1",
        "garments",
        Decimal("60.00"),
    )
    origin = SourcingLink.objects.get(supplier__isnull=True)
    assert (origin.buyer.brand_ref, origin.material, origin.origin_country, origin.origin_region) == (
        "SPIN-1",
        "cotton",
        "IN",
        "Gujarat",
    )
    spin = Facility.objects.get(brand_ref="SPIN-1")
    assert (spin.country, spin.region, spin.facility_type, spin.pct_migrant, spin.dormitory) == (
        "IN",
        "Tamil Nadu",
        "spinning",
        Decimal("35.00"),
        True,
    )
    cmt = Facility.objects.get(brand_ref="CMT-1")
    assert cmt.organisation.name == "Gazipur Group"
    assert cmt.organisation.kind == "supplier"
    assert cmt.facility_type == "final product assembly"


def test_reimport_is_idempotent(people):
    assert run(organisation=people.brand).ok
    counts = db_counts()
    again = run(organisation=people.brand)
    assert again.ok
    assert (again.created, again.updated, again.unchanged, again.links_created) == (0, 0, 4, 0)
    assert db_counts() == counts


def test_provenance_rows_and_no_duplicates_on_reimport(people):
    first = run(organisation=people.brand)
    sources = FacilitySource.objects.filter(facility__brand_ref="SPIN-1").order_by("row_number")
    assert [s.row_number for s in sources] == [3, 4]
    assert all(s.batch_id == first.batch.pk and s.organisation_id == people.brand.pk for s in sources)
    assert sources[0].values["region"] == "Tamil Nadu"
    assert sources[0].values["pct_migrant"] == "35.00"
    assert "supplies" not in sources[0].values
    count = FacilitySource.objects.count()
    run(organisation=people.brand)
    assert FacilitySource.objects.count() == count


def test_update_changes_values_and_is_audited(people):
    run(organisation=people.brand)
    rows = [r[:] for r in CHAIN]
    rows[1][14] = "20"  # CMT-1 pct_migrant 12 -> 20
    result = run(rows, organisation=people.brand)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 3)
    cmt = Facility.objects.get(brand_ref="CMT-1")
    assert cmt.pct_migrant == Decimal("20.00")
    event = AuditEvent.objects.get(action="facility.update")
    assert event.object_id == str(cmt.pk)
    assert event.before == {"pct_migrant": "12.00"}
    assert event.after == {"pct_migrant": "20.00"}
    assert FacilitySource.objects.filter(facility=cmt).count() == 2


def test_audit_events_for_creates_and_the_import(people):
    result = run(by=people.analyst)
    assert result.ok
    assert AuditEvent.objects.filter(action="facility.create").count() == 4
    apply_event = AuditEvent.objects.get(action="import.apply")
    assert apply_event.actor == people.analyst
    assert apply_event.object_id == str(result.batch.pk)
    assert apply_event.after["created"] == 4
    assert apply_event.after["links_created"] == 5
    assert AuditEvent.objects.filter(action="organisation.create", object_repr="Gazipur Group").exists()


def test_brand_is_the_users_brand_when_no_organisation_given(people):
    assert run(by=people.analyst).ok
    assert SourcingLink.objects.get(brand__isnull=False).brand == people.brand


def test_policy_only_users_who_may_run_imports(people):
    with pytest.raises(PermissionDenied):
        run(by=people.supplier)
    with pytest.raises(PermissionDenied):
        run(by=people.ngo)
    assert db_counts() == (0, 0, 0)


def test_supplies_may_name_a_stored_facility(people):
    assert run(organisation=people.brand).ok
    rows = [
        ["facility_ref", "name", "country", "supplies", "material"],
        ["GIN-1", "Lebap Gin", "Turkmenistan", "SPIN-1", "cotton"],
    ]
    result = run(rows, organisation=people.brand)
    assert result.ok, result.errors
    link = SourcingLink.objects.get(supplier__brand_ref="GIN-1")
    assert link.buyer.brand_ref == "SPIN-1"
    assert Facility.objects.get(brand_ref="GIN-1").tier == 3


def test_brand_without_brand_organisation_is_an_error():
    rows = [["facility_ref", "name", "country", "supplies"], ["A", "Alpha", "BD", "BRAND"]]
    result = run(rows)
    assert not result.ok
    assert result.errors[0].startswith("row 1, column 'supplies': BRAND names the brand, but no brand")


def test_conflicting_volume_shares(people):
    rows = [
        HEADER,
        CHAIN[1],
        [
            "MILL-1",
            "Narayanganj Knit",
            "BD",
            "",
            "Road 2",
            "",
            "",
            "",
            "CMT-1",
            "cotton",
            "100",
            "",
            "",
            "",
            "",
            "",
        ],
        [
            "MILL-1",
            "Narayanganj Knit",
            "BD",
            "",
            "Road 2",
            "",
            "",
            "",
            "CMT-1",
            "cotton",
            "50",
            "",
            "",
            "",
            "",
            "",
        ],
    ]
    result = run(rows, organisation=people.brand)
    assert not result.ok
    assert result.errors == [
        "rows 2 and 3 declare the same link with different volume shares in column "
        "'volume_share' (100.00 and 50.00)"
    ]


def test_self_supply_and_origin_without_country(people):
    rows = [
        ["facility_ref", "name", "country", "supplies", "origin_material"],
        ["A", "Alpha", "BD", "A", "cotton"],
    ]
    result = run(rows, organisation=people.brand)
    assert set(result.errors) == {
        "row 1, column 'supplies': a facility cannot supply itself",
        "row 1, column 'origin_country': is empty; a declared origin needs a country (origin_material and "
        "origin_region describe it)",
    }


def test_names_with_formula_characters_are_stored_as_given(people):
    rows = [
        ["facility_ref", "name", "country"],
        ["A", '=HYPERLINK("x")', "BD"],
        ["B", "-Dash Mill", "IN"],
        ["C", "@home", "PK"],
    ]
    assert run(rows).ok
    assert set(Facility.objects.values_list("name", flat=True)) == {'=HYPERLINK("x")', "-Dash Mill", "@home"}


def test_template_imports_as_fairthread_format():
    csv_template = template_bytes("csv")
    result = import_file(csv_template, filename="t.csv", by=None)
    assert result.file_format == "fairthread"
    assert result.errors == ["The file has a header row but no data rows."]
    xlsx = import_file(template_bytes("xlsx"), filename="t.xlsx", by=None)
    assert xlsx.file_format == "fairthread"
    assert xlsx.errors == ["The file has a header row but no data rows."]


def test_enqueue_import_runs_the_task_and_stores_the_upload(people, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        batch = enqueue_import(csv_bytes(CHAIN), "chain.csv", people.analyst, people.brand, "auto", False)
    assert batch.status == ImportBatch.Status.SUCCEEDED
    assert (batch.created, batch.links_created, batch.rows_total, batch.rows_done) == (4, 5, 5, 5)
    assert batch.stored_path.startswith(str(tmp_path))
    assert (tmp_path / batch.stored_path.rsplit("/", 1)[1]).read_bytes() == csv_bytes(CHAIN)
    assert Facility.objects.count() == 4


def test_enqueue_import_dry_run_and_failure_are_recorded(people, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        dry = enqueue_import(csv_bytes(CHAIN), "chain.csv", people.analyst, None, "auto", True)
        bad = enqueue_import(b"", "empty.csv", people.analyst, None, "auto", False)
    assert dry.status == ImportBatch.Status.SUCCEEDED
    assert dry.created == 4
    assert bad.status == ImportBatch.Status.FAILED
    assert bad.errors == ["The file is empty (0 bytes)."]
    assert Facility.objects.count() == 0


def test_enqueue_import_checks_the_policy(people, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path), pytest.raises(PermissionDenied):
        enqueue_import(csv_bytes(CHAIN), "chain.csv", people.supplier, None, "auto", False)
    assert ImportBatch.objects.count() == 0
