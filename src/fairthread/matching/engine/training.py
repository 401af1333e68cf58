# ruff: noqa: S608 -- SQL is built from the engine's own table names and integers.
"""Training the model offline: u from random sampling, m from labelled pairs (generated and real).

Two kinds of labelled match pairs:
- *generated* from real registry records: each sampled registry facility written again as another list would
  write it — half with the edits of ``variants.variant`` (legal forms, abbreviations, spacing and letter noise,
  Han characters, word order, partial addresses), half with ``variants.real_variant`` (how real contributor
  lists differ: group names, units, city in the name, addresses with or without street, town, postcode or
  country, "Rd." / "Ind. Area");
- *real*: the same facility as two real sources wrote it, mined from real lists (``engine.mining``; shipped as
  ``models/real_pairs.csv``, training part only).
m-probabilities are estimated from each kind separately and mixed (``REAL_PAIR_SHARE`` for the real pairs);
u-probabilities come from Splink's random sampling of registry × upload pairs (almost all non-matches).
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
from fairthread.matching.engine.areas import BACKGROUND_MIN, BACKGROUND_SHARE, background_area_words
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
# How much the real pairs count in the m-probabilities, against the generated ones. The real pairs are few
# (tens) and mined with rules that keep only confident pairs (so they under-represent very different
# spellings); the generated pairs are many but synthetic. Chosen before any measurement, not tuned.
REAL_PAIR_SHARE = 0.3


def generate_training_pairs(
    registry: Sequence[Mapping[str, Any]], seed: int, per_record: float = 1.0
) -> tuple[list[dict[str, str]], list[tuple[str, str]]]:
    """(upload rows, [(registry id, upload id)] known matches), deterministic for a seed."""
    from fairthread.matching.engine.text import country_display_name

    rng = random.Random(seed)
    count = min(len(registry), max(1, int(len(registry) * per_record)))
    picks = rng.sample(range(len(registry)), k=count)
    pool = sorted({w for r in registry for w in variants.distinctive_words(str(r["name"]))})
    rows: list[dict[str, str]] = []
    labels: list[tuple[str, str]] = []
    for n, index in enumerate(picks):
        record = registry[index]
        if n % 2 == 0:
            row = variants.variant(record, f"t{n}", rng)
        else:
            row = variants.real_variant(record, f"t{n}", rng, pool, country_display_name(str(record["country"])))
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
    real_pairs: Sequence[tuple[Mapping[str, Any], Mapping[str, Any]]] = (),
    real_pairs_source: str = "",
) -> MatchModel:
    """``real_pairs``: (record, record) pairs known to be the same facility, as two real sources wrote it."""
    from splink import DuckDBAPI, Linker

    from fairthread.matching.engine.linking import Registry, _blocking_sql

    rows, labels = generate_training_pairs(registry, seed)
    reg_rows = list(registry)
    real_labels: list[tuple[str, str]] = []
    for n, (left, right) in enumerate(real_pairs):
        reg_rows.append({**right, "id": f"real-r{n}"})
        rows.append({**left, "id": f"real-l{n}"})
        real_labels.append((f"real-r{n}", f"real-l{n}"))
    settings = base_settings()
    settings["probability_two_random_records_match"] = PRIOR
    area_words = background_area_words(registry)
    # The same prepared tables and blocking keys as at prediction time.
    index = Registry(reg_rows, MatchModel(splink=settings, version="untrained", area_words=area_words))
    con = index.con
    con.register("inp_arrow", prepare_table(rows, "input", index.places))
    _x(con, "CREATE TABLE upload_prepared AS SELECT * FROM inp_arrow")
    _x(con, _blocking_sql("upload_prepared", "upload"))
    db_api = DuckDBAPI(connection=con)
    reg_sdf = db_api.register("registry")
    inp_sdf = db_api.register("upload")
    linker = Linker([reg_sdf, inp_sdf], json.loads(json.dumps(settings)), log_level=logging.WARNING)
    linker.training.estimate_u_using_random_sampling(max_pairs=u_pairs, seed=seed)
    trained = _m_from_labels(con, linker, "labels_generated", labels)
    _smooth_unseen_levels(trained, len(labels))
    # u within one country: the country is a hard block, so the pairs the model scores are always from one
    # country, where sharing a town's name or a province is far commoner than between any two records.
    same_country = _same_country_pairs(con, int(u_pairs), seed, labels + real_labels)
    if same_country:
        u_linker = Linker([reg_sdf, inp_sdf], json.loads(json.dumps(settings)), log_level=logging.WARNING)
        from_pairs = _m_from_labels(con, u_linker, "pairs_same_country", same_country)
        _set_u(trained, from_pairs, len(same_country))
    if real_labels:
        # A fresh linker, so that a level no real pair reached has no m value yet (then smoothed).
        real_linker = Linker([reg_sdf, inp_sdf], json.loads(json.dumps(settings)), log_level=logging.WARNING)
        from_real = _m_from_labels(con, real_linker, "labels_real", real_labels)
        _smooth_unseen_levels(from_real, len(real_labels))
        _mix_m(trained, from_real, REAL_PAIR_SHARE)
    _set_parent_prior(trained)
    trained["probability_two_random_records_match"] = PRIOR
    trained.pop("linker_uid", None)  # random per Splink linker: the version must depend on the parameters only
    con.close()
    body = json.dumps([trained, area_words], sort_keys=True).encode()
    version = f"{ENGINE_VERSION}-{hashlib.sha256(body).hexdigest()[:10]}"
    return MatchModel(
        splink=trained,
        version=version,
        thresholds=thresholds or Thresholds(),
        area_words=area_words,
        training={
            "trained_at": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat(),
            "registry_records": len(registry),
            "registry_fingerprint": _fingerprint(registry),
            "registry_source": source,
            "labelled_pairs": len(labels) + len(real_labels),
            "generated_pairs": len(labels),
            "real_pairs": len(real_labels),
            "real_pairs_source": real_pairs_source,
            "seed": seed,
            "u": (f"random pairs of registry and upload records in the same country ({len(same_country):,}; "
                  f"Splink random sampling over all pairs, {int(u_pairs):,}, for levels no such pair reached)"),
            "m": (f"from labelled pairs: generated from the registry (fairthread.matching.engine.variants) and "
                  f"real pairs mined from real lists (share {REAL_PAIR_SHARE})" if real_labels else
                  "from labelled pairs generated from the registry (fairthread.matching.engine.variants)"),
            "parent_company_m": "set by hand (public lists rarely carry a parent company)",
            "area_words": (f"address words used by at least {BACKGROUND_SHARE:.0%} of a country's training-registry "
                           f"facilities (at least {BACKGROUND_MIN}); ISO 3166-2 subdivision names are added at use"),
        },
    )


def _m_from_labels(con: Any, linker: Any, table: str, labels: Sequence[tuple[str, str]]) -> dict[str, Any]:
    _x(con, f"CREATE TABLE {table} (source_dataset_l VARCHAR, unique_id_l VARCHAR, "
            "source_dataset_r VARCHAR, unique_id_r VARCHAR)")
    con.executemany(f"INSERT INTO {table} VALUES ('registry', ?, 'input', ?)", labels).fetchall()
    linker.training.estimate_m_from_pairwise_labels(table)
    return linker.misc.save_model_to_json()


def _same_country_pairs(con: Any, limit: int, seed: int, exclude: Sequence[tuple[str, str]]
                        ) -> list[tuple[str, str]]:
    """Random (registry id, upload id) pairs of the same country, known matches left out (almost all others are
    different facilities)."""
    known = set(exclude)
    rows = con.execute(f"""
        SELECT r.unique_id, i.unique_id FROM registry r JOIN upload i ON r.country = i.country
        ORDER BY hash(r.unique_id || '|' || i.unique_id || '|' || {int(seed)}) LIMIT {int(limit)}""").fetchall()
    return [(str(a), str(b)) for a, b in rows if (str(a), str(b)) not in known]


def _set_u(settings: dict[str, Any], from_pairs: dict[str, Any], pairs: int) -> None:
    """u := the share of same-country pairs at each level; a level no such pair reached keeps the random-sampling
    u (rarer than one in ``pairs``), scaled so that the levels still sum to one."""
    for mine, theirs in zip(settings["comparisons"], from_pairs["comparisons"], strict=True):
        levels = [lv for lv in mine["comparison_levels"] if not lv.get("is_null_level")]
        others = [lv for lv in theirs["comparison_levels"] if not lv.get("is_null_level")]
        seen = [o.get("m_probability") for o in others]
        if not any(seen):
            continue
        unseen_total = sum(lv.get("u_probability") or 0 for lv, v in zip(levels, seen, strict=True) if not v)
        for level, value in zip(levels, seen, strict=True):
            if value:
                level["u_probability"] = value * (1 - unseen_total)
            elif not level.get("u_probability"):
                level["u_probability"] = 0.5 / pairs


def _mix_m(settings: dict[str, Any], other: dict[str, Any], share: float) -> None:
    """m := (1 - share) · m(settings) + share · m(other), level by level (parent company is set by hand)."""
    for mine, theirs in zip(settings["comparisons"], other["comparisons"], strict=True):
        levels = [lv for lv in mine["comparison_levels"] if not lv.get("is_null_level")]
        others = [lv for lv in theirs["comparison_levels"] if not lv.get("is_null_level")]
        if not all(lv.get("m_probability") for lv in levels + others):
            continue
        for level, other_level in zip(levels, others, strict=True):
            level["m_probability"] = (1 - share) * level["m_probability"] + share * other_level["m_probability"]


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
