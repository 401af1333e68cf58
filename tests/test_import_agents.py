"""Recruitment agents in the fairthread import format: agent columns, row + column messages, idempotent
re-import (agents found again by identity key, engagements never duplicated), the recruitment_agents flag."""

from __future__ import annotations

import pytest

from fairthread.audit.models import AuditEvent
from fairthread.supplychain.importing import import_file
from fairthread.supplychain.models import AgentEngagement, Facility, RecruitmentAgent
from tests.import_support import csv_bytes

pytestmark = pytest.mark.django_db

HEADER = ["facility_ref", "name", "country", "address", "recruitment_agents", "recruitment_agent",
          "recruitment_agent_native", "recruitment_agent_country", "recruitment_agent_licence",
          "recruitment_origin_country"]
GOOD = [
    HEADER,
    # Two agents based in Nepal (one value for both), one origin for both, licences aligned (the second empty).
    ["KL-1", "Klang Gloves Sdn Bhd", "Malaysia", "Lot 5, Klang", "", "Everest Manpower Pvt. Ltd.|Dhaulagiri Overseas",
     "एभरेस्ट म्यानपावर|", "Nepal", "1234/075|", "Nepal"],
    # The same agent written differently (punctuation, case) and a different corridor per agent.
    ["AM-2", "Amman Apparel LLC", "Jordan", "Al-Hassan Industrial Estate", "yes",
     "EVEREST MANPOWER PVT LTD|Meghna Global Recruiting", "", "NP|BD", "", "Nepal|Bangladesh"],
    # No agents named: the flag stays as the row gives it (empty).
    ["DH-3", "Dhaka Knit", "Bangladesh", "Road 3", "", "", "", "", "", ""],
]


def run(rows: list[list[str]], **kwargs):
    return import_file(csv_bytes(rows), filename="agents.csv", by=kwargs.pop("by", None), **kwargs)


def test_agent_columns_create_agents_and_engagements():
    result = run(GOOD)
    assert result.ok, result.errors
    assert (result.agents_created, result.engagements_created) == (3, 4)
    agents = {a.name: a for a in RecruitmentAgent.objects.all()}
    # "EVEREST MANPOWER PVT LTD" in Nepal is the same agent as "Everest Manpower Pvt. Ltd." (first spelling kept).
    assert sorted(agents) == ["Dhaulagiri Overseas", "Everest Manpower Pvt. Ltd.", "Meghna Global Recruiting"]
    everest = agents["Everest Manpower Pvt. Ltd."]
    assert (everest.country, everest.licence_number, everest.name_native) == ("NP", "1234/075", "एभरेस्ट म्यानपावर")
    assert agents["Dhaulagiri Overseas"].licence_number == ""
    assert agents["Meghna Global Recruiting"].country == "BD"
    corridors = sorted(AgentEngagement.objects.values_list("agent__name", "facility__brand_ref", "origin_country"))
    assert corridors == [
        ("Dhaulagiri Overseas", "KL-1", "NP"),
        ("Everest Manpower Pvt. Ltd.", "AM-2", "NP"),
        ("Everest Manpower Pvt. Ltd.", "KL-1", "NP"),
        ("Meghna Global Recruiting", "AM-2", "BD"),
    ]
    flags = dict(Facility.objects.values_list("brand_ref", "recruitment_agents"))
    assert flags == {"KL-1": True, "AM-2": True, "DH-3": None}
    assert AuditEvent.objects.filter(action="recruitment_agent.create").count() == 3
    assert AuditEvent.objects.filter(action="agent_engagement.create").count() == 4
    assert "3 recruitment agents created, 4 agent engagements created" in result.summary()


def test_reimport_finds_the_agents_again_and_adds_no_engagement():
    assert run(GOOD).ok
    before = (RecruitmentAgent.objects.count(), AgentEngagement.objects.count())
    again = run(GOOD)
    assert again.ok, again.errors
    assert (again.agents_created, again.engagements_created) == (0, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert (RecruitmentAgent.objects.count(), AgentEngagement.objects.count()) == before == (3, 4)


def test_a_new_corridor_is_a_new_engagement_of_the_same_agent_and_details_fill_in():
    assert run(GOOD).ok
    rows = [HEADER, ["KL-1", "Klang Gloves Sdn Bhd", "Malaysia", "Lot 5, Klang", "", "Dhaulagiri Overseas", "",
                     "Nepal", "DOE-77", "India"]]
    result = run(rows)
    assert result.ok, result.errors
    assert (result.agents_created, result.engagements_created) == (0, 1)
    agent = RecruitmentAgent.objects.get(name="Dhaulagiri Overseas")
    assert agent.licence_number == "DOE-77"  # was empty; the new file gives it
    assert sorted(agent.engagements.values_list("origin_country", flat=True)) == ["IN", "NP"]


@pytest.mark.parametrize(("row", "message"), [
    (["X-1", "Klang Gloves", "Malaysia", "", "", "A One|B Two|C Three", "", "NP|BD", "", ""],
     "row 1, column 'recruitment_agent_country': has 2 value(s) for 3 agent(s) in column 'recruitment_agent'; "
     "give one value for all of them or one per agent, separated by '|'"),
    (["X-1", "Klang Gloves", "Malaysia", "", "", "A One", "", "", "", "Nepall"],
     "row 1, column 'recruitment_origin_country': unknown country 'Nepall'"),
    (["X-1", "Klang Gloves", "Malaysia", "", "", "", "", "Nepal", "", ""],
     "row 1, column 'recruitment_agent_country': is given but column 'recruitment_agent' names no agent"),
    (["X-1", "Klang Gloves", "Malaysia", "", "no", "A One", "", "", "", ""],
     "row 1, column 'recruitment_agents': says no recruitment through agents, but column 'recruitment_agent' "
     "names agents"),
    (["X-1", "Klang Gloves", "Malaysia", "", "", "A One||B Two", "", "", "", ""],
     "row 1, column 'recruitment_agent': has an empty name between '|' separators"),
    (["X-1", "Klang Gloves", "Malaysia", "", "", "A One|B Two", "", "", "L1|L2|L3", ""],
     "row 1, column 'recruitment_agent_licence': has 3 value(s) for 2 agent(s) in column 'recruitment_agent'; "
     "give one value per agent, separated by '|'"),
])
def test_bad_agent_cells_name_row_and_column_and_nothing_is_written(row, message):
    result = run([HEADER, row])
    assert not result.ok
    assert any(e.startswith(message) for e in result.errors), result.errors
    assert not Facility.objects.exists() and not RecruitmentAgent.objects.exists()


def test_conflicting_details_for_one_agent_across_rows_are_an_error():
    rows = [HEADER,
            ["KL-1", "Klang Gloves", "Malaysia", "", "", "Everest Manpower", "", "Nepal", "L-1", "Nepal"],
            ["KL-2", "Klang Mittens", "Malaysia", "", "", "Everest Manpower", "", "Nepal", "L-2", "Nepal"]]
    result = run(rows)
    assert not result.ok
    assert result.errors == ["rows 1 and 2 name the recruitment agent 'Everest Manpower' with different values in "
                             "column 'recruitment_agent_licence' ('L-1' and 'L-2')"]
    assert not RecruitmentAgent.objects.exists()


def test_the_format_is_detected_from_the_agent_column_alone():
    rows = [["name", "country", "recruitment agent", "agent country"],
            ["Penang Cables", "MY", "Kathmandu Job Link", "NP"]]
    result = run(rows)
    assert result.ok and result.file_format == "fairthread"
    assert RecruitmentAgent.objects.get().country == "NP"


def test_an_agent_added_on_the_facility_page_with_an_address_is_found_again_by_an_import(people):
    from fairthread.supplychain.services import add_agent_engagement

    assert run(GOOD[:2]).ok
    klang = Facility.objects.get(brand_ref="KL-1")
    # Named by hand, with an address the import never gives: still the agent "Meghna Global Recruiting" of
    # Bangladesh, so the import below engages it instead of creating a second one.
    add_agent_engagement(klang, by=people.admin, values={
        "name": "Meghna Global Recruiting", "country": "BD", "address": "House 12, Road 5, Banani, Dhaka",
        "origin_country": "BD"})
    result = run([HEADER, GOOD[2]])
    assert result.ok, result.errors
    # Everest Manpower came with the first file and Meghna from the facility page: nothing new
    assert (result.agents_created, result.engagements_created) == (0, 2)
    assert RecruitmentAgent.objects.filter(name__iexact="meghna global recruiting").count() == 1
