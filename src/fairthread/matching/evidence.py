"""Per-field evidence for and against a match, in words, from the engine's explanation.

The engine explains a pair as phrases ("names equal after removing legal form 'Co., Ltd.'", "address shares
'ashulia', 'savar' (for)", "coordinates more than 10 km apart (against)"). The review queue shows them field by
field, side by side; this module sorts each phrase under its field and reads its direction.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# (field, label, phrase prefixes), in the order the review screen shows them.
FIELDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("os_id", "Open Supply Hub ID", ("same os id",)),
    ("name", "Name", ("names ", "a name is missing", "same name, address and country")),
    ("distinctive_words", "Distinctive words", ("same distinctive words", "no distinctive word",
                                                "distinctive words")),
    ("native_name", "Native name", ("native-script name",)),
    ("address", "Address words", ("address shares", "addresses share", "an address is missing")),
    ("address_numbers", "Address numbers", ("different numbers in the address", "same numbers in the address",
                                            "address numbers", "some address numbers")),
    ("distance", "Distance", ("coordinates",)),
    ("parent_company", "Parent company", ("same parent company", "similar parent company",
                                          "different parent companies")),
    ("country", "Country", ("same country",)),
)
LABELS = {f: label for f, label, _ in FIELDS}
ORDER = {f: n for n, (f, _, _) in enumerate(FIELDS)}

# Phrases that are for a match by their nature even without the engine's "(for)" marker.
_FOR = ("same ", "names equal", "names nearly equal", "address numbers agree", "some address numbers agree")
_AGAINST = ("different ", "no distinctive word", "addresses share no words", "names differ",
            "coordinates more than 10 km apart", "another registry facility")


def _field_of(text: str) -> str:
    low = text.lower()
    for name, _, prefixes in FIELDS:
        if any(low.startswith(p) for p in prefixes):
            return name
    return "other"


def _direction(text: str) -> tuple[str, bool | None]:
    """The phrase without its marker, and True (for), False (against) or None (neutral / unknown)."""
    stripped = text.strip()
    if stripped.endswith(" (for)"):
        return stripped[: -len(" (for)")], True
    if stripped.endswith(" (against)"):
        return stripped[: -len(" (against)")], False
    low = stripped.lower()
    if low.startswith(_AGAINST):
        return stripped, False
    if low.startswith(_FOR):
        return stripped, True
    return stripped, None


def evidence_from_explanation(explanation: Iterable[str]) -> list[dict[str, Any]]:
    """[{"field", "label", "for_match", "text"}] in the review screen's field order."""
    out: list[dict[str, Any]] = []
    for phrase in explanation:
        if not phrase or not str(phrase).strip():
            continue
        text, direction = _direction(str(phrase))
        field = _field_of(text)
        out.append({"field": field, "label": LABELS.get(field, "Other"), "for_match": direction, "text": text})
    out.sort(key=lambda e: ORDER.get(e["field"], len(ORDER)))
    return out
