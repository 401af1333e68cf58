"""Screen facilities and recruitment agents after they are imported or edited (supplychain never imports
screening)."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from fairthread.supplychain.models import Facility
from fairthread.supplychain.signals import agents_changed, facilities_changed


@receiver(facilities_changed, dispatch_uid="screening_screen_changed")
def _on_facilities_changed(sender: Any, facility_ids: set[int], **kwargs: Any) -> None:
    if sender is not Facility:
        return  # a link changed: no name changed, nothing to screen
    from fairthread.screening.services import schedule_screening

    schedule_screening(facility_ids)


@receiver(agents_changed, dispatch_uid="screening_screen_agents")
def _on_agents_changed(sender: Any, agent_ids: set[int], **kwargs: Any) -> None:
    from fairthread.screening.services import schedule_agent_screening

    schedule_agent_screening(agent_ids)
