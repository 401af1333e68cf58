"""The registry page: editions listed, an upload (bad file → its problems listed, nothing written; good file → a new
current edition), and "Link my facilities" recording the OS ID of a facility found in the registry.

The CSVs are invented here in the column layout of an Open Supply Hub facilities export (os_id, name, address,
country_code, country_name, lon, lat); no row is copied from a real export."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from fairthread.matching.models import RegistryEdition, RegistryFacility
from fairthread.supplychain.models import Facility
from tests.factories import make_facility

pytestmark = pytest.mark.django_db

HEADER = "os_id,name,address,country_code,country_name,lon,lat\n"
GOOD = HEADER + (
    "BD2020000TEST1,Riverbank Knitting Mills Limited,\"Plot 7, Tongi Industrial Area, Gazipur\",BD,Bangladesh,"
    "90.40,23.89\n"
    "BD2020000TEST2,Lakeside Dyeing Works,\"Road 9, Ashulia, Savar\",BD,Bangladesh,90.30,23.90\n"
    "VN2020000TEST3,Golden Lotus Garment Company,\"Lot 4, Tan Tao Industrial Park\",VN,Viet Nam,106.59,10.75\n"
)
# Row 3 (the second data row) has no name.
BAD = HEADER + (
    "BD2020000TEST1,Riverbank Knitting Mills Limited,\"Plot 7, Tongi\",BD,Bangladesh,90.40,23.89\n"
    "BD2020000TEST2,,\"Road 9, Ashulia\",BD,Bangladesh,90.30,23.90\n"
)


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def upload(c: Client, text: str, name: str = "OSH export test"):
    return c.post("/matching/registry/", {"name": name, "file": SimpleUploadedFile("osh.csv", text.encode())},
                  follow=True)


def test_bad_file_lists_its_problems_and_writes_nothing(people):
    response = upload(client_for(people.analyst), BAD)
    assert response.status_code == 200
    problems = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
    assert problems, "the problems of the file are listed"
    assert any("3" in p and "name" in p.lower() for p in problems), problems  # row 3, the name column
    assert RegistryEdition.objects.count() == 0 and RegistryFacility.objects.count() == 0


def test_missing_file_or_name_is_a_message(people):
    c = client_for(people.analyst)
    html = c.post("/matching/registry/", {"name": ""}, follow=True).content.decode()
    assert "Choose an Open Supply Hub facilities export" in html and "Give the registry edition a name." in html
    assert RegistryEdition.objects.count() == 0


def test_upload_lists_the_edition_and_linking_records_the_os_id(people):
    facility = make_facility("Riverbank Knitting Mills Ltd", "BD", address="Plot 7, Tongi Industrial Area, Gazipur")
    c = client_for(people.admin)
    response = upload(c, GOOD)
    html = response.content.decode()
    edition = RegistryEdition.objects.get()
    assert edition.row_count == 3 and edition.is_current and edition.imported_by == people.admin
    assert f'id="edition-{edition.pk}"' in html and "OSH export test" in html and "current" in html
    assert "Link my facilities to the registry" in html

    linked = c.post("/matching/registry/link/", follow=True)
    assert "Linked to the registry:" in linked.content.decode()
    facility = Facility.objects.get(pk=facility.pk)
    assert facility.os_id == "BD2020000TEST1"


def test_critical_friend_sees_editions_but_no_upload_or_link(people):
    html = client_for(people.ngo).get("/matching/registry/").content.decode()
    assert "No registry imported yet." in html
    assert 'type="file"' not in html and "Link my facilities" not in html
