"""`fairthread matchfacilities INPUT --against REGISTRY --output OUT`: the exact file format and exit codes."""

from __future__ import annotations

import csv

from tests.import_support import run_cli
from tests.matching.conftest import PARK, REGISTRY, write_csv


def test_output_has_one_row_per_input_in_the_exact_format(tmp_path, capsys):
    registry = write_csv(tmp_path / "registry.csv", REGISTRY)
    inputs = write_csv(tmp_path / "input.csv", [
        # Same facility, another legal form, country as a name: the deterministic pass matches it.
        {"id": "I1", "name": "MERCURY APPAREL LIMITED", "address": PARK, "country": "Bangladesh"},
        # Same OS ID as R3, however it is written.
        {"id": "I2", "name": "Xinxing Shoes", "address": "", "country": "CN", "os_id": "CN2019143ABCDE1"},
        # No registry facility in Peru at all.
        {"id": "I3", "name": "Andes Alpaca Knits", "address": "Av. Argentina 100, Lima", "country": "PE"},
    ])
    out = tmp_path / "out.csv"
    code, stdout, err = run_cli(["matchfacilities", str(inputs), "--against", str(registry), "--output", str(out)],
                                capsys)
    assert code == 0, err
    assert "3 rows against 5 registry facilities" in stdout
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "input_id,decision,matched_id,score"
    rows = list(csv.DictReader(lines))
    assert [r["input_id"] for r in rows] == ["I1", "I2", "I3"]
    assert [(r["decision"], r["matched_id"]) for r in rows] == [("match", "R1"), ("match", "R3"), ("new", "")]
    assert float(rows[0]["score"]) == 1.0 and float(rows[1]["score"]) == 1.0
    assert float(rows[2]["score"]) == 0.0


def test_invalid_rows_exit_1_and_name_row_and_column(tmp_path, capsys):
    registry = write_csv(tmp_path / "registry.csv", REGISTRY)
    inputs = write_csv(tmp_path / "input.csv", [
        {"id": "I1", "name": "Good Mill", "address": "Road 1", "country": "BD"},
        {"id": "I2", "name": "Bad Mill", "address": "Road 2", "country": "Atlantis"},
        {"id": "I1", "name": "", "address": "Road 3", "country": "BD"},
    ])
    out = tmp_path / "out.csv"
    code, _, err = run_cli(["matchfacilities", str(inputs), "--against", str(registry), "--output", str(out)], capsys)
    assert code == 1
    # Header is row 1, so the data rows are rows 2, 3 and 4.
    assert "row 3, column 'country': 'Atlantis' is not a known country" in err
    assert "row 4, column 'id': 'I1' already used on row 2" in err
    assert "row 4, column 'name': empty; every facility needs a name" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_missing_required_column_exits_1(tmp_path, capsys):
    registry = write_csv(tmp_path / "registry.csv", REGISTRY)
    inputs = write_csv(tmp_path / "input.csv", [{"id": "I1", "name": "Mill"}], columns=["id", "name"])
    code, _, err = run_cli(["matchfacilities", str(inputs), "--against", str(registry), "--output",
                            str(tmp_path / "o.csv")], capsys)
    assert code == 1
    assert "row 1, column 'address': missing required column" in err
    assert "row 1, column 'country': missing required column" in err


def test_usage_errors_exit_2(tmp_path, capsys):
    inputs = write_csv(tmp_path / "input.csv", REGISTRY)
    code, _, err = run_cli(["matchfacilities", str(inputs), "--output", str(tmp_path / "o.csv")], capsys)
    assert code == 2
    assert "--against" in err
    code, _, _ = run_cli(["matchfacilities", str(inputs), "--against", str(inputs), "--output",
                          str(tmp_path / "o.csv"), "--match-threshold", "1.5"], capsys)
    assert code == 2


def test_thresholds_are_configurable(tmp_path, capsys):
    registry = write_csv(tmp_path / "registry.csv", REGISTRY)
    # Not exact (partial address), so the model decides; its score is below 1.
    inputs = write_csv(tmp_path / "input.csv", [
        {"id": "I1", "name": "Mercury Apparel Pvt. Limited", "address": "Ashulia, Savar", "country": "BD"},
    ])
    out = tmp_path / "out.csv"
    code, _, err = run_cli(["matchfacilities", str(inputs), "--against", str(registry), "--output", str(out)], capsys)
    assert code == 0, err
    default = next(csv.DictReader(out.open(encoding="utf-8")))
    assert (default["decision"], default["matched_id"]) == ("match", "R1")
    code, _, err = run_cli(["matchfacilities", str(inputs), "--against", str(registry), "--output", str(out),
                            "--match-threshold", "1", "--review-threshold", "0"], capsys)
    assert code == 0, err
    strict = next(csv.DictReader(out.open(encoding="utf-8")))
    assert (strict["decision"], strict["matched_id"]) == ("review", "R1")
