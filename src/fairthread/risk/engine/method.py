"""The methodology document: the shipped default, validation in words, and the diff of two versions."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

BAND_NAMES = ("low", "medium", "high", "critical")
# Per-facility values a severity rule may test (see docs/methodology.md, "Severity").
SIGNALS = (
    "country_points", "commodity_points", "input_commodity_points", "state_imposed_points", "exposure_points",
    "workforce_points", "evidence_points", "data_gap_points", "state_imposed", "exposure",
    "state_imposed_exposure", "workers_count", "pct_migrant", "pct_agency", "dormitory", "recruitment_agents",
    "strong_findings", "medium_findings", "grievances", "screening_hits",
)
# factor -> {key: (low, high)}: every weight and threshold the engine reads, with its allowed range.
FACTOR_KEYS: dict[str, dict[str, tuple[float, float]]] = {
    "country": {"max_points": (0, 100), "saturation_per_1000": (0.001, 1000), "unknown_points": (0, 100)},
    "commodity": {"forced_labour_points": (0, 100), "child_labour_points": (0, 100)},
    "input_commodity": {"forced_labour_points": (0, 100), "child_labour_points": (0, 100)},
    "state_imposed": {"located_points": (0, 100), "sourcing_points": (0, 100)},
    "exposure": {"max_points": (0, 100), "high_risk_min_local_likelihood": (0, 1), "max_iterations": (1, 1000)},
    "workforce": {"migrant_points": (0, 100), "agency_points": (0, 100), "dormitory_points": (0, 100),
                  "recruitment_agents_points": (0, 100), "cap": (0, 100)},
    "evidence": {"strong_finding_points": (0, 100), "medium_finding_points": (0, 100),
                 "grievance_points": (0, 100), "screening_hit_points": (0, 100), "cap": (0, 100)},
    "data_gap": {"unknown_workforce_fraction": (0, 1), "unmapped_upstream_points": (0, 100),
                 "unmapped_upstream_max_tier": (1, 4), "cap": (0, 100)},
}
_INTEGER_KEYS = {"max_iterations", "unmapped_upstream_max_tier"}

DEFAULT_PATH = Path(__file__).with_name("default_methodology.json")
DEFAULT_METHODOLOGY: dict[str, Any] = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))


def default_methodology() -> dict[str, Any]:
    """A fresh copy of the shipped default (safe to edit)."""
    return copy.deepcopy(DEFAULT_METHODOLOGY)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _check_number(problems: list[str], path: str, value: object, low: float, high: float,
                  integer: bool = False) -> None:
    if value is None:
        problems.append(f"{path} is missing.")
    elif not _is_number(value) or (integer and int(value) != value):
        kind = "a whole number" if integer else "a number"
        problems.append(f"{path} must be {kind} (got {value!r}).")
    elif not low <= value <= high:
        problems.append(f"{path} must be between {low:g} and {high:g} (got {value:g}).")


def _check_rules(problems: list[str], path: str, section: object) -> None:
    if not isinstance(section, dict):
        problems.append(f"{path} is missing.")
        return
    _check_number(problems, f"{path}.base", section.get("base"), 1, 5, integer=True)
    rules = section.get("rules")
    if not isinstance(rules, list):
        problems.append(f"{path}.rules must be a list of rules.")
        return
    for i, rule in enumerate(rules):
        where = f"{path}.rules.{i}"
        if not isinstance(rule, dict):
            problems.append(f"{where} must be a rule with level, signal and min.")
            continue
        _check_number(problems, f"{where}.level", rule.get("level"), 1, 5, integer=True)
        if rule.get("signal") not in SIGNALS:
            problems.append(f"{where}.signal {rule.get('signal')!r} is not a known signal "
                            f"(one of: {', '.join(SIGNALS)}).")
        _check_number(problems, f"{where}.min", rule.get("min"), -1e12, 1e12)


def validate_methodology(m: dict[str, Any]) -> list[str]:
    """Every problem with a methodology document, in words; an empty list when it is valid."""
    if not isinstance(m, dict):
        return ["The methodology must be a JSON object."]
    problems: list[str] = []
    for key in ("version", "author", "change_note", "description"):
        if not isinstance(m.get(key), str) or not m.get(key, "").strip():
            problems.append(f"{key} is missing (it must be a non-empty text).")
    likelihood = m.get("likelihood")
    _check_number(problems, "likelihood.cap_points",
                  likelihood.get("cap_points") if isinstance(likelihood, dict) else None, 1, 1000)
    factors = m.get("factors")
    if not isinstance(factors, dict):
        problems.append("factors is missing.")
        factors = {}
    for factor, keys in FACTOR_KEYS.items():
        section = factors.get(factor)
        if not isinstance(section, dict):
            problems.append(f"factors.{factor} is missing.")
            continue
        for key, (low, high) in keys.items():
            _check_number(problems, f"factors.{factor}.{key}", section.get(key), low, high,
                          integer=key in _INTEGER_KEYS)
    severity = m.get("severity")
    if not isinstance(severity, dict):
        problems.append("severity is missing.")
        severity = {}
    _check_number(problems, "severity.max_weight", severity.get("max_weight"), 0, 1)
    _check_rules(problems, "severity.scale", severity.get("scale"))
    _check_rules(problems, "severity.irremediability", severity.get("irremediability"))
    scope = severity.get("scope")
    if not isinstance(scope, dict):
        problems.append("severity.scope is missing.")
    else:
        thresholds = scope.get("worker_thresholds")
        if (not isinstance(thresholds, list) or len(thresholds) != 4
                or not all(_is_number(t) and t > 0 for t in thresholds)):
            problems.append("severity.scope.worker_thresholds must be four positive worker counts "
                            "(the lower bounds of scope levels 2 to 5).")
        elif any(b <= a for a, b in zip(thresholds, thresholds[1:], strict=False)):
            problems.append(f"severity.scope.worker_thresholds must increase (got {thresholds}).")
        _check_number(problems, "severity.scope.unknown_level", scope.get("unknown_level"), 1, 5, integer=True)
    if severity.get("irremediable_band") not in BAND_NAMES:
        problems.append(f"severity.irremediable_band must be one of {', '.join(BAND_NAMES)} "
                        f"(got {severity.get('irremediable_band')!r}).")
    problems.extend(_band_problems(m.get("bands")))
    explanation = m.get("explanation", {"max_factors": 3})
    _check_number(problems, "explanation.max_factors",
                  explanation.get("max_factors") if isinstance(explanation, dict) else None, 1, 10, integer=True)
    return problems


def _band_problems(bands: object) -> list[str]:
    if not isinstance(bands, list) or [b.get("name") if isinstance(b, dict) else None for b in bands] != list(
            BAND_NAMES):
        return [f"bands must list exactly {', '.join(BAND_NAMES)}, in that order, each with min_likelihood and "
                "min_severity."]
    problems: list[str] = []
    for b in bands:
        for key in ("min_likelihood", "min_severity"):
            _check_number(problems, f"bands.{b['name']}.{key}", b.get(key), 0, 1)
    if problems:
        return problems
    if bands[0]["min_likelihood"] != 0 or bands[0]["min_severity"] != 0:
        problems.append("bands.low must start at 0 likelihood and 0 severity, so every facility has a band.")
    for lower, upper in zip(bands, bands[1:], strict=False):
        if upper["min_likelihood"] <= lower["min_likelihood"]:
            problems.append(f"bands must increase: {upper['name']} needs a higher min_likelihood than "
                            f"{lower['name']} (got {upper['min_likelihood']:g} after {lower['min_likelihood']:g}).")
        if upper["min_severity"] < lower["min_severity"]:
            problems.append(f"bands must not decrease: {upper['name']} has a lower min_severity than "
                            f"{lower['name']} (got {upper['min_severity']:g} after {lower['min_severity']:g}).")
    return problems


def _flatten(value: object, prefix: str, out: dict[str, object]) -> None:
    if isinstance(value, dict):
        for key in value:
            _flatten(value[key], f"{prefix}.{key}" if prefix else str(key), out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, item in enumerate(value):
            # bands are named: show "bands.high.min_likelihood" rather than an index
            label = item.get("name") if isinstance(item.get("name"), str) else str(i)
            _flatten(item, f"{prefix}.{label}", out)
    else:
        out[prefix] = value


def diff_methodologies(a: dict[str, Any], b: dict[str, Any]) -> list[tuple[str, object, object]]:
    """Every value that differs between two methodology documents: (dotted path, before, after), by path.

    A key present on one side only shows None on the other.
    """
    fa: dict[str, object] = {}
    fb: dict[str, object] = {}
    _flatten(a, "", fa)
    _flatten(b, "", fb)
    changes = []
    for path in sorted(set(fa) | set(fb)):
        before, after = fa.get(path), fb.get(path)
        if before != after or (path in fa) != (path in fb):
            changes.append((path, before, after))
    return changes
