"""Signals supplychain sends so that other apps (risk) can react without supplychain importing them."""

from __future__ import annotations

from django.dispatch import Signal

# Sent after facilities or sourcing links changed (inside the writing transaction). ``facility_ids``: the
# facilities whose own data or whose inputs changed (for a link: its buyer and its supplier).
facilities_changed = Signal()
