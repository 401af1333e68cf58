"""Signals supplychain sends so that other apps (risk) can react without supplychain importing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after facilities or sourcing links changed (inside the writing transaction). ``facility_ids``: the
# facilities whose own data or whose inputs changed (for a link: its buyer and its supplier).
facilities_changed = Signal()

# Sent after recruitment agents were created or their names changed (inside the writing transaction):
# ``agent_ids``. Screening screens them once the transaction commits. A change to which facilities engage an
# agent is sent as ``facilities_changed`` with sender ``AgentEngagement`` (risk re-assesses those facilities).
agents_changed = Signal()
