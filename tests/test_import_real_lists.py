"""The 14 real Open Apparel Registry lists and the Open Supply Hub subset import cleanly and idempotently."""

from __future__ import annotations

import csv

import pytest

from fairthread.supplychain.importing import import_file
from fairthread.supplychain.models import Facility, FacilitySource, ImportBatch
from tests.import_support import DATA, OAR_LISTS, db_counts

pytestmark = pytest.mark.django_db


def test_there_are_fourteen_real_lists():
    assert len(OAR_LISTS) == 14


@pytest.mark.parametrize("path", OAR_LISTS, ids=lambda p: p.name)
def test_each_real_list_imports_cleanly_and_reimport_adds_nothing(path):
    with path.open(encoding="utf-8", newline="") as fh:
        data_rows = [r for r in list(csv.reader(fh))[1:] if any(c.strip() for c in r)]
    distinct = {tuple(c.strip() for c in r) for r in data_rows}

    first = import_file(path, filename=path.name, by=None)
    assert first.ok, first.errors
    assert first.errors == []
    assert first.file_format == "osh"
    assert first.rows == len(data_rows)
    # Exact duplicate rows are merged; anything else becomes a facility (created, or found again).
    assert 0 < first.created + first.unchanged + first.updated <= len(distinct)
    assert Facility.objects.count() == first.created
    counts = db_counts()

    again = import_file(path, filename=path.name, by=None)
    assert again.ok, again.errors
    assert (again.created, again.updated, again.links_created) == (0, 0, 0)
    assert again.unchanged == first.created + first.unchanged + first.updated
    assert db_counts() == counts  # no new facility, link or provenance row


def test_duplicate_rows_in_real_list_2_are_merged_with_a_warning():
    path = DATA / "oar_lists" / "2.csv"
    result = import_file(path, filename="2.csv", by=None)
    assert result.ok
    # Rows 36/52, 42/71 and 44/60 of 2.csv are byte-identical (checked by reading the file).
    for pair in (
        "rows 36 and 52 are identical; imported once",
        "rows 42 and 71 are identical; imported once",
        "rows 44 and 60 are identical; imported once",
    ):
        assert pair in result.warnings
    # 83 rows - 3 identical - 1 pair (rows 2 and 82) that differs only by a stray character in the address.
    assert result.created == 79


def test_all_lists_then_osh_subset_import_and_reimport_creates_nothing():
    for path in OAR_LISTS:
        assert import_file(path, filename=path.name, by=None).ok
    osh = DATA / "osh_facilities_subset.csv"
    result = import_file(osh, filename=osh.name, by=None)
    assert result.ok, result.errors[:5]
    assert result.file_format == "osh"
    assert result.rows == 1958
    assert any("source_query" in w for w in result.warnings)  # the one unknown column, warned once
    assert sum("source_query" in w for w in result.warnings) == 1
    # Every os_id of the subset is now stored.
    with osh.open(encoding="utf-8", newline="") as fh:
        os_ids = {row["os_id"] for row in csv.DictReader(fh)}
    assert set(Facility.objects.exclude(os_id=None).values_list("os_id", flat=True)) == os_ids
    counts = db_counts()
    for path in [*OAR_LISTS, osh]:
        again = import_file(path, filename=path.name, by=None)
        assert again.ok
        assert again.created == 0
    assert db_counts()[0] == counts[0]


def test_osh_subset_values_are_read_from_the_right_columns():
    osh = DATA / "osh_facilities_subset.csv"
    assert import_file(osh, filename=osh.name, by=None).ok
    # First data row of the file: AR20190858G1BP6, DER WILL S.A., lon -58.62727150000001, lat -34.4938049.
    f = Facility.objects.get(os_id="AR20190858G1BP6")
    assert f.name == "DER WILL S.A."
    assert f.country == "AR"
    assert f.lng == pytest.approx(-58.6272715)
    assert f.lat == pytest.approx(-34.4938049)


def test_batch_and_provenance_are_recorded():
    path = DATA / "oar_lists" / "12.csv"
    result = import_file(path, filename="12.csv", by=None)
    batch = ImportBatch.objects.get(pk=result.batch.pk)
    assert batch.status == ImportBatch.Status.SUCCEEDED
    assert batch.filename == "12.csv"
    assert batch.file_format == "osh"
    assert len(batch.sha256) == 64
    assert (batch.rows_total, batch.rows_done, batch.created) == (15, 15, 15)
    # 12.csv row 1: Peru, "Bergman Riveria - Serflex S.A.C.",
    # "Av Universitaria 3855 - San Martin De Porres Lima"
    source = FacilitySource.objects.get(facility__name="Bergman Riveria - Serflex S.A.C.")
    assert source.batch_id == batch.pk
    assert source.row_number == 1
    assert source.values == {
        "country": "PE",
        "name": "Bergman Riveria - Serflex S.A.C.",
        "address": "Av Universitaria 3855 - San Martin De Porres Lima",
    }
