from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from fairthread.accounts import policy
from fairthread.web.decorators import allowed


@allowed("view", "dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    facilities = policy.visible_facilities(request.user)
    return render(request, "web/dashboard.html", {"facility_count": facilities.count()})
