"""With demo data from several seeds, the planted hotspots come out on top by the general factors alone.

The method has no rule about any facility: the demo generator plants the known hotspots of standards.md §6
at fixed positions (``demo.hotspot_refs``), and these tests check that the factors over the data find them:
- state-imposed forced labour (Xinjiang cotton; Turkmen cotton through Turkey): the planted facilities in, or
  sourcing from, those regions are irremediable, and every irremediable facility ranks above every facility
  without such exposure; the critical areas that hold them rank above every area that does not;
- Sumangali-style Tamil Nadu spinning mills (hostels, 65–90 % migrant women, recruitment agents): in the top
  decile of the facilities without state-imposed exposure.
"""

from __future__ import annotations

import pytest

from fairthread.risk import services
from fairthread.risk.models import FacilityAssessment
from fairthread.supplychain import demo, demo_load

pytestmark = pytest.mark.django_db

N = 600
STATE_IMPOSED = ("xj_gin", "xj_spinning", "cn_xinjiang_mill", "kh_xinjiang_cmt", "cn_xinjiang_yarn",
                 "bd_xinjiang_mill", "bd_xinjiang_cmt", "tr_spinning_turkmen", "tr_mill", "tr_cmt")
TAMIL_NADU_MILLS = ("tn_spinning_1", "tn_spinning_2", "tn_spinning_3")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_planted_hotspots_come_out_on_top(seed):
    loaded = demo_load.load(N, seed, bulk=False)
    assert loaded.ok, loaded.errors
    run = services.run_assessment(by=None)
    refs = demo.hotspot_refs(N)
    rows = {r.facility_ref: r for r in FacilityAssessment.objects.filter(run=run).only(
        "facility_ref", "priority_rank", "irremediable", "severity", "band", "country", "tier", "materials")}
    assert len(rows) >= N * 0.9

    for key in STATE_IMPOSED:
        r = rows[refs[key]]
        assert r.irremediable and r.band == "critical", (key, r.band, r.irremediable)
    exposed = [r for r in rows.values() if r.irremediable]
    others = [r for r in rows.values() if not r.irremediable]
    assert others, "the demo has facilities without state-imposed exposure"
    assert max(r.priority_rank for r in exposed) < min(r.priority_rank for r in others)

    # By the general factors alone (no state-imposed exposure), Tamil Nadu mills are in the top decile.
    others.sort(key=lambda r: r.priority_rank)
    decile = {r.facility_ref for r in others[: max(1, len(others) // 10)]}
    for key in TAMIL_NADU_MILLS:
        assert refs[key] in decile, (key, rows[refs[key]].priority_rank)

    # Critical areas that hold a state-imposed facility rank above every area that holds none.
    hot_keys = {(r.country, r.tier, m) for r in exposed for m in (r.materials.split("|") if r.materials else [""])}
    areas = services.critical_areas(run)
    hot = [a.rank for a in areas if (a.country, a.tier, a.material) in hot_keys]
    cold = [a.rank for a in areas if (a.country, a.tier, a.material) not in hot_keys]
    assert hot and cold
    assert max(hot) < min(cold)
