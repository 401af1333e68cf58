"""/api/v1/risk/…: runs, results (latest and per run), a facility's result, critical areas, methodology."""

from __future__ import annotations

import json

import pytest

from fairthread.risk import services
from fairthread.risk.models import AssessmentRun
from tests.api_support import Api
from tests.risk.services_support import make_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(people):
    return make_chain(people)


@pytest.fixture
def run(people, chain):
    return services.run_assessment(by=people.analyst)


def api(user, method: str, path: str, data: dict | None = None):
    client = Api(user)
    return client.post(path, data) if method == "post" else client.get(path)


def test_list_and_get_runs(people, run):
    body = api(people.ngo, "get", "/risk/runs").json()
    assert body["count"] == 1 and body["items"][0]["id"] == run.pk
    one = api(people.ngo, "get", f"/risk/runs/{run.pk}").json()
    assert one["method_version"] == "1.0" and one["inputs_digest"] == run.inputs_digest
    assert sum(one["summary"]["facilities_per_band"].values()) == 6
    assert one["triggered_by"] == "analyst"
    assert api(people.ngo, "get", "/risk/runs/latest").json()["id"] == run.pk
    assert api(people.ngo, "get", "/risk/runs/12345").status_code == 404


def test_results_filter_and_paginate(people, chain, run):
    body = api(people.analyst, "get", "/risk/results?limit=2").json()
    assert body["count"] == 6 and len(body["items"]) == 2
    first = body["items"][0]
    assert first["band"] == "critical" and first["irremediable"] is True
    nxt = api(people.analyst, "get", "/risk/results?limit=2&offset=2").json()["items"]
    assert {i["facility_ref"] for i in nxt}.isdisjoint({i["facility_ref"] for i in body["items"]})
    pt = api(people.analyst, "get", "/risk/results?country=Portugal").json()
    assert {i["facility_ref"] for i in pt["items"]} == {"NW-005", "NW-006"}
    tier3 = api(people.analyst, "get", "/risk/results?tier=3").json()
    assert {i["facility_ref"] for i in tier3["items"]} == {"NW-003", "NW-004"}
    critical = api(people.analyst, "get", "/risk/results?band=critical").json()
    assert {"NW-001", "NW-002", "NW-003"} <= {i["facility_ref"] for i in critical["items"]}
    assert api(people.analyst, "get", "/risk/results?band=purple").status_code == 422
    assert api(people.analyst, "get", "/risk/results?limit=100000").status_code == 422
    per_run = api(people.analyst, "get", f"/risk/runs/{run.pk}/results?limit=500").json()
    assert [i["priority_rank"] for i in per_run["items"]] == [1, 2, 3, 4, 5, 6]


def test_a_facility_result_with_contributions(people, chain, run):
    body = api(people.ngo, "get", f"/risk/facilities/{chain.tiruppur.uid}").json()
    assert body["facility_ref"] == "NW-004" and body["method_version"] == "1.0"
    factors = {c["factor"] for c in body["contributions"]}
    assert "workforce" in factors and "country" in factors
    assert all({"input_value", "points", "source", "edition"} <= set(c) for c in body["contributions"])
    assert body["explanation"]
    assert api(people.ngo, "get", "/risk/facilities/not-a-uuid").status_code == 404


def test_critical_areas(people, run):
    areas = api(people.ngo, "get", "/risk/critical-areas").json()
    assert [a["rank"] for a in areas] == list(range(1, len(areas) + 1))
    assert areas[0]["highest_severity"] >= areas[-1]["highest_severity"]
    assert len(api(people.ngo, "get", "/risk/critical-areas?limit=1").json()) == 1


def test_start_a_run(people, chain):
    response = api(people.admin, "post", "/risk/runs", {"methodology": "1.0"})
    assert response.status_code == 201 and response.json()["facility_count"] == 6
    bad = api(people.admin, "post", "/risk/runs", {"methodology": "8.8"})
    assert bad.status_code == 422 and "Versions: 1.0" in json.dumps(bad.json())
    assert api(people.ngo, "post", "/risk/runs").status_code == 403
    assert AssessmentRun.objects.count() == 1


def test_methodology_versions(people):
    versions = api(people.ngo, "get", "/risk/methodology").json()
    assert [v["version"] for v in versions] == ["1.0"] and versions[0]["is_default"]
    one = api(people.ngo, "get", "/risk/methodology/1.0").json()
    assert "factors" in one["body"] and one["description"]
    assert api(people.ngo, "get", "/risk/methodology/0.1").status_code == 404


@pytest.mark.parametrize("path", ["/risk/runs", "/risk/results", "/risk/critical-areas", "/risk/methodology"])
def test_supplier_users_and_outsiders_get_403(people, path):
    assert api(people.supplier, "get", path).status_code == 403
    assert api(people.outsider, "get", path).status_code == 403
    assert api(None, "get", path).status_code == 401
