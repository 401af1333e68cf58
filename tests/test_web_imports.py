"""The import page: upload a real list, read the validation report, background imports, access."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from fairthread.supplychain.models import Facility, ImportBatch

DATA = Path(__file__).parent / "data" / "web"
OAR_4_ROWS = 81  # data rows in oar_4.csv, all distinct facilities in 8 resolvable countries (checked by hand)


def upload(client, name: str, content: bytes, **fields: str):
    data = {"file": SimpleUploadedFile(name, content, content_type="text/csv"), "file_format": "auto",
            **fields}
    return client.post(reverse("web:import_list"), data)


def test_analyst_uploads_real_list_and_sees_counts_and_facilities(client, people):
    client.force_login(people.analyst)
    response = upload(client, "oar_4.csv", (DATA / "oar_4.csv").read_bytes())
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("web:import_detail", args=[batch.pk])
    assert Facility.objects.count() == OAR_4_ROWS

    page = client.get(response["Location"])
    assert page.status_code == 200
    report = page.context["report"]
    assert (report["created"], report["updated"], report["unchanged"]) == (OAR_4_ROWS, 0, 0)
    assert report["errors"] == []
    html = page.content.decode()
    assert f'<td data-count="created">{OAR_4_ROWS}</td>' in html
    assert "Nothing was imported" not in html
    assert page.context["facility_count"] == OAR_4_ROWS
    some = Facility.objects.get(name="Alif Embroidery Village Ltd.")
    assert reverse("web:facility_detail", args=[some.uid]) in html
    assert 'http-equiv="refresh"' not in html  # finished: no refreshing

    # Re-importing the same list adds nothing.
    again = upload(client, "oar_4.csv", (DATA / "oar_4.csv").read_bytes())
    second = client.get(again["Location"]).context["report"]
    assert (second["created"], second["unchanged"]) == (0, OAR_4_ROWS)
    assert Facility.objects.count() == OAR_4_ROWS


def test_bad_file_lists_errors_with_row_and_column_and_writes_nothing(client, people):
    client.force_login(people.analyst)
    content = (b"country,name,address\nIndia,Good Mill,1 Mill Road\nAtlantis,Bad Mill,2 Mill Road\n"
               b",Lost Mill,3 Road\n")
    response = upload(client, "bad.csv", content)
    if response.status_code == 302:
        response = client.get(response["Location"])
    html = response.content.decode()
    assert "Nothing was imported" in html
    errors = response.context["report"]["errors"]
    assert any(e.startswith("row 2, column 'country'") for e in errors), errors
    assert any(e.startswith("row 3, column 'country'") for e in errors), errors
    assert f"{len(errors)} errors" in html
    assert Facility.objects.count() == 0


def test_file_level_problem_in_plain_words(client, people):
    client.force_login(people.analyst)
    response = upload(client, "empty.csv", b"")
    assert response.status_code == 400
    assert "empty" in response.content.decode()
    assert Facility.objects.count() == 0


def test_dry_run_writes_nothing(client, people):
    client.force_login(people.analyst)
    response = upload(client, "oar_4.csv", (DATA / "oar_4.csv").read_bytes(), dry_run="on")
    if response.status_code == 302:
        response = client.get(response["Location"])
    assert response.status_code == 200
    assert response.context["report"]["dry_run"]
    assert "Nothing was written" in response.content.decode()
    assert Facility.objects.count() == 0


# Run queued tasks at once so the test sees the finished job (no worker process in tests).
@override_settings(IMPORT_INLINE_MAX_ROWS=10,
                   TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}})
def test_large_list_goes_to_background(client, people):
    client.force_login(people.analyst)
    response = upload(client, "oar_4.csv", (DATA / "oar_4.csv").read_bytes())
    assert response.status_code == 302
    batch = ImportBatch.objects.get()
    assert response["Location"] == reverse("web:import_detail", args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.SUCCEEDED
    assert Facility.objects.count() == OAR_4_ROWS


def test_ngo_views_imports_but_cannot_upload(client, people):
    client.force_login(people.ngo)
    page = client.get(reverse("web:import_list"))
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' not in page.content.decode()
    response = upload(client, "oar_4.csv", (DATA / "oar_4.csv").read_bytes())
    assert response.status_code == 403
    assert Facility.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_supplier_gets_403(client, people):
    batch = ImportBatch.objects.create(filename="x.csv", status="succeeded")
    client.force_login(people.supplier)
    assert client.get(reverse("web:import_list")).status_code == 403
    assert client.get(reverse("web:import_detail", args=[batch.pk])).status_code == 403
    assert upload(client, "oar_4.csv", (DATA / "oar_4.csv").read_bytes()).status_code == 403
    assert Facility.objects.count() == 0


def test_running_import_shows_progress_and_refreshes(client, people):
    batch = ImportBatch.objects.create(filename="big.csv", status="running", rows_total=200, rows_done=50)
    client.force_login(people.ngo)
    html = client.get(reverse("web:import_detail", args=[batch.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert '<progress id="import-progress" value="25" max="100">' in html

    jobs = client.get(reverse("web:jobs"))
    assert jobs.status_code == 200
    assert [b.pk for b in jobs.context["active"]] == [batch.pk]
    jobs_html = jobs.content.decode()
    assert 'value="25"' in jobs_html and '<meta http-equiv="refresh" content="2">' in jobs_html
    assert "notify_overdue_challenges" in jobs_html


def test_jobs_page_forbidden_to_supplier(client, people):
    client.force_login(people.supplier)
    assert client.get(reverse("web:jobs")).status_code == 403


@pytest.mark.parametrize("ext", ["csv", "xlsx"])
def test_template_download(client, people, ext):
    client.force_login(people.analyst)
    response = client.get(reverse("web:import_template", args=[ext]))
    assert response.status_code == 200
    assert f"fairthread-import-template.{ext}" in response["Content-Disposition"]
    body = response.content
    if ext == "csv":
        header = body.decode("utf-8-sig").splitlines()[0]
        assert header.split(",")[:3] == ["facility_ref", "os_id", "name"]
    else:
        assert body[:2] == b"PK"  # an XLSX is a ZIP archive


def test_unknown_template_extension_is_404(client, people):
    client.force_login(people.analyst)
    assert client.get("/imports/template.pdf").status_code == 404


def test_capped_error_list_counts_all_problems(client, people):
    # The importer stores the first errors and a closing "… and N more" line.
    errors = [f"row {n}, column 'country': unknown country" for n in range(1, 4)] + ["… and 1,997 more"]
    batch = ImportBatch.objects.create(filename="huge.csv", status="failed", errors=errors)
    client.force_login(people.analyst)
    html = client.get(reverse("web:import_detail", args=[batch.pk])).content.decode()
    assert "2,000 errors" in html
    assert "The file has 2,000 problems" in html
