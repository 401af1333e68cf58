"""The periodic jobs that ``fairthread runjobs`` runs (cron or a systemd timer calls it).

Later issues append theirs with ``register``. Each job function runs without a user (it acts as the
system), must be safe to run repeatedly (idempotent) and returns one line saying what it did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    function: Callable[[], str]
    description: str


def _notify_overdue_challenges() -> str:
    from fairthread.challenges.services import notify_overdue

    sent = notify_overdue()
    return f"{sent} overdue-challenge notification(s) sent"


def _recompute_tiers() -> str:
    from fairthread.supplychain.services import recompute_tiers

    cycles = recompute_tiers()
    if not cycles:
        return "tiers recomputed; no cycles"
    return f"tiers recomputed; {len(cycles)} cycle(s) in the link graph"


PERIODIC_JOBS: list[PeriodicJob] = []


def register(name: str, function: Callable[[], str], description: str) -> PeriodicJob:
    if any(job.name == name for job in PERIODIC_JOBS):
        raise ValueError(f"A periodic job called {name!r} is already registered.")
    job = PeriodicJob(name, function, description)
    PERIODIC_JOBS.append(job)
    return job


register("notify_overdue_challenges", _notify_overdue_challenges,
         "Tell the brand and the critical friend about challenges past their due date (once each).")
register("recompute_tiers", _recompute_tiers,
         "Re-derive every facility's tier from the sourcing links and flag cycles.")


def get(name: str) -> PeriodicJob | None:
    return next((job for job in PERIODIC_JOBS if job.name == name), None)
