"""The audit log records before/after and cannot be altered afterwards (database triggers)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from fairthread.audit.models import AuditEvent
from fairthread.supplychain import services
from tests.factories import make_facility


@pytest.mark.django_db
def test_update_records_who_and_before_after(people):
    mill = make_facility("Mill", "IN", organisation=people.supplier_org)
    services.update_facility(mill, by=people.analyst, values={"workers_count": 420})
    event = AuditEvent.objects.get(action="facility.update")
    assert event.actor == people.analyst
    assert event.before == {"workers_count": None}
    assert event.after == {"workers_count": 420}
    assert event.changes() == [("workers_count", None, 420)]


@pytest.mark.django_db
def test_unchanged_update_writes_nothing(people):
    mill = make_facility("Mill", "IN", workers_count=10)
    assert services.update_facility(mill, by=people.analyst, values={"workers_count": 10}) is False
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db
def test_audit_events_cannot_be_changed_or_deleted(people):
    mill = make_facility("Mill", "IN")
    services.update_facility(mill, by=people.analyst, values={"workers_count": 1})
    event = AuditEvent.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(note="rewritten")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get().note == ""
