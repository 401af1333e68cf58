"""Export: OS Hub / ODSAS rows, tier selection, formula neutralising, numbers kept numeric, round trip."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from fairthread.supplychain.exporting import (
    ODSAS_HEADER,
    OSH_HEADER,
    export_facilities,
    neutralise,
    to_csv_bytes,
    to_xlsx_bytes,
)
from fairthread.supplychain.importing import import_file
from fairthread.supplychain.models import Facility
from tests.factories import make_facility, make_link
from tests.import_support import db_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(people):
    t1 = make_facility(
        "=cmd|' /C calc'!A0",
        "BD",
        tier=1,
        lat=-23.5,
        lng=-46.25,
        workers_count=900,
        pct_female=Decimal("62.50"),
        address="+44 Road",
    )
    t2 = make_facility("@Mill", "IN", tier=2, lat=11.0, lng=77.0)
    t3 = make_facility("-Spinner", "TR", tier=3)
    unknown = make_facility("\tTabbed\rName", "PK")
    closed = make_facility("Plain Closed Factory", "VN", tier=1, status="closed")
    make_link(people.brand, t1, material="garments")
    return {"t1": t1, "t2": t2, "t3": t3, "unknown": unknown, "closed": closed}


def test_neutralise():
    assert [neutralise(v) for v in ["=1+1", "+1", "-1", "@a", "\tx", "\rx", "a=b", "", None, -3.5, 7]] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@a",
        "'\tx",
        "'\rx",
        "a=b",
        "",
        None,
        -3.5,
        7,
    ]


def test_osh_rows_default_includes_all_tiers_and_unknown(chain):
    rows = export_facilities(Facility.objects.all(), "osh", None, True)
    assert rows[0] == OSH_HEADER
    names = {r[1] for r in rows[1:]}
    assert names == {"'=cmd|' /C calc'!A0", "'@Mill", "'-Spinner", "'\tTabbed\rName", "Plain Closed Factory"}
    t1 = next(r for r in rows if r[1].startswith("'=cmd"))
    assert t1[0] == "Bangladesh"
    assert t1[2] == "'+44 Road"
    assert t1[3] == -23.5 and t1[4] == -46.25  # numbers stay numbers
    assert t1[9] == 900
    closed = next(r for r in rows if r[1] == "Plain Closed Factory")
    assert closed[12] == "true"


def test_tier_selection(chain):
    def names(tiers, unknown):
        return {r[1] for r in export_facilities(Facility.objects.all(), "osh", tiers, unknown)[1:]}

    assert names({1, 2}, False) == {"'=cmd|' /C calc'!A0", "'@Mill", "Plain Closed Factory"}
    assert names({3}, True) == {"'-Spinner", "'\tTabbed\rName"}
    assert names(None, False) == {"'=cmd|' /C calc'!A0", "'@Mill", "'-Spinner", "Plain Closed Factory"}


def test_odsas_rows(chain):
    rows = export_facilities(Facility.objects.all(), "odsas", {1}, False)
    assert rows[0] == ODSAS_HEADER
    t1 = next(r for r in rows if r[0].startswith("'=cmd"))
    assert t1[3] == "Northwind Fashion"  # the brand it supplies
    assert t1[6] == "Bangladesh"
    assert t1[7] == 900
    assert t1[9] == 62.5
    assert (t1[10], t1[11]) == (-46.25, -23.5)  # longitude, latitude columns in ODSAS order


def test_csv_numbers_unquoted_and_text_neutralised(chain):
    data = to_csv_bytes(export_facilities(Facility.objects.filter(tier=1), "osh", None, True))
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    line = next(x for x in text.splitlines() if "calc" in x)
    assert ",-23.5,-46.25," in line  # bare numbers, not "'-23.5" and not quoted
    assert "\"'=cmd|' /C calc'!A0\"" in line or "'=cmd|' /C calc'!A0" in line
    rows = list(csv.reader(io.StringIO(text)))
    assert all(
        not cell.startswith(("=", "+", "-", "@", "\t", "\r")) or cell.lstrip("-").replace(".", "").isdigit()
        for row in rows
        for cell in row
    )


def test_xlsx_numeric_cells_and_text_cells(chain):
    data = to_xlsx_bytes(export_facilities(Facility.objects.all(), "osh", None, True))
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=2))
    t1 = next(r for r in rows if str(r[1].value).startswith("'=cmd"))
    assert t1[1].data_type == "s"
    assert t1[3].data_type == "n" and t1[3].value == -23.5
    assert t1[4].data_type == "n" and t1[4].value == -46.25
    assert t1[9].value == 900
    # No cell anywhere is a formula.
    assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_roundtrip_export_then_import_adds_no_facility(chain, kind):
    rows = export_facilities(Facility.objects.all(), "osh", None, True)
    data = to_csv_bytes(rows) if kind == "csv" else to_xlsx_bytes(rows)
    before = db_counts()
    result = import_file(data, filename=f"export.{kind}", by=None)
    assert result.ok, result.errors
    assert result.created == 0
    assert db_counts()[0] == before[0]
    # Names come back exactly as stored, including the ones that were neutralised on the way out.
    assert Facility.objects.filter(name="=cmd|' /C calc'!A0").count() == 1


def test_roundtrip_real_list(people):
    from tests.import_support import DATA

    assert import_file(DATA / "oar_lists" / "6.csv", filename="6.csv", by=None).ok
    count = Facility.objects.count()
    for kind, data in (("csv", to_csv_bytes), ("xlsx", to_xlsx_bytes)):
        result = import_file(
            data(export_facilities(Facility.objects.all(), "osh", None, True)), filename=f"x.{kind}", by=None
        )
        assert result.ok, result.errors
        assert (result.created, result.updated) == (0, 0)
    assert Facility.objects.count() == count
