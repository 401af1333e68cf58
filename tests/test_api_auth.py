"""API authentication (Bearer tokens, session + CSRF), error shapes and the OpenAPI document."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from fairthread.accounts.models import ApiToken, hash_token
from fairthread.accounts.tokens import create_token, revoke_token
from fairthread.api.api import api
from tests.api_support import Api

# Every operation the API must offer (from the brief for issue 2, item 11).
EXPECTED_OPERATIONS = {
    ("get", "/api/v1/facilities"): "list_facilities",
    ("post", "/api/v1/facilities"): "create_facility",
    ("get", "/api/v1/facilities/{uid}"): "get_facility",
    ("patch", "/api/v1/facilities/{uid}"): "update_facility",
    ("get", "/api/v1/facilities/{uid}/upstream"): "facility_upstream",
    ("get", "/api/v1/facilities/{uid}/downstream"): "facility_downstream",
    ("get", "/api/v1/links"): "list_links",
    ("post", "/api/v1/links"): "create_link",
    ("get", "/api/v1/links/{link_id}"): "get_link",
    ("delete", "/api/v1/links/{link_id}"): "delete_link",
    ("get", "/api/v1/imports"): "list_imports",
    ("post", "/api/v1/imports"): "create_import",
    ("get", "/api/v1/imports/{batch_id}"): "get_import",
    ("get", "/api/v1/challenges"): "list_challenges",
    ("post", "/api/v1/challenges"): "create_challenge",
    ("get", "/api/v1/challenges/{challenge_id}"): "get_challenge",
    ("post", "/api/v1/challenges/{challenge_id}/answers"): "answer_challenge",
    ("post", "/api/v1/challenges/{challenge_id}/close"): "close_challenge",
    ("get", "/api/v1/tokens"): "list_tokens",
    ("post", "/api/v1/tokens"): "create_token",
    ("delete", "/api/v1/tokens/{token_id}"): "revoke_token",
    ("get", "/api/v1/risk/runs"): "list_risk_runs",
    ("post", "/api/v1/risk/runs"): "start_risk_run",
    ("get", "/api/v1/risk/runs/{run_id}"): "get_risk_run",
    ("get", "/api/v1/risk/runs/{run_id}/results"): "list_run_results",
    ("get", "/api/v1/risk/results"): "list_risk_results",
    ("get", "/api/v1/risk/facilities/{uid}"): "get_facility_risk",
    ("get", "/api/v1/risk/critical-areas"): "list_critical_areas",
    ("get", "/api/v1/risk/methodology"): "list_methodology_versions",
    ("get", "/api/v1/risk/methodology/{version}"): "get_methodology_version",
    ("get", "/api/v1/screening/hits"): "list_screening_hits",
    ("get", "/api/v1/screening/hits/{hit_id}"): "get_screening_hit",
    ("post", "/api/v1/screening/hits/{hit_id}/confirm"): "confirm_screening_hit",
    ("post", "/api/v1/screening/hits/{hit_id}/dismiss"): "dismiss_screening_hit",
    ("get", "/api/v1/screening/lists"): "list_screening_lists",
    # Issue 5: matching (the review queue of candidate pairs, decisions, merges and undo).
    ("get", "/api/v1/matching/candidates"): "list_match_candidates",
    ("get", "/api/v1/matching/candidates/{candidate_id}"): "get_match_candidate",
    ("post", "/api/v1/matching/candidates/{candidate_id}/decision"): "decide_match_candidate",
    ("get", "/api/v1/matching/merges"): "list_facility_merges",
    ("post", "/api/v1/matching/merges/{merge_id}/undo"): "undo_facility_merge",
}


def _bearer(raw: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}"}


def test_bearer_token_authenticates_and_records_last_use(people, facility):
    token, raw = create_token(people.analyst, "script", by=people.analyst)
    assert token.last_used_at is None
    response = Client().get("/api/v1/facilities", headers=_bearer(raw))
    assert response.status_code == 200
    assert response.json()["count"] == 1
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_token_is_refused(people, facility):
    token, raw = create_token(people.analyst, "script", by=people.analyst)
    revoke_token(token, by=people.analyst)
    response = Client().get("/api/v1/facilities", headers=_bearer(raw))
    assert response.status_code == 401


def test_token_of_inactive_user_is_refused(people):
    _, raw = create_token(people.analyst, "script", by=people.analyst)
    people.analyst.is_active = False
    people.analyst.save()
    assert Client().get("/api/v1/facilities", headers=_bearer(raw)).status_code == 401


def test_hash_is_not_a_key(people):
    # Whoever reads the database must not be able to use what is stored there.
    token, _ = create_token(people.analyst, "script", by=people.analyst)
    assert Client().get("/api/v1/facilities", headers=_bearer(token.key_hash)).status_code == 401


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic YTpi"}])
def test_unauthenticated_gets_401_json(db, headers):
    response = Client().get("/api/v1/facilities", headers=headers)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_unauthenticated_post_is_401_not_a_csrf_error(db):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/facilities", "{}", content_type="application/json")
    assert response.status_code == 401


def test_session_auth_reads(people, facility):
    client = Client()
    client.force_login(people.ngo)
    response = client.get("/api/v1/facilities")
    assert response.status_code == 200
    assert [f["name"] for f in response.json()["items"]] == ["Own Knitwear Ltd"]


def test_session_writes_need_the_csrf_token(people):
    client = Client(enforce_csrf_checks=True)
    client.force_login(people.analyst)
    body = json.dumps({"name": "Session Mill", "country": "PT"})
    refused = client.post("/api/v1/facilities", body, content_type="application/json")
    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    # A page of the app sets the CSRF cookie; the client sends it back in the header.
    client.get("/api/v1/facilities")
    client.cookies["csrftoken"] = "a" * 32
    accepted = client.post("/api/v1/facilities", body, content_type="application/json",
                           headers={"X-CSRFToken": "a" * 32})
    assert accepted.status_code == 201, accepted.content
    assert accepted.json()["country"] == "PT"


def test_token_clients_need_no_csrf(people):
    _, raw = create_token(people.analyst, "script", by=people.analyst)
    client = Client(enforce_csrf_checks=True)
    response = client.post("/api/v1/facilities", json.dumps({"name": "Token Mill", "country": "Portugal"}),
                           content_type="application/json", headers=_bearer(raw))
    assert response.status_code == 201


def test_openapi_document_lists_every_operation(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = json.loads(response.content)
    assert doc["openapi"].startswith("3.")
    found = {(method, path): op["operationId"]
             for path, ops in doc["paths"].items() for method, op in ops.items()}
    assert found == EXPECTED_OPERATIONS
    assert len(set(found.values())) == len(found)  # operation ids are unique


def test_every_operation_names_its_policy_action(db):
    from fairthread.accounts import policy

    doc = api.get_openapi_schema()
    for path, ops in doc["paths"].items():
        for method, op in ops.items():
            needed = op["x-fairthread-access"]
            assert needed["action"] in policy.ACTIONS[needed["object"]], (method, path)


def test_openapi_declares_both_auth_schemes(db):
    doc = api.get_openapi_schema()
    schemes = doc["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_docs_page_loads_nothing_from_a_cdn(db):
    response = Client().get("/api/v1/docs")
    if response.status_code == 200:
        assert b"cdn." not in response.content and b"https://" not in response.content
    else:
        assert response.status_code == 404


def test_unknown_api_path_is_404(people):
    assert Api(people.analyst).get("/facilities/not-a-uuid").status_code == 404


def test_token_made_in_the_database_directly_works(people):
    # The shape of the test helper's tokens matches the service's: only the hash matters.
    ApiToken.objects.create(user=people.ngo, name="t", key_prefix="ft_x", key_hash=hash_token("ft_xyz"))
    assert Client().get("/api/v1/links", headers=_bearer("ft_xyz")).status_code == 200
