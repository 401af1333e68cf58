"""Background tasks of the supply-chain app (django-tasks; the database backend by default)."""

from __future__ import annotations

import logging
from pathlib import Path

from django.utils import timezone
from django_tasks import task

from fairthread.supplychain.models import ImportBatch

logger = logging.getLogger(__name__)


@task()
def run_import(batch_id: int) -> dict[str, object]:
    """Run a stored upload's import; the batch records the outcome (and progress while it runs)."""
    from fairthread.supplychain.importing import import_file

    batch = ImportBatch.objects.select_related("organisation", "uploaded_by").get(pk=batch_id)
    file_format = batch.file_format or "auto"
    try:
        data = Path(batch.stored_path).read_bytes()
        result = import_file(
            data,
            filename=batch.filename,
            by=batch.uploaded_by,
            organisation=batch.organisation,
            file_format=file_format,
            dry_run=batch.dry_run,
            batch=batch,
        )
    except Exception as exc:
        # A job must end with a readable status, never a silent crash: record it and let the task fail.
        logger.exception("import batch %s failed", batch_id)
        ImportBatch.objects.filter(pk=batch_id).update(
            status=ImportBatch.Status.FAILED,
            finished_at=timezone.now(),
            errors=[
                f"The import stopped unexpectedly and nothing was saved: {exc.__class__.__name__}: {exc}"
            ],
        )
        raise
    return {
        "ok": result.ok,
        "created": result.created,
        "updated": result.updated,
        "unchanged": result.unchanged,
        "links_created": result.links_created,
        "errors": len(result.errors),
    }
