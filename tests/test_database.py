"""The database itself enforces the supply-chain invariants (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import os

import pytest
from django.db import IntegrityError, connection, transaction

from fairthread.supplychain.models import SourcingLink
from tests.factories import make_facility


@pytest.mark.django_db
def test_link_needs_exactly_one_buyer(people):
    mill = make_facility("Mill", "IN")
    cmt = make_facility("CMT", "BD")
    with pytest.raises(IntegrityError), transaction.atomic():
        SourcingLink.objects.create(brand=people.brand, buyer=cmt, supplier=mill)
    with pytest.raises(IntegrityError), transaction.atomic():
        SourcingLink.objects.create(supplier=mill)


@pytest.mark.django_db
def test_link_needs_supplier_or_declared_origin(people):
    mill = make_facility("Mill", "IN")
    with pytest.raises(IntegrityError), transaction.atomic():
        SourcingLink.objects.create(buyer=mill, material="cotton")
    SourcingLink.objects.create(buyer=mill, material="cotton", origin_country="IN", origin_region="Gujarat")
    assert SourcingLink.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db
def test_suite_runs_on_postgresql():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("DATABASE_URL does not point at PostgreSQL (make test-postgres starts one)")
    assert connection.vendor == "postgresql"
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('server_version_num')::int")
        assert cur.fetchone()[0] >= 130000
