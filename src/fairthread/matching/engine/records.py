"""Record preparation: a facility row (id, name, address, country, ...) -> the columns the matcher compares.

A row is a plain dict with the keys of the matching file format: ``id, name, address, country`` (ISO-2, already
resolved) and optionally ``lat, lng, os_id, parent_company, native_name, coordinate_precision``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pyarrow as pa

from fairthread.matching.engine.text import GENERIC_WORDS, address_tokens, clean, name_key, name_parts, transliterate

# Coordinates count as precise enough for distance when given to ≥ 3 decimals (about 100 m) or declared
# precise; geocodes to a city centre or to 0,0 say nothing about which building it is.
PRECISE_WORDS = {"exact", "rooftop", "building", "address", "precise", "street", "high"}

SCHEMA = pa.schema(
    [
        ("unique_id", pa.string()),
        ("source_dataset", pa.string()),
        ("country", pa.string()),
        ("os_id", pa.string()),
        ("name_norm", pa.string()),
        ("name_key", pa.string()),
        ("name_sorted", pa.string()),
        ("name_tokens", pa.list_(pa.string())),
        ("name_specific", pa.list_(pa.string())),
        ("name_numbers", pa.list_(pa.string())),
        ("legal_form", pa.string()),
        ("alt_key", pa.string()),
        ("alt_tokens", pa.list_(pa.string())),
        ("addr_norm", pa.string()),
        ("addr_tokens", pa.list_(pa.string())),
        ("addr_numbers", pa.list_(pa.string())),
        ("lat", pa.float64()),
        ("lng", pa.float64()),
        ("parent_norm", pa.string()),
    ]
)


def _decimals(text: str) -> int:
    return len(text.split(".", 1)[1]) if "." in text else 0


def coordinates(row: Mapping[str, Any]) -> tuple[float | None, float | None]:
    """(lat, lng) when present, valid and precise enough to compare by distance; else (None, None)."""
    lat_text, lng_text = str(row.get("lat") or "").strip(), str(row.get("lng") or "").strip()
    if not lat_text or not lng_text:
        return None, None
    try:
        lat, lng = float(lat_text), float(lng_text)
    except ValueError:
        return None, None
    if not (math.isfinite(lat) and math.isfinite(lng)) or abs(lat) > 90 or abs(lng) > 180:
        return None, None
    if abs(lat) < 1e-6 and abs(lng) < 1e-6:
        return None, None
    precision = str(row.get("coordinate_precision") or "").strip().lower()
    if precision:
        if precision not in PRECISE_WORDS:
            return None, None
    elif min(_decimals(lat_text), _decimals(lng_text)) < 3:
        return None, None
    return lat, lng


_ROMAN = {"ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8", "ix": "9", "x": "10"}
_UNIT_WORDS = {"unit", "plant", "factory", "fty", "phase", "branch", "division", "div", "no", "building", "bldg",
               "block", "mill", "line", "site", "apparel", "apparels", "garment", "garments"}


def name_numbers(tokens: list[str]) -> list[str]:
    """Unit and plant numbers in a name ("Unit 2", "Factory-02", "Apparel-III", "Saigon II"): two plants of one
    group differ by them. Roman numerals count from II up, and "I" after a unit word ("Unit I")."""
    out: list[str] = []
    for i, tok in enumerate(tokens):
        if tok.isdigit():
            out.append(str(int(tok)))
        elif tok in _ROMAN and (tok != "v" and tok != "x" or (i and tokens[i - 1] in _UNIT_WORDS)):
            out.append(_ROMAN[tok])
        elif tok == "i" and i and tokens[i - 1] in _UNIT_WORDS:
            out.append("1")
    return sorted(set(out))


def prepare(row: Mapping[str, Any], source: str,
            places: Callable[[str], frozenset[str]] | None = None) -> dict[str, Any]:
    """One record's comparison fields. ``places`` gives a country's words a run-together address word is split
    into (``areas.PlaceVocabulary``)."""
    raw_name = str(row.get("name") or "")
    native = str(row.get("native_name") or "")
    norm, legal = name_parts(raw_name)
    alt_norm = name_parts(native)[0] if native else ""
    if alt_norm and alt_norm == norm:
        alt_norm = ""
    tokens = norm.split()
    country = str(row.get("country") or "").upper()
    addr = address_tokens(str(row.get("address") or ""), country, places(country) if places else frozenset())
    lat, lng = coordinates(row)
    parent = name_parts(str(row.get("parent_company") or ""))[0]
    return {
        "unique_id": str(row["id"]),
        "source_dataset": source,
        "country": country or None,
        "os_id": str(row.get("os_id") or "").strip().upper() or None,
        "name_norm": norm or None,
        "name_key": name_key(norm) or None,
        "name_sorted": " ".join(sorted(tokens)) or None,
        "name_tokens": tokens,
        "name_numbers": name_numbers(tokens),
        "name_specific": [t for t in tokens if t not in GENERIC_WORDS and not t.isdigit() and len(t) >= 3],
        "legal_form": legal or None,
        "alt_key": name_key(alt_norm) or None,
        "alt_tokens": alt_norm.split(),
        "addr_norm": clean(str(row.get("address") or "")) or None,
        "addr_tokens": list(addr),
        "addr_numbers": [t for t in addr if any(ch.isdigit() for ch in t)],
        "lat": lat,
        "lng": lng,
        "parent_norm": parent or None,
    }


def prepare_table(rows: Iterable[Mapping[str, Any]], source: str,
                  places: Callable[[str], frozenset[str]] | None = None) -> pa.Table:
    """Prepared records as an Arrow table (column-wise, so a million rows stay compact)."""
    columns: dict[str, list[Any]] = {name: [] for name in SCHEMA.names}
    for row in rows:
        for key, value in prepare(row, source, places).items():
            columns[key].append(value)
    return pa.table(columns, schema=SCHEMA)


def romanised(text: str) -> str:
    """For explanations: how a native-script name reads in Latin letters."""
    return transliterate(text)
