"""Background work: imports queued or running (with progress), recent ones, and the periodic jobs."""

from __future__ import annotations

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from fairthread.jobs.registry import PERIODIC_JOBS
from fairthread.supplychain.models import ImportBatch
from fairthread.web.decorators import allowed

RECENT = datetime.timedelta(days=7)


@allowed("view", "job")
def jobs(request: HttpRequest) -> HttpResponse:
    active_statuses = [ImportBatch.Status.QUEUED, ImportBatch.Status.RUNNING]
    batches = ImportBatch.objects.select_related("uploaded_by", "organisation")
    active = list(batches.filter(status__in=active_statuses).order_by("created_at", "id"))
    recent = list(
        batches.exclude(status__in=active_statuses)
        .filter(created_at__gte=timezone.now() - RECENT)
        .order_by("-created_at", "-id")[:20]
    )
    return render(request, "web/work/jobs.html", {
        "active": active,
        "recent": recent,
        "periodic_jobs": PERIODIC_JOBS,
        "refresh": bool(active),
    })
