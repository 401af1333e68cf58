"""The five golden cases of docs/methodology.md: every expected number is copied from the hand calculation."""

from __future__ import annotations

import pytest

from fairthread.risk.engine import DEFAULT_METHODOLOGY, FacilityResult, explain, run
from tests.risk.engine_tables import facility, link, tables


def _by_ref(run_result) -> dict[str, FacilityResult]:
    return {r.facility_ref: r for r in run_result.results}


def _factors(r: FacilityResult) -> list[tuple[str, float]]:
    return [(c.factor, c.points) for c in r.contributions]


def _check(r: FacilityResult, *, band: str, severity: float, likelihood: float, exposure: float,
           irremediable: bool, dims: tuple[int, int, int]) -> None:
    assert r.band == band
    assert r.severity == pytest.approx(severity, abs=1e-4)
    assert r.likelihood == pytest.approx(likelihood, abs=1e-4)
    assert r.exposure == pytest.approx(exposure, abs=1e-4)
    assert r.irremediable is irremediable
    assert (r.scale, r.scope, r.irremediability) == dims
    assert explain(r) == r.explanation


def tamil_nadu() -> dict:
    return tables(
        [facility(1, "TN-SPIN", "IN", "Tamil Nadu", 3, "spinning", 800, 70, 0, True, False),
         facility(2, "TN-KNIT", "IN", "Tamil Nadu", 2, "fabric mill", 400, 20, 0, False, False)],
        [link(1, 2, 1, "cotton", 100), link(2, 1, None, "cotton", 100, "IN", "Gujarat"),
         link(3, None, 2, "cotton", 5)],
    )


def test_tamil_nadu_spinning_mill() -> None:
    res = _by_ref(run(tamil_nadu(), DEFAULT_METHODOLOGY))
    r = res["TN-SPIN"]
    _check(r, band="high", severity=0.75, likelihood=0.68, exposure=0.0, irremediable=False, dims=(4, 3, 2))
    assert _factors(r) == [("workforce", 24.0), ("commodity", 20.0), ("country", 20.0), ("input_commodity", 4.0)]
    assert r.uncertainty == []
    assert r.explanation == (
        "High: 70% migrant workers with dormitory accommodation; Thread/Yarn from India listed for forced labour "
        "and child labour (US DOL TVPRA list 2022); country prevalence India 8.0 per 1,000 "
        "(Global Slavery Index 2023).")
    country = next(c for c in r.contributions if c.factor == "country")
    assert (country.source, country.edition) == ("Global Slavery Index", "2023")
    # the knitting mill buys all its cotton from a high-risk mill
    assert res["TN-KNIT"].exposure == pytest.approx(1.0)


def test_leicester_cmt_unit() -> None:
    t = tables([facility(1, "LEI-CMT", "GB", "Leicestershire", 1, "final product assembly", 30, 60, 40, False,
                         None)],
               [link(1, None, 1, "cotton", 2)])
    r = _by_ref(run(t, DEFAULT_METHODOLOGY))["LEI-CMT"]
    _check(r, band="medium", severity=0.55, likelihood=0.38, exposure=0.0, irremediable=False, dims=(3, 1, 2))
    assert _factors(r) == [("data_gap", 17.5), ("workforce", 16.0), ("country", 4.5)]
    assert len(r.uncertainty) == 2
    assert any("recruitment through agents unknown" in u for u in r.uncertainty)
    assert any("no known upstream for cotton" in u for u in r.uncertainty)
    assert r.explanation == (
        "Medium: data gaps: recruitment through agents unknown, no known upstream for cotton; 60% migrant "
        "workers, 40% agency workers; country prevalence United Kingdom 1.8 per 1,000 (Global Slavery Index 2023).")


def bangladesh_xinjiang() -> dict:
    return tables(
        [facility(1, "BD-T1", "BD", "Dhaka", 1, "final product assembly", 2500, 5, 10, False, False),
         facility(2, "BD-T2", "BD", "Mymensingh", 2, "fabric mill", 1200, 10, 5, False, False),
         facility(3, "CN-T3A", "CN", "Jiangsu", 3, "spinning", 600, 10, 5, False, False),
         facility(4, "BD-T3B", "BD", "Narayanganj", 3, "spinning", 400, 10, 5, False, False)],
        [link(1, None, 1, "cotton", 30), link(2, 1, 2, "cotton", 100), link(3, 2, 3, "cotton", 40),
         link(4, 2, 4, "cotton", 60), link(5, 3, None, "cotton", None, "CN", "Xinjiang"),
         link(6, 4, None, "cotton", 100, "US", "Texas")],
    )


def test_bangladesh_tier1_with_xinjiang_cotton_at_tier3() -> None:
    res = _by_ref(run(bangladesh_xinjiang(), DEFAULT_METHODOLOGY))
    r = res["BD-T1"]
    # state-imposed points in proportion to the share tracing back to Xinjiang: 40 × 0.40 = 16
    _check(r, band="critical", severity=0.9833, likelihood=0.6575, exposure=0.4, irremediable=True,
           dims=(5, 4, 5))
    assert _factors(r) == [("commodity", 20.0), ("country", 17.75), ("state_imposed", 16.0), ("exposure", 6.0),
                           ("input_commodity", 4.0), ("workforce", 2.0)]
    assert r.explanation == (
        "Critical: Garments from Bangladesh listed for forced labour and child labour (US DOL TVPRA list 2022); "
        "country prevalence Bangladesh 7.1 per 1,000 (Global Slavery Index 2023); sources cotton from Xinjiang "
        "Uyghur Autonomous Region through 2 tiers (state-imposed forced labour; UFLPA rebuttable presumption; "
        "CBP WRO 2020; high-risk regions 2024-11) — not remediable through supplier engagement.")
    # the intermediate tiers, from the same hand calculation
    assert res["BD-T2"].exposure == pytest.approx(0.4)
    assert res["BD-T2"].irremediable is True
    assert ("state_imposed", 16.0) in _factors(res["BD-T2"])
    assert res["CN-T3A"].irremediable is True
    # its main (only) cotton source is in the region: the full 40
    assert ("state_imposed", 40.0) in _factors(res["CN-T3A"])
    assert "directly" in res["CN-T3A"].explanation
    assert res["BD-T3B"].exposure == 0.0
    assert res["BD-T3B"].irremediable is False


def test_bangladesh_run_reports_brand_exposure_and_editions() -> None:
    out = run(bangladesh_xinjiang(), DEFAULT_METHODOLOGY)
    # doc, case 3 "The brand": one known link of 30 %; T1 itself is a high-risk source (Garments–Bangladesh is
    # listed for forced labour) → 0.30 × 1; state-imposed: 0.30 × 0.40
    assert out.brand_exposure == pytest.approx(0.3, abs=1e-4)
    assert out.brand_state_imposed_exposure == pytest.approx(0.12, abs=1e-4)
    assert out.editions == {"Global Slavery Index": "2023", "US DOL TVPRA list": "2022",
                            "high-risk regions": "2024-11"}
    assert out.method_version == "1.0"


def test_unknown_xinjiang_share_next_to_known_100_percent_still_flags_the_chain() -> None:
    # doc, case 3b: T3a declares Texas 100 % and Xinjiang of unknown share → U = max(1 − 1, 1/2) = 0.5
    t = tables(
        [facility(1, "BD-T1", "BD", "Dhaka", 1, "final product assembly", 2500, 5, 10, False, False),
         facility(2, "BD-T2", "BD", "Mymensingh", 2, "fabric mill", 1200, 10, 5, False, False),
         facility(3, "CN-T3A", "CN", "Jiangsu", 3, "spinning", 600, 10, 5, False, False),
         facility(4, "BD-T3B", "BD", "Narayanganj", 3, "spinning", 400, 10, 5, False, False)],
        [link(1, None, 1, "cotton", 30), link(2, 1, 2, "cotton", 100), link(3, 2, 3, "cotton", 40),
         link(4, 2, 4, "cotton", 60), link(5, 3, None, "cotton", None, "CN", "Xinjiang"),
         link(6, 4, None, "cotton", 100, "US", "Texas"), link(7, 3, None, "cotton", 100, "US", "Texas")],
    )
    res = _by_ref(run(t, DEFAULT_METHODOLOGY))
    t3a, t2, t1 = res["CN-T3A"], res["BD-T2"], res["BD-T1"]
    assert t3a.irremediable and t2.irremediable and t1.irremediable
    assert res["BD-T3B"].irremediable is False
    # T3a: 0.50 via the unknown-share link, its main source (0.50 ≥ 0.50) → 40 × max(1, 0.50)
    assert ("state_imposed", 40.0) in _factors(t3a)
    assert "directly" in t3a.explanation
    # T2: 0.40 × 0.50 = 0.20 → 40 × 0.20 = 8
    assert ("state_imposed", 8.0) in _factors(t2)
    _check(t1, band="critical", severity=0.9833, likelihood=0.5775, exposure=0.4, irremediable=True,
           dims=(5, 4, 5))
    assert _factors(t1) == [("commodity", 20.0), ("country", 17.75), ("state_imposed", 8.0), ("exposure", 6.0),
                            ("input_commodity", 4.0), ("workforce", 2.0)]
    assert "through 2 tiers" in t1.explanation


def test_mauritius_mill_with_recruitment_agents() -> None:
    t = tables(
        [facility(1, "MU-MILL", "MU", "Pamplemousses", 2, "fabric mill", 1500, 60, 0, True, True),
         facility(2, "MU-CMT", "MU", "Plaines Wilhems", 1, "final product assembly", 900, 50, 0, True, True)],
        [link(1, 2, 1, "cotton", 100), link(2, 1, None, "cotton", 100, "IN", ""), link(3, None, 2, "cotton", 10)],
    )
    r = _by_ref(run(t, DEFAULT_METHODOLOGY))["MU-MILL"]
    _check(r, band="high", severity=0.7667, likelihood=0.4475, exposure=0.0, irremediable=False, dims=(4, 3, 3))
    assert _factors(r) == [("workforce", 37.0), ("input_commodity", 4.0), ("country", 3.75)]
    assert r.explanation == (
        "High: 60% migrant workers with dormitory accommodation and recruitment through agents; input Cotton from "
        "India listed for child labour (US DOL TVPRA list 2022); country prevalence Mauritius 1.5 per 1,000 "
        "(Global Slavery Index 2023).")


def portugal() -> dict:
    return tables(
        [facility(1, "PT-T1", "PT", "Norte", 1, "final product assembly", 300, 8, 5, False, False),
         facility(2, "PT-T2", "PT", "Norte", 2, "fabric mill", 250, 5, 5, False, False),
         facility(3, "PT-T3", "PT", "Norte", 3, "spinning", 150, 5, 0, False, False)],
        [link(1, None, 1, "cotton", 20), link(2, 1, 2, "cotton", 100), link(3, 2, 3, "cotton", 100),
         link(4, 3, None, "cotton", 100, "GR", "Thessaly")],
    )


def test_portuguese_factory_with_low_risk_chain() -> None:
    r = _by_ref(run(portugal(), DEFAULT_METHODOLOGY))["PT-T1"]
    _check(r, band="low", severity=0.4, likelihood=0.116, exposure=0.0, irremediable=False, dims=(2, 2, 2))
    assert _factors(r) == [("country", 9.5), ("workforce", 2.1)]
    assert r.uncertainty == []
    assert r.explanation == ("Low: country prevalence Portugal 3.8 per 1,000 (Global Slavery Index 2023); 8% migrant "
                             "workers, 5% agency workers.")


def test_priority_is_severity_first() -> None:
    t = tables(
        [facility(1, "TN-SPIN", "IN", "Tamil Nadu", 3, "spinning", 800, 70, 0, True, False),
         facility(2, "MU-MILL", "MU", "Pamplemousses", 2, "fabric mill", 1500, 60, 0, True, True),
         facility(3, "LEI-CMT", "GB", "Leicestershire", 1, "final product assembly", 30, 60, 40, False, None)],
        [link(1, None, 1, "cotton", None), link(2, 1, None, "cotton", 100, "IN", "Gujarat"),
         link(3, None, 2, "cotton", None), link(4, 2, None, "cotton", 100, "IN", ""),
         link(5, None, 3, "cotton", None)],
    )
    ranked = sorted(run(t, DEFAULT_METHODOLOGY).results, key=lambda r: r.priority_rank)
    # doc: Mauritius 0.7667 > Tamil Nadu 0.75 > Leicester 0.55, although Tamil Nadu is the most likely
    assert [r.facility_ref for r in ranked] == ["MU-MILL", "TN-SPIN", "LEI-CMT"]
    assert [r.priority_rank for r in ranked] == [1, 2, 3]


def test_a_trace_too_small_for_points_still_names_state_imposed_forced_labour() -> None:
    # docs/methodology.md, case 3 with a 0.001 % share from the Xinjiang-sourcing spinner: 40 × 0.00001 rounds to
    # 0 points, yet the facility is irremediable, so the sentence must still say why it is avoid/exit.
    t = tables(
        [facility(1, "BD-T1", "BD", "Dhaka", 1, "final product assembly", 2500, 5, 10, False, False),
         facility(2, "BD-T2", "BD", "Mymensingh", 2, "fabric mill", 1200, 10, 5, False, False),
         facility(3, "CN-T3A", "CN", "Jiangsu", 3, "spinning", 600, 10, 5, False, False),
         facility(4, "BD-T3B", "BD", "Narayanganj", 3, "spinning", 400, 10, 5, False, False)],
        [link(1, None, 1, "cotton", 30), link(2, 1, 2, "cotton", 100), link(3, 2, 3, "cotton", 0.001),
         link(4, 2, 4, "cotton", 99.999), link(5, 3, None, "cotton", None, "CN", "Xinjiang"),
         link(6, 4, None, "cotton", 100, "US", "Texas")],
    )
    r = _by_ref(run(t, DEFAULT_METHODOLOGY))["BD-T1"]
    assert r.irremediable is True
    assert r.band == "critical"
    assert ("state_imposed", 0.0) in _factors(r)
    assert r.explanation.endswith(
        "sources cotton from Xinjiang Uyghur Autonomous Region through 2 tiers (state-imposed forced labour; "
        "UFLPA rebuttable presumption; CBP WRO 2020; high-risk regions 2024-11) — not remediable through supplier "
        "engagement.")
    assert explain(r) == r.explanation
