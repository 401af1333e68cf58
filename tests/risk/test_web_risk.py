"""The risk pages per role: overview, priority list and export, areas, facility explanation, runs, methodology."""

from __future__ import annotations

import copy
import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook

from fairthread.challenges.models import Challenge
from fairthread.risk import methodology, services
from fairthread.risk.models import AssessmentRun, MethodologyVersion
from tests.risk.services_support import make_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(people):
    return make_chain(people)


@pytest.fixture
def run(people, chain):
    return services.run_assessment(by=people.analyst)


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_overview_shows_bands_heat_grid_areas_and_priorities(people, chain, run):
    html = client_for(people.ngo).get("/risk/").content.decode()
    assert 'data-count="assessed">6<' in html
    assert f"run #{run.pk}" in html
    # The heat grid links each populated country × tier cell to the filtered priority list.
    assert 'href="/risk/facilities/?country=CN&amp;tier=3"' in html
    assert 'href="/risk/facilities/?country=PT&amp;tier=2"' in html
    assert "/risk/charts/heatmap.svg?v=" in html and "/risk/charts/map.svg?v=" in html
    assert f'href="/risk/facilities/{chain.jiangsu.uid}/"' in html
    assert 'id="areas"' in html and 'id="priorities"' in html
    # Analysts may run; the critical friend may not.
    assert "Run a new assessment" not in html
    assert "Run a new assessment" in client_for(people.analyst).get("/risk/").content.decode()


def test_overview_without_a_run_offers_the_first_one(people, chain):
    html = client_for(people.admin).get("/risk/").content.decode()
    assert "No assessment has been run yet." in html and "Run the first assessment" in html


def test_supplier_users_see_nothing_of_risk(people, chain, run):
    client = client_for(people.supplier)
    for url in ("/risk/", "/risk/facilities/", f"/risk/facilities/{chain.dhaka.uid}/", "/risk/export.csv",
                "/risk/runs/", "/risk/methodology/", "/risk/charts/heatmap.svg"):
        assert client.get(url).status_code == 403, url
    # Nor on their own facility's page, and the navigation has no Risk link.
    page = client.get(f"/facilities/{chain.dhaka.uid}/").content.decode()
    assert "Forced-labour risk" not in page and 'href="/risk/"' not in page


def test_priority_list_filters_by_band_country_and_tier(people, chain, run):
    client = client_for(people.analyst)
    html = client.get("/risk/facilities/?country=PT").content.decode()
    assert 'data-count="total">2<' in html and "Porto Garments" in html and "Jiangsu Yarn" not in html
    html = client.get("/risk/facilities/?country=BD&tier=2").content.decode()
    assert 'data-count="total">1<' in html and "Gazipur Fabric Mill" in html
    html = client.get("/risk/facilities/?band=critical").content.decode()
    assert "Jiangsu Yarn" in html and "Porto Garments" not in html
    html = client.get("/risk/facilities/?band=purple&country=Atlantis").content.decode()
    assert "Band must be critical, high, medium or low" in html and "Unknown country &#x27;Atlantis&#x27;" in html
    assert 'data-count="total">6<' in html  # bad filters are reported and ignored


def test_priority_list_is_severity_first(people, chain, run):
    html = client_for(people.analyst).get("/risk/facilities/").content.decode()
    jiangsu, porto = html.index("Jiangsu Yarn"), html.index("Porto Garments")
    assert jiangsu < porto
    assert "avoid / exit" in html


def test_export_csv_and_xlsx_are_formula_safe(people, chain, run):
    chain.braga.name = "=HYPERLINK(\"http://evil\")"
    chain.braga.save()
    client = client_for(people.ngo)
    response = client.get("/risk/export.csv?country=PT")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "priority,facility_ref,name,country,tier,band,severity,likelihood,exposure,irremediable," \
                       "explanation"
    assert len(lines) == 3
    assert "'=HYPERLINK" in text
    xlsx = client.get("/risk/export.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "facility_ref" and len(rows) == 7
    assert any(str(r[2]).startswith("'=") for r in rows[1:])
    assert client.get("/risk/export.pdf").status_code == 400


def test_facility_risk_page_explains_with_contributions_history_and_paths(people, chain, run):
    html = client_for(people.ngo).get(f"/risk/facilities/{chain.jiangsu.uid}/").content.decode()
    assert 'id="explanation"' in html
    assert "Not remediable through supplier engagement" in html
    assert 'id="contributions"' in html and "Global Slavery Index" in html
    assert 'id="history"' in html and f"#{run.pk}" in html
    assert "Exposure paths to the brand" in html and "Dhaka CMT" in html


def test_facility_page_has_a_risk_block_linking_to_the_explanation(people, chain, run):
    html = client_for(people.analyst).get(f"/facilities/{chain.tiruppur.uid}/").content.decode()
    assert "Forced-labour risk" in html
    assert f'href="/risk/facilities/{chain.tiruppur.uid}/"' in html


def test_runs_list_start_and_detail(people, chain):
    client = client_for(people.analyst)
    response = client.post("/risk/runs/start/", {"methodology": "1.0"})
    new = AssessmentRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/risk/runs/{new.pk}/"
    html = client.get("/risk/runs/").content.decode()
    assert f'href="/risk/runs/{new.pk}/"' in html and "analyst" in html
    detail = client.get(f"/risk/runs/{new.pk}/").content.decode()
    assert new.inputs_digest in detail and 'data-count="band-critical"' in detail
    bad = client.post("/risk/runs/start/", {"methodology": "4.2"}, follow=True).content.decode()
    assert "No methodology version &#x27;4.2&#x27;" in bad
    assert client_for(people.ngo).post("/risk/runs/start/").status_code == 403


def test_compare_shows_method_changes_and_moved_facilities(people, chain, run):
    body = copy.deepcopy(methodology.latest().body)
    body["factors"]["workforce"]["migrant_points"] *= 2
    body["factors"]["workforce"]["cap"] *= 2
    services.create_methodology_version(by=people.admin, body=body, change_note="Migrants weigh double.")
    second = services.run_assessment(by=people.analyst, methodology_version="1.1")
    html = client_for(people.ngo).get(f"/risk/runs/compare/?a={run.pk}&b={second.pk}").content.decode()
    assert "factors.workforce.migrant_points" in html
    assert "The input data are the same." in html
    assert "NW-004" in html and "Workforce vulnerability" in html
    assert client_for(people.ngo).get("/risk/runs/compare/?a=999&b=1").status_code == 400


def test_methodology_versions_view_diff_and_new_version_by_admin(people, chain):
    admin = client_for(people.admin)
    html = admin.get("/risk/methodology/").content.decode()
    assert 'href="/risk/methodology/1.0/"' in html and "New version" in html
    assert "New version" not in client_for(people.analyst).get("/risk/methodology/").content.decode()
    form = admin.get("/risk/methodology/new/").content.decode()
    assert "migrant_points" in form
    body = json.loads(methodology.editable_body(methodology.latest()))
    body["factors"]["country"]["max_points"] += 5
    response = admin.post("/risk/methodology/new/", {"version": "", "change_note": "Country weighs more.",
                                                      "description": "", "body": json.dumps(body)})
    assert response.status_code == 302 and response["Location"] == "/risk/methodology/1.1/"
    created = MethodologyVersion.objects.get(version="1.1")
    assert created.body["factors"]["country"]["max_points"] == body["factors"]["country"]["max_points"]
    assert created.description == methodology.get("1.0").description  # kept when left empty
    diff = client_for(people.ngo).get("/risk/methodology/diff/?a=1.0&b=1.1").content.decode()
    assert "factors.country.max_points" in diff and "1 setting differs" in diff
    # Invalid JSON and an invalid method are shown as errors, nothing saved.
    bad = admin.post("/risk/methodology/new/", {"change_note": "x", "body": "{not json"})
    assert bad.status_code == 400 and "not valid JSON" in bad.content.decode()
    del body["bands"]
    bad = admin.post("/risk/methodology/new/", {"change_note": "x", "body": json.dumps(body)})
    assert bad.status_code == 400 and MethodologyVersion.objects.count() == 2
    assert client_for(people.analyst).post("/risk/methodology/new/", {}).status_code == 403


def test_the_critical_friend_challenges_a_methodology_version(people, chain):
    methodology.ensure_default()
    ngo = client_for(people.ngo)
    html = ngo.get("/risk/methodology/1.0/").content.decode()
    assert "Open a challenge on this methodology version" in html
    response = ngo.post("/challenges/new/?type=methodology&id=1.0",
                        {"title": "Agency work is under-weighted", "text": "Why only 10 points?",
                         "due_date": "2099-01-01"})
    assert response.status_code == 302
    challenge = Challenge.objects.get()
    assert challenge.subject == MethodologyVersion.objects.get(version="1.0")
    detail = ngo.get(f"/challenges/{challenge.pk}/").content.decode()
    assert 'href="/risk/methodology/1.0/"' in detail
    assert "Agency work is under-weighted" in client_for(people.admin).get("/risk/methodology/1.0/").content.decode()


def test_the_critical_friend_challenges_an_assessment_run(people, chain, run):
    response = client_for(people.ngo).post(f"/challenges/new/?type=assessment_run&id={run.pk}",
                                           {"title": "Tier 4 missing", "text": "Gins?", "due_date": "2099-01-01"})
    assert response.status_code == 302
    assert Challenge.objects.get().subject == run


def test_charts_are_svg_without_third_party_urls(people, chain, run):
    client = client_for(people.analyst)
    for url in ("/risk/charts/heatmap.svg", "/risk/charts/map.svg"):
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
        svg = response.content.decode()
        assert svg.lstrip().startswith("<svg")
        assert "https://" not in svg.replace("http://www.w3.org", "")
