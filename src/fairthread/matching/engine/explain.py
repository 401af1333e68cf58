"""Per-field contributions of the model, in words ("names equal after removing legal form 'Co., Ltd.'")."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from rapidfuzz.distance import JaroWinkler

FIELDS = ("name", "name_numbers", "native_name", "address", "address_numbers", "distance", "parent_company")


def _weight(candidate: Mapping[str, Any], field: str) -> float | None:
    if f"mw_{field}" in candidate and candidate[f"mw_{field}"] is not None:
        return float(candidate[f"mw_{field}"])
    bf = candidate.get(f"bf_{field}")
    if bf is not None and float(bf) > 0:
        return math.log2(float(bf))
    return None


def _quote(values: Sequence[str], limit: int = 4) -> str:
    shown = [f"'{v}'" for v in values[:limit]]
    more = len(values) - limit
    return ", ".join(shown) + (f" and {more} more" if more > 0 else "")


def _name_words(label: str, c: Mapping[str, Any]) -> str:
    left, right = c.get("name_norm_l") or "", c.get("name_norm_r") or ""
    core_l, core_r = list(c.get("name_core_l") or []), list(c.get("name_core_r") or [])
    forms = [f for f in (c.get("legal_form_r"), c.get("legal_form_l")) if f]
    if label == "equal":
        return f"names equal after removing legal form '{forms[0]}'" if forms else "names equal"
    if label == "equal ignoring spaces or order":
        return "names equal apart from spacing or word order"
    if label == "missing":
        return "a name is missing"
    if label == "same distinctive words":
        return f"same distinctive name words {_quote(core_l)} ('{right}' / '{left}')"
    if label == "different distinctive words":
        return f"no distinctive name word in common ({_quote(core_r)} / {_quote(core_l)})"
    partial = {"distinctive words mostly shared": "most distinctive name words shared",
               "distinctive words nearly equal": "distinctive name words nearly equal",
               "some distinctive words shared": "some distinctive name words shared"}
    if label in partial:
        shared = [w for w in core_l if w in set(core_r)]
        detail = f"; in common {_quote(shared)}" if shared else ""
        return f"{partial[label]} ({_quote(core_r)} / {_quote(core_l)}{detail})"
    return {"nearly equal": "names nearly equal", "similar": "names similar",
            "somewhat similar": "names only partly similar"}.get(label, "names differ") + f" ('{right}' / '{left}')"


def _address_words(label: str, c: Mapping[str, Any]) -> str:
    if label == "missing":
        return "an address is missing"
    left_all, right_all = list(c.get("addr_tokens_l") or []), set(c.get("addr_tokens_r") or [])
    left, right = list(c.get("addr_core_l") or []), set(c.get("addr_core_r") or [])
    # As the model counts them (model._ADDR_SHARED): equal words except a lone short number, and words of five
    # letters or more spelled alike ("Pallekele" / "Pallekale").
    shared = [t for t in left if (t in right and not (t.isdigit() and len(t) <= 2)) or (
        len(t) >= 5 and any(len(u) >= 5 and JaroWinkler.similarity(t, u) >= 0.92 for u in right))]
    if shared:
        return f"address shares {_quote(shared)}"
    area = [t for t in left_all if t in right_all and not (t.isdigit() and len(t) <= 2)]
    if area and label == "same area, one address within the other":
        return f"one address is within the other ({_quote(area)})"
    if area and label == "one address only the other's town":
        return f"one address gives only the other's town ({_quote(area)})"
    if area:
        return f"addresses share only words common in the area ({_quote(area)})"
    return "addresses share no words that say where"


def _native_words(label: str, c: Mapping[str, Any]) -> str:
    alt = c.get("alt_key_r") or c.get("alt_key_l") or ""
    if label == "missing":
        return ""
    if label == "equal":
        return f"native-script name reads '{alt}', equal to the other name"
    if label in {"similar", "somewhat similar"}:
        return f"native-script name reads '{alt}', {label} to the other name"
    return f"native-script name reads '{alt}', unlike the other name"


def _distance_words(label: str) -> str:
    if label.startswith("missing"):
        return ""
    return f"coordinates {label}" if label != "further than 10 km" else "coordinates more than 10 km apart"


def _numbers_words(label: str, c: Mapping[str, Any]) -> str:
    left, right = list(c.get("addr_numbers_l") or []), list(c.get("addr_numbers_r") or [])
    if label == "missing":
        return ""
    if label == "different":
        return f"different numbers in the address ({_quote(right)} / {_quote(left)})"
    shared = [n for n in left if n in right]
    return {"equal": f"same numbers in the address ({_quote(shared)})",
            "one set contains the other": f"address numbers agree ({_quote(shared)})",
            "some shared": f"some address numbers agree ({_quote(shared)})",
            "one short number shared": f"the addresses share a short number ({_quote(shared)})",
            "only a short number shared": f"the addresses share only a short number ({_quote(shared)}), which "
                                          "says little"}.get(label, "")


def _name_numbers_words(label: str, c: Mapping[str, Any]) -> str:
    left, right = list(c.get("name_numbers_l") or []), list(c.get("name_numbers_r") or [])
    return {"equal": f"same unit number in the names ({_quote(left)})",
            "some shared": f"unit numbers in the names partly agree ({_quote(right)} / {_quote(left)})",
            "different": f"different unit numbers in the names ({_quote(right)} / {_quote(left)})"}.get(label, "")


def _parent_words(label: str) -> str:
    return {"equal": "same parent company", "similar": "similar parent company",
            "different": "different parent companies"}.get(label, "")


FIELD_LABELS = {"name": "Name", "name_numbers": "Unit number", "native_name": "Native-script name",
                "address": "Address", "address_numbers": "Address numbers", "distance": "Coordinates",
                "parent_company": "Parent company", "country": "Country"}


def level_label(candidate: Mapping[str, Any], levels: Mapping[str, Sequence[str]], field: str) -> str | None:
    """The label of the level the pair reached in one comparison ("missing" when it was not compared), or None
    when the model has no such comparison."""
    gamma = candidate.get(f"gamma_{field}")
    if gamma is None or field not in levels:
        return None
    labels = levels[field]
    return "missing" if int(gamma) < 0 or int(gamma) >= len(labels) else labels[int(gamma)]


def unit_number_ignored(candidate: Mapping[str, Any]) -> bool:
    """A unit number qualifies a name: the same "2" on two names that differ ("Hanes Choloma Sewing 2" / "Valle
    del Sol Confecciones 2", two companies in one building) says nothing, and is not counted."""
    return float(candidate.get("mw_name") or 0) < 0 and float(candidate.get("mw_name_numbers") or 0) > 0


def pair_evidence(candidate: Mapping[str, Any], levels: Mapping[str, Sequence[str]]) -> list[dict[str, Any]]:
    """The model's per-field evidence in words: ``[{"field", "label", "for_match", "text"}]`` — ``for_match`` is
    True (counts for the match), False (against) or None (says little either way, or the field is missing)."""
    out: list[dict[str, Any]] = []
    for field in FIELDS:
        label = level_label(candidate, levels, field)
        if label is None:
            continue
        if field == "name":
            words = _name_words(label, candidate)
        elif field == "address":
            words = _address_words(label, candidate)
        elif field == "name_numbers":
            words = _name_numbers_words(label, candidate)
        elif field == "address_numbers":
            words = _numbers_words(label, candidate)
        elif field == "native_name":
            words = _native_words(label, candidate)
        elif field == "distance":
            words = _distance_words(label)
        else:
            words = _parent_words(label)
        if not words:
            continue
        weight = _weight(candidate, field)
        direction = None
        if field == "name_numbers" and unit_number_ignored(candidate):
            words += ", which says nothing when the names differ"
        elif weight is not None and label != "missing" and abs(weight) >= 0.5:
            direction = weight > 0
        out.append({"field": field, "label": FIELD_LABELS[field], "for_match": direction, "text": words})
    out.append({"field": "country", "label": FIELD_LABELS["country"], "for_match": None, "text": "same country"})
    return out


def explanation_lines(evidence: Sequence[Mapping[str, Any]]) -> list[str]:
    """The evidence as phrases, each with its direction: "address shares 'ashulia', 'savar' (for)"."""
    lines = []
    for item in evidence:
        suffix = {True: " (for)", False: " (against)"}.get(item["for_match"], "")
        lines.append(f"{item['text']}{suffix}")
    return lines


def explain_pair(candidate: Mapping[str, Any], levels: Mapping[str, Sequence[str]]) -> list[str]:
    """Phrases for each field the model compared, with its direction (for / against) when known."""
    return explanation_lines(pair_evidence(candidate, levels))
