"""Facility matching inside an import: rows that would create new facilities are resolved against the stored
ones before anything is written (so a dry run reports it too), and the outcome is written in the import's
transaction.

- ``match``: the row is a stored facility under another spelling. Its record is written (for history and
  provenance), then merged into the stored facility at once: blanks are filled, the stored name and address stay,
  the pair is remembered as confirmed (method ``automatic``) and the merge can be undone.
- ``review``: a new facility, and a pending pair in the review queue.
- ``new``: a new facility.
Stored decisions come first: the import's deterministic pass finds records merged into others (a confirmed
pair) and follows them to the facility they were merged into.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fairthread.matching.engine import MATCH
from fairthread.matching.services import (
    UNIQUE_FIELDS,
    engine_row,
    link_against_facilities,
    merge_automatically,
    new_candidate,
    proposals,
)
from fairthread.supplychain.models import Facility, ImportBatch


@dataclass
class Proposal:
    other_id: int
    score: float
    explanation: list[str]
    evidence: list[dict[str, Any]]
    method: str


def resolve_new_groups(plan: Any, claimed: set[int]) -> None:
    """Fill ``plan.matched`` and ``plan.review`` for the groups in ``plan.new_values`` (reads only)."""
    countries = sorted({v.get("country") for v in plan.new_values.values() if v.get("country")})
    if not Facility.objects.filter(country__in=countries).exists():
        return  # no stored facility in these countries (an empty database): nothing to compare, nothing spent
    rows = [engine_row(values, f"g{gi}") for gi, values in plan.new_values.items()]
    results = link_against_facilities(rows)
    if not results:
        return  # no stored facility in these countries: nothing to compare with, nothing spent
    wanted = {int(other) for r in results for other, *_ in proposals(r)}
    stored = {f.pk: f for f in Facility.objects.filter(pk__in=sorted(wanted)).only("pk", *UNIQUE_FIELDS)}
    used = set(claimed)
    for result in results:
        gi = int(result.input_id[1:])
        values = plan.new_values[gi]
        for other, score, explanation, evidence, decision in proposals(result):
            oid = int(other)
            facility = stored.get(oid)
            if facility is None:
                continue
            proposal = Proposal(oid, score, explanation, evidence, result.method)
            conflict = any(values.get(n) and getattr(facility, n) and values.get(n) != getattr(facility, n)
                           for n in UNIQUE_FIELDS)
            if decision == MATCH and oid not in used and not conflict:
                plan.matched[gi] = proposal
                used.add(oid)
            else:
                # Two rows of this list for one stored facility, different OS IDs or brand references, or
                # a candidate that is not clear enough: a person decides.
                plan.review[gi] = proposal
            break


def write_resolutions(plan: Any, ids: dict[int, Any], *, by: Any, batch: ImportBatch) -> set[int]:
    """Store the pending pairs and merge the automatic matches; returns the facilities touched."""
    touched: set[int] = set()
    for gi, p in sorted(plan.review.items()):
        new_candidate(ids[gi], p.other_id, p.score, p.explanation, p.evidence, method=p.method, batch_id=batch.pk)
    for gi, p in sorted(plan.matched.items()):
        survivor = Facility.all_objects.get(pk=p.other_id)
        merged = Facility.all_objects.get(pk=ids[gi])
        merge_automatically(survivor, merged, p.score, p.explanation, p.evidence, by=by, batch_id=batch.pk,
                            note=f"automatic match, import #{batch.pk} {batch.filename}"[:500])
        touched |= {survivor.pk, merged.pk}
    return touched
