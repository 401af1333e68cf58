"""`fairthread importfacilities` and `fairthread exportfacilities`: output and exit codes 0 / 1 / 2."""

from __future__ import annotations

import csv

import pytest

from fairthread.supplychain.models import Facility, FacilitySource
from tests.import_support import DATA, OAR_LISTS, csv_bytes, db_counts, run_cli

pytestmark = pytest.mark.django_db(transaction=True)  # the command closes connections when it ends


def test_import_real_list_prints_counts_and_reimport_creates_nothing(capsys):
    path = OAR_LISTS[0]  # 2.csv: 83 rows, 3 exact duplicates, 1 near-duplicate
    code, out, err = run_cli(["importfacilities", str(path)], capsys)
    assert code == 0, err
    assert "created: 79  updated: 0  unchanged: 0  links created: 0" in out
    assert "warning: rows 36 and 52 are identical; imported once" in err
    code, out, _ = run_cli(["importfacilities", str(path)], capsys)
    assert code == 0
    assert "created: 0  updated: 0  unchanged: 79" in out


def test_import_with_organisation_records_provenance(people, capsys):
    path = DATA / "oar_lists" / "12.csv"
    code, _, err = run_cli(["importfacilities", str(path), "--organisation", "northwind fashion"], capsys)
    assert code == 0, err
    assert set(FacilitySource.objects.values_list("organisation__name", flat=True)) == {"Northwind Fashion"}


def test_unknown_organisation_exits_1_listing_names(people, capsys):
    code, _, err = run_cli(["importfacilities", str(OAR_LISTS[1]), "--organisation", "Nobody Ltd"], capsys)
    assert code == 1
    assert "No organisation named 'Nobody Ltd'" in err
    assert "Northwind Fashion" in err and "Other Mills" in err
    assert Facility.objects.count() == 0


def test_validation_errors_exit_1_print_each_and_write_nothing(tmp_path, capsys):
    path = tmp_path / "bad.csv"
    path.write_bytes(
        csv_bytes(
            [
                ["country", "name", "address", "lat", "lng"],
                ["BD", "Good", "Road 1", "1", "2"],
                ["Bangldesh", "Bad", "Road 2", "95", "2"],
            ]
        )
    )
    code, out, err = run_cli(["importfacilities", str(path)], capsys)
    assert code == 1
    assert "row 2, column 'country': unknown country 'Bangldesh' — did you mean 'Bangladesh'?" in err
    assert "row 2, column 'lat': latitude must be between -90 and 90, got 95" in err
    assert "2 problems found in bad.csv; nothing was imported." in err
    assert "Traceback" not in err
    assert db_counts() == (0, 0, 0)


@pytest.mark.parametrize("content", [b"", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x00" * 20])
def test_empty_and_binary_files_exit_1(tmp_path, capsys, content):
    path = tmp_path / "list.csv"
    path.write_bytes(content)
    code, _, err = run_cli(["importfacilities", str(path)], capsys)
    assert code == 1
    assert "The file is empty (0 bytes)." in err or "The file is not a CSV or XLSX file" in err
    assert db_counts() == (0, 0, 0)


def test_dry_run_writes_nothing(capsys):
    code, out, _ = run_cli(["importfacilities", str(OAR_LISTS[2]), "--dry-run"], capsys)
    assert code == 0
    assert "Dry run: nothing was written." in out
    assert Facility.objects.count() == 0


def test_wrong_usage_exits_2(capsys):
    assert run_cli(["importfacilities"], capsys)[0] == 2
    assert run_cli(["importfacilities", "x.csv", "--format", "excel"], capsys)[0] == 2
    assert run_cli(["exportfacilities", "out.csv"], capsys)[0] == 2  # --format is required


def test_missing_file_exits_1(tmp_path, capsys):
    code, _, err = run_cli(["importfacilities", str(tmp_path / "nope.csv")], capsys)
    assert code == 1
    assert "No such file" in err


def test_forced_format(tmp_path, capsys):
    path = tmp_path / "list.csv"
    path.write_bytes(csv_bytes([["name", "country"], ["Mill", "BD"]]))
    code, _, err = run_cli(["importfacilities", str(path), "--format", "osh"], capsys)
    assert code == 1
    assert "Required column 'address' is missing" in err
    assert run_cli(["importfacilities", str(path), "--format", "fairthread"], capsys)[0] == 0


def test_export_csv_and_tiers(tmp_path, capsys):
    assert run_cli(["importfacilities", str(DATA / "oar_lists" / "3.csv")], capsys)[0] == 0
    Facility.objects.filter(name__startswith="D").update(tier=1)
    tier1 = set(Facility.objects.filter(tier=1).values_list("name", flat=True))
    out = tmp_path / "list.csv"
    code, stdout, _ = run_cli(["exportfacilities", str(out), "--format", "osh", "--tiers", "1"], capsys)
    assert code == 0
    with out.open(encoding="utf-8-sig", newline="") as fh:
        names = {row["name"] for row in csv.DictReader(fh)}
    assert names == tier1 and names
    assert f"Wrote {len(tier1)} facilities" in stdout
    all_out = tmp_path / "all.xlsx"
    assert run_cli(["exportfacilities", str(all_out), "--format", "odsas"], capsys)[0] == 0
    assert all_out.read_bytes().startswith(b"PK")


def test_export_bad_extension_and_bad_tiers_exit_1(tmp_path, capsys):
    code, _, err = run_cli(["exportfacilities", str(tmp_path / "list.txt"), "--format", "osh"], capsys)
    assert code == 1
    assert "name it .csv or .xlsx" in err
    code, _, err = run_cli(
        ["exportfacilities", str(tmp_path / "l.csv"), "--format", "osh", "--tiers", "1,x"], capsys
    )
    assert code == 1
    assert "'x' is not a tier" in err
