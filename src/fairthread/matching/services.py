"""The matching workflow: the review queue, decisions (remembered, transitively consistent), merges that can be
undone, resolution of facilities against each other and linkage to the reference registry.

Every function that changes state checks the policy (``accounts.policy``), writes the audit log and is atomic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from fairthread.matching.models import FacilityMerge, MatchCandidate, RegistryEdition
from fairthread.supplychain.models import Facility, ImportBatch


class MatchingError(ValueError):
    """A decision or merge that cannot be made; the message is for the user."""


@dataclass
class ResolutionSummary:
    matched: int = 0
    review: int = 0
    new: int = 0
    candidates: list[int] = field(default_factory=list)


def review_queue(user: Any) -> QuerySet[MatchCandidate]:
    raise NotImplementedError


def decide_pair(candidate: MatchCandidate, decision: str, *, by: Any, reason: str = "") -> MatchCandidate:
    raise NotImplementedError


def merge_facilities(survivor: Facility, merged: Facility, *, by: Any,
                     candidate: MatchCandidate | None = None) -> FacilityMerge:
    raise NotImplementedError


def undo_merge(merge: FacilityMerge, *, by: Any) -> FacilityMerge:
    raise NotImplementedError


def merges_for(facility: Facility) -> QuerySet[FacilityMerge]:
    raise NotImplementedError


def resolve_facilities(facility_ids: Iterable[int], *, by: Any, batch: ImportBatch | None = None
                       ) -> ResolutionSummary:
    raise NotImplementedError


def import_registry(data: bytes, *, filename: str, name: str, by: Any) -> RegistryEdition:
    raise NotImplementedError


def link_to_registry(*, by: Any, facility_ids: Iterable[int] | None = None) -> ResolutionSummary:
    raise NotImplementedError
