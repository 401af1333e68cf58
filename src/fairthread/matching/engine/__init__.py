"""The facility-matching engine (plain Python, no Django).

Public API:
- ``Registry(rows, model=None)`` — a registry prepared for linking; ``Registry.link(rows, thresholds=None)``
  -> ``LinkRun(results: list[MatchResult], pairs_compared, seconds)``.
- ``match_rows(inputs, registry, model=None, thresholds=None)`` — one-shot linking of two lists of rows.
- ``load_model(path=None)`` / ``MatchModel.save(path)`` — the versioned model file; ``train(registry)``.
- ``Thresholds(match, review, margin)``; decisions ``MATCH``, ``REVIEW``, ``NEW``; ``ENGINE_VERSION``.
- ``read_matching_csv(path)`` / ``write_results(path, rows)`` — the matching file format.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fairthread.matching.engine.csvio import read_matching_csv, write_results
from fairthread.matching.engine.linking import MATCH, NEW, REVIEW, Candidate, LinkRun, MatchResult, Registry
from fairthread.matching.engine.model import (
    DEFAULT_MODEL_PATH,
    ENGINE_VERSION,
    MatchModel,
    ModelError,
    Thresholds,
    load_model,
)
from fairthread.matching.engine.training import train


def match_rows(
    inputs: Iterable[Mapping[str, Any]],
    registry: Iterable[Mapping[str, Any]],
    model: MatchModel | None = None,
    thresholds: Thresholds | None = None,
) -> LinkRun:
    index = Registry(registry, model)
    try:
        return index.link(inputs, thresholds)
    finally:
        index.close()


__all__ = [
    "DEFAULT_MODEL_PATH", "ENGINE_VERSION", "MATCH", "NEW", "REVIEW", "Candidate", "LinkRun", "MatchModel",
    "MatchResult", "ModelError", "Registry", "Thresholds", "load_model", "match_rows", "read_matching_csv",
    "train", "write_results",
]
