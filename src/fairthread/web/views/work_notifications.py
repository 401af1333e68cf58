"""The signed-in user's notifications (also sent by e-mail)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from fairthread.notifications.services import mark_read
from fairthread.web.decorators import allowed


@allowed("view", "dashboard")
def notifications(request: HttpRequest) -> HttpResponse:
    qs = request.user.notifications.order_by("-created_at", "-id")
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "web/work/notifications.html", {
        "page": page,
        "unread_count": qs.filter(read_at__isnull=True).count(),
    })


@allowed("view", "dashboard")
@require_POST
def notifications_mark_read(request: HttpRequest) -> HttpResponse:
    ids = request.user.notifications.filter(read_at__isnull=True).values_list("id", flat=True)
    mark_read(request.user, ids)
    messages.success(request, "All notifications marked as read.")
    return redirect("web:notifications")
