"""fairthread assessrisk: summary, the --output CSV format (exact), identical files, exit codes."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fairthread.risk.models import AssessmentRun
from tests.risk.services_support import make_chain

pytestmark = pytest.mark.django_db
COLUMNS = "facility_ref,name,country,tier,severity,likelihood,priority_rank,band,exposure,explanation"


@pytest.fixture
def chain(people):
    return make_chain(people)


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("assessrisk", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_prints_facilities_per_band_and_top_critical_areas(chain):
    out, err = _run()
    run = AssessmentRun.objects.get()
    assert f"Assessment run #{run.pk}: 6 facilities, methodology 1.0" in out
    counts = {band: int(n.replace(",", "")) for band, n in re.findall(r"^  (critical|high|medium|low)\s+([\d,]+)$",
                                                                       out, re.M)}
    assert set(counts) == {"critical", "high", "medium", "low"} and sum(counts.values()) == 6
    assert counts["critical"] >= 3  # the Xinjiang-exposed chain: yarn, fabric mill, CMT unit
    assert "Top critical areas" in out and re.search(r"^   1\. BD tier \d", out, re.M)
    assert err == ""  # no progress bar when stderr is not a terminal


def test_output_csv_has_the_exact_columns_rounding_and_order(chain, tmp_path):
    path = tmp_path / "risk.csv"
    out, _ = _run("--output", str(path))
    assert f"Wrote 6 facilities to {path}." in out
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0] == COLUMNS
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 6
    assert [int(r["priority_rank"]) for r in rows] == [1, 2, 3, 4, 5, 6]
    refs = {r["facility_ref"] for r in rows}
    assert refs == {"NW-001", "NW-002", "NW-003", "NW-004", "NW-005", "NW-006"}
    for r in rows:
        for name in ("severity", "likelihood", "exposure"):
            value = float(r[name])
            assert 0 <= value <= 1
            assert re.fullmatch(r"\d(\.\d{1,4})?", r[name]), (name, r[name])  # at most 4 decimals
        assert r["band"] in {"low", "medium", "high", "critical"}
        assert r["explanation"]
    # Severity first, then likelihood, then facility_ref.
    keys = [(-float(r["severity"]), -float(r["likelihood"]), r["facility_ref"]) for r in rows]
    assert keys == sorted(keys)
    by_ref = {r["facility_ref"]: r for r in rows}
    assert by_ref["NW-003"]["name"] == "Jiangsu Yarn" and by_ref["NW-003"]["country"] == "CN"
    assert by_ref["NW-003"]["tier"] == "3" and by_ref["NW-001"]["tier"] == "1"
    assert by_ref["NW-003"]["band"] == "critical"


def test_facility_ref_falls_back_to_the_uid(chain, tmp_path):
    chain.braga.brand_ref = None
    chain.braga.save()
    path = tmp_path / "risk.csv"
    _run("--output", str(path))
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    assert str(chain.braga.uid) in {r["facility_ref"] for r in rows}


def test_two_runs_over_unchanged_data_write_identical_files(chain, tmp_path):
    _run("--output", str(tmp_path / "a.csv"))
    _run("--output", str(tmp_path / "b.csv"))
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()
    assert AssessmentRun.objects.count() == 2


def test_unknown_methodology_exits_1_and_lists_the_versions(chain):
    with pytest.raises(CommandError) as exc:
        _run("--methodology", "7.3")
    assert exc.value.returncode == 1
    assert "No methodology version '7.3'. Versions: 1.0." in str(exc.value)
    assert not AssessmentRun.objects.exists()


def test_a_named_methodology_version_is_used(chain, tmp_path):
    out, _ = _run("--methodology", "1.0")
    assert "methodology 1.0" in out


def test_output_must_be_a_csv_file(chain, tmp_path):
    with pytest.raises(CommandError) as exc:
        _run("--output", str(tmp_path / "risk.xlsx"))
    assert exc.value.returncode == 2
    assert not AssessmentRun.objects.exists()

