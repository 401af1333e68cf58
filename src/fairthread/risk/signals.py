"""Incremental re-assessment: supplychain says which facilities changed; risk re-assesses after commit."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from fairthread.supplychain.signals import facilities_changed


@receiver(facilities_changed, dispatch_uid="risk_reassess_downstream")
def _on_facilities_changed(sender: Any, facility_ids: set[int], **kwargs: Any) -> None:
    from fairthread.risk.services import schedule_reassessment

    schedule_reassessment(facility_ids)
