"""Risk pages: overview (heatmap, map, priority list, critical areas), a facility's explanation and history,
runs and their comparison, methodology versions with diffs and new versions. Views stay thin: reading and
writing go through ``fairthread.risk.services``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from fairthread.accounts import policy
from fairthread.reference.countries import country_name, resolve_country
from fairthread.risk import methodology, services
from fairthread.risk.models import AssessmentRun, FacilityAssessment, MethodologyVersion
from fairthread.supplychain import exporting, queries
from fairthread.supplychain.models import Facility
from fairthread.supplychain.vocabulary import MATERIALS
from fairthread.web import charts
from fairthread.web.decorators import allowed
from fairthread.web.views.dashboard import SVG_CSP
from fairthread.web.views.work_challenges import SubjectType, register_subject_type

PAGE_SIZE = 50
BANDS = ("critical", "high", "medium", "low")
TIERS = ("1", "2", "3", "4", "unknown")
EXPORT_COLUMNS = ["priority", "facility_ref", "name", "country", "tier", "band", "severity", "likelihood",
                  "exposure", "irremediable", "explanation"]
EXPORT_TYPES = {"csv": "text/csv; charset=utf-8",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
HEATMAP_COUNTRIES = 25
FACTOR_LABELS = {
    "country": "Country prevalence",
    "commodity": "Commodity × country (DOL list)",
    "state_imposed": "State-imposed forced labour",
    "workforce": "Workforce vulnerability",
    "evidence": "Evidence",
    "data_gap": "Data gap",
}

# Methodology versions and assessment runs can be challenged by the critical friend.
register_subject_type("methodology", SubjectType(
    MethodologyVersion, "version",
    lambda user: MethodologyVersion.objects.all() if policy.can(user, "view", "methodology")
    else MethodologyVersion.objects.none(),
    "web:risk_methodology_detail", "methodology version",
))
register_subject_type("assessment_run", SubjectType(
    AssessmentRun, "pk",
    lambda user: AssessmentRun.objects.all() if policy.can(user, "view", "risk_assessment")
    else AssessmentRun.objects.none(),
    "web:risk_run_detail", "assessment run",
))


@dataclass
class RiskFilter:
    band: str = ""
    country: str = ""
    tier: str = ""
    material: str = ""
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> RiskFilter:
        f = cls()
        band = params.get("band", "").strip().lower()
        if band in BANDS:
            f.band = band
        elif band:
            f.problems.append("Band must be critical, high, medium or low: the band filter was ignored.")
        country = params.get("country", "").strip()
        if country:
            code = resolve_country(country)
            if code:
                f.country = code
            else:
                f.problems.append(f"Unknown country {country!r}: the country filter was ignored.")
        tier = params.get("tier", "").strip().lower()
        if tier in TIERS:
            f.tier = tier
        elif tier:
            f.problems.append("Tier must be 1, 2, 3, 4 or unknown: the tier filter was ignored.")
        material = params.get("material", "").strip().lower()
        if material in MATERIALS or material == "none":
            f.material = material
        elif material:
            f.problems.append(f"Unknown material {material!r}: the material filter was ignored.")
        return f

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.band:
            qs = qs.filter(band=self.band)
        if self.country:
            qs = qs.filter(country=self.country)
        if self.tier == "unknown":
            qs = qs.filter(tier__isnull=True)
        elif self.tier:
            qs = qs.filter(tier=int(self.tier))
        if self.material == "none":
            qs = qs.filter(materials="")
        elif self.material:
            # '|'-separated list: match the whole material, not a prefix of another.
            qs = qs.filter(materials__regex=rf"(^|\|){self.material}(\||$)")
        return qs

    @property
    def active(self) -> bool:
        return bool(self.band or self.country or self.tier or self.material)

    def query(self) -> str:
        return urlencode({k: v for k, v in (("band", self.band), ("country", self.country), ("tier", self.tier),
                                            ("material", self.material)) if v})


def _top_reasons(contributions: list[dict], n: int = 3) -> list[str]:
    ranked = sorted(contributions or [], key=lambda c: -float(c.get("points", 0)))
    return [f"{FACTOR_LABELS.get(c['factor'], c['factor'])}: {c['input_value']}" for c in ranked[:n]
            if float(c.get("points", 0)) > 0 or c["factor"] == "state_imposed"]


def _with_facilities(rows: list[FacilityAssessment]) -> list[FacilityAssessment]:
    facilities = Facility.objects.in_bulk([r.facility_id for r in rows])
    for r in rows:
        r.facility_obj = facilities.get(r.facility_id)
        r.reasons = _top_reasons(r.contributions)
    return rows


def _band_counts(qs: QuerySet) -> list[tuple[str, int]]:
    counts = dict(qs.order_by().values_list("band").annotate(n=Count("id")))
    return [(b, counts.get(b, 0)) for b in BANDS]


# --- overview ---------------------------------------------------------------------------------------------

@allowed("view", "risk_assessment")
@require_GET
def risk_overview(request: HttpRequest) -> HttpResponse:
    run = services.latest_run()
    context: dict[str, Any] = {"run": run, "may_run": policy.can(request.user, "run", "risk_assessment")}
    if run is not None:
        current = services.current_results()
        context.update({
            "bands": _band_counts(current),
            "total": current.count(),
            "irremediable": current.filter(irremediable=True).count(),
            "top": _with_facilities(list(current.only(
                "id", "facility_id", "facility_ref", "band", "severity", "likelihood", "exposure", "country",
                "tier", "contributions", "irremediable")[:15])),
            "areas": services.critical_areas(run)[:15],
            "grid": _heat_grid(current),
            "version": run.pk,
        })
    return render(request, "web/risk/overview.html", context)


@dataclass
class _Grid:
    columns: list[str]
    rows: list[tuple[str, str, list[dict[str, Any]]]]  # country code, name, cells


def _heat_grid(current: QuerySet) -> _Grid:
    """Country × tier: facilities and the highest severity (the countries with the highest severity first)."""
    cells = list(current.order_by().values("country", "tier").annotate(n=Count("id"), sev=Max("severity")))
    by_country: dict[str, dict[str, dict[str, Any]]] = {}
    for c in cells:
        tier = str(c["tier"]) if c["tier"] in (1, 2, 3, 4) else "unknown"
        slot = by_country.setdefault(c["country"], {}).setdefault(tier, {"n": 0, "sev": 0.0})
        slot["n"] += c["n"]
        slot["sev"] = max(slot["sev"], c["sev"])
    ranked = sorted(by_country, key=lambda k: (-max(s["sev"] for s in by_country[k].values()),
                                               -sum(s["n"] for s in by_country[k].values()), k))
    rows = []
    for code in ranked[:HEATMAP_COUNTRIES]:
        row = []
        for tier in TIERS:
            slot = by_country[code].get(tier)
            row.append({"tier": tier, "n": slot["n"] if slot else 0, "sev": slot["sev"] if slot else None,
                        "level": _level(slot["sev"]) if slot else "none"})
        rows.append((code, country_name(code), row))
    return _Grid(columns=list(TIERS), rows=rows)


def _level(severity: float) -> str:
    """A CSS class for a heat cell (five steps of the same 0–1 scale as the SVG)."""
    return f"sev-{min(4, int(severity * 5))}"


def _svg(svg: str) -> HttpResponse:
    response = HttpResponse(svg, content_type="image/svg+xml; charset=utf-8")
    response["Content-Security-Policy"] = SVG_CSP
    response["Cache-Control"] = "private, max-age=300"
    return response


@allowed("view", "risk_assessment")
@require_GET
def risk_heatmap_svg(request: HttpRequest) -> HttpResponse:
    run = services.latest_run()
    grid = _heat_grid(services.current_results()) if run else _Grid(list(TIERS), [])
    cells = [charts.HeatCell(name, "Tier " + c["tier"] if c["tier"] != "unknown" else "Unknown", c["sev"], c["n"])
             for _, name, row in grid.rows for c in row if c["n"]]
    try:
        svg = charts.heatmap_svg(cells, cache_key=f"risk-heatmap|{run.pk if run else 0}", row_title="Country",
                                 column_title="Tier", value_title="Highest severity",
                                 columns=["Tier 1", "Tier 2", "Tier 3", "Tier 4", "Unknown"])
    except charts.ChartUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    return _svg(svg)


@allowed("view", "risk_assessment")
@require_GET
def risk_map_svg(request: HttpRequest) -> HttpResponse:
    run = services.latest_run()

    def severities() -> list[queries.CountryCount]:
        rows = services.current_results().order_by().values("country").annotate(sev=Max("severity"))
        return [queries.CountryCount(r["country"], r["sev"]) for r in rows.order_by("country")]

    try:
        svg = charts.facilities_map_svg(severities, cache_key=f"risk-map|{run.pk if run else 0}",
                                        scale=charts.HIGHEST_SEVERITY)
    except charts.ChartUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    return _svg(svg)


# --- priority list, export, critical areas -------------------------------------------------------------

@allowed("view", "risk_assessment")
@require_GET
def risk_priority(request: HttpRequest) -> HttpResponse:
    flt = RiskFilter.from_params(request.GET)
    qs = flt.apply(services.current_results())
    page = Paginator(qs.only("id", "facility_id", "facility_ref", "band", "severity", "likelihood", "exposure",
                             "country", "tier", "contributions", "irremediable", "materials"),
                     PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _with_facilities(list(page.object_list))
    start = page.start_index()
    for i, r in enumerate(rows):
        r.position = start + i  # the rank in the current picture (severity, likelihood, reference)
    countries = sorted(set(services.current_results().order_by().values_list("country", flat=True).distinct()))
    query = flt.query()
    return render(request, "web/risk/priority.html", {
        "flt": flt, "page": page, "rows": rows, "run": services.latest_run(),
        "bands": BANDS, "tiers": TIERS, "countries": [(c, country_name(c)) for c in countries],
        "materials": sorted(MATERIALS),
        "querystring": f"{query}&" if query else "", "export_query": query,
    })


@allowed("view", "risk_assessment")
@require_GET
def risk_export(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in EXPORT_TYPES:
        return HttpResponseBadRequest("Choose export.csv or export.xlsx.", content_type="text/plain; charset=utf-8")
    flt = RiskFilter.from_params(request.GET)
    qs = flt.apply(services.current_results())
    names = dict(Facility.objects.filter(id__in=qs.values("facility_id")).values_list("id", "name"))
    rows: list[list[Any]] = [EXPORT_COLUMNS]
    for i, (fid, ref, country, tier, band, sev, lik, exp, irr, text) in enumerate(qs.values_list(
            "facility_id", "facility_ref", "country", "tier", "band", "severity", "likelihood", "exposure",
            "irremediable", "explanation").iterator(chunk_size=5000), start=1):
        rows.append([i, ref, names.get(fid, ""), country, tier, band, round(sev, 4), round(lik, 4), round(exp, 4),
                     "yes" if irr else "no", text])
    safe = [[exporting.neutralise(c) for c in row] for row in rows]
    body = exporting.to_csv_bytes(safe) if kind == "csv" else exporting.to_xlsx_bytes(safe, "Risk priorities")
    response = HttpResponse(body, content_type=EXPORT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="risk-priorities.{kind}"'
    return response


@allowed("view", "risk_assessment")
@require_GET
def risk_areas(request: HttpRequest) -> HttpResponse:
    run = services.latest_run()
    areas = services.critical_areas(run) if run else []
    page = Paginator(areas, PAGE_SIZE).get_page(request.GET.get("page"))
    for a in page.object_list:
        a.country_label = country_name(a.country)
        a.drill = urlencode({"country": a.country, "tier": a.tier or "unknown", "material": a.material or "none"})
    return render(request, "web/risk/areas.html", {"run": run, "page": page, "querystring": ""})


# --- one facility -----------------------------------------------------------------------------------------

@allowed("view", "risk_assessment")
@require_GET
def risk_facility(request: HttpRequest, uid: Any) -> HttpResponse:
    facility = get_object_or_404(policy.visible_facilities(request.user), uid=uid)
    history = list(FacilityAssessment.objects.filter(facility=facility).select_related("run").order_by("-run_id")[:50])
    current = next((h for h in history if h.current), None)
    position = None
    if current is not None:
        ahead = services.current_results().filter(severity__gt=current.severity).count()
        ahead += services.current_results().filter(severity=current.severity, likelihood__gt=current.likelihood).count()
        ahead += services.current_results().filter(severity=current.severity, likelihood=current.likelihood,
                                                   facility_ref__lt=current.facility_ref).count()
        position = ahead + 1
        for c in current.contributions:
            c["label"] = FACTOR_LABELS.get(c["factor"], c["factor"])
    links = policy.visible_links(request.user)
    return render(request, "web/risk/facility.html", {
        "facility": facility, "current": current, "history": history, "position": position,
        "paths": queries.paths_to_brand(facility, links),
        "country_label": country_name(facility.country),
    })


# --- runs -------------------------------------------------------------------------------------------------

@allowed("view", "risk_assessment")
@require_GET
def risk_runs(request: HttpRequest) -> HttpResponse:
    page = Paginator(AssessmentRun.objects.select_related("triggered_by").order_by("-id"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "web/risk/runs.html", {
        "page": page, "querystring": "", "may_run": policy.can(request.user, "run", "risk_assessment"),
        "versions": methodology.all_versions()[::-1],
    })


@allowed("run", "risk_assessment")
@require_POST
def risk_run_start(request: HttpRequest) -> HttpResponse:
    version = request.POST.get("methodology", "").strip() or None
    try:
        run = services.run_assessment(by=request.user, methodology_version=version)
    except services.UnknownMethodology as exc:
        messages.error(request, str(exc))
        return redirect("web:risk_runs")
    messages.success(request, f"Assessment run #{run.pk} finished: {run.facility_count:,} facilities assessed "
                              f"with methodology {run.method_version}.")
    return redirect("web:risk_run_detail", pk=run.pk)


@allowed("view", "risk_assessment")
@require_GET
def risk_run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = get_object_or_404(AssessmentRun.objects.select_related("methodology", "triggered_by"), pk=pk)
    previous = (AssessmentRun.objects.filter(id__lt=run.pk, status=AssessmentRun.Status.SUCCEEDED)
                .order_by("-id").first())
    context: dict[str, Any] = {
        "run": run, "previous": previous,
        "areas": services.critical_areas(run)[:20] if run.status == AssessmentRun.Status.SUCCEEDED else [],
        "bands": [(b, (run.summary.get("facilities_per_band") or {}).get(b, 0)) for b in BANDS],
        "reassessed": _with_facilities(list(services.run_results(run)[:50]))
        if run.kind == AssessmentRun.Kind.INCREMENTAL else [],
    }
    _challenges(request, run, context)
    return render(request, "web/risk/run_detail.html", context)


def _challenges(request: HttpRequest, subject: Any, context: dict[str, Any]) -> None:
    if policy.can(request.user, "view", "challenge"):
        from fairthread.challenges.services import challenges_for

        context["show_challenges"] = True
        context["challenges"] = list(challenges_for(subject))
        context["may_open_challenge"] = policy.can(request.user, "open", "challenge")


def _run_param(value: str | None) -> AssessmentRun | None:
    if not value:
        return None
    try:
        return AssessmentRun.objects.select_related("methodology").filter(
            pk=int(value), status=AssessmentRun.Status.SUCCEEDED).first()
    except ValueError:
        return None


@allowed("view", "risk_assessment")
@require_GET
def risk_compare(request: HttpRequest) -> HttpResponse:
    runs = list(AssessmentRun.objects.filter(status=AssessmentRun.Status.SUCCEEDED).order_by("-id")[:200])
    a, b = _run_param(request.GET.get("a")), _run_param(request.GET.get("b"))
    problems = []
    if (request.GET.get("a") and a is None) or (request.GET.get("b") and b is None):
        problems.append("No finished assessment run with that number.")
    if a is None and b is None and len(runs) >= 2 and not problems:
        b, a = runs[0], runs[1]  # the latest run against the one before it
    comparison = services.compare_runs(a, b) if a is not None and b is not None else None
    if comparison is not None:
        refs = {c.facility_id for c in comparison.changes}
        uids = dict(Facility.objects.filter(id__in=refs).values_list("id", "uid"))
        for c in comparison.changes:
            c.uid = uids.get(c.facility_id)
            c.factor_rows = [(FACTOR_LABELS.get(f, f), x, y) for f, x, y in c.factors]
    return render(request, "web/risk/compare.html", {
        "runs": runs, "a": a, "b": b, "comparison": comparison, "problems": problems,
    }, status=400 if problems else 200)


# --- methodology ----------------------------------------------------------------------------------------

@allowed("view", "methodology")
@require_GET
def risk_methodology(request: HttpRequest) -> HttpResponse:
    methodology.ensure_default()
    versions = list(MethodologyVersion.objects.select_related("created_by").order_by("-created_at", "-id"))
    return render(request, "web/risk/methodology_list.html", {
        "versions": versions, "may_change": policy.can(request.user, "change", "methodology"),
    })


@allowed("view", "methodology")
@require_GET
def risk_methodology_detail(request: HttpRequest, version: str) -> HttpResponse:
    methodology.ensure_default()
    mv = get_object_or_404(MethodologyVersion, version=version)
    context: dict[str, Any] = {
        "mv": mv, "body": methodology.editable_body(mv),
        "others": list(MethodologyVersion.objects.exclude(pk=mv.pk).order_by("-created_at")
                       .values_list("version", flat=True)),
        "runs": list(mv.runs.order_by("-id")[:10]),
    }
    _challenges(request, mv, context)
    return render(request, "web/risk/methodology_detail.html", context)


@allowed("view", "methodology")
@require_GET
def risk_methodology_diff(request: HttpRequest) -> HttpResponse:
    methodology.ensure_default()
    versions = list(MethodologyVersion.objects.order_by("created_at", "id"))
    by_name = {v.version: v for v in versions}
    a_name, b_name = request.GET.get("a", ""), request.GET.get("b", "")
    if not a_name and not b_name and len(versions) >= 2:
        a_name, b_name = versions[-2].version, versions[-1].version
    a, b = by_name.get(a_name), by_name.get(b_name)
    problem = ""
    if (a_name and a is None) or (b_name and b is None):
        problem = "No methodology version with that name."
    changes = methodology.diff(a, b) if a is not None and b is not None else None
    return render(request, "web/risk/methodology_diff.html", {
        "versions": versions, "a": a, "b": b, "changes": changes, "problem": problem,
    }, status=400 if problem else 200)


class VersionForm(forms.Form):
    version = forms.CharField(max_length=40, required=False,
                              help_text="Leave empty for the next number after the newest version.")
    change_note = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text="What changed and why: the critical friend reads this.")
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False,
                                  help_text="The method in plain language (empty: keep the current text).")
    body = forms.CharField(label="The method (JSON)", widget=forms.Textarea(attrs={"rows": 28, "class": "code"}))


@allowed("change", "methodology")
@require_http_methods(["GET", "POST"])
def risk_methodology_new(request: HttpRequest) -> HttpResponse:
    base = methodology.latest()
    if request.method == "POST":
        form = VersionForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                body = methodology.parse_body(data["body"])
                if data["description"].strip():
                    body["description"] = data["description"].strip()
                created = services.create_methodology_version(
                    by=request.user, body=body, change_note=data["change_note"], version=data["version"] or None)
            except ValidationError as exc:
                for problem in _messages(exc):
                    form.add_error(None, problem)
            else:
                messages.success(request, f"Methodology {created.version} saved. Run an assessment with it to "
                                          "see what changes.")
                return redirect("web:risk_methodology_detail", version=created.version)
        status = 400
    else:
        form = VersionForm(initial={"body": methodology.editable_body(base), "version": methodology.next_version(
            base.version), "description": base.description})
        status = 200
    return render(request, "web/risk/methodology_form.html", {"form": form, "base": base}, status=status)


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [m for msgs in exc.message_dict.values() for m in msgs]
    return list(exc.messages)


def facility_risk_summary(facility: Facility, user: Any) -> dict[str, Any] | None:
    """For the facility page's risk block: the latest result, or None when the user may not see risk."""
    if not policy.can(user, "view", "risk_assessment"):
        return None
    current = FacilityAssessment.objects.filter(facility=facility, current=True).first()
    return {"current": current, "reasons": _top_reasons(current.contributions) if current else []}

