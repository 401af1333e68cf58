"""``fairthread runjobs`` and the periodic-job registry."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from fairthread.jobs import registry
from fairthread.supplychain.models import Facility
from tests.factories import make_facility, make_link


def test_registry_lists_both_jobs():
    names = [job.name for job in registry.PERIODIC_JOBS]
    assert names[:2] == ["notify_overdue_challenges", "recompute_tiers"]
    with pytest.raises(ValueError, match="already registered"):
        registry.register("recompute_tiers", lambda: "", "dup")


def test_runjobs_recomputes_tiers(people):
    t1 = make_facility(name="CMT", country="BD")
    t2 = make_facility(name="Fabric mill", country="BD")
    make_link(people.brand, t1)
    make_link(t1, t2)
    assert Facility.objects.filter(tier__isnull=False).count() == 0  # factories do not derive tiers
    out = StringIO()
    call_command("runjobs", "--only", "recompute_tiers", stdout=out)
    assert out.getvalue().strip() == "recompute_tiers: tiers recomputed; no cycles"
    t1.refresh_from_db()
    t2.refresh_from_db()
    assert (t1.tier, t2.tier) == (1, 2)


def test_runjobs_list_and_unknown_job(db):
    out = StringIO()
    call_command("runjobs", "--list", stdout=out)
    assert "notify_overdue_challenges:" in out.getvalue()
    with pytest.raises(CommandError, match="Unknown job"):
        call_command("runjobs", "--only", "nope")


def test_failing_job_reported_and_others_still_run(db, monkeypatch):
    def boom() -> str:
        raise RuntimeError("disk full")

    ran = []
    jobs = [registry.PeriodicJob("boom", boom, "fails"),
            registry.PeriodicJob("ok", lambda: ran.append(1) or "fine", "works")]
    monkeypatch.setattr(registry, "PERIODIC_JOBS", jobs)
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError, match="1 job"):
        call_command("runjobs", stdout=out, stderr=err)
    assert "boom: FAILED (disk full)" in err.getvalue()
    assert "ok: fine" in out.getvalue()
    assert ran == [1]
