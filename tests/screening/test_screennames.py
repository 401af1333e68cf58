"""`fairthread screennames INPUT --list LIST --output OUT`: the exact output format and the exit codes."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.import_support import run_cli

LIST = ("id,name,aliases,country,address,list,effective_date\n"
        "zt,\"Xinjiang Zhongtai Chemical Co., Ltd.\",,CN,,UFLPA Entity List,\n"
        "jg,\"Xinjiang Junggar Cotton and Linen Co., Ltd.\",,CN,,CBP WRO,2021-11-02\n")


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_one_row_per_input_row_in_order(tmp_path, capsys):
    names = write(tmp_path / "in.csv", "id,name,country,address\n"
                                       "f1,Xinjiang Zhongtai Chemical Company Limited,CN,\n"
                                       "f2,新疆中泰化学股份有限公司,China,\n"
                                       "f3,Acme Buttons,GB,\n"
                                       "f4,Zhongtai Chem.,,\n")
    out = tmp_path / "out.csv"
    code, stdout, err = run_cli(["screennames", str(names), "--list", str(write(tmp_path / "l.csv", LIST)),
                                 "--output", str(out)], capsys)
    assert code == 0, err
    assert "Screened 4 names against 2 list entities" in stdout
    with open(out, encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["input_id", "decision", "entity_id", "score"]
    assert rows[1] == ["f1", "hit", "zt", "1"]
    assert rows[2] == ["f2", "hit", "zt", "1"]
    assert rows[3] == ["f3", "clear", "", "0"]  # no list name shares a word with it: no candidate
    assert rows[4][:3] == ["f4", "review", "zt"] or rows[4][:3] == ["f4", "hit", "zt"]
    assert 0 < float(rows[4][3]) <= 1
    assert len(rows) == 5


def test_several_lists_and_the_cbp_format(tmp_path, capsys):
    names = write(tmp_path / "in.csv", "id,name,country\nf1,HOSHINE SILICON INDUSTRY CO LTD,CN\n")
    cbp = Path(__file__).resolve().parents[2] / "src/fairthread/screening/data/cbp_wro_findings_active.csv"
    out = tmp_path / "out.csv"
    code, _, err = run_cli(["screennames", str(names), "--list", str(cbp), "--format", "cbp",
                            "--output", str(out)], capsys)
    assert code == 0, err
    row = out.read_text(encoding="utf-8").splitlines()[1].split(",")
    assert row[:2] == ["f1", "hit"] and row[2].startswith("cbp-") and row[3] == "1"


def test_invalid_input_exits_1_and_lists_every_problem(tmp_path, capsys):
    names = write(tmp_path / "in.csv", "id,name,country\nf1,,CN\nf1,Acme,Narnia\n")
    out = tmp_path / "out.csv"
    code, _, err = run_cli(["screennames", str(names), "--list", str(write(tmp_path / "l.csv", LIST)),
                            "--output", str(out)], capsys)
    assert code == 1
    assert "in.csv: row 1, column 'name': empty (nothing to screen)" in err
    assert "in.csv: row 2, column 'id': 'f1' is already used on row 1" in err
    assert "in.csv: row 2, column 'country': unknown country 'Narnia'" in err
    assert "Traceback" not in err
    assert not out.exists()


def test_invalid_list_exits_1(tmp_path, capsys):
    names = write(tmp_path / "in.csv", "id,name,country\nf1,Acme,CN\n")
    bad = write(tmp_path / "bad.csv", "id,name,country\nx,,CN\n")
    code, _, err = run_cli(["screennames", str(names), "--list", str(bad), "--output", str(tmp_path / "o.csv")],
                           capsys)
    assert code == 1
    assert "bad.csv: row 1, column 'name': empty (every entity needs a name)" in err


def test_missing_input_column_exits_1(tmp_path, capsys):
    names = write(tmp_path / "in.csv", "id,name\nf1,Acme\n")
    code, _, err = run_cli(["screennames", str(names), "--list", str(write(tmp_path / "l.csv", LIST)),
                            "--output", str(tmp_path / "o.csv")], capsys)
    assert code == 1
    assert "missing column 'country'" in err


def test_usage_errors_exit_2(tmp_path, capsys):
    names = write(tmp_path / "in.csv", "id,name,country\nf1,Acme,CN\n")
    code, _, err = run_cli(["screennames", str(names), "--output", str(tmp_path / "o.csv")], capsys)
    assert code == 2
    assert "--list" in err
    code, _, _ = run_cli(["screennames", str(names), "--list", "x.csv", "--format", "xml",
                          "--output", str(tmp_path / "o.csv")], capsys)
    assert code == 2
