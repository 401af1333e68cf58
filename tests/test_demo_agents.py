"""The demo names invented recruitment agents along real migrant-worker corridors, and the importer takes them."""

from __future__ import annotations

import pytest

from fairthread.supplychain import demo, demo_load
from fairthread.supplychain.demo_agents import CORRIDORS
from fairthread.supplychain.importing import import_file
from fairthread.supplychain.models import AgentEngagement, RecruitmentAgent


@pytest.fixture(scope="module")
def chain() -> list[demo.DemoFacility]:
    return list(demo.generate(3_000, 7))


def test_facilities_that_recruit_through_agents_name_them(chain: list[demo.DemoFacility]) -> None:
    with_agents = [f for f in chain if f.agents]
    assert with_agents
    # Agents are named exactly where the facility recruits through agents.
    assert all(f.recruitment_agents is True for f in with_agents)
    assert all(f.agents for f in chain if f.recruitment_agents)
    for f in with_agents:
        assert 1 <= len(f.agents) <= 2
        for e in f.agents:
            assert e.agent.country == e.origin_country  # an agency in the corridor's origin country
            if f.country in CORRIDORS:
                assert e.origin_country in {o for o, _ in CORRIDORS[f.country]}
            else:
                assert e.origin_country == f.country  # a domestic labour contractor
    malaysia = [e for f in with_agents if f.country == "MY" for e in f.agents]
    assert malaysia and {e.origin_country for e in malaysia} <= {"NP", "BD", "MM", "ID"}
    # Agents are shared between facilities, as a pool per origin country.
    names = [e.agent.name for f in with_agents for e in f.agents]
    assert len(set(names)) < len(names)


def test_the_demo_is_deterministic_in_its_agents(chain: list[demo.DemoFacility]) -> None:
    again = list(demo.generate(3_000, 7))
    assert [(f.brand_ref, f.agents) for f in again] == [(f.brand_ref, f.agents) for f in chain]


@pytest.mark.django_db
def test_demo_agents_import_once() -> None:
    brand = demo_load.ensure_brand()
    data = demo_load.demo_csv(400, 3)
    result = import_file(data, filename="demo.csv", by=None, organisation=brand)
    assert result.ok, result.errors[:3]
    expected = {(e.agent.name, f.brand_ref, e.origin_country) for f in demo.generate(400, 3) for e in f.agents}
    assert expected
    stored = set(AgentEngagement.objects.values_list("agent__name", "facility__brand_ref", "origin_country"))
    assert stored == expected
    agents = RecruitmentAgent.objects.count()
    again = import_file(data, filename="demo.csv", by=None, organisation=brand)
    assert (again.ok, again.agents_created, again.engagements_created) == (True, 0, 0)
    assert RecruitmentAgent.objects.count() == agents
