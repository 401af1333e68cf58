"""Agent hits in the review queue, the API and the facility page; naming an agent from the facility page."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fairthread.audit.models import AuditEvent
from fairthread.screening import services
from fairthread.screening.models import ScreeningHit
from fairthread.supplychain.identity import identity_key
from fairthread.supplychain.models import AgentEngagement, RecruitmentAgent
from tests.factories import make_facility

pytestmark = pytest.mark.django_db
LIST = "id,name,aliases,country,address,list,effective_date\nA1,Annapurna Overseas Employment Pvt. Ltd.,,NP,,Own,\n"


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def agent_hit(people):
    agent = RecruitmentAgent.objects.create(name="Annapurna Overseas Employment Pvt Ltd", country="NP",
                                            identity_key=identity_key("Annapurna Overseas Employment Pvt Ltd", "",
                                                                      "NP"))
    gloves = make_facility("Klang Gloves", "MY", organisation=people.supplier.organisation)
    knits = make_facility("Doha Knits", "QA")
    AgentEngagement.objects.create(agent=agent, facility=gloves, origin_country="NP")
    AgentEngagement.objects.create(agent=agent, facility=knits, origin_country="NP")
    services.load_list_version(LIST.encode(), fmt="csv", name="Own list", by="test")
    return ScreeningHit.objects.get(agent=agent)


def test_the_queue_shows_an_agent_hit_with_the_facilities_concerned(people, agent_hit):
    html = client_for(people.analyst).get("/screening/").content.decode()
    assert "Recruitment agent <strong>Annapurna Overseas Employment Pvt Ltd</strong> (NP)" in html
    assert "Engaged by:" in html and "Klang Gloves" in html and "Doha Knits" in html
    assert f"/screening/hits/{agent_hit.pk}/confirm/" in html
    # Each engaging facility's screening history lists the agent's hit.
    gloves = agent_hit.agent.engagements.get(facility__name="Klang Gloves").facility
    history = client_for(people.analyst).get(f"/screening/facilities/{gloves.uid}/").content.decode()
    assert f'id="hit-{agent_hit.pk}"' in history and "recruitment agent engaged by this facility" in history


def test_confirming_an_agent_hit_from_the_queue(people, agent_hit):
    response = client_for(people.analyst).post(f"/screening/hits/{agent_hit.pk}/confirm/",
                                               {"reason": "same licence"}, follow=True)
    assert response.status_code == 200
    agent_hit.refresh_from_db()
    assert agent_hit.status == "confirmed"
    assert "every facility engaging this recruitment agent" in response.content.decode()
    event = AuditEvent.objects.get(action="screening.confirm")
    assert sorted(event.after["facilities"]) == sorted(agent_hit.agent.engagements.values_list("facility_id",
                                                                                               flat=True))


def test_the_api_gives_agent_fields_and_the_facilities_concerned(people, agent_hit):
    body = client_for(people.ngo).get(f"/api/v1/screening/hits/{agent_hit.pk}").json()
    assert body["facility_uid"] is None and body["subject"] == "recruitment_agent"
    assert body["agent_name"] == "Annapurna Overseas Employment Pvt Ltd" and body["agent_country"] == "NP"
    assert sorted(f["name"] for f in body["facilities"]) == ["Doha Knits", "Klang Gloves"]
    listed = client_for(people.analyst).get("/api/v1/screening/hits?status=open").json()
    assert [i["id"] for i in listed["items"]] == [agent_hit.pk]
    dismissed = client_for(people.analyst).post(f"/api/v1/screening/hits/{agent_hit.pk}/dismiss",
                                                data=json.dumps({"reason": "other agency"}),
                                                content_type="application/json")
    assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"


def test_the_facility_page_shows_the_recruitment_agents_panel(people, agent_hit):
    gloves = agent_hit.agent.engagements.get(facility__name="Klang Gloves").facility
    html = client_for(people.analyst).get(f"/facilities/{gloves.uid}/").content.decode()
    assert 'id="agents"' in html and "Annapurna Overseas Employment Pvt Ltd" in html
    assert "NP → MY" in html and "open hit" in html
    # The supplier user running the facility sees its agents but not the screening status.
    own = client_for(people.supplier).get(f"/facilities/{gloves.uid}/").content.decode()
    assert "Annapurna Overseas Employment Pvt Ltd" in own and "open hit" not in own


def test_adding_editing_and_removing_an_agent_from_the_facility_page(people):
    facility = make_facility("Klang Gloves", "MY", organisation=people.supplier.organisation)
    c = client_for(people.supplier)
    response = c.post(f"/facilities/{facility.uid}/agents/new/", {
        "name": "Kathmandu Job Link", "country": "NP", "origin_country": "NP", "licence_number": "1234/075"})
    assert response.status_code == 302
    engagement = AgentEngagement.objects.get(facility=facility)
    assert (engagement.agent.name, engagement.agent.licence_number, engagement.origin_country) == (
        "Kathmandu Job Link", "1234/075", "NP")
    # The same corridor again is refused with a message, not a second engagement.
    again = c.post(f"/facilities/{facility.uid}/agents/new/", {
        "name": "Kathmandu Job Link", "country": "NP", "origin_country": "NP", "licence_number": "1234/075"})
    assert again.status_code == 200 and "already recruits through Kathmandu Job Link" in again.content.decode()
    assert AgentEngagement.objects.filter(facility=facility).count() == 1
    edited = c.post(f"/facilities/{facility.uid}/agents/{engagement.pk}/edit/", {
        "name": "Kathmandu Job Link", "country": "NP", "origin_country": "BD", "licence_number": "1234/075"})
    assert edited.status_code == 302
    engagement.refresh_from_db()
    assert engagement.origin_country == "BD"
    assert c.post(f"/facilities/{facility.uid}/agents/{engagement.pk}/remove/").status_code == 302
    assert not AgentEngagement.objects.exists()
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="agent_engagement").order_by("id")] == [
        "agent_engagement.create", "agent_engagement.update", "agent_engagement.delete"]
    # The critical friend may not change facilities: 403.
    assert client_for(people.ngo).get(f"/facilities/{facility.uid}/agents/new/").status_code == 403


def test_editing_a_shared_agent_moves_only_this_facilitys_engagement(people):
    from fairthread.supplychain import services as supplychain

    a = make_facility("Klang Gloves", "MY")
    b = make_facility("Doha Knits", "QA")
    ea = supplychain.add_agent_engagement(a, by=people.analyst, values={"name": "Kathmandu Job Link",
                                                                        "country": "NP"})
    eb = supplychain.add_agent_engagement(b, by=people.analyst, values={"name": "Kathmandu Job Link",
                                                                        "country": "NP"})
    assert ea.agent_id == eb.agent_id
    supplychain.update_agent_engagement(ea, by=people.analyst, values={"name": "Kathmandu Job Link Pvt Ltd"})
    ea.refresh_from_db()
    eb.refresh_from_db()
    assert ea.agent.name == "Kathmandu Job Link Pvt Ltd" and eb.agent.name == "Kathmandu Job Link"
    assert ea.agent_id != eb.agent_id


def test_a_shared_agents_licence_is_changed_in_place_by_brand_users_only(people):
    from django.core.exceptions import ValidationError

    from fairthread.supplychain import services as supplychain

    a = make_facility("Klang Gloves", "MY", organisation=people.supplier.organisation)
    b = make_facility("Doha Knits", "QA")
    ea = supplychain.add_agent_engagement(a, by=people.analyst, values={"name": "Kathmandu Job Link",
                                                                        "country": "NP"})
    eb = supplychain.add_agent_engagement(b, by=people.analyst, values={"name": "Kathmandu Job Link",
                                                                        "country": "NP"})
    with pytest.raises(ValidationError):
        supplychain.update_agent_engagement(ea, by=people.supplier, values={"licence_number": "1234/075"})
    assert supplychain.update_agent_engagement(ea, by=people.analyst, values={"licence_number": "1234/075"})
    ea.refresh_from_db()
    eb.refresh_from_db()
    assert ea.agent_id == eb.agent_id and eb.agent.licence_number == "1234/075"
    assert AuditEvent.objects.filter(action="recruitment_agent.update").count() == 1
