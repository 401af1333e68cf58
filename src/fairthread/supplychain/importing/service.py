"""The import service: read, validate, plan, write — the one entry point for the CLI, web UI and API."""

from __future__ import annotations

import hashlib
import logging
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import DatabaseError
from django.utils import timezone

from fairthread.accounts import policy
from fairthread.accounts.models import Organisation
from fairthread.supplychain.importing import apply, formats, reading, validation
from fairthread.supplychain.models import ImportBatch

logger = logging.getLogger(__name__)
STORED_ERRORS = 10_000  # per batch; the result returned to the caller keeps every message


@dataclass
class ImportResult:
    ok: bool
    batch: ImportBatch | None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    links_created: int = 0
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    file_format: str = ""
    rows: int = 0
    links_updated: int = 0
    dry_run: bool = False
    # Facility matching: rows found to be a stored facility under another spelling (merged into it), and new
    # facilities sent to the review queue because they may be one.
    matched_existing: int = 0
    sent_to_review: int = 0
    agents_created: int = 0
    engagements_created: int = 0

    def summary(self) -> str:
        verb = "would be " if self.dry_run else ""
        text = (
            f"{self.created} {verb}created, {self.updated} {verb}updated, {self.unchanged} unchanged, "
            f"{self.links_created} links {verb}created"
        )
        if self.matched_existing or self.sent_to_review:
            text += (f", {self.matched_existing} {verb}matched to existing facilities, "
                     f"{self.sent_to_review} {verb}sent to review")
        if self.agents_created or self.engagements_created:
            text += (f", {self.agents_created} recruitment agents {verb}created, "
                     f"{self.engagements_created} agent engagements {verb}created")
        return text


def _brand_for(organisation: Organisation | None, by: Any) -> Organisation | None:
    """The brand that BRAND means: the list's organisation, the user's, or the only brand there is."""
    if organisation is not None and organisation.kind == Organisation.Kind.BRAND:
        return organisation
    user_org = getattr(by, "organisation", None) if getattr(by, "is_authenticated", False) else None
    if user_org is not None and user_org.kind == Organisation.Kind.BRAND:
        return user_org
    brands = list(Organisation.objects.filter(kind=Organisation.Kind.BRAND)[:2])
    return brands[0] if len(brands) == 1 else None


def _cap(messages: list[str]) -> list[str]:
    if len(messages) <= STORED_ERRORS:
        return messages
    return [*messages[:STORED_ERRORS], f"… and {len(messages) - STORED_ERRORS:,} more"]


def _finish(batch: ImportBatch, result: ImportResult) -> ImportResult:
    batch.status = ImportBatch.Status.SUCCEEDED if result.ok else ImportBatch.Status.FAILED
    batch.file_format = result.file_format
    batch.created, batch.updated, batch.unchanged = result.created, result.updated, result.unchanged
    batch.links_created = result.links_created
    batch.matched_existing, batch.sent_to_review = result.matched_existing, result.sent_to_review
    batch.errors, batch.warnings = _cap(result.errors), _cap(result.warnings)
    batch.rows_total = result.rows
    batch.rows_done = result.rows if result.ok else batch.rows_done
    batch.finished_at = timezone.now()
    batch.save()
    return result


def import_file(
    path_or_bytes: str | Path | bytes,
    *,
    filename: str,
    by: Any,
    organisation: Organisation | None = None,
    file_format: str = "auto",
    dry_run: bool = False,
    batch: ImportBatch | None = None,
) -> ImportResult:
    """Import a supplier list. Writes nothing unless every row is valid; ``dry_run`` only validates."""
    if by is not None:
        policy.require(by, "run", "import")
    if file_format != "auto" and file_format not in formats.FORMATS:
        raise ValueError(f"Unknown import format {file_format!r}; use auto, {', '.join(formats.FORMATS)}")
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    user = by if getattr(by, "is_authenticated", False) else None
    if batch is None:
        batch = ImportBatch.objects.create(
            organisation=organisation, uploaded_by=user, filename=filename[:255], dry_run=dry_run
        )
    batch.sha256 = hashlib.sha256(data).hexdigest()
    batch.status = ImportBatch.Status.RUNNING
    batch.save(update_fields=["sha256", "status"])
    result = ImportResult(ok=False, batch=batch, dry_run=dry_run)

    try:
        table = reading.read_table(
            data, filename, max_bytes=settings.IMPORT_MAX_BYTES, max_rows=settings.IMPORT_MAX_ROWS
        )
    except reading.FileProblem as problem:
        result.errors.append(str(problem))
        return _finish(batch, result)

    fmt = formats.detect_format(table.headers) if file_format == "auto" else file_format
    result.file_format = fmt
    result.rows = len(table.rows)
    cmap = formats.map_columns(table.headers, fmt)
    missing = cmap.missing()
    if missing:
        found = ", ".join(f"'{h.strip()}'" for h in table.headers if h.strip()) or "none"
        for name in missing:
            result.errors.append(
                f"Required column '{name}' is missing ({formats.FORMAT_LABELS[fmt]}). Columns found: {found}."
            )
        return _finish(batch, result)
    if not table.rows:
        result.errors.append("The file has a header row but no data rows.")
        return _finish(batch, result)

    ImportBatch.objects.filter(pk=batch.pk).update(rows_total=len(table.rows), file_format=fmt)

    def progress(done: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(rows_done=done)
        batch.rows_done = done

    brand = _brand_for(organisation, by)
    validated = validation.validate(
        table.rows, cmap, has_brand=brand is not None, lookup_refs=apply.lookup_refs, progress=progress
    )
    result.warnings = validated.warnings
    result.errors = validated.errors
    if validated.errors:
        return _finish(batch, result)
    planned = apply.plan(validated, brand)
    result.errors.extend(planned.errors)
    result.created, result.updated = len(planned.created), len(planned.updated)
    result.matched_existing, result.sent_to_review = len(planned.matched), len(planned.review)
    result.unchanged, result.links_created = len(planned.unchanged), planned.links_created
    result.links_updated = len(planned.changed_links)
    result.agents_created, result.engagements_created = planned.agents_created, planned.engagements_created
    if planned.errors:
        return _finish(batch, result)
    if not dry_run:
        try:
            apply.write(planned, by=by, batch=batch, organisation=organisation)
        except DatabaseError as exc:
            logger.exception("import %s could not be written", batch.pk)
            result.errors.append(
                f"The import could not be written to the database, so nothing was saved: {exc}"
            )
            return _finish(batch, result)
    result.ok = True
    return _finish(batch, result)


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def enqueue_import(
    uploaded_bytes: bytes,
    filename: str,
    by: Any,
    organisation: Organisation | None = None,
    file_format: str = "auto",
    dry_run: bool = False,
) -> ImportBatch:
    """Store the upload under FAIRTHREAD_DATA_DIR/uploads and run the import as a background task."""
    from fairthread.supplychain.tasks import run_import

    if by is not None:
        policy.require(by, "run", "import")
    if file_format != "auto" and file_format not in formats.FORMATS:
        raise ValueError(f"Unknown import format {file_format!r}")
    uploads = Path(settings.MEDIA_ROOT)
    uploads.mkdir(parents=True, exist_ok=True)
    safe = _SAFE.sub("_", Path(filename).name)[-100:] or "upload"
    stored = uploads / f"import-{uuid.uuid4().hex}-{safe}"
    stored.write_bytes(uploaded_bytes)
    stored.chmod(0o600)
    user = by if getattr(by, "is_authenticated", False) else None
    batch = ImportBatch.objects.create(
        organisation=organisation,
        uploaded_by=user,
        filename=filename[:255],
        file_format=file_format,
        sha256=hashlib.sha256(uploaded_bytes).hexdigest(),
        stored_path=str(stored),
        dry_run=dry_run,
        status=ImportBatch.Status.QUEUED,
    )
    run_import.enqueue(batch.pk)
    batch.refresh_from_db()
    return batch
