"""Properties of the engine over small random supply chains (hypothesis)."""

from __future__ import annotations

import random

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fairthread.risk.engine import (
    BOUNDARY,
    BOUNDARY_OPTIONAL,
    DEFAULT_METHODOLOGY,
    default_methodology,
    diff_methodologies,
    run,
)
from tests.risk.engine_tables import facility, link, tables

SETTINGS = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PLACES = [("IN", "Tamil Nadu"), ("BD", "Dhaka"), ("CN", "Jiangsu"), ("CN", "Xinjiang"), ("PT", "Norte"),
          ("GB", "Leicestershire"), ("ZZ", "")]
TYPES = ["final product assembly", "fabric mill", "spinning", "farm"]
ORIGINS = [("IN", "Gujarat"), ("CN", "Xinjiang"), ("US", "Texas"), ("CN", "Jiangsu")]
MATERIALS = ["cotton", "polyester"]


@st.composite
def chains(draw: st.DrawFn) -> tuple[list[dict], list[dict]]:
    """2–7 facilities with random profiles and 1–12 links between them (cycles allowed) or to origins."""
    n = draw(st.integers(2, 7))
    rng = random.Random(draw(st.integers(0, 10**6)))
    maybe = lambda value: None if rng.random() < 0.2 else value  # noqa: E731 - tiny local helper
    facs = []
    for i in range(1, n + 1):
        country, region = rng.choice(PLACES)
        facs.append(facility(i, f"F{i:02d}", country, region, maybe(rng.randint(1, 4)), rng.choice(TYPES),
                             maybe(rng.randint(5, 3000)), maybe(rng.randint(0, 100)), maybe(rng.randint(0, 100)),
                             maybe(rng.random() < 0.5), maybe(rng.random() < 0.5)))
    links = []
    for lid in range(1, draw(st.integers(1, 12)) + 1):
        buyer = rng.choice([None, *range(1, n + 1)])
        share = maybe(float(rng.randint(0, 100)))
        material = rng.choice(MATERIALS)
        if buyer is not None and rng.random() < 0.3:
            oc, orr = rng.choice(ORIGINS)
            links.append(link(lid, buyer, None, material, share, oc, orr))
        else:
            links.append(link(lid, buyer, rng.randint(1, n), material, share))
    return facs, links


def _exposures(out) -> dict[int, float]:
    return {r.facility_id: r.exposure for r in out.results}


@SETTINGS
@given(chains())
def test_outputs_stay_in_range_and_ranks_are_unique(chain) -> None:
    out = run(tables(*chain), DEFAULT_METHODOLOGY)
    assert len(out.results) == len(chain[0])
    for r in out.results:
        assert 0.0 <= r.exposure <= 1.0
        assert 0.0 <= r.likelihood <= 1.0
        assert 0.0 < r.severity <= 1.0
        assert r.band in ("low", "medium", "high", "critical")
        assert all(1 <= d <= 5 for d in (r.scale, r.scope, r.irremediability))
        assert r.explanation.startswith(r.band.capitalize() + ":")
        assert [c.points for c in r.contributions] == sorted((c.points for c in r.contributions), reverse=True)
    assert sorted(r.priority_rank for r in out.results) == list(range(1, len(chain[0]) + 1))
    ranked = sorted(out.results, key=lambda r: r.priority_rank)
    keys = [(-r.severity, -r.likelihood, r.facility_ref) for r in ranked]
    assert keys == sorted(keys)


@SETTINGS
@given(chains(), st.integers(0, 6), st.one_of(st.none(), st.integers(1, 100)), st.booleans())
def test_adding_a_high_risk_input_never_lowers_exposure(chain, pick, share, via_facility) -> None:
    facs, links = chain
    before = _exposures(run(tables(facs, links), DEFAULT_METHODOLOGY))
    buyer = facs[pick % len(facs)]["facility_id"]
    share_value = None if share is None else float(share)
    if via_facility:  # a supplier located in Xinjiang
        hr = facility(99, "HR", "CN", "Xinjiang", 3, "spinning", 500, 0, 0, False, False)
        after_tables = tables([*facs, hr], [*links, link(99, buyer, 99, "cotton", share_value)])
    else:  # a declared origin in Xinjiang
        after_tables = tables(facs, [*links, link(99, buyer, None, "cotton", share_value, "CN", "Xinjiang")])
    after = _exposures(run(after_tables, DEFAULT_METHODOLOGY))
    for fid, value in before.items():
        assert after[fid] >= value
    assert after[buyer] > 0


@SETTINGS
@given(chains(), st.randoms(use_true_random=False))
def test_same_inputs_give_identical_results(chain, rnd) -> None:
    facs, links = chain
    first = run(tables(facs, links), DEFAULT_METHODOLOGY)
    shuffled_facs, shuffled_links = facs[:], links[:]
    rnd.shuffle(shuffled_facs)
    rnd.shuffle(shuffled_links)
    second = run(tables(shuffled_facs, shuffled_links), DEFAULT_METHODOLOGY)
    assert first.table.equals(second.table)
    assert list(first.results) == list(second.results)
    assert first.critical_areas == second.critical_areas


def test_a_methodology_change_changes_results_and_shows_in_the_diff() -> None:
    facs = [facility(1, "IN-1", "IN", "Tamil Nadu", 1, "final product assembly", 800, 10, 0, False, False)]
    t = tables(facs, [link(1, None, 1, "cotton", 100), link(2, 1, None, "cotton", 100, "US", "")])
    changed = default_methodology()
    changed["version"] = "1.1"
    changed["factors"]["country"]["max_points"] = 30
    a, b = run(t, DEFAULT_METHODOLOGY).results[0], run(t, changed).results[0]
    # India 8.0 per 1,000: 25 × 0.8 = 20 points before, 30 × 0.8 = 24 after → +0.04 likelihood
    assert round(b.likelihood - a.likelihood, 4) == 0.04
    assert ("factors.country.max_points", 25, 30) in diff_methodologies(DEFAULT_METHODOLOGY, changed)
    assert ("version", "1.0", "1.1") in diff_methodologies(DEFAULT_METHODOLOGY, changed)


def test_cycles_terminate() -> None:
    # A ⇄ B with unknown shares, B also sourcing Xinjiang cotton; C buys from both
    facs = [facility(i, ref, "BD", "Dhaka", 2, "fabric mill", 300, 10, 0, False, False)
            for i, ref in ((1, "A"), (2, "B"), (3, "C"))]
    links = [link(1, 1, 2, "cotton", None), link(2, 2, 1, "cotton", None), link(3, 2, None, "cotton", 50, "CN",
                                                                                 "Xinjiang"),
             link(4, 3, 1, "cotton", 50), link(5, 3, 2, "cotton", 50)]
    out = run(tables(facs, links), DEFAULT_METHODOLOGY)
    assert out.iterations < 50
    by_ref = {r.facility_ref: r for r in out.results}
    # fixed point: e(B) = 0.5 × 1 + 0.5 × e(A) and e(A) = e(B) (its only, unknown-share link) → 1.0
    assert by_ref["B"].exposure == 1.0
    assert by_ref["A"].exposure == 1.0
    assert all(r.irremediable for r in out.results)
    # with a cap of 5 rounds the run still ends, short of the fixed point: 0.5, 0.75, ... 0.9375 after 5, and it
    # says so
    method = default_methodology()
    method["factors"]["exposure"]["max_iterations"] = 5
    capped = {r.facility_ref: r for r in run(tables(facs, links), method).results}
    assert capped["B"].exposure < 1.0
    assert any("not settled after 5 rounds" in u for u in capped["B"].uncertainty)


@st.composite
def chains_with_pick(draw: st.DrawFn):
    facs, links = draw(chains())
    return facs, links, draw(st.integers(0, len(facs) - 1))


def _downstream(start: int, links: list[dict]) -> set[int]:
    seen, todo = {start}, [start]
    while todo:
        node = todo.pop()
        for lk in links:
            if lk["supplier_id"] == node and lk["buyer_id"] is not None and lk["buyer_id"] not in seen:
                seen.add(lk["buyer_id"])
                todo.append(lk["buyer_id"])
    return seen


@SETTINGS
@given(chains_with_pick())
def test_incremental_run_equals_full_run_for_the_subset(data) -> None:
    facs, links, pick = data
    full = run(tables(facs, links), DEFAULT_METHODOLOGY)
    subset = _downstream(facs[pick]["facility_id"], links)
    sub_links = [lk for lk in links if lk["buyer_id"] in subset or lk["supplier_id"] in subset]
    suppliers = {lk["supplier_id"] for lk in sub_links if lk["supplier_id"] is not None}
    sub_facs = [f for f in facs if f["facility_id"] in subset | suppliers]
    outside = suppliers - subset
    cols = [*BOUNDARY, *BOUNDARY_OPTIONAL]
    boundary = full.table.select(cols).filter(pa.array([fid in outside for fid in
                                                         full.table["facility_id"].to_pylist()]))
    inc = run(tables(sub_facs, sub_links), DEFAULT_METHODOLOGY, subset=subset, boundary=boundary)
    strip = lambda r: {**r.__dict__, "priority_rank": 0}  # noqa: E731 - ranks cover the subset only
    expected = {r.facility_id: strip(r) for r in full.results if r.facility_id in subset}
    got = {r.facility_id: strip(r) for r in inc.results}
    assert set(got) == set(expected)
    for fid, values in expected.items():
        for key, value in values.items():
            assert got[fid][key] == value, (fid, key)
