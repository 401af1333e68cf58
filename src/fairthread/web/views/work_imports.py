"""The import page: upload a supplier list, read its validation report, follow background imports."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from fairthread.accounts import policy
from fairthread.accounts.models import Organisation
from fairthread.supplychain.models import Facility, ImportBatch
from fairthread.web.decorators import allowed

# Files bigger than this go to the job queue whatever their row count (parsing them would hold the request).
INLINE_MAX_BYTES = 1024 * 1024
FORMAT_CHOICES = [
    ("auto", "Detect automatically"),
    ("osh", "Open Supply Hub list"),
    ("odsas", "ODSAS template"),
    ("fairthread", "fairthread format (links, tiers, workforce)"),
]
FACILITIES_SHOWN = 200


class UploadForm(forms.Form):
    file = forms.FileField(label="Supplier list (CSV or XLSX)")
    file_format = forms.ChoiceField(label="Format", choices=FORMAT_CHOICES, initial="auto")
    organisation = forms.ModelChoiceField(
        label="Organisation the list comes from", queryset=Organisation.objects.all(), required=False,
        empty_label="(not recorded)",
    )
    dry_run = forms.BooleanField(label="Dry run: validate only, write nothing", required=False)

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size == 0:
            raise ValidationError("The file is empty (0 bytes).")
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the limit is "
                f"{settings.IMPORT_MAX_BYTES / 1_048_576:.1f} MB."
            )
        return upload


def needs_background(data: bytes, filename: str) -> bool:
    """Large files go to the job queue; small ones run inside the request."""
    if len(data) > INLINE_MAX_BYTES:
        return True
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return False  # compressed: the byte size above is the only cheap measure
    # One line per row (a quoted cell with a line break only makes this over-count, which is safe).
    return data.count(b"\n") > settings.IMPORT_INLINE_MAX_ROWS


def facility_url(facility: Facility) -> str:
    """Link to a facility page (the map pages own that URL)."""
    return reverse("web:facility_detail", args=[facility.uid])


def problem_count(problems: list[str]) -> int:
    """How many problems there were: the importer stores the first ones and a closing "… and N more"."""
    if problems:
        tail = re.fullmatch(r"… and ([\d,]+) more", problems[-1])
        if tail:
            return len(problems) - 1 + int(tail[1].replace(",", ""))
    return len(problems)


def _report_from_batch(batch: ImportBatch) -> dict[str, Any]:
    return {
        "status": batch.status,
        "finished": batch.status in {ImportBatch.Status.SUCCEEDED, ImportBatch.Status.FAILED},
        "failed": batch.status == ImportBatch.Status.FAILED,
        "dry_run": batch.dry_run,
        "errors": list(batch.errors or []),
        "warnings": list(batch.warnings or []),
        "error_count": problem_count(list(batch.errors or [])),
        "warning_count": problem_count(list(batch.warnings or [])),
        "created": batch.created,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
        "links_created": batch.links_created,
        "file_format": batch.file_format,
        "rows": batch.rows_total,
    }


def _report_from_result(result: Any, dry_run: bool) -> dict[str, Any]:
    return {
        "status": "succeeded" if result.ok else "failed",
        "finished": True,
        "failed": not result.ok,
        "dry_run": dry_run,
        "errors": list(result.errors),
        "warnings": list(result.warnings),
        "error_count": problem_count(list(result.errors)),
        "warning_count": problem_count(list(result.warnings)),
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "links_created": result.links_created,
        "file_format": result.file_format,
        "rows": result.rows,
    }


def _list_context(request: HttpRequest, form: UploadForm | None) -> dict[str, Any]:
    page = Paginator(
        ImportBatch.objects.select_related("organisation", "uploaded_by").order_by("-created_at", "-id"), 25
    ).get_page(request.GET.get("page"))
    may_run = policy.can(request.user, "run", "import")
    if form is None and may_run:
        org = request.user.organisation
        # Provenance: by default the list comes from the uploader's own organisation.
        initial = {"organisation": org} if org is not None else {}
        form = UploadForm(initial=initial)
    return {"page": page, "form": form, "may_run": may_run,
            "inline_max_rows": settings.IMPORT_INLINE_MAX_ROWS,
            "max_mb": settings.IMPORT_MAX_BYTES // 1_048_576}


@allowed("view", "import")
def import_list(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "web/work/imports.html", _list_context(request, None))
    policy.require(request.user, "run", "import")
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "web/work/imports.html", _list_context(request, form), status=400)
    upload = form.cleaned_data["file"]
    data = upload.read()
    filename = upload.name or "upload.csv"
    organisation = form.cleaned_data["organisation"]
    file_format = form.cleaned_data["file_format"]
    dry_run = form.cleaned_data["dry_run"]

    from fairthread.supplychain.importing import enqueue_import, import_file

    try:
        if needs_background(data, filename):
            batch = enqueue_import(data, filename, request.user, organisation, file_format, dry_run)
            messages.info(request, f"{filename} is large, so it is being imported in the background. "
                                   "This page shows its progress.")
            return redirect("web:import_detail", pk=batch.pk)
        result = import_file(data, filename=filename, by=request.user, organisation=organisation,
                             file_format=file_format, dry_run=dry_run)
    except PermissionDenied:
        raise
    except ValidationError as exc:  # a problem with the file as a whole, in plain words
        form.add_error("file", " ".join(exc.messages))
        return render(request, "web/work/imports.html", _list_context(request, form), status=400)
    batch = result.batch
    if batch is not None and batch.pk and ImportBatch.objects.filter(pk=batch.pk).exists():
        return redirect("web:import_detail", pk=batch.pk)
    # The importer kept no batch (nothing written): show the report here.
    context = _list_context(request, UploadForm(initial={"organisation": organisation,
                                                          "file_format": file_format}))
    context.update({"report": _report_from_result(result, dry_run), "report_filename": filename})
    return render(request, "web/work/imports.html", context, status=200 if result.ok else 400)


@allowed("view", "import")
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    batch = get_object_or_404(ImportBatch.objects.select_related("organisation", "uploaded_by"), pk=pk)
    policy.require(request.user, "view", batch)
    facilities_qs = (
        policy.visible_facilities(request.user).filter(sources__batch=batch).distinct().order_by("name")
    )
    facilities = [(f, facility_url(f)) for f in facilities_qs[:FACILITIES_SHOWN]]
    report = _report_from_batch(batch)
    return render(request, "web/work/import_detail.html", {
        "batch": batch,
        "report": report,
        "facilities": facilities,
        "facility_count": facilities_qs.count(),
        "facilities_shown": FACILITIES_SHOWN,
        "refresh": not report["finished"],
    })


@allowed("view", "import")
def import_template(request: HttpRequest, ext: str) -> HttpResponse:
    from fairthread.supplychain import import_templates

    if ext not in import_templates.FILE_NAMES:
        raise Http404
    response = HttpResponse(import_templates.template_bytes(ext),
                            content_type=import_templates.CONTENT_TYPES[ext])
    response["Content-Disposition"] = f'attachment; filename="{import_templates.FILE_NAMES[ext]}"'
    return response
