"""The data-sources pages: every dataset and edition with source, licence and attribution; a dataset's rows."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import include, path

import fairthread.urls
import fairthread.web.urls
import fairthread.web.urls_reference
from fairthread.reference import loaders
from fairthread.reference.models import ReferenceDataset

# The site's URLs with the reference pages in the ``web`` namespace, whether or not web/urls.py includes
# them yet (a repeated pattern is harmless).
urlpatterns = [
    *fairthread.urls.urlpatterns[:-1],
    path("", include(([*fairthread.web.urls.urlpatterns, *fairthread.web.urls_reference.urlpatterns], "web"))),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_sources_page_lists_every_dataset_with_attribution(people):
    response = client_for(people.supplier).get("/reference/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in ("Walk Free, Global Slavery Index 2023", "US Department of Labor, ILAB", "Open Supply Hub",
                 "Natural Earth", "US federal government work: public domain", "fairthread high-risk regions",
                 "ILO forced-labour indicators (fairthread definitions)"):
        assert text in html, text
    assert html.count(">current</span>") == 5
    assert ">180</td>" in html and ">467</td>" in html


def test_sources_page_shows_earlier_editions(people):
    gsi = (loaders.DATA_DIR / "gsi_2023_prevalence.csv").read_bytes().replace(b",8.0,", b",9.0,")
    loaders.load_file("gsi", gsi, filename="gsi_2027.csv", by=people.admin)
    html = client_for(people.ngo).get("/reference/").content.decode()
    assert "earlier edition" in html and "Walk Free, Global Slavery Index 2027" in html


def test_dataset_page_shows_rows_paginated_and_searchable(people):
    dol = ReferenceDataset.objects.get(kind="listed_goods", is_current=True)
    client = client_for(people.analyst)
    html = client.get(f"/reference/{dol.pk}/").content.decode()
    assert "Page 1 of 5 (467 in all)" in html  # 100 rows a page
    assert "US DOL TVPRA list 2022" in html
    found = client.get(f"/reference/{dol.pk}/", {"q": "Garments"}).content.decode()
    assert "Bangladesh (BD)" in found and "Açaí" not in found
    indicators = ReferenceDataset.objects.get(kind="ilo_indicators", is_current=True)
    html = client.get(f"/reference/{indicators.pk}/").content.decode()
    assert "Retention of identity documents" in html and "Menace of penalty" in html


@pytest.mark.parametrize(("role", "status"), [("anonymous", 302), ("no_membership", 403), ("critical_friend", 200)])
def test_access(people, role, status):
    dol = ReferenceDataset.objects.get(kind="listed_goods", is_current=True)
    user = people.by_role()[role]
    for url in ("/reference/", f"/reference/{dol.pk}/"):
        response = client_for(user).get(url)
        assert response.status_code == status, (role, url)
        if status == 302:
            assert response["Location"].startswith("/login/")
    assert client_for(people.admin).get("/reference/999999/").status_code == 404
