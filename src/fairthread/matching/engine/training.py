"""Training the model offline: u from random sampling, m from labelled pairs generated from the registry.

The labelled pairs are generated from real registry records (``variants.variant``): each sampled registry
facility is written again as another list would write it, and that pair is a known match. u-probabilities
come from Splink's random sampling of registry × generated-upload pairs (almost all non-matches).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import random
from collections.abc import Mapping, Sequence
from typing import Any

from fairthread.matching.engine import variants
from fairthread.matching.engine.model import (
    ENGINE_VERSION,
    PARENT_PRIOR_M,
    PARENT_PRIOR_U,
    MatchModel,
    Thresholds,
    base_settings,
)
from fairthread.matching.engine.records import prepare_table

# The chance that a registry facility and an upload row in the same country are the same facility, before
# looking at them. About 1 in 1,000: an upload that overlaps a registry of a
# few thousand facilities per country.
PRIOR = 1e-3


def generate_training_pairs(
    registry: Sequence[Mapping[str, Any]], seed: int, per_record: float = 1.0
) -> tuple[list[dict[str, str]], list[tuple[str, str]]]:
    """(upload rows, [(registry id, upload id)] known matches), deterministic for a seed."""
    rng = random.Random(seed)
    count = min(len(registry), max(1, int(len(registry) * per_record)))
    picks = rng.sample(range(len(registry)), k=count)
    rows: list[dict[str, str]] = []
    labels: list[tuple[str, str]] = []
    for n, index in enumerate(picks):
        record = registry[index]
        row = variants.variant(record, f"t{n}", rng)
        rows.append(row)
        labels.append((str(record["id"]), row["id"]))
    return rows, labels


def _fingerprint(registry: Sequence[Mapping[str, Any]]) -> str:
    digest = hashlib.sha256()
    for record in registry:
        digest.update("\x1f".join(str(record.get(k) or "") for k in ("id", "name", "address", "country")).encode())
    return digest.hexdigest()[:16]


def train(
    registry: Sequence[Mapping[str, Any]],
    *,
    seed: int = 20240601,
    thresholds: Thresholds | None = None,
    u_pairs: float = 2e6,
    source: str = "",
) -> MatchModel:
    from splink import DuckDBAPI, Linker

    from fairthread.matching.engine.linking import Registry, _blocking_sql

    rows, labels = generate_training_pairs(registry, seed)
    settings = base_settings()
    settings["probability_two_random_records_match"] = PRIOR
    # The same prepared tables and blocking keys as at prediction time.
    index = Registry(registry, MatchModel(splink=settings, version="untrained"))
    con = index.con
    con.register("inp_arrow", prepare_table(rows, "input"))
    _x(con, "CREATE TABLE upload_prepared AS SELECT * FROM inp_arrow")
    _x(con, _blocking_sql("upload_prepared", "upload"))
    db_api = DuckDBAPI(connection=con)
    reg_sdf = db_api.register("registry")
    inp_sdf = db_api.register("upload")
    linker = Linker([reg_sdf, inp_sdf], settings, log_level=logging.WARNING)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    _x(con, "CREATE TABLE labels (source_dataset_l VARCHAR, unique_id_l VARCHAR, "
                "source_dataset_r VARCHAR, unique_id_r VARCHAR)")
    con.executemany("INSERT INTO labels VALUES ('registry', ?, 'input', ?)", labels).fetchall()
    linker.training.estimate_m_from_pairwise_labels("labels")
    trained = linker.misc.save_model_to_json()
    _smooth_unseen_levels(trained, len(labels))
    _set_parent_prior(trained)
    trained["probability_two_random_records_match"] = PRIOR
    con.close()
    body = json.dumps(trained, sort_keys=True).encode()
    version = f"{ENGINE_VERSION}-{hashlib.sha256(body).hexdigest()[:10]}"
    return MatchModel(
        splink=trained,
        version=version,
        thresholds=thresholds or Thresholds(),
        training={
            "trained_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "registry_records": len(registry),
            "registry_fingerprint": _fingerprint(registry),
            "registry_source": source,
            "labelled_pairs": len(labels),
            "seed": seed,
            "u": f"random sampling, {int(u_pairs):,} pairs",
            "m": "from labelled pairs generated from the registry (fairthread.matching.engine.variants)",
            "parent_company_m": "set by hand (public lists rarely carry a parent company)",
        },
    )


def _x(con: Any, sql: str) -> None:
    con.execute(sql).fetchall()


def _smooth_unseen_levels(settings: dict[str, Any], labelled: int) -> None:
    """A level no labelled pair reached (e.g. coordinates 10 km apart) gets m = half a pair's worth instead of
    no value, so that it counts as strong evidence against rather than as nothing."""
    floor = 0.5 / max(labelled, 1)
    for comparison in settings["comparisons"]:
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        if not any(lv.get("m_probability") for lv in levels):
            continue
        for level in levels:
            if not level.get("m_probability"):
                level["m_probability"] = floor
        total = sum(lv["m_probability"] for lv in levels)
        for level in levels:
            level["m_probability"] = level["m_probability"] / total


def _set_parent_prior(settings: dict[str, Any]) -> None:
    for comparison in settings["comparisons"]:
        if comparison["output_column_name"] != "parent_company":
            continue
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for level, m, u in zip(levels, PARENT_PRIOR_M, PARENT_PRIOR_U, strict=True):
            level["m_probability"] = m
            level["u_probability"] = u
