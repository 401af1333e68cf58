"""The Splink model: comparisons, blocking rules, the versioned model file (save / load).

The model file is JSON: ``{"fairthread_model": {...version, thresholds, training...}, "splink": {...}}``;
the ``splink`` part is a plain Splink 5 settings dict with trained m/u values, so the same file can be loaded
by Splink on another backend (see docs/operations.md). Comparisons are written in DuckDB SQL.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENGINE_VERSION = "2.2"
MODEL_FORMAT = 2
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "facility_matcher.json"

# A name word used by more than this share of the registry's facilities in a country (at least 5 of them)
# is common there, not distinctive.
COMMON_WORD_SHARE = 0.02
# The same for address words and numbers: a district, a province or a postcode shared by more than this share
# of a country's registry facilities (at least 5) says little about which building it is.
COMMON_ADDRESS_SHARE = 0.02
# Blocking keys rarer than this in the registry's country (e.g. a name token shared by ≤ 100 registry
# facilities) are used; commoner ones ("garments") would compare every input with half a country.
BLOCK_KEY_CAP = 100


@dataclass(frozen=True)
class Thresholds:
    """match: best candidate's probability ≥ match and at least ``margin`` match-weight above the runner-up;
    review: ≥ review; new: below review (or no candidate)."""

    match: float = 0.9
    review: float = 0.5
    margin: float = 2.0

    def __post_init__(self) -> None:
        if not (0.0 <= self.review <= self.match <= 1.0):
            raise ValueError("thresholds must satisfy 0 ≤ review ≤ match ≤ 1")
        if self.margin < 0:
            raise ValueError("the margin must not be negative")


def _jaccard(col: str) -> str:
    return (f"(len(list_intersect({col}_l, {col}_r)) / "
            f"greatest(len(list_distinct(list_concat({col}_l, {col}_r))), 1)::double)")


def _overlap(col: str) -> str:
    return (f"(len(list_intersect({col}_l, {col}_r)) / "
            f"greatest(least(len({col}_l), len({col}_r)), 1)::double)")


def _jw(a: str, b: str) -> str:
    return f"coalesce(jaro_winkler_similarity({a}, {b}), 0)"


_KM = ("(2 * 6371 * asin(sqrt(pow(sin(radians(lat_r - lat_l) / 2), 2) + cos(radians(lat_l)) * "
       "cos(radians(lat_r)) * pow(sin(radians(lng_r - lng_l) / 2), 2))))")
_ALT_JW = (f"greatest({_jw('alt_key_l', 'name_key_r')}, {_jw('name_key_l', 'alt_key_r')}, "
           f"{_jw('alt_key_l', 'alt_key_r')})")


def _level(sql: str, label: str, *, null: bool = False, tf: str | None = None) -> dict[str, Any]:
    level: dict[str, Any] = {"sql_condition": sql, "label_for_charts": label}
    if null:
        level["is_null_level"] = True
    if tf:
        level["tf_adjustment_column"] = tf
        level["tf_adjustment_weight"] = 1.0
    return level


# Address words of the left record with an equal word (numbers; a lone one- or two-digit number is left to the
# address-numbers comparison) or a word spelled alike (Jaro–Winkler ≥ 0.92, words of five letters or more) in the
# right record's.
_ADDR_SHARED = (
    "len(list_filter(coalesce(addr_core_l, []), lambda x: (list_contains(addr_core_r, x) AND "
    "NOT regexp_matches(x, '^[0-9]{1,2}$')) OR (length(x) >= 5 AND "
    "len(list_filter(coalesce(addr_core_r, []), lambda y: length(y) >= 5 AND jaro_winkler_similarity(x, y) >= 0.92)) "
    "> 0)))"
)
_ADDR_JACCARD = (f"({_ADDR_SHARED} / greatest(len(list_distinct(list_concat(addr_core_l, addr_core_r))) - "
                 f"{_ADDR_SHARED} + len(list_filter(list_intersect(addr_core_l, addr_core_r), "
                 f"lambda x: NOT regexp_matches(x, '^[0-9]{{1,2}}$'))), 1)::double)")
# The shared address numbers tell which site only when there are two of them or one has three characters or more:
# two addresses in one country share a lone "3" or "12" by chance far more often than "2366" or "28" and "29".
_SHARED_NUMBERS = "list_intersect(addr_core_numbers_l, addr_core_numbers_r)"
_NUMBERS_TELL = (f"(len({_SHARED_NUMBERS}) >= 2 OR "
                 f"len(list_filter({_SHARED_NUMBERS}, lambda x: length(x) >= 3)) >= 1)")
_CORE_KEY_JW = _jw("array_to_string(name_core_l, '')", "array_to_string(name_core_r, '')")
_SORTED_JW = _jw("name_sorted_l", "name_sorted_r")

_CORES = "coalesce(len(name_core_l), 0) > 0 AND coalesce(len(name_core_r), 0) > 0"
# Names that share only trade words are not similar: "Thanh Hoa Textile and Garment" / "Giang Stock Textile and
# Garment", two companies of one industrial zone. When both names have words besides the trade words, one of them
# must be shared or the two sets spelled alike.
_SPECIFIC_AGREE = (
    "(coalesce(len(name_specific_l), 0) = 0 OR coalesce(len(name_specific_r), 0) = 0 "
    "OR len(list_intersect(name_specific_l, name_specific_r)) >= 1 OR "
    + _jw("array_to_string(list_sort(name_specific_l), ' ')", "array_to_string(list_sort(name_specific_r), ' ')")
    + " >= 0.8)"
)

COMPARISONS: list[dict[str, Any]] = [
    {
        # One comparison for the name and its distinctive words (the name's specific words that are not common in
        # the registry's country: used by more than 2 % of its facilities, at least 5), because they are one piece
        # of evidence: neighbours in one industrial park share "Sportswear Ltd", not their distinctive word, so
        # "similar names, different distinctive words" is its own level (and counts against).
        "output_column_name": "name",
        "comparison_description": "name without legal form, and its distinctive words",
        "comparison_levels": [
            _level("name_key_l IS NULL OR name_key_r IS NULL", "missing", null=True),
            _level("name_norm_l = name_norm_r", "equal", tf="name_norm"),
            _level("name_key_l = name_key_r OR name_sorted_l = name_sorted_r", "equal ignoring spaces or order"),
            _level(f"{_CORES} AND list_sort(list_distinct(name_core_l)) = list_sort(list_distinct(name_core_r))",
                   "same distinctive words"),
            _level(f"{_jw('name_key_l', 'name_key_r')} >= 0.95 OR {_SORTED_JW} >= 0.95", "nearly equal"),
            _level(f"{_CORES} AND ({_jaccard('name_core')} >= 0.5 OR {_overlap('name_core')} >= 1)",
                   "distinctive words mostly shared"),
            _level(f"{_CORES} AND {_CORE_KEY_JW} >= 0.9", "distinctive words nearly equal"),
            _level(f"{_CORES} AND len(list_intersect(name_core_l, name_core_r)) >= 1", "some distinctive words shared"),
            _level(_CORES, "different distinctive words"),
            _level(f"{_SPECIFIC_AGREE} AND ({_jaccard('name_tokens')} >= 0.6 OR "
                   f"{_jw('name_key_l', 'name_key_r')} >= 0.9 OR {_SORTED_JW} >= 0.9)", "similar"),
            _level(f"{_SPECIFIC_AGREE} AND ({_jaccard('name_tokens')} >= 0.34 OR "
                   f"{_jw('name_key_l', 'name_key_r')} >= 0.8)", "somewhat similar"),
            _level("ELSE", "different"),
        ],
    },
    {
        # Unit and plant numbers in the names ("Unit 1" / "Unit 2", "Saigon II" / "Saigon III"): compared only
        # when both names carry one.
        "output_column_name": "name_numbers",
        "comparison_description": "unit or plant numbers in the names",
        "comparison_levels": [
            _level("coalesce(len(name_numbers_l), 0) = 0 OR coalesce(len(name_numbers_r), 0) = 0", "missing",
                   null=True),
            _level("name_numbers_l = name_numbers_r", "equal"),
            _level("len(list_intersect(name_numbers_l, name_numbers_r)) >= 1", "some shared"),
            _level("ELSE", "different"),
        ],
    },
    {
        "output_column_name": "native_name",
        "comparison_description": "native-script name (transliterated) against the other record's names",
        "comparison_levels": [
            _level("(alt_key_l IS NULL AND alt_key_r IS NULL) OR name_key_l IS NULL OR name_key_r IS NULL",
                   "missing", null=True),
            _level("alt_key_l = name_key_r OR name_key_l = alt_key_r OR alt_key_l = alt_key_r", "equal"),
            _level(f"{_ALT_JW} >= 0.9", "similar"),
            _level(f"{_ALT_JW} >= 0.75", "somewhat similar"),
            _level("ELSE", "different"),
        ],
    },
    {
        # The address words that say where (not the district, province or postcode most of the country's
        # registry facilities share): how many agree, a word spelled alike counting as shared ("Pallekele" /
        # "Pallekale", "lndustrial"). Sharing only common words means "same area".
        "output_column_name": "address",
        "comparison_description": "address words",
        "comparison_levels": [
            _level("coalesce(len(addr_tokens_l), 0) = 0 OR coalesce(len(addr_tokens_r), 0) = 0", "missing",
                   null=True),
            _level(f"{_ADDR_JACCARD} >= 0.7", "mostly shared"),
            _level(f"{_ADDR_JACCARD} >= 0.4", "half shared"),
            _level(f"{_ADDR_SHARED} / greatest(least(len(addr_core_l), len(addr_core_r)), 1)::double >= 0.6",
                   "one mostly contained in the other"),
            _level(f"{_ADDR_SHARED} >= 2", "some shared"),
            _level(f"{_ADDR_SHARED} >= 1", "one word shared"),
            # A partial address within a full one ("Savar, Dhaka" / "Plot 5, Zirabo, Ashulia, Savar, Dhaka") is
            # not the same as two addresses in one district that each name a different place in it.
            # ... when the shorter address has two words or more: "Dhaka" alone is within almost every address
            # of its district, as a lone short number is in many addresses.
            _level(f"len(list_intersect(addr_tokens_l, addr_tokens_r)) >= 1 AND {_overlap('addr_tokens')} >= 0.8 "
                   "AND least(len(addr_tokens_l), len(addr_tokens_r)) >= 2",
                   "same area, one address within the other"),
            # ... and when it is one word ("Industrial Zone, Karachi" / "Plot 479, Industrial Zone, Karachi"): it
            # says only the town, neither same site nor another place.
            _level("len(list_filter(list_intersect(addr_tokens_l, addr_tokens_r), "
                   f"lambda x: NOT regexp_matches(x, '^[0-9]+$'))) >= 1 AND {_overlap('addr_tokens')} >= 0.8",
                   "one address only the other's town"),
            _level("len(list_intersect(addr_tokens_l, addr_tokens_r)) >= 1", "same area only"),
            _level("ELSE", "different"),
        ],
    },
    {
        # Plot, building and house numbers (not a postcode most of the area shares): next-door facilities share
        # the street, not the number.
        "output_column_name": "address_numbers",
        "comparison_description": "numbers in the address",
        "comparison_levels": [
            _level("coalesce(len(addr_core_numbers_l), 0) = 0 OR coalesce(len(addr_core_numbers_r), 0) = 0",
                   "missing", null=True),
            _level(f"list_sort(addr_core_numbers_l) = list_sort(addr_core_numbers_r) AND {_NUMBERS_TELL}", "equal"),
            _level(f"{_overlap('addr_core_numbers')} >= 1 AND {_NUMBERS_TELL}", "one set contains the other"),
            _level(_NUMBERS_TELL, "some shared"),
            _level(f"len({_SHARED_NUMBERS}) >= 1 AND {_ADDR_SHARED} >= 1", "one short number shared"),
            # "No. 3" in two addresses that share no other word that says where: two places
            _level(f"len({_SHARED_NUMBERS}) >= 1", "only a short number shared"),
            _level("ELSE", "different"),
        ],
    },
    {
        "output_column_name": "distance",
        "comparison_description": "distance between precise coordinates",
        "comparison_levels": [
            _level("lat_l IS NULL OR lat_r IS NULL", "missing or imprecise", null=True),
            _level(f"{_KM} <= 0.1", "within 100 m"),
            _level(f"{_KM} <= 0.5", "within 500 m"),
            _level(f"{_KM} <= 2", "within 2 km"),
            _level(f"{_KM} <= 10", "within 10 km"),
            _level("ELSE", "further than 10 km"),
        ],
    },
    {
        "output_column_name": "parent_company",
        "comparison_description": "parent company",
        "comparison_levels": [
            _level("parent_norm_l IS NULL OR parent_norm_r IS NULL", "missing", null=True),
            _level("parent_norm_l = parent_norm_r", "equal"),
            _level(f"{_jw('parent_norm_l', 'parent_norm_r')} >= 0.9", "similar"),
            _level("ELSE", "different"),
        ],
    },
]

# Every rule includes the country: a facility in another country is never a candidate.
BLOCKING_RULES: list[str | dict[str, Any]] = [
    "l.country = r.country AND l.name_norm = r.name_norm",
    {"blocking_rule": "l.country = r.country AND l.block_tokens = r.block_tokens",
     "arrays_to_explode": ["block_tokens"]},
    {"blocking_rule": "l.country = r.country AND l.addr_block = r.addr_block",
     "arrays_to_explode": ["addr_block"]},
    "l.country = r.country AND l.name_prefix = r.name_prefix",
    "l.country = r.country AND l.alt_prefix = r.name_prefix",
    "l.country = r.country AND l.name_prefix = r.alt_prefix",
    "l.country = r.country AND l.geo_cell = r.geo_cell",
]

# Parent company is rarely in public lists, so its m and u values cannot be learnt from them: set by hand
# (documented in docs/matching.md) and kept when training.
PARENT_PRIOR_M = [0.55, 0.15, 0.30]
PARENT_PRIOR_U = [0.002, 0.004, 0.994]


def base_settings() -> dict[str, Any]:
    return {
        "link_type": "link_only",
        "unique_id_column_name": "unique_id",
        "source_dataset_column_name": "source_dataset",
        "probability_two_random_records_match": 1e-3,
        "comparisons": json.loads(json.dumps(COMPARISONS)),
        "blocking_rules_to_generate_predictions": json.loads(json.dumps(BLOCKING_RULES)),
        "retain_matching_columns": True,
        "retain_intermediate_calculation_columns": True,
        "additional_columns_to_retain": ["legal_form"],
    }


@dataclass
class MatchModel:
    """A trained model: Splink settings with m/u values plus fairthread's metadata."""

    splink: dict[str, Any]
    version: str
    thresholds: Thresholds = field(default_factory=Thresholds)
    training: dict[str, Any] = field(default_factory=dict)
    # Per country {"address": [...], "names": [...]}: area words learnt from the training registry
    # (``engine.areas``); the subdivision names are added at use.
    area_words: dict[str, dict[str, list[str]]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "fairthread_model": {
                "format": MODEL_FORMAT,
                "engine_version": ENGINE_VERSION,
                "version": self.version,
                "thresholds": {"match": self.thresholds.match, "review": self.thresholds.review,
                               "margin": self.thresholds.margin},
                "training": self.training,
                "area_words": self.area_words,
            },
            "splink": self.splink,
        }

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=1, sort_keys=False) + "\n", encoding="utf-8")

    def levels(self) -> dict[str, list[str]]:
        """Comparison name -> level labels in gamma order (gamma -1 = missing is handled separately)."""
        out: dict[str, list[str]] = {}
        for comparison in self.splink["comparisons"]:
            labels = [lv["label_for_charts"] for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
            out[comparison["output_column_name"]] = list(reversed(labels))  # gamma 0 = ELSE ... top = best
        return out


class ModelError(Exception):
    """The model file is missing or not a fairthread matching model."""


def load_model(path: Path | None = None) -> MatchModel:
    path = path or DEFAULT_MODEL_PATH
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ModelError(f"no matching model at {path}: run `fairthread trainmatcher`") from None
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the matching model {path}: {exc}") from None
    meta = data.get("fairthread_model") if isinstance(data, dict) else None
    if not isinstance(meta, dict) or "splink" not in data:
        raise ModelError(f"{path} is not a fairthread matching model")
    if meta.get("format") != MODEL_FORMAT:
        raise ModelError(f"{path} has model format {meta.get('format')}; this version reads {MODEL_FORMAT}")
    t = meta.get("thresholds") or {}
    return MatchModel(
        splink=data["splink"],
        version=str(meta.get("version", "")),
        thresholds=Thresholds(float(t.get("match", 0.9)), float(t.get("review", 0.5)), float(t.get("margin", 2.0))),
        training=dict(meta.get("training") or {}),
        area_words=dict(meta.get("area_words") or {}),
    )
