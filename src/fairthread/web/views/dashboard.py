"""The dashboard: facilities by tier and country, the world map, recent imports, open challenges."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from fairthread.accounts import policy
from fairthread.supplychain import queries
from fairthread.web import charts
from fairthread.web.decorators import allowed

TOP_COUNTRIES = 15
# The map SVG is served with its own policy: it draws inline styles, loads nothing.
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _scope(user: Any) -> str:
    """Whose facilities a user sees: everyone's, or one organisation's (the cache key of shared charts)."""
    if policy.role_of(user) == "supplier_user":
        org = user.organisation
        return f"org:{org.pk}" if org else "none"
    return "all"


@allowed("view", "dashboard")
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    facilities = policy.visible_facilities(user)
    by_tier = queries.tier_counts(facilities)
    by_country = queries.country_counts(facilities)
    total = sum(t.count for t in by_tier)
    top = by_country[:TOP_COUNTRIES]
    context: dict[str, Any] = {
        "facility_count": total,
        "by_tier": by_tier,
        "tier_max": max((t.count for t in by_tier), default=0),
        "by_country": top,
        "country_max": top[0].count if top else 0,
        "country_total": len(by_country),
        "other_countries": sum(c.count for c in by_country[TOP_COUNTRIES:]),
        "map_version": queries.data_version(facilities),
    }
    if policy.can(user, "view", "import"):
        from fairthread.supplychain.models import ImportBatch

        context["show_imports"] = True
        context["recent_imports"] = list(
            ImportBatch.objects.select_related("organisation", "uploaded_by")[:5]
        )
    if policy.can(user, "view", "challenge"):
        from fairthread.challenges.models import Challenge

        context["show_challenges"] = True
        open_challenges = Challenge.objects.filter(status=Challenge.Status.OPEN)
        context["challenges_open"] = open_challenges.count()
        context["challenges_overdue"] = open_challenges.filter(due_date__lt=timezone.localdate()).count()
    return render(request, "web/dashboard.html", context)


@allowed("view", "dashboard")
@require_GET
def facility_map_svg(request: HttpRequest) -> HttpResponse:
    facilities = policy.visible_facilities(request.user)
    version = queries.data_version(facilities)
    try:
        svg = charts.facilities_map_svg(
            lambda: queries.country_counts(facilities), cache_key=f"{_scope(request.user)}|{version}"
        )
    except charts.ChartUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Security-Policy"] = SVG_CSP
    response["Cache-Control"] = "private, max-age=300"
    return response
