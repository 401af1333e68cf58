"""Risk: assessment runs and their results, a facility's latest result, critical areas, methodology versions.

The brand's internal assessment: brand users and the critical friend read it; brand users start runs;
supplier users get 403.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from fairthread.accounts import policy
from fairthread.api.common import country_code, get_visible, guard, page, path_uid, user_of
from fairthread.api.schemas import Error, ValidationErrors
from fairthread.risk import methodology, services
from fairthread.risk.models import AssessmentRun, FacilityAssessment, MethodologyVersion

router = Router(tags=["risk"])
BANDS = ("critical", "high", "medium", "low")


class RunOut(Schema):
    id: int
    kind: str
    status: str
    method_version: str
    engine_version: str
    editions: dict[str, str]
    inputs_digest: str
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    triggered_by: str = Field(alias="triggered_label")
    facility_count: int
    summary: dict[str, Any]


class RunPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RunOut]


class ContributionOut(Schema):
    factor: str
    input_value: str
    points: float
    source: str
    edition: str


class ResultOut(Schema):
    facility_uid: uuid.UUID
    facility_ref: str
    name: str
    country: str
    tier: int | None
    run_id: int
    severity: float
    likelihood: float
    band: str
    exposure: float
    irremediable: bool
    priority_rank: int = Field(description="Rank within the run that stored this result (1 = most urgent)")
    explanation: str


class ResultPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ResultOut]


class FacilityRiskOut(ResultOut):
    scale: int
    scope: int
    irremediability: int
    contributions: list[ContributionOut]
    uncertainty: list[str]
    method_version: str
    editions: dict[str, str]


class AreaOut(Schema):
    rank: int
    country: str
    tier: int | None
    material: str
    facilities: int
    workers_potentially_affected: int
    highest_severity: float
    likelihood: float
    exposure: float


class MethodologyOut(Schema):
    version: str
    author: str
    change_note: str
    description: str
    is_default: bool
    created_at: datetime.datetime


class MethodologyDetail(MethodologyOut):
    body: dict[str, Any]


class RunIn(Schema):
    methodology: str | None = Field(None, description="Methodology version (default: the newest)")


class ResultFilters(Schema):
    band: str | None = None
    country: str | None = None
    tier: int | None = None
    limit: int = 50
    offset: int = 0


def _run(run_id: str) -> AssessmentRun:
    """A run by number, or 'latest' (the newest finished run)."""
    if run_id == "latest":
        run = services.latest_run()
    else:
        try:
            run = AssessmentRun.objects.filter(pk=int(run_id)).first()
        except ValueError:
            run = None
    if run is None:
        raise Http404("Not found.")
    return run


def _filtered(qs: QuerySet, f: ResultFilters) -> QuerySet:
    if f.band:
        band = f.band.strip().lower()
        if band not in BANDS:
            raise ValidationError({"band": "band must be critical, high, medium or low."})
        qs = qs.filter(band=band)
    if f.country:
        qs = qs.filter(country=country_code(f.country, "country"))
    if f.tier is not None:
        qs = qs.filter(tier=f.tier)
    return qs


def _result(r: FacilityAssessment) -> dict[str, Any]:
    return {
        "facility_uid": r.facility.uid, "facility_ref": r.facility_ref, "name": r.facility.name,
        "country": r.country, "tier": r.tier, "run_id": r.run_id, "severity": r.severity,
        "likelihood": r.likelihood, "band": r.band, "exposure": r.exposure, "irremediable": r.irremediable,
        "priority_rank": r.priority_rank, "explanation": r.explanation,
    }


def _results_page(qs: QuerySet, f: ResultFilters) -> dict[str, Any]:
    count, items = page(_filtered(qs, f).select_related("facility"), f.limit, f.offset)
    return {"count": count, "limit": f.limit, "offset": f.offset, "items": [_result(r) for r in items]}


@router.get("/risk/runs", response=RunPage, operation_id="list_risk_runs", **guard("view", "risk_assessment"),
            summary="List assessment runs, newest first")
def list_risk_runs(request: HttpRequest, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    count, items = page(AssessmentRun.objects.order_by("-id"), limit, offset)
    return {"count": count, "limit": limit, "offset": offset, "items": items}


@router.post("/risk/runs", response={201: RunOut, 422: ValidationErrors}, operation_id="start_risk_run",
             **guard("run", "risk_assessment"), summary="Run a full assessment now (returns when it is stored)")
def start_risk_run(request: HttpRequest, payload: RunIn) -> Status:
    try:
        run = services.run_assessment(by=user_of(request), methodology_version=payload.methodology)
    except services.UnknownMethodology as exc:
        raise ValidationError({"methodology": str(exc)}) from None
    return Status(201, run)


@router.get("/risk/runs/{run_id}", response={200: RunOut, 404: Error}, operation_id="get_risk_run",
            **guard("view", "risk_assessment"), summary="One run (a number, or 'latest') with its summary")
def get_risk_run(request: HttpRequest, run_id: str) -> AssessmentRun:
    return _run(run_id)


@router.get("/risk/runs/{run_id}/results", response={200: ResultPage, 404: Error, 422: ValidationErrors},
            operation_id="list_run_results", **guard("view", "risk_assessment"),
            summary="The results one run stored, in its priority order")
def list_run_results(request: HttpRequest, run_id: str, filters: Query[ResultFilters]) -> dict[str, Any]:
    return _results_page(services.run_results(_run(run_id)), filters)


@router.get("/risk/results", response={200: ResultPage, 422: ValidationErrors}, operation_id="list_risk_results",
            **guard("view", "risk_assessment"),
            summary="Every facility's latest result, severity first, then likelihood, then reference")
def list_risk_results(request: HttpRequest, filters: Query[ResultFilters]) -> dict[str, Any]:
    return _results_page(services.current_results(), filters)


@router.get("/risk/facilities/{uid}", response={200: FacilityRiskOut, 404: Error},
            operation_id="get_facility_risk", **guard("view", "risk_assessment"),
            summary="A facility's latest result with its contributions")
def get_facility_risk(request: HttpRequest, uid: str) -> dict[str, Any]:
    facility = get_visible(policy.visible_facilities(user_of(request)), uid=path_uid(uid))
    r = FacilityAssessment.objects.filter(facility=facility, current=True).select_related("run", "facility").first()
    if r is None:
        raise Http404("Not assessed yet.")
    return {**_result(r), "scale": r.scale, "scope": r.scope, "irremediability": r.irremediability,
            "contributions": r.contributions, "uncertainty": r.uncertainty, "method_version": r.run.method_version,
            "editions": r.run.editions}


@router.get("/risk/critical-areas", response={200: list[AreaOut], 404: Error},
            operation_id="list_critical_areas", **guard("view", "risk_assessment"),
            summary="Critical areas (country × tier × material) as of a run (default: the latest)")
def list_critical_areas(request: HttpRequest, run: str = "latest", limit: int = 100) -> list[Any]:
    if limit < 1 or limit > 1000:
        raise ValidationError({"limit": "limit must be between 1 and 1000."})
    if run == "latest" and services.latest_run() is None:
        return []
    return services.critical_areas(_run(run))[:limit]


@router.get("/risk/methodology", response=list[MethodologyOut], operation_id="list_methodology_versions",
            **guard("view", "methodology"), summary="Methodology versions, newest first")
def list_methodology_versions(request: HttpRequest) -> QuerySet:
    methodology.ensure_default()
    return MethodologyVersion.objects.order_by("-created_at", "-id")


@router.get("/risk/methodology/{version}", response={200: MethodologyDetail, 404: Error},
            operation_id="get_methodology_version", **guard("view", "methodology"),
            summary="One methodology version with the whole method")
def get_methodology_version(request: HttpRequest, version: str) -> MethodologyVersion:
    found = methodology.get(version)
    if found is None:
        raise Http404("Not found.")
    return found
