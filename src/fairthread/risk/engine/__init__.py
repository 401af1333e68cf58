"""fairthread's forced-labour risk engine: plain Python on DuckDB, no Django.

``run(tables, methodology, subset=..., boundary=...)`` scores every facility (severity, likelihood, band,
exposure, contributions and a one-sentence explanation) and aggregates the critical areas; the method is
the ``methodology`` document (see docs/methodology.md and ``default_methodology.json``).
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from fairthread.risk.engine.core import BOUNDARY, BOUNDARY_OPTIONAL, TABLES, LazyResults, execute, sentence
from fairthread.risk.engine.method import (
    DEFAULT_METHODOLOGY,
    SIGNALS,
    default_methodology,
    diff_methodologies,
    validate_methodology,
)
from fairthread.risk.engine.schema import Contribution, CriticalArea, EngineRun, FacilityResult

ENGINE_VERSION = "1.0"

__all__ = [
    "BOUNDARY", "BOUNDARY_OPTIONAL", "DEFAULT_METHODOLOGY", "ENGINE_VERSION", "SIGNALS", "TABLES", "Contribution",
    "CriticalArea", "EngineRun", "FacilityResult", "LazyResults", "default_methodology", "diff_methodologies",
    "explain", "run", "validate_methodology",
]


def run(tables: dict[str, pa.Table], methodology: dict[str, Any], *, subset: set[int] | None = None,
        boundary: pa.Table | None = None, memory_limit: str | None = None,
        spill_directory: str | None = None) -> EngineRun:
    """Assess the facilities in ``tables`` with ``methodology``.

    ``tables`` is keyed 'facilities', 'links', 'evidence', 'country_prevalence', 'listed_goods',
    'good_mapping', 'high_risk_regions', 'ilo_indicators' (missing ones count as empty). With ``subset``, only
    those facility ids are assessed (an edited facility and everything downstream of it): ``facilities`` must
    then hold the subset and their direct suppliers, ``links`` the links into and out of the subset, and
    ``boundary`` the previous results (see ``BOUNDARY``; the previous run's ``table`` has every column) of the
    suppliers outside the subset. ``priority_rank`` and the critical areas then cover the subset only.
    ``memory_limit`` (DuckDB syntax, e.g. "3GB") caps the engine's working memory; beyond it DuckDB spills to
    ``spill_directory`` (default: its own temporary directory) instead of growing.
    Raises ValueError with the problems in words when the methodology or a table is not valid.
    """
    return execute(tables, methodology, subset=subset, boundary=boundary, memory_limit=memory_limit,
                   spill_directory=spill_directory)


def explain(result: FacilityResult, max_factors: int | None = None) -> str:
    """The one-sentence explanation of a result (the same sentence the engine stored in ``explanation``)."""
    limit = max_factors if max_factors is not None else DEFAULT_METHODOLOGY.get("explanation", {}).get(
        "max_factors", 3)
    return sentence(result.band, result.contributions, limit)
