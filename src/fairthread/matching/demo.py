"""Demo data for the matching workflow: a second supplier list naming some demo facilities again, spelt the way
another list would spell them, so that the demo shows automatic matches and a short review queue.

Run by ``fairthread setupdemo`` after the demo chain exists; idempotent (a re-import finds every row again).
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
import re
from typing import Any

from fairthread.supplychain.importing import import_file
from fairthread.supplychain.importing.service import ImportResult
from fairthread.supplychain.models import Facility, ImportBatch

FILENAME = "supplier_disclosure_respelt.csv"
SEED = 5
LIGHT = 5  # legal form, case and address style changed: the model should recognise them
HEAVY = 5  # a group's unit named without its unit number, its address without a number: a person should look

_LEGAL = [
    (re.compile(r"\bCo\., Ltd\.$"), "Company Limited"),
    (re.compile(r"\bPvt\.? Ltd\.?$"), "Private Limited"),
    (re.compile(r"\bLtd\.?$"), "Limited"),
    (re.compile(r"\bLimited$"), "Ltd"),
    (re.compile(r"\bS\.?A\.?$"), "SA"),
    (re.compile(r"\bS\.r\.l\.$"), "SRL"),
    (re.compile(r"\bA\.Ş\.$"), "AS"),
]


def _swap_legal(name: str) -> str:
    for pattern, replacement in _LEGAL:
        if pattern.search(name):
            return pattern.sub(replacement, name)
    return name


def light_variant(name: str, address: str) -> tuple[str, str]:
    """Another legal form spelling, capitals, "Plot 12" → "Plot No. 12"."""
    return _swap_legal(name).upper(), re.sub(r"\b(Plot|Unit|Lot) (\d+)", r"\1 No. \2", address)


def heavy_variant(name: str, address: str) -> tuple[str, str]:
    """The group's name without the unit ("Kushiara Sky Printing Ltd. (Unit 3)" → "Kushiara Sky Printing Ltd")
    and the address without its plot or house number ("Plot 12, Free Zone, Lahore" → "Free Zone, Lahore"):
    which of the group's units is it? A person should look."""
    street = re.sub(r"\b(?:Plot|Unit|Lot|No\.?:?)\s*\d+\w*|\b\d+\w*", "", address)
    street = ", ".join(part.strip() for part in street.split(",") if part.strip())
    return _swap_legal(re.sub(r"\s*\(Unit \d+\)\s*$", "", name)), street


def respelt_rows(light: list[Any], heavy: list[Any]) -> list[list[str]]:
    from fairthread.reference.countries import country_name

    rows = [["country", "name", "address"]]
    for f in light:
        rows.append([country_name(f.country) or f.country, *light_variant(f.name, f.address)])
    for f in heavy:
        rows.append([country_name(f.country) or f.country, *heavy_variant(f.name, f.address)])
    return rows


def import_respelt_list(by: Any) -> str:
    """Import the second list (a supplier's disclosure naming facilities the brand already has); a summary."""
    rng = random.Random(SEED)
    pool = list(Facility.objects.filter(tier__in=[1, 2]).exclude(address="").exclude(country="CN")
                .order_by("brand_ref", "pk")[:400])
    # Units of a group with a sibling unit in the same country: named without the unit, they are ambiguous.
    groups: dict[tuple[str, str], int] = {}
    for f in pool:
        key = (f.country, re.sub(r"\s*\(Unit \d+\)$", "", f.name))
        groups[key] = groups.get(key, 0) + 1
    units = [f for f in pool if re.search(r"\(Unit \d+\)$", f.name)
             and groups[(f.country, re.sub(r"\s*\(Unit \d+\)$", "", f.name))] > 1]
    heavy = rng.sample(units, min(HEAVY, len(units)))
    rest = [f for f in pool if f not in heavy and "(Unit" not in f.name]
    light = rng.sample(rest, min(LIGHT, len(rest)))
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows(respelt_rows(light, heavy))
    data = buffer.getvalue().encode("utf-8")
    if ImportBatch.objects.filter(filename=FILENAME, sha256=hashlib.sha256(data).hexdigest(),
                                  status=ImportBatch.Status.SUCCEEDED, dry_run=False).exists():
        return "the re-spelt supplier list is there already"
    result: ImportResult = import_file(data, filename=FILENAME, by=by)
    if not result.ok:
        return "the re-spelt supplier list could not be imported: " + "; ".join(result.errors[:3])
    return (f"a re-spelt supplier list, {result.matched_existing} rows matched to existing facilities, "
            f"{result.sent_to_review} sent to review, {result.created - result.sent_to_review} new")
