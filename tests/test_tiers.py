"""Tier derivation: expectations worked out by hand from the rule in the issue
(brand's direct suppliers are tier 1; a facility's tier is 1 + the lowest tier of its buyers)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from fairthread.supplychain.tiers import BRAND, derive_tiers, find_cycles


def test_chain_down_to_tier_four():
    links = [(BRAND, "cmt"), ("cmt", "mill"), ("mill", "spinner"), ("spinner", "gin")]
    result = derive_tiers(["cmt", "mill", "spinner", "gin"], links)
    assert result.tiers == {"cmt": 1, "mill": 2, "spinner": 3, "gin": 4}
    assert result.cycles == []


def test_lowest_buyer_tier_wins():
    # The dye house supplies a tier-1 factory directly and a tier-2 mill: it is tier 2, not 3.
    links = [(BRAND, "cmt"), ("cmt", "mill"), ("mill", "dye"), ("cmt", "dye")]
    assert derive_tiers(["cmt", "mill", "dye"], links).tiers["dye"] == 2


def test_declared_tier_only_where_no_link():
    links = [(BRAND, "cmt"), ("cmt", "mill")]
    declared = {"mill": 4, "orphan": 3, "cmt": 2}
    tiers = derive_tiers(["cmt", "mill", "orphan", "unknown"], links, declared).tiers
    assert tiers == {"cmt": 1, "mill": 2, "orphan": 3, "unknown": None}


def test_declared_root_seeds_its_suppliers():
    # A mill with no buyer link but a declared tier 2: its spinner follows as tier 3.
    tiers = derive_tiers(["mill", "spinner"], [("mill", "spinner")], {"mill": 2}).tiers
    assert tiers == {"mill": 2, "spinner": 3}


def test_cycle_is_reported_and_terminates():
    links = [(BRAND, "a"), ("a", "b"), ("b", "c"), ("c", "a")]
    result = derive_tiers(["a", "b", "c"], links)
    assert result.tiers == {"a": 1, "b": 2, "c": 3}
    assert result.cycles == [["a", "b", "c"]]
    assert result.in_cycle == {"a", "b", "c"}


def test_self_loop_is_a_cycle():
    assert find_cycles({"a": ["a"]}) == [["a"]]


@given(st.lists(st.tuples(st.integers(0, 30), st.integers(1, 30)), max_size=120))
def test_every_linked_tier_is_one_more_than_its_best_buyer(edges):
    # Node 0 stands for the brand.
    links = [(BRAND if b == 0 else b, s) for b, s in edges]
    ids = list(range(1, 31))
    tiers = derive_tiers(ids, links).tiers
    for node in ids:
        buyer_tiers = [0 if b == 0 else tiers[b] for b, s in edges if s == node]
        known = [t for t in buyer_tiers if t is not None]
        if known:
            assert tiers[node] == min(known) + 1
        else:
            assert tiers[node] is None
