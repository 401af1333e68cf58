"""The demo generator: deterministic, realistic in shape, hotspots planted, and accepted by the importer."""

from __future__ import annotations

import csv
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from fairthread.supplychain import demo, demo_load
from fairthread.supplychain.importing import import_file
from fairthread.supplychain.models import Facility, SourcingLink

N = 600


@pytest.fixture(scope="module")
def chain() -> list[demo.DemoFacility]:
    return list(demo.generate(N, 42))


def _csv(n: int, seed: int) -> str:
    out = io.StringIO()
    demo.write_csv(out, n, seed)
    return out.getvalue()


def test_same_size_and_seed_give_identical_output() -> None:
    assert _csv(300, 7) == _csv(300, 7)


def test_another_seed_gives_another_chain() -> None:
    assert _csv(300, 7) != _csv(300, 8)


def test_exactly_n_facilities_with_unique_references(chain: list[demo.DemoFacility]) -> None:
    refs = [f.brand_ref for f in chain]
    assert len(refs) == N
    assert len(set(refs)) == N
    assert refs[0] == "NW-T1-00001"


def test_all_four_tiers_and_header_columns(chain: list[demo.DemoFacility]) -> None:
    tiers = Counter(f.declared_tier for f in chain)
    assert set(tiers) == {1, 2, 3, 4}
    assert all(count > 0 for count in tiers.values())
    header = _csv(150, 1).splitlines()[0].split(",")
    assert header == demo.COLUMNS


def test_every_link_goes_one_tier_down_to_an_existing_buyer(chain: list[demo.DemoFacility]) -> None:
    tier_of = {f.brand_ref: f.declared_tier for f in chain}
    for f in chain:
        for link in f.links:
            if f.declared_tier == 1:
                assert link.buyer_ref == demo.BRAND
            else:
                assert tier_of[link.buyer_ref] == f.declared_tier - 1


@pytest.mark.parametrize("seed", [42, 3])
def test_shares_of_each_buyer_and_material_add_up_to_100(seed: int) -> None:
    groups = demo.share_groups(demo.generate(2_000, seed))
    given_groups = [shares for shares in groups.values() if any(s is not None for s in shares)]
    unknown = [shares for shares in groups.values() if all(s is None for s in shares)]
    assert given_groups
    for shares in given_groups:
        assert None not in shares  # a group is either fully known or fully unknown
        assert sum(shares) == Decimal(100)
    # Unknown shares are a minority, but they exist.
    assert 0 < len(unknown) < len(given_groups) / 3


@settings(max_examples=40, deadline=None)
@given(n=st.integers(min_value=1, max_value=10_000), seed=st.integers(min_value=0, max_value=10**6))
def test_split_hundred_adds_up_with_positive_parts(n: int, seed: int) -> None:
    import random

    parts = demo.split_hundred(random.Random(seed), n)
    assert len(parts) == n
    assert sum(parts) == Decimal(100)
    assert min(parts) > 0


def test_split_hundred_refuses_groups_too_large_for_hundredths() -> None:
    import random

    with pytest.raises(ValueError, match="10001"):
        demo.split_hundred(random.Random(1), 10_001)


def test_tamil_nadu_spinning_mill_with_hostel_and_migrant_workers(chain: list[demo.DemoFacility]) -> None:
    mills = [
        f
        for f in chain
        if f.country == "IN"
        and f.region == "Tamil Nadu"
        and f.facility_type == "spinning"
        and f.dormitory is True
        and f.pct_migrant is not None
        and f.pct_migrant >= 60
    ]
    assert mills
    assert any(f.pct_female is not None and f.pct_female >= 80 and f.recruitment_agents for f in mills)


def test_xinjiang_cotton_reaches_a_tier_one_factory(chain: list[demo.DemoFacility]) -> None:
    by_ref = {f.brand_ref: f for f in chain}
    sources = [
        f
        for f in chain
        if f.declared_tier == 3
        and any(o.country == "CN" and o.region == "Xinjiang" and o.material == "cotton" for o in f.origins)
    ]
    assert sources

    def reaches_tier_one(f: demo.DemoFacility) -> bool:
        return any(
            link.buyer_ref != demo.BRAND
            and (by_ref[link.buyer_ref].declared_tier == 1 or reaches_tier_one(by_ref[link.buyer_ref]))
            for link in f.links
        )

    assert any(reaches_tier_one(f) for f in sources)


def test_leicester_mauritius_and_turkmen_hotspots(chain: list[demo.DemoFacility]) -> None:
    leicester = [
        f
        for f in chain
        if f.country == "GB"
        and f.declared_tier == 1
        and "Leicester" in f.address
        and f.facility_type == "final product assembly"
    ]
    assert leicester
    assert any(f.pct_agency is not None and f.pct_agency >= 30 for f in leicester)
    assert any(f.country == "MU" and f.recruitment_agents is True for f in chain)
    turkmen = [
        f
        for f in chain
        if f.country == "TR"
        and f.facility_type == "spinning"
        and any(o.country == "TM" and o.material == "cotton" for o in f.origins)
    ]
    assert turkmen


def test_supplier_group_runs_several_tier_one_facilities(chain: list[demo.DemoFacility]) -> None:
    group = [f for f in chain if f.organisation == demo.SUPPLIER_GROUP]
    assert sum(1 for f in group if f.declared_tier == 1) >= 3


def test_countries_are_real_production_countries(chain: list[demo.DemoFacility]) -> None:
    tier1 = Counter(f.country for f in chain if f.declared_tier == 1)
    assert {"CN", "TR", "IN", "BD"} <= set(tier1)
    assert all(-90 <= f.lat <= 90 and -180 <= f.lng <= 180 for f in chain if f.lat is not None)
    assert all(f.coordinate_precision for f in chain if f.lat is not None)


def test_large_chains_stream_rows(chain: list[demo.DemoFacility]) -> None:
    # The generator is lazy: asking for 1,000,000 facilities yields the first at once.
    first = next(demo.generate(1_000_000, 42))
    assert first.brand_ref == "NW-T1-000001"


@pytest.mark.django_db
def test_demo_csv_imports_cleanly_and_tiers_match() -> None:
    brand = demo_load.ensure_brand()
    data = demo_load.demo_csv(300, 5)
    result = import_file(data, filename="demo.csv", by=None, organisation=brand)
    assert result.errors == []
    assert result.ok
    assert result.created == 300
    declared_vs_derived = Counter(Facility.objects.values_list("declared_tier", "tier"))
    assert {pair[0] for pair in declared_vs_derived} == {1, 2, 3, 4}
    assert all(declared == derived for declared, derived in declared_vs_derived)
    again = import_file(data, filename="demo.csv", by=None, organisation=brand)
    assert (again.ok, again.created, again.links_created) == (True, 0, 0)


@pytest.mark.django_db
def test_bulk_path_matches_the_import_path_and_is_idempotent() -> None:
    rows = list(csv.DictReader(io.StringIO(_csv(300, 5))))
    expected_links = sum(1 for r in rows if r["supplies"] or r["origin_country"])
    first = demo_load.load(300, 5, bulk=True)
    assert (first.facilities_created, first.links_created) == (300, expected_links)
    assert Facility.objects.count() == 300
    assert SourcingLink.objects.count() == expected_links
    assert SourcingLink.objects.filter(origin_country="CN", origin_region="Xinjiang").exists()
    assert Facility.objects.filter(tier__isnull=True).count() == 0
    second = demo_load.load(300, 5, bulk=True)
    assert second.skipped
    assert (Facility.objects.count(), SourcingLink.objects.count()) == (300, expected_links)


@pytest.mark.django_db
def test_generatedemo_command_loads_twice_without_change() -> None:
    out = io.StringIO()
    call_command("generatedemo", facilities=200, seed=9, stdout=out)
    counts = (Facility.objects.count(), SourcingLink.objects.count())
    assert counts[0] == 200
    call_command("generatedemo", facilities=200, seed=9, stdout=out)
    assert (Facility.objects.count(), SourcingLink.objects.count()) == counts
    assert "nothing changed" in out.getvalue()


def test_generatedemo_writes_csv(tmp_path) -> None:
    path = tmp_path / "demo.csv"
    call_command("generatedemo", facilities=150, seed=2, output=str(path), stdout=io.StringIO())
    assert path.read_text(encoding="utf-8") == _csv(150, 2)


def test_generatedemo_refuses_too_few_facilities(tmp_path) -> None:
    with pytest.raises(CommandError, match="at least 100"):
        call_command("generatedemo", facilities=5, seed=2, output=str(tmp_path / "x.csv"))


def test_demo_writes_exactly_the_fairthread_format_columns() -> None:
    # demo.py stays free of Django, so it keeps its own copy of the column list: it must not drift.
    from fairthread.supplychain.importing.formats import FAIRTHREAD_COLUMNS

    assert list(FAIRTHREAD_COLUMNS) == demo.COLUMNS
