"""Recruitment agents are screened like facilities: on import, when named or renamed on the facility page, and
when a list version changes (only what changed); a hit is about the agent, decided once, and a confirmed agent
hit is state-imposed forced-labour exposure of every facility engaging the agent, downstream included."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from fairthread.audit.models import AuditEvent
from fairthread.risk import services as risk
from fairthread.risk.models import FacilityAssessment
from fairthread.screening import services
from fairthread.screening.models import ScreeningHit
from fairthread.supplychain import services as supplychain
from fairthread.supplychain.identity import identity_key
from fairthread.supplychain.importing import import_file
from fairthread.supplychain.models import AgentEngagement, RecruitmentAgent
from tests.factories import make_facility, make_link
from tests.import_support import csv_bytes

pytestmark = pytest.mark.django_db
HEADER = "id,name,aliases,country,address,list,effective_date\n"
# A brand's own list naming an (invented) recruitment agency in Nepal.
AGENCY = "A1,Annapurna Overseas Employment Pvt. Ltd.,{aliases},NP,,Own list,\n"


def load(aliases: str = "", extra: str = ""):
    return services.load_list_version((HEADER + AGENCY.format(aliases=aliases) + extra).encode(), fmt="csv",
                                      name="Own list", by="test")


def make_agent(name: str, country: str, **fields) -> RecruitmentAgent:
    return RecruitmentAgent.objects.create(name=name, country=country,
                                           identity_key=identity_key(name, "", country), **fields)


def engage(agent: RecruitmentAgent, facility, origin: str = "NP") -> AgentEngagement:
    return AgentEngagement.objects.create(agent=agent, facility=facility, origin_country=origin)


def test_an_agent_named_on_a_list_raises_a_hit_on_import(django_capture_on_commit_callbacks):
    load()
    rows = [["facility_ref", "name", "country", "recruitment_agent", "recruitment_agent_country",
             "recruitment_origin_country"],
            ["KL-1", "Klang Gloves Sdn Bhd", "MY", "Annapurna Overseas Employment (P) Ltd|Kathmandu Job Link",
             "NP", "NP"]]
    with django_capture_on_commit_callbacks(execute=True):
        result = import_file(csv_bytes(rows), filename="agents.csv", by=None)
    assert result.ok, result.errors
    hit = ScreeningHit.objects.get()
    agent = RecruitmentAgent.objects.get(name="Annapurna Overseas Employment (P) Ltd")
    assert (hit.agent, hit.facility, hit.subject) == (agent, None, "recruitment_agent")
    assert hit.entity_id == "A1" and hit.decision in {"hit", "review"} and hit.status == "open"
    assert "country matches (NP)" in hit.explanation
    # The facility's own name is not on the list: no facility hit.
    assert not ScreeningHit.objects.filter(facility__isnull=False).exists()


def test_the_agents_country_is_the_country_constraint():
    load()
    same = make_agent("Annapurna Overseas Employment Pvt Ltd", "NP")
    elsewhere = make_agent("Annapurna Overseas Employment Pvt Ltd", "BD")
    services.screen_agents({same.pk, elsewhere.pk})
    scores = dict(ScreeningHit.objects.values_list("agent_id", "score"))
    # Same name; the agent based in another country loses the country-mismatch penalty (0.15).
    assert scores[same.pk] - scores.get(elsewhere.pk, 0.0) == pytest.approx(0.15, abs=1e-3)


def test_a_dismissed_agent_hit_is_not_raised_again_unless_the_entity_changed(people):
    agent = make_agent("Annapurna Overseas Employment Pvt. Ltd.", "NP")
    load()
    hit = ScreeningHit.objects.get()
    assert hit.agent == agent
    services.dismiss_hit(hit, people.analyst, "Different agency: other licence number")
    assert AuditEvent.objects.get(action="screening.dismiss").after["recruitment_agent"] == agent.pk
    services.screen_agents({agent.pk})
    load(extra="A2,Unrelated Zipper Works,,TR,,Own list,\n")
    assert list(ScreeningHit.objects.values_list("status", flat=True)) == ["dismissed"]
    # The entity's data changed (a new alias): raised again as a new open hit.
    load(aliases="Annapurna Manpower")
    assert sorted(ScreeningHit.objects.filter(agent=agent).values_list("status", flat=True)) == [
        "dismissed", "open"]


def test_a_confirmed_agent_hit_is_evidence_for_every_engaging_facility(people):
    agent = make_agent("Annapurna Overseas Employment Pvt. Ltd.", "NP")
    gloves, knits, other = (make_facility("Klang Gloves", "MY"), make_facility("Doha Knits", "QA"),
                            make_facility("Porto Shirts", "PT"))
    engage(agent, gloves, "NP")
    engage(agent, gloves, "IN")  # two corridors through the same agent: still one hit for the facility
    engage(agent, knits, "NP")
    load()
    hit = ScreeningHit.objects.get()
    assert services.concerned_facilities(hit) == {gloves.pk, knits.pk}
    assert services.evidence_rows(None) == sorted([(gloves.pk, "screening_hit", "", "open", 1),
                                                   (knits.pk, "screening_hit", "", "open", 1)])
    services.confirm_hit(hit, people.analyst, "Same licence number")
    assert services.evidence_rows({gloves.pk, other.pk}) == [(gloves.pk, "screening_hit", "", "confirmed", 1)]
    with pytest.raises(PermissionDenied):
        services.dismiss_hit(hit, people.ngo, "no")


def test_a_confirmed_agent_hit_reaches_the_engaging_facility_and_the_tier_1_buyer(people):
    # brand <- tier 1 garment maker (BD) <- tier 2 glove maker (MY) recruiting in Nepal through the agent.
    garment = make_facility("Gazipur Garments", "BD", facility_type="final_product_assembly")
    gloves = make_facility("Klang Gloves", "MY", facility_type="final_product_assembly")
    make_link(people.brand, garment, material="cotton", volume_share=100)
    make_link(garment, gloves, material="cotton", volume_share=100)
    supplychain.recompute_tiers()
    agent = make_agent("Annapurna Overseas Employment Pvt. Ltd.", "NP")
    engage(agent, gloves)
    load()
    risk.run_assessment(by=people.analyst)
    before = {r.facility_id: r for r in FacilityAssessment.objects.filter(current=True)}
    assert not before[gloves.pk].irremediable and not before[garment.pk].irremediable

    services.confirm_hit(ScreeningHit.objects.get(agent=agent), people.analyst, "Same agency")

    after = {r.facility_id: r for r in FacilityAssessment.objects.filter(current=True)}
    for f in (gloves, garment):
        assert after[f.pk].irremediable, f.name
        assert after[f.pk].band == "critical", f.name
        assert after[f.pk].run_id != before[f.pk].run_id
        assert "state-imposed" in after[f.pk].explanation
    assert after[garment.pk].state_imposed_exposure > 0
    assert after[garment.pk].severity > before[garment.pk].severity


def test_a_new_list_version_re_screens_only_changed_entities_agents_included():
    facility = make_facility("Klang Gloves", "MY")
    annapurna = make_agent("Annapurna Overseas Employment Pvt. Ltd.", "NP")
    meghna = make_agent("Meghna Global Recruiting Agency", "BD")
    for name in ("Kathmandu Job Link", "Dhaulagiri Overseas", "Sylhet Manpower Services", "Yangon Star Agency"):
        engage(make_agent(name, "NP"), facility)
    engage(annapurna, facility)
    engage(meghna, facility, "BD")
    load()
    first = ScreeningHit.objects.get(agent=annapurna)
    _, stats = load(extra="M1,Meghna Global Recruiting Agency Ltd,,BD,,Own list,\n")
    # Only the new entity M1 was screened, and only against the agent the name index links to it (one name).
    assert stats.queries == 1
    assert stats.raised == 1 and stats.agents == {meghna.pk}
    assert ScreeningHit.objects.get(entity_id="M1").agent == meghna
    assert stats.facilities == {facility.pk}  # the facility engaging Meghna is re-assessed
    again = ScreeningHit.objects.get(agent=annapurna)
    assert (again.pk, again.updated_at) == (first.pk, first.updated_at)  # A1 unchanged: not touched


def test_a_removed_entity_withdraws_its_open_agent_hits():
    agent = make_agent("Annapurna Overseas Employment Pvt. Ltd.", "NP")
    load(extra="M1,Meghna Global Recruiting Agency Ltd,,BD,,Own list,\n")
    assert ScreeningHit.objects.filter(agent=agent).count() == 1
    services.load_list_version((HEADER + "M1,Meghna Global Recruiting Agency Ltd,,BD,,Own list,\n").encode(),
                               fmt="csv", name="Own list", by="test")
    assert not ScreeningHit.objects.filter(agent=agent).exists()


def test_naming_and_renaming_an_agent_on_the_facility_page_screens_it(people, django_capture_on_commit_callbacks):
    load()
    facility = make_facility("Klang Gloves", "MY")
    with django_capture_on_commit_callbacks(execute=True):
        engagement = supplychain.add_agent_engagement(facility, by=people.analyst, values={
            "name": "Kathmandu Job Link", "country": "NP", "origin_country": "NP"})
    assert not ScreeningHit.objects.exists()
    facility.refresh_from_db()
    assert facility.recruitment_agents is True
    with django_capture_on_commit_callbacks(execute=True):
        supplychain.update_agent_engagement(engagement, by=people.analyst, values={
            "name": "Annapurna Overseas Employment Pvt Ltd", "country": "NP"})
    hit = ScreeningHit.objects.get()
    assert hit.agent_id == engagement.agent_id and hit.subject == "recruitment_agent"
    # Renamed away from the listed name: the open, undecided hit is withdrawn.
    with django_capture_on_commit_callbacks(execute=True):
        supplychain.update_agent_engagement(engagement, by=people.analyst, values={"name": "Kathmandu Job Link"})
    assert not ScreeningHit.objects.exists()
