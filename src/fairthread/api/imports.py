"""Imports: upload a supplier list (CSV/XLSX) and follow import batches."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from fairthread.accounts.models import Organisation
from fairthread.api.common import get_visible, guard, page, user_of
from fairthread.api.schemas import (
    Error,
    ImportBatchOut,
    ImportBatchPage,
    ImportErrors,
    ImportResultOut,
    ValidationErrors,
)
from fairthread.supplychain.importing import enqueue_import, formats, import_file
from fairthread.supplychain.models import ImportBatch

router = Router(tags=["imports"])

FORMATS = ("auto", *formats.FORMATS)
# Above this size a file is imported by the job queue (parsing it would hold the request too long).
INLINE_MAX_BYTES = 1024 * 1024


class ImportFilters(Schema):
    status: str | None = None
    limit: int = 50
    offset: int = 0


def _batches() -> Any:
    return ImportBatch.objects.select_related("organisation", "uploaded_by").order_by("-created_at", "-id")


def _in_background(data: bytes, filename: str) -> bool:
    if len(data) > INLINE_MAX_BYTES:
        return True
    if filename.lower().endswith((".xlsx", ".xlsm")):
        return False
    # One line per row; a quoted line break only over-counts, which errs towards the queue.
    return data.count(b"\n") > settings.IMPORT_INLINE_MAX_ROWS


@router.post("/imports",
             response={200: ImportResultOut, 202: ImportBatchOut, 422: ImportErrors | ValidationErrors},
             operation_id="create_import", **guard("run", "import"),
             summary="Import a supplier list (CSV or XLSX); all or nothing")
def run_import(
    request: HttpRequest,
    file: File[UploadedFile],
    file_format: Form[str] = "auto",
    dry_run: Form[bool] = False,
    organisation: Form[str] = "",
) -> Status:
    user = user_of(request)
    if file_format not in FORMATS:
        raise ValidationError({"file_format": f"Unknown format {file_format!r}; "
                                              f"use one of {', '.join(FORMATS)}."})
    org = None
    if organisation.strip():
        org = Organisation.objects.filter(name__iexact=organisation.strip()).first()
        if org is None:
            raise ValidationError({"organisation": f"No organisation called {organisation.strip()!r}."})
    if file.size == 0:
        raise ValidationError({"file": "The file is empty (0 bytes)."})
    if file.size > settings.IMPORT_MAX_BYTES:
        raise ValidationError({"file": f"The file is {file.size / 1_048_576:.1f} MB; the limit is "
                                       f"{settings.IMPORT_MAX_BYTES / 1_048_576:.1f} MB."})
    data = file.read()
    filename = file.name or "upload.csv"

    if _in_background(data, filename):
        batch = enqueue_import(data, filename, user, org, file_format, dry_run)
        return Status(202, _batches().get(pk=batch.pk))
    result = import_file(data, filename=filename, by=user, organisation=org, file_format=file_format,
                         dry_run=dry_run)
    batch_id = result.batch.pk if result.batch is not None and result.batch.pk else None
    if not result.ok:
        return Status(422, {"detail": "The file has errors; nothing was written.", "batch_id": batch_id,
                            "errors": list(result.errors), "warnings": list(result.warnings)})
    return Status(200, {
        "ok": True, "batch_id": batch_id, "file_format": result.file_format, "dry_run": dry_run,
        "rows": result.rows, "created": result.created, "updated": result.updated,
        "unchanged": result.unchanged, "links_created": result.links_created,
        "warnings": list(result.warnings),
    })


@router.get("/imports", response=ImportBatchPage, operation_id="list_imports",
            **guard("view", "import"), summary="Import batches, newest first")
def list_imports(request: HttpRequest, filters: Query[ImportFilters]) -> dict[str, Any]:
    qs = _batches()
    if filters.status:
        qs = qs.filter(status=filters.status.strip().lower())
    count, items = page(qs, filters.limit, filters.offset)
    return {"count": count, "limit": filters.limit, "offset": filters.offset, "items": items}


@router.get("/imports/{batch_id}", response={200: ImportBatchOut, 404: Error}, operation_id="get_import",
            **guard("view", "import"), summary="One import batch: status, progress, report")
def get_import(request: HttpRequest, batch_id: int) -> ImportBatch:
    return get_visible(_batches(), pk=batch_id)
