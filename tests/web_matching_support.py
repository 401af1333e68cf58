"""Shared data for the matching page tests: candidate pairs written directly, as the resolver stores them (the
decisions then go through the pages, so the matching services are exercised as a user would)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from fairthread.matching.models import MatchCandidate, RegistryEdition, RegistryFacility
from fairthread.supplychain.models import Facility
from tests.factories import make_facility, make_link

EVIDENCE = [
    {"field": "name", "label": "Name", "for_match": True, "text": "names agree apart from the legal form"},
    {"field": "address_numbers", "label": "Address numbers", "for_match": False, "text": "plot 12 against plot 21"},
    {"field": "distance", "label": "Distance", "for_match": None, "text": "no coordinates on one side"},
]


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def pair(a: Facility, b: Facility, score: float, **fields: Any) -> MatchCandidate:
    values = {"model_version": "splink-test-1", "method": "model", "explanation": ["Name: very similar."],
              "evidence": EVIDENCE}
    values.update(fields)
    return MatchCandidate.objects.create(facility=a, other_facility=b, score=score, **values)


def make_mills(people: Any) -> dict[str, Any]:
    """Three pairs to review in two countries: the best (0.91) in BD, then 0.74 in BD, then 0.62 in VN."""
    existing = make_facility("Mercury Apparel (Pvt) Ltd", "BD", address="Plot 12, Seethawaka EPZ",
                             organisation=people.supplier_org, os_id="LK2019000AAAA")
    newcomer = make_facility("M E R C U R Y APPAR EL", "BD", address="Plot 12 Seethawaka Export Processing Zone")
    make_link(people.brand, existing, material="cotton")
    other_a = make_facility("Gazipur Knit Composite", "BD", address="Kashimpur Road")
    other_b = make_facility("Gazipur Knit Composite Ltd", "BD", address="Kashimpur Rd, Gazipur")
    vn_a = make_facility("Hoa Phat Spinning", "VN", address="Lot C1, Pho Noi A")
    vn_b = make_facility("Hoa Phat Yarn", "VN", address="Lot C2, Pho Noi A")
    return {
        "existing": existing, "newcomer": newcomer,
        "best": pair(newcomer, existing, 0.91),
        "middle": pair(other_b, other_a, 0.74),
        "vn": pair(vn_b, vn_a, 0.62),
    }


def make_registry_pair() -> MatchCandidate:
    edition = RegistryEdition.objects.create(name="OSH test edition", filename="osh.csv", sha256="0" * 64,
                                             row_count=1, is_current=True)
    entry = RegistryFacility.objects.create(edition=edition, os_id="BD2020000TEST9", name="Lakeside Dyeing Works Ltd",
                                            address="Road 9, Ashulia, Savar", country="BD", lat=23.9, lng=90.3)
    facility = make_facility("Lakeside Dyeing", "BD", address="Road 9 Ashulia")
    candidate = MatchCandidate.objects.create(facility=facility, registry_facility=entry, score=0.77,
                                              model_version="splink-test-1", method="model", evidence=EVIDENCE)
    return candidate
