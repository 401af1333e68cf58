"""The matching review queue: best score first, counts, filters by kind and country, the empty state, and the
navigation entry."""

from __future__ import annotations

import pytest

from fairthread.matching.models import MatchCandidate
from tests.web_matching_support import client_for, make_mills

pytestmark = pytest.mark.django_db


@pytest.fixture
def mills(people):
    return make_mills(people)


def test_queue_lists_pairs_best_first_with_counts(people, mills):
    html = client_for(people.ngo).get("/matching/").content.decode()
    positions = [html.index(f'id="pair-{mills[k].pk}"') for k in ("best", "middle", "vn")]
    assert positions == sorted(positions)
    assert "<strong>3</strong> pairs to review: 3 facility pairs, 0 registry pairs" in html
    assert "M E R C U R Y APPAR EL" in html and "Mercury Apparel (Pvt) Ltd" in html
    assert "0.91" in html and "0.62" in html


def test_queue_filters_by_country_and_kind_and_has_an_empty_state(people, mills):
    c = client_for(people.analyst)
    vn = c.get("/matching/?country=VN").content.decode()
    assert f'id="pair-{mills["vn"].pk}"' in vn and f'id="pair-{mills["best"].pk}"' not in vn
    assert "1 of 3 pairs match the filters" in vn
    registry_only = c.get("/matching/?kind=registry").content.decode()
    assert "No pair to review matches these filters." in registry_only
    bad = c.get("/matching/?country=Atlantis", follow=True).content.decode()
    assert "Unknown country &#x27;Atlantis&#x27;" in bad
    MatchCandidate.objects.update(status=MatchCandidate.Status.REJECTED)
    assert "Nothing to review: every pair has been decided." in c.get("/matching/").content.decode()


def test_nav_shows_matching_to_brand_users_only(people):
    assert 'href="/matching/"' in client_for(people.analyst).get("/").content.decode()
    assert 'href="/matching/"' not in client_for(people.supplier).get("/").content.decode()
