"""The methodology document: validation in words, the diff, and the engine's independence from Django."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

import fairthread.risk.engine as engine
from fairthread.risk.engine import (
    DEFAULT_METHODOLOGY,
    default_methodology,
    diff_methodologies,
    run,
    validate_methodology,
)
from tests.risk.engine_tables import facility, link, tables

ENGINE_DIR = Path(engine.__file__).parent


def test_the_shipped_default_is_valid_and_is_the_json_file() -> None:
    assert validate_methodology(DEFAULT_METHODOLOGY) == []
    assert json.loads((ENGINE_DIR / "default_methodology.json").read_text()) == DEFAULT_METHODOLOGY
    for key in ("version", "author", "change_note", "description", "factors", "severity", "bands"):
        assert key in DEFAULT_METHODOLOGY
    assert isinstance(engine.ENGINE_VERSION, str) and engine.ENGINE_VERSION


def test_missing_keys_are_reported_in_words() -> None:
    m = default_methodology()
    del m["author"]
    del m["factors"]["workforce"]["migrant_points"]
    del m["factors"]["evidence"]
    problems = validate_methodology(m)
    assert "author is missing (it must be a non-empty text)." in problems
    assert "factors.workforce.migrant_points is missing." in problems
    assert "factors.evidence is missing." in problems


def test_weights_out_of_range_are_reported() -> None:
    m = default_methodology()
    m["factors"]["country"]["max_points"] = 150
    m["factors"]["data_gap"]["unknown_workforce_fraction"] = -0.1
    m["factors"]["commodity"]["forced_labour_points"] = "twenty"
    problems = validate_methodology(m)
    assert "factors.country.max_points must be between 0 and 100 (got 150)." in problems
    assert "factors.data_gap.unknown_workforce_fraction must be between 0 and 1 (got -0.1)." in problems
    assert "factors.commodity.forced_labour_points must be a number (got 'twenty')." in problems


def test_bands_that_do_not_increase_are_reported() -> None:
    m = default_methodology()
    m["bands"][2]["min_likelihood"] = 0.2  # high below medium (0.25)
    problems = validate_methodology(m)
    assert any(p.startswith("bands must increase: high needs a higher min_likelihood than medium") for p in problems)
    m = default_methodology()
    m["bands"] = m["bands"][:3]
    assert validate_methodology(m)[0].startswith("bands must list exactly low, medium, high, critical")


def test_unknown_severity_signal_and_bad_scope_are_reported() -> None:
    m = default_methodology()
    m["severity"]["scale"]["rules"][0]["signal"] = "facility_name"
    m["severity"]["scope"]["worker_thresholds"] = [100, 50, 2000, 10000]
    problems = validate_methodology(m)
    assert any("severity.scale.rules.0.signal 'facility_name' is not a known signal" in p for p in problems)
    assert "severity.scope.worker_thresholds must increase (got [100, 50, 2000, 10000])." in problems


def test_run_refuses_an_invalid_methodology() -> None:
    m = default_methodology()
    m["factors"]["country"]["max_points"] = -1
    t = tables([facility(1, "A", "IN", "", 1, "", 10, 0, 0, False, False)], [link(1, None, 1, "cotton", 100)])
    with pytest.raises(ValueError, match="factors.country.max_points must be between 0 and 100"):
        run(t, m)


def test_diff_lists_every_changed_value_by_path() -> None:
    a, b = default_methodology(), default_methodology()
    assert diff_methodologies(a, b) == []
    b["bands"][3]["min_likelihood"] = 0.75
    b["severity"]["max_weight"] = 1.0
    b["factors"]["evidence"]["new_weight"] = 3
    assert diff_methodologies(a, b) == [
        ("bands.critical.min_likelihood", 0.7, 0.75),
        ("factors.evidence.new_weight", None, 3),
        ("severity.max_weight", 0.75, 1.0),
    ]


def test_no_weight_or_place_is_written_in_the_engine_code() -> None:
    # The method is data: no country, region or facility appears in the engine's code.
    code = " ".join((ENGINE_DIR / name).read_text() for name in ("__init__.py", "core.py", "method.py"))
    for name in ("Xinjiang", "'CN'", "'IN'", "Tamil Nadu", "Leicester", "Mauritius", "Turkmenistan", "Bangladesh"):
        assert name not in code


def test_the_engine_imports_no_django() -> None:
    for path in ENGINE_DIR.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n == "django" or n.startswith("django.") for n in names), f"{path.name} imports {names}"


def test_evidence_and_state_imposed_location_raise_the_score() -> None:
    facs = [facility(1, "XJ", "CN", "Xinjiang", 3, "spinning", 300, 0, 0, False, False),
            facility(2, "EV", "PT", "Norte", 1, "final product assembly", 50, 0, 0, False, False)]
    links = [link(1, None, 2, "cotton", 50), link(2, None, 1, "cotton", 50), link(3, 1, None, "cotton", 100, "CN",
                                                                                 "Xinjiang"),
             link(4, 2, None, "cotton", 100, "GR", "")]
    evidence = [{"facility_id": 2, "kind": "audit_finding", "indicator": "DebtBondage", "status": "open", "count": 1},
                {"facility_id": 2, "kind": "grievance", "indicator": "", "status": "open", "count": 2},
                {"facility_id": 2, "kind": "audit_finding", "indicator": "Isolation", "status": "closed", "count": 5}]
    res = {r.facility_ref: r for r in run(tables(facs, links, evidence), DEFAULT_METHODOLOGY).results}
    xj = res["XJ"]
    assert xj.irremediable and xj.band == "critical"
    assert xj.contributions[0].factor == "state_imposed" and xj.contributions[0].points == 50
    assert "located in Xinjiang Uyghur Autonomous Region" in xj.explanation
    ev = next(c for c in res["EV"].contributions if c.factor == "evidence")
    # one open strong finding (15) + two open grievances (2 × 5); the closed finding counts nothing
    assert ev.points == 25
    assert "Debt bondage" in ev.input_value
    assert res["EV"].scale == 4  # an open finding on a strong ILO indicator


def test_memory_limit_and_spill_directory_reach_duckdb(tmp_path) -> None:
    import duckdb

    from fairthread.risk.engine.core import execute
    from tests.risk.test_engine_golden import tamil_nadu

    con = duckdb.connect(":memory:")
    out = execute(tamil_nadu(), DEFAULT_METHODOLOGY, con=con, memory_limit="256MB", spill_directory=str(tmp_path))
    assert len(out.results) == 2
    # DuckDB reports 256 MB as 244.1 MiB
    assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "244.1 MiB"
    assert con.execute("SELECT current_setting('temp_directory')").fetchone()[0] == str(tmp_path)
