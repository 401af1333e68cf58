"""Real labelled pairs mined from real facility lists: the same facility as two different contributors wrote it.

Public facility lists overlap: a mill on a brand's list is often also in Open Supply Hub or on another brand's
list, written differently (addresses with or without district, postcode and province; "Co., Ltd." or not;
"(Shenzhen)" or not). Such cross-source pairs are far better training data for the model's m-probabilities
than synthetic variants, as long as only *confident* pairs are kept. A pair of records from two different
sources in the same country is kept as a match when

1. their names are equal after normalisation (legal forms removed, spaces ignored) — the addresses then show
   how differently real lists write one address; or
2. their *core* name words are equal — the specific words (not trade words such as "garments") that are not
   place names found in either address — and the names are close (Jaro–Winkler ≥ 0.85 without spaces), the
   addresses share at least 30 % of the shorter one's words and do not contradict each other (when both carry
   numbers, at least one is shared); or
3. one core is the other plus at most one word (a plant or group word, "Hirdaramani Mercury" / "Mercury"),
   the addresses share a number and at least half of the shorter address's words.

A record that would pair with two records of one source is ambiguous (two plants of one group under one name)
and all its pairs are dropped, as is any pair whose addresses (both given) share no word at all, or whose names
carry different unit numbers ("Mill 2" / "Mill #3"). Pairs across records of the *same* source are never used:
a list does not contain a facility twice on purpose.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz.distance import JaroWinkler

from fairthread.matching.engine.text import GENERIC_WORDS, address_tokens, name_parts


@dataclass(frozen=True)
class MinedPair:
    left: Mapping[str, Any]
    right: Mapping[str, Any]
    rule: str


def _features(row: Mapping[str, Any]) -> dict[str, Any]:
    from fairthread.matching.engine.records import name_numbers

    norm = name_parts(str(row.get("name") or ""))[0]
    addr = set(address_tokens(str(row.get("address") or "")))
    specific = {t for t in norm.split() if t not in GENERIC_WORDS and not t.isdigit() and len(t) > 1}
    return {"key": norm.replace(" ", ""), "specific": specific, "addr": addr, "units": name_numbers(norm.split()),
            "numbers": {t for t in addr if any(c.isdigit() for c in t)}}


def _rule(a: dict[str, Any], b: dict[str, Any]) -> str | None:
    if not a["key"] or not b["key"]:
        return None
    shared = len(a["addr"] & b["addr"])
    shorter = min(len(a["addr"]), len(b["addr"]))
    if shorter and not shared:
        return None  # one name, two places: two plants of one group, or a relocation
    if a["units"] and b["units"] and a["units"] != b["units"]:
        return None  # "Mill 2" / "Mill #3": two units of one group
    if a["key"] == b["key"]:
        return "same name"
    places = a["addr"] | b["addr"]
    core_a, core_b = a["specific"] - places, b["specific"] - places
    if not core_a or not core_b:
        return None
    numbers_agree = bool(a["numbers"] & b["numbers"])
    numbers_clash = bool(a["numbers"]) and bool(b["numbers"]) and not numbers_agree
    close_names = JaroWinkler.similarity(a["key"], b["key"]) >= 0.85
    if core_a == core_b and not numbers_clash and shared >= max(1, 0.3 * shorter) and close_names:
        return "same core name"
    small, large = (core_a, core_b) if len(core_a) <= len(core_b) else (core_b, core_a)
    contained = small < large and len(large - small) <= 1 and max(len(w) for w in small) >= 4
    if contained and numbers_agree and shorter and shared / shorter >= 0.5:
        return "core name contained, same address"
    return None


def mine_pairs(records: Sequence[Mapping[str, Any]], source_key: str = "source") -> list[MinedPair]:
    """Confident cross-source matches among ``records`` (dicts with name, address, country and ``source_key``)."""
    features = [_features(r) for r in records]
    by_country: dict[str, list[int]] = defaultdict(list)
    for i, r in enumerate(records):
        by_country[str(r.get("country") or "")].append(i)
    found: list[tuple[int, int, str]] = []
    for members in by_country.values():
        for x, i in enumerate(members):
            for j in members[x + 1:]:
                if records[i][source_key] == records[j][source_key]:
                    continue
                rule = _rule(features[i], features[j])
                if rule:
                    found.append((i, j, rule))
    # Ambiguity: a record pairing with two records of one source.
    partners: dict[tuple[int, str], int] = defaultdict(int)
    for i, j, _ in found:
        partners[(i, str(records[j][source_key]))] += 1
        partners[(j, str(records[i][source_key]))] += 1
    ambiguous = {i for (i, _src), n in partners.items() if n > 1}
    return [MinedPair(records[i], records[j], rule) for i, j, rule in found
            if i not in ambiguous and j not in ambiguous]


def record_hash(name: str, address: str) -> str:
    """A hash of the normalised name and address, to check two datasets for shared records without reading them."""
    import hashlib

    norm = name_parts(name)[0].replace(" ", "")
    addr = " ".join(sorted(address_tokens(address)))
    return hashlib.sha256(f"{norm}\x1f{addr}".encode()).hexdigest()


def exclude_records(pairs: Iterable[MinedPair], hashes: set[str]) -> tuple[list[MinedPair], int]:
    """Pairs with neither record in ``hashes`` (e.g. records of an evaluation set), and how many were dropped."""
    kept, dropped = [], 0
    for pair in pairs:
        if any(record_hash(str(r.get("name") or ""), str(r.get("address") or "")) in hashes
               for r in (pair.left, pair.right)):
            dropped += 1
        else:
            kept.append(pair)
    return kept, dropped


REAL_PAIR_FIELDS = ("id", "name", "address", "country")


def read_real_pairs(path: str | Path, part: str | None = "train") -> list[tuple[dict[str, str], dict[str, str]]]:
    """Pairs from a real-pairs CSV (``left_id,left_name,left_address,left_country,right_...``; optional ``part``
    column: only rows of ``part`` are read, all when ``part`` is None). Raises ValueError naming the row and
    column of a problem."""
    import csv

    with Path(path).open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        needed = [f"{side}_{k}" for side in ("left", "right") for k in REAL_PAIR_FIELDS]
        missing = [c for c in needed if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(repr(c) for c in missing)}")
        out = []
        for n, row in enumerate(reader, start=2):
            if part is not None and row.get("part", part) != part:
                continue
            for column in (f"{side}_{k}" for side in ("left", "right") for k in ("id", "name", "country")):
                if not (row.get(column) or "").strip():
                    raise ValueError(f"{path}: row {n}, column '{column}': a value is required")
            out.append(tuple({k: row[f"{side}_{k}"] for k in REAL_PAIR_FIELDS} for side in ("left", "right")))
        return out  # type: ignore[return-value]
