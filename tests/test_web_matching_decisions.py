"""The decided pairs: what was decided, by whom, when and why."""

from __future__ import annotations

import pytest

from tests.web_matching_support import client_for, make_mills

pytestmark = pytest.mark.django_db


@pytest.fixture
def mills(people):
    return make_mills(people)


def test_decided_pairs_list_who_and_why(people, mills):
    client_for(people.admin).post(f"/matching/{mills['middle'].pk}/decide/",
                                  {"decision": "reject", "reason": "Two units"})
    html = client_for(people.ngo).get("/matching/decisions/").content.decode()
    row = html[html.index(f'id="decision-{mills["middle"].pk}"'):]
    row = row[:row.index("</tr>")]
    assert "Rejected" in row and "admin" in row and "Two units" in row
    assert f'id="decision-{mills["best"].pk}"' not in html  # still pending
    confirmed_only = client_for(people.ngo).get("/matching/decisions/?status=confirmed").content.decode()
    assert "No decided pairs yet." in confirmed_only


def test_decided_pairs_filter_by_who_decided(people, mills):
    from fairthread.matching.models import MatchCandidate

    client_for(people.admin).post(f"/matching/{mills['middle'].pk}/decide/",
                                  {"decision": "reject", "reason": "Two units"})
    # an automatic match as the import stores it: confirmed by the matcher, no person
    MatchCandidate.objects.filter(pk=mills["vn"].pk).update(status=MatchCandidate.Status.CONFIRMED,
                                                            method="automatic")
    ngo = client_for(people.ngo)
    every = ngo.get("/matching/decisions/").content.decode()
    by_person = ngo.get("/matching/decisions/?by=person").content.decode()
    automatic = ngo.get("/matching/decisions/?by=automatic").content.decode()
    middle, vn = f'id="decision-{mills["middle"].pk}"', f'id="decision-{mills["vn"].pk}"'
    assert middle in every and vn in every
    assert middle in by_person and vn not in by_person
    assert vn in automatic and middle not in automatic
    assert '<option value="automatic" selected>' in automatic
    # an unknown value shows everything rather than failing
    assert ngo.get("/matching/decisions/?by=robot").status_code == 200
