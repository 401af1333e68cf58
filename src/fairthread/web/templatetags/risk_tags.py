"""The risk block on the facility page: the latest assessment in one line, linking to the explanation."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("web/risk/_facility_summary.html", takes_context=True)
def risk_summary(context: dict[str, Any], facility: Any) -> dict[str, Any]:
    from fairthread.web.views.risk import facility_risk_summary

    request = context.get("request")
    summary = facility_risk_summary(facility, getattr(request, "user", None))
    return {"facility": facility, "summary": summary}


@register.filter
def pct(value: float | None) -> str:
    """A 0–1 share as a percentage with one decimal ('—' when missing)."""
    if value is None:
        return "—"
    return f"{value * 100:.1f} %"


@register.filter
def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"
