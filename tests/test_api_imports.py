"""Imports through the API: upload (brand only), list and follow batches."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from fairthread.supplychain.models import Facility, ImportBatch, SourcingLink
from tests.api_support import as_role

# fairthread format: a tier-1 knitwear factory supplying the brand, and its yarn spinner.
GOOD_CSV = (
    b"facility_ref,name,address,country,facility_type,supplies,material\n"
    b"NW-1,Dhaka Knit Ltd,1 Tongi Road,Bangladesh,cmt,BRAND,garments\n"
    b"NW-2,Tiruppur Yarn Mills,2 Avinashi Road,IN,spinning,NW-1,yarn\n"
)
BAD_CSV = (
    b"facility_ref,name,address,country\n"
    b"NW-1,Dhaka Knit Ltd,1 Tongi Road,Bangladesh\n"
    b"NW-2,Lost Mill,2 Nowhere Road,Atlantis\n"
)


def _csv(data: bytes, name: str = "suppliers.csv") -> dict[str, SimpleUploadedFile]:
    return {"file": SimpleUploadedFile(name, data, content_type="text/csv")}


@pytest.mark.parametrize("role", ["admin", "analyst"])
def test_brand_imports_a_list(people, role):
    response = as_role(people, role).upload("/imports", _csv(GOOD_CSV), {"file_format": "fairthread"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"], body["links_created"]) == (2, 0, 0, 2)
    assert body["ok"] is True and body["dry_run"] is False
    assert set(Facility.objects.values_list("brand_ref", flat=True)) == {"NW-1", "NW-2"}
    assert SourcingLink.objects.count() == 2


def test_reimport_adds_nothing(people):
    api = as_role(people, "analyst")
    api.upload("/imports", _csv(GOOD_CSV))
    again = api.upload("/imports", _csv(GOOD_CSV)).json()
    assert (again["created"], again["unchanged"], again["links_created"]) == (0, 2, 0)
    assert Facility.objects.count() == 2


def test_dry_run_writes_nothing(people):
    response = as_role(people, "analyst").upload("/imports", _csv(GOOD_CSV), {"dry_run": "true"})
    assert response.status_code == 200, response.content
    assert response.json()["dry_run"] is True
    assert not Facility.objects.exists()


def test_bad_row_gives_422_with_row_and_column_and_writes_nothing(people):
    response = as_role(people, "analyst").upload("/imports", _csv(BAD_CSV))
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["detail"].startswith("The file has errors")
    text = json.dumps(body["errors"])
    assert "row 2" in text and "country" in text and "Atlantis" in text
    assert not Facility.objects.exists()


@pytest.mark.parametrize(("files", "data", "field"), [
    ({"file": SimpleUploadedFile("empty.csv", b"")}, {}, "file"),
    ({"file": SimpleUploadedFile("a.csv", GOOD_CSV)}, {"file_format": "pdf"}, "file_format"),
    ({"file": SimpleUploadedFile("a.csv", GOOD_CSV)}, {"organisation": "Nobody Ltd"}, "organisation"),
    ({}, {}, "file"),
])
def test_bad_upload_is_422(people, files, data, field):
    response = as_role(people, "analyst").upload("/imports", files, data)
    assert response.status_code == 422, response.content
    assert field in json.dumps(response.json()["detail"])
    assert not Facility.objects.exists()


@override_settings(IMPORT_MAX_BYTES=100)
def test_file_over_the_size_limit_is_422(people):
    response = as_role(people, "analyst").upload("/imports", _csv(GOOD_CSV))
    assert response.status_code == 422
    assert "limit" in json.dumps(response.json()["detail"])


@pytest.mark.parametrize("role", ["ngo", "supplier", "outsider"])
def test_others_may_not_import(people, role):
    response = as_role(people, role).upload("/imports", _csv(GOOD_CSV))
    assert response.status_code == 403
    assert not Facility.objects.exists() and not ImportBatch.objects.exists()


def test_anonymous_upload_is_401(people):
    assert as_role(people, "anonymous").upload("/imports", _csv(GOOD_CSV)).status_code == 401


@pytest.fixture
def batches(people):
    done = ImportBatch.objects.create(filename="list.csv", uploaded_by=people.analyst, status="succeeded",
                                      rows_total=10, rows_done=10, created=8, unchanged=2)
    running = ImportBatch.objects.create(filename="big.xlsx", uploaded_by=people.admin, status="running",
                                         rows_total=200, rows_done=50)
    return done, running


@pytest.mark.parametrize("role", ["admin", "analyst", "ngo"])
def test_list_and_follow_imports(people, batches, role):
    done, running = batches
    api = as_role(people, role)
    listed = api.get("/imports").json()
    assert listed["count"] == 2
    assert {b["filename"] for b in listed["items"]} == {"list.csv", "big.xlsx"}
    assert [b["filename"] for b in api.get("/imports", status="running").json()["items"]] == ["big.xlsx"]
    one = api.get(f"/imports/{running.pk}").json()
    assert one["status"] == "running" and one["progress_percent"] == 25  # 50 of 200 rows
    assert one["uploaded_by"] == "admin"
    assert api.get(f"/imports/{done.pk}").json()["created"] == 8
    assert api.get("/imports/999999").status_code == 404


@pytest.mark.parametrize("role", ["supplier", "outsider"])
def test_supplier_and_outsider_may_not_see_imports(people, batches, role):
    assert as_role(people, role).get("/imports").status_code == 403
    assert as_role(people, role).get(f"/imports/{batches[0].pk}").status_code == 403


def test_large_file_goes_to_the_job_queue(people, tmp_path):
    # Above the inline row limit the upload is stored and imported by a task (run at once here).
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
                             "ENQUEUE_ON_COMMIT": False}}
    with override_settings(IMPORT_INLINE_MAX_ROWS=1, MEDIA_ROOT=tmp_path, TASKS=immediate):
        response = as_role(people, "analyst").upload("/imports", _csv(GOOD_CSV))
    assert response.status_code == 202, response.content
    batch_id = response.json()["id"]
    followed = as_role(people, "ngo").get(f"/imports/{batch_id}").json()
    assert followed["status"] == "succeeded"
    assert (followed["created"], followed["links_created"]) == (2, 2)
    assert followed["progress_percent"] == 100
