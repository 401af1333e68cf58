"""The matching engine: legal forms, industrial-park neighbours, blocking, the shipped model, no Django."""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from fairthread.matching import engine
from fairthread.matching.engine import MATCH, Registry, load_model, match_rows
from fairthread.matching.engine.text import name_parts
from fairthread.matching.engine.variants import variant
from tests.matching.conftest import PARK, REGISTRY

ENGINE_DIR = Path(engine.__file__).parent


def test_legal_forms_are_removed_from_names():
    assert name_parts("Quanzhou Xinxing Footwear Co., Ltd.") == ("quanzhou xinxing footwear", "Co., Ltd.")
    assert name_parts("Mercury Apparel (Pvt) Ltd")[0] == "mercury apparel"
    assert name_parts("PT. Sri Rejeki Isman Tbk")[0] == "sri rejeki isman"
    # Han characters: the legal form 有限公司 goes, the rest reads in pinyin, one syllable per character, except
    # the words of the trade, read as one word as a Latin list writes them ("Xieye", shoe industry).
    assert name_parts("泉州新兴鞋业有限公司") == ("quan zhou xin xing xieye", "有限公司")


def test_legal_form_variant_matches_and_says_why():
    run = match_rows([{"id": "I1", "name": "Mercury Apparel Pvt. Limited", "address": "Ashulia, Savar",
                       "country": "BD"}], REGISTRY)
    result = run.results[0]
    assert (result.decision, result.matched_id, result.method) == (MATCH, "R1", "model")
    assert result.model_version == load_model().version
    assert any(e.startswith("names equal after removing legal form") for e in result.explanation)
    # "Ashulia" and "Savar" name areas of Bangladesh (engine.areas): the partial address lies within the full one.
    assert "one address is within the other ('ashulia', 'savar') (for)" in result.explanation
    assert result.explanation[-1] == "same country"


def test_native_script_name_matches_its_romanised_registry_record():
    run = match_rows([{"id": "I1", "name": "Xinxing Footwear", "native_name": "泉州新兴鞋业有限公司",
                       "address": "Wuyi Industrial Zone", "country": "CN"}], REGISTRY)
    assert (run.results[0].decision, run.results[0].matched_id) == (MATCH, "R3")


def test_different_facility_in_the_same_industrial_park_is_not_auto_matched():
    # Same plot as Mercury Apparel (R1), same trade word, a different distinctive name.
    run = match_rows([{"id": "I1", "name": "Saturn Apparel Co., Ltd.", "address": PARK, "country": "BD"}], REGISTRY)
    assert run.results[0].decision != MATCH


def test_another_country_is_never_a_candidate():
    run = match_rows([{"id": "I1", "name": "Mercury Apparel Co., Ltd.", "address": PARK, "country": "LK"}], REGISTRY)
    assert (run.results[0].decision, run.results[0].matched_id, run.results[0].score) == ("new", "", 0.0)


def test_blocking_keeps_compared_pairs_far_below_all_pairs(real_registry):
    rng = random.Random(7)
    sources = rng.sample(real_registry, 40)
    upload = [variant(r, f"u{n}", rng) for n, r in enumerate(sources)]
    index = Registry(real_registry)
    run = index.link(upload)
    index.close()
    all_pairs = len(upload) * len(real_registry)  # 40 × 1,958 = 78,320
    assert 0 < run.pairs_compared <= all_pairs // 100
    # ... and the blocks still hold the right record for most of them.
    found = sum(1 for r, s in zip(run.results, sources, strict=True) if r.decision == MATCH and r.matched_id == s["id"])
    assert found >= 30


def test_prepared_registry_is_reopened_from_its_file(tmp_path):
    database = tmp_path / "registry.duckdb"
    Registry(REGISTRY, database=database).close()
    index = Registry.open(database)
    run = index.link([{"id": "I1", "name": "Orient Denim Mills Ltd", "address": "Road 12, Gazipur", "country": "BD"}])
    index.close()
    assert (run.results[0].decision, run.results[0].matched_id) == (MATCH, "R4")


def test_shipped_model_loads_without_training(monkeypatch):
    from splink.internals.linker_components.training import LinkerTraining

    def refuse(*args, **kwargs):
        raise AssertionError("the model must not be trained on use")

    for name in ("estimate_u_using_random_sampling", "estimate_m_from_pairwise_labels",
                 "estimate_parameters_using_expectation_maximisation"):
        monkeypatch.setattr(LinkerTraining, name, refuse)
    model = load_model()
    assert re.fullmatch(r"\d+\.\d+-[0-9a-f]{10}", model.version)
    levels = [lv for c in model.splink["comparisons"] for lv in c["comparison_levels"] if not lv.get("is_null_level")]
    assert all("u_probability" in lv for lv in levels if lv["sql_condition"] != "ELSE")
    run = match_rows([{"id": "I1", "name": "Orient Denim Mills", "address": "Gazipur", "country": "BD"}],
                     REGISTRY, model)
    assert run.results[0].matched_id == "R4"


def test_missing_model_file_gives_a_clear_message(tmp_path):
    with pytest.raises(engine.ModelError, match="run `fairthread trainmatcher`"):
        load_model(tmp_path / "nope.json")


def test_engine_imports_no_django():
    offenders = []
    for path in ENGINE_DIR.rglob("*.py"):
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"\s*(from|import)\s+(django|fairthread\.\w+\.models)\b", line):
                offenders.append(f"{path.name}: {line.strip()}")
    assert offenders == []
