"""A brand reference moved by a merge: re-importing the merged record's list changes nothing."""

from __future__ import annotations

import pytest

from fairthread.matching import services
from fairthread.supplychain.importing import import_file
from fairthread.supplychain.models import Facility
from tests.factories import make_facility

pytestmark = pytest.mark.django_db

SURVIVOR_LIST = b"country,name,address\nSri Lanka,Mercury Apparel,Seethawaka EPZ Avissawella\n"
MERGED_LIST = (b"facility_ref,country,name,address\n"
               b"NW-77,Sri Lanka,M E R C U R Y APPAR EL SEETHAWAKA,Seethawaka Export Processing Zone\n")


def test_reimporting_both_lists_after_a_merge_changes_nothing(people):
    # The two records as those lists wrote them (same name, address and country, so each list finds its own).
    survivor = make_facility("Mercury Apparel", "LK", address="Seethawaka EPZ Avissawella")
    merged = make_facility("M E R C U R Y APPAR EL SEETHAWAKA", "LK", address="Seethawaka Export Processing Zone",
                           brand_ref="NW-77")
    services.merge_facilities(survivor, merged, by=people.analyst)
    survivor.refresh_from_db()
    assert survivor.brand_ref == "NW-77"  # moved: the survivor had none
    for data, name in ((MERGED_LIST, "b.csv"), (SURVIVOR_LIST, "a.csv"), (MERGED_LIST, "b.csv")):
        again = import_file(data, filename=name, by=None)
        assert again.ok, again.errors
        assert (again.created, again.updated, again.matched_existing, again.sent_to_review) == (0, 0, 0, 0), name
        assert again.unchanged == 1
    survivor.refresh_from_db()
    # The reference led to the survivor, whose own spelling stays.
    assert (survivor.name, survivor.address) == ("Mercury Apparel", "Seethawaka EPZ Avissawella")
    assert Facility.objects.count() == 1
