"""Merges on the facility page (the "Matches and merges" panel with Undo), the merged record's page pointing to
the record it went into, and undoing a merge."""

from __future__ import annotations

import pytest

from fairthread.matching.models import FacilityMerge
from fairthread.supplychain.models import Facility
from tests.web_matching_support import client_for, make_mills

pytestmark = pytest.mark.django_db


@pytest.fixture
def mills(people):
    return make_mills(people)


def test_facility_page_shows_the_merge_with_undo_and_the_merged_record_points_to_it(people, mills):
    c = client_for(people.analyst)
    c.post(f"/matching/{mills['best'].pk}/decide/", {"decision": "confirm"})
    merge = FacilityMerge.objects.get(candidate=mills["best"])
    survivor = Facility.all_objects.get(pk=merge.survivor_id)
    merged = Facility.all_objects.get(pk=merge.merged_id)
    page = c.get(f"/facilities/{survivor.uid}/").content.decode()
    assert 'id="merges"' in page and f"/matching/merges/{merge.pk}/undo/" in page
    assert f"{merged.name}</a> merged into this record" in page
    gone = c.get(f"/facilities/{merged.uid}/")
    assert gone.status_code == 200
    assert f'href="/facilities/{survivor.uid}/"' in gone.content.decode()
    assert 'id="merged-into"' in gone.content.decode()
    # The critical friend sees the merge but no Undo button.
    ngo_page = client_for(people.ngo).get(f"/facilities/{survivor.uid}/").content.decode()
    assert 'id="merges"' in ngo_page and "/undo/" not in ngo_page

    undone = c.post(f"/matching/merges/{merge.pk}/undo/", {"next": f"/facilities/{survivor.uid}/"}, follow=True)
    assert "Merge undone" in undone.content.decode()
    merge.refresh_from_db()
    assert merge.is_undone
    assert Facility.objects.filter(pk__in=[survivor.pk, merged.pk]).count() == 2
    back = c.get(f"/facilities/{merged.uid}/").content.decode()
    assert 'id="merged-into"' not in back and "Undone by analyst" in back
    # Undoing twice is a message, not an error page.
    twice = c.post(f"/matching/merges/{merge.pk}/undo/", follow=True)
    assert twice.status_code == 200 and [m for m in twice.context["messages"] if m.level_tag == "error"]


def test_facility_page_lists_pairs_waiting_for_review(people, mills):
    html = client_for(people.analyst).get(f"/facilities/{mills['existing'].uid}/").content.decode()
    assert 'id="pending-pairs"' in html and f"/matching/{mills['best'].pk}/" in html
    supplier = client_for(people.supplier).get(f"/facilities/{mills['existing'].uid}/").content.decode()
    assert "Matches and merges" not in supplier
