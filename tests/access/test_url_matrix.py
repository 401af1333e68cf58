"""Every URL and API operation, requested as every role, against the literal table in url_matrix.yaml.

Fails when a URL pattern or an API operation exists that the table does not list.
"""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import pytest
import yaml
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from fairthread.accounts.models import ApiToken, hash_token
from fairthread.api.api import api
from fairthread.challenges.models import Challenge
from fairthread.supplychain.models import ImportBatch
from tests.factories import make_facility, make_link

TABLE = yaml.safe_load((Path(__file__).parent / "url_matrix.yaml").read_text())
ROLES = TABLE["roles"]


def _named_patterns(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or ""
            names |= _named_patterns(p, f"{namespace}{ns}:" if ns else namespace)
        elif isinstance(p, URLPattern) and p.name:
            names.add(f"{namespace}{p.name}")
    return names


def test_every_web_url_is_in_the_table():
    web_names = {n for n in _named_patterns(get_resolver()) if n.startswith("web:")}
    listed = set(TABLE["web"]) | set(TABLE["public"])
    assert web_names - listed == set(), "URL patterns missing from tests/access/url_matrix.yaml"
    assert listed - web_names == set(), "the table lists URL names that no longer exist"


def test_every_api_operation_is_in_the_table():
    schema = api.get_openapi_schema()
    operations = {op["operationId"] for path in schema["paths"].values() for op in path.values()}
    assert operations - set(TABLE["api"]) == set(), "API operations missing from tests/access/url_matrix.yaml"
    assert set(TABLE["api"]) - operations == set(), "the table lists API operations that no longer exist"


CASES = [
    pytest.param(kind, name, case["method"], case["path"], role, case["expect"][role],
                 id=f"{name}-{case['method']}-{case['path']}-{role}")
    for kind in ("web", "api")
    for name, cases in TABLE[kind].items()
    for case in cases
    for role in ROLES
]


def _stored_risk_run(facility):
    """A finished assessment run with one stored result, written directly: the matrix tests access, not scoring."""
    from django.utils import timezone

    from fairthread.risk import methodology
    from fairthread.risk.models import AssessmentRun, FacilityAssessment

    method = methodology.ensure_default()
    run = AssessmentRun.objects.create(
        methodology=method, method_version=method.version, status=AssessmentRun.Status.SUCCEEDED,
        started_at=timezone.now(), finished_at=timezone.now(), facility_count=1,
    )
    FacilityAssessment.objects.create(
        run=run, facility=facility, facility_ref=facility.reference, country=facility.country, severity=0.5,
        likelihood=0.5, band="medium", exposure=0.0, priority_rank=1, explanation="Medium: test result.",
    )
    return run


def _stored_pair_and_merge(existing):
    """A pending facility pair and a merge in effect, written directly: the matrix tests access, not matching."""
    from fairthread.matching.models import FacilityMerge, MatchCandidate
    from fairthread.supplychain.models import Facility

    newcomer = make_facility("Other Spinning Mill Ltd", "IN")
    candidate = MatchCandidate.objects.create(facility=newcomer, other_facility=existing, score=0.7,
                                              model_version="test", method="model")
    merged = make_facility("Othr Spinning Mill", "IN")
    Facility.all_objects.filter(pk=merged.pk).update(status=Facility.Status.MERGED, merged_into=existing)
    merge = FacilityMerge.objects.create(survivor=existing, merged=merged, snapshot={}, moved={})
    return candidate, merge


@pytest.fixture
def world(people):
    own = make_facility("Own Knitwear Unit 1", "BD", organisation=people.supplier_org)
    other = make_facility("Other Spinning Mill", "IN", organisation=people.other_supplier_org)
    own_link = make_link(people.brand, own, material="cotton")
    other_link = make_link(people.brand, other, material="cotton")
    challenge = Challenge.objects.create(
        subject=own, subject_repr=str(own), title="Agency workers", text="How many are there?",
        due_date=datetime.date.today() + datetime.timedelta(days=14), raised_by=people.ngo,
    )
    batch = ImportBatch.objects.create(filename="list.csv", status=ImportBatch.Status.SUCCEEDED,
                                       uploaded_by=people.analyst)
    membership = people.supplier.membership
    run = _stored_risk_run(own)
    from fairthread.reference.loaders import ensure_defaults
    from fairthread.reference.models import ReferenceDataset

    ensure_defaults()  # a browser test's flush may have emptied the migration-loaded datasets
    candidate, merge = _stored_pair_and_merge(other)
    return {
        "match_candidate": candidate.pk, "facility_merge": merge.pk, "merged_facility": str(merge.merged.uid),
        "risk_run": run.pk,
        "reference_dataset": ReferenceDataset.objects.order_by("pk").values_list("pk", flat=True).first(),
        "own_facility": str(own.uid), "other_facility": str(other.uid), "own_link": own_link.pk,
        "other_link": other_link.pk, "challenge": challenge.pk, "import": batch.pk,
        "organisation": people.supplier_org.pk, "membership": membership.pk,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "name", "method", "path", "role", "expected"), CASES)
def test_access(people, world, kind, name, method, path, role, expected):
    user = people.by_role()[role]
    client = Client()
    values = dict(world, own_token=999_999)  # anonymous has no token of its own
    if user is not None:
        client.force_login(user)
        token = ApiToken.objects.create(user=user, name="matrix", key_prefix="ft_m",
                                        key_hash=hash_token(f"matrix-{role}"))
        values["own_token"] = token.pk
    url = path.format(**values)
    kwargs = {}
    if kind == "api" and method != "GET":
        kwargs = {"content_type": "application/json", "data": json.dumps({})}
    response = getattr(client, method.lower())(url, **kwargs)
    status = response.status_code
    assert status < 500, f"{method} {url} as {role} crashed with {status}"
    if expected == "login":
        assert status == 302 and response["Location"].startswith("/login/"), (status, response.get("Location"))
    elif expected == "ok":
        assert status not in (401, 403, 404), f"{method} {url} as {role}: expected access, got {status}"
        if status == 302:
            assert not response["Location"].startswith("/login/")
    else:
        assert status == int(expected), f"{method} {url} as {role}: expected {expected}, got {status}"
