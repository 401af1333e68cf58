"""Risk services: the one entry point for assessment runs, methodology versions and reading results.

``by=None`` is the system (the CLI operator, a periodic job, the incremental re-assessment after an
edit); a user is checked against the access policy. Every run is audited.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from fairthread.accounts import policy
from fairthread.audit.log import record
from fairthread.risk import engine, methodology, tables
from fairthread.risk.models import AssessmentRun, CriticalArea, FacilityAssessment, MethodologyVersion
from fairthread.supplychain.models import Facility, SourcingLink

log = logging.getLogger(__name__)

BANDS = ("critical", "high", "medium", "low")
BATCH = 5_000
TOP_AREAS = 10
# An "incremental" update touching more than this share of a large map is done as a full run instead.
INCREMENTAL_MAX_SHARE = 0.5
INCREMENTAL_MIN_FOR_FULL = 5_000
UPDATE_CHUNK = 900

Progress = Callable[[str, int, int], None]  # stage, done, total


class UnknownMethodology(ValueError):
    def __init__(self, version: str, known: list[str]) -> None:
        self.version = version
        self.known = known
        super().__init__(f"No methodology version {version!r}. Versions: {', '.join(known)}.")


def _label(by: Any) -> str:
    return by.get_username() if getattr(by, "is_authenticated", False) else "system"


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


def _method(methodology_version: str | MethodologyVersion | None) -> MethodologyVersion:
    if isinstance(methodology_version, MethodologyVersion):
        return methodology_version
    if methodology_version is None:
        return methodology.latest()
    found = methodology.get(str(methodology_version))
    if found is None:
        raise UnknownMethodology(str(methodology_version), methodology.all_versions())
    return found


# --- runs -------------------------------------------------------------------------------------------------

def run_assessment(*, by: Any, methodology_version: str | MethodologyVersion | None = None,
                   progress: Progress | None = None) -> AssessmentRun:
    """Assess every facility with a methodology version (default: the newest) and store the results."""
    if by is not None:
        policy.require(by, "run", "risk_assessment")
    method = _method(methodology_version)
    return _full_run(method, by=by, progress=progress)


def _engine_limits() -> dict[str, str]:
    spill = settings.ENGINE_SPILL_DIR
    spill.mkdir(parents=True, exist_ok=True)
    return {"memory_limit": settings.ENGINE_MEMORY_LIMIT, "spill_directory": str(spill)}


def _full_run(method: MethodologyVersion, *, by: Any, progress: Progress | None = None,
              trigger: str = "") -> AssessmentRun:
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    started = timezone.now()
    if progress:
        progress("loading", 0, 3)
    inputs, editions = tables.build_tables()
    timings["load_s"] = time.perf_counter() - t0
    inputs_digest = tables.digest(inputs)
    if progress:
        progress("assessing", 1, 3)
    t1 = time.perf_counter()
    result = engine.run(inputs, method.body, **_engine_limits())
    timings["engine_s"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    with transaction.atomic():
        run = AssessmentRun.objects.create(
            methodology=method, method_version=method.version, engine_version=engine.ENGINE_VERSION,
            editions=result.editions or editions, inputs_digest=inputs_digest, kind=AssessmentRun.Kind.FULL,
            started_at=started, triggered_by=_user(by), triggered_label=trigger or _label(by),
        )
        # The previous picture stops being current only when the new one is in place (same transaction).
        FacilityAssessment.objects.filter(current=True).update(current=False)
        stored = _store_results(run, result, inputs, progress=progress)
        _store_areas(run, result.critical_areas)
        timings["store_s"] = time.perf_counter() - t2
        _finish(run, stored, timings)
        record(by, "risk.run", run, after={"kind": run.kind, "method_version": run.method_version,
                                           "facilities": run.facility_count, "inputs_digest": inputs_digest})
    if progress:
        progress("done", 3, 3)
    return run


def _finish(run: AssessmentRun, stored: tuple[dict[str, int], int], timings: dict[str, float],
            picture: tuple[dict[str, int], int] | None = None) -> None:
    """Summary: facilities per band (and state-imposed) in the picture as of this run, top critical areas."""
    bands, irremediable = stored
    picture_bands, picture_irremediable = picture or stored
    run.summary = {
        "facilities_per_band": picture_bands,
        "irremediable": picture_irremediable,
        "timings": {k: round(v, 3) for k, v in timings.items()},
    }
    if run.kind == AssessmentRun.Kind.FULL:
        top = list(CriticalArea.objects.filter(run=run).order_by("rank")[:TOP_AREAS])
        run.summary["top_critical_areas"] = [area_dict(a) for a in top]
    else:
        run.summary["reassessed_per_band"] = bands
    run.facility_count = sum(bands.values())
    run.status = AssessmentRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.save(update_fields=["summary", "facility_count", "status", "finished_at"])


# Stored column → the engine's result-table column (the same name unless given).
_RESULT_COLUMNS = ("run_id", "facility_id", "facility_ref", "country", "tier", "materials", "workers_count",
                   "severity", "likelihood", "band", "exposure", "irremediable", "high_risk", "state_imposed_exposure",
                   "state_imposed_source", "state_imposed_region", "state_imposed_depth", "state_imposed_material",
                   "scale", "scope", "irremediability", "priority_rank", "contributions", "explanation",
                   "uncertainty", "current")
BOUNDARY_COLUMNS = ("exposure", "high_risk", "state_imposed_exposure", "state_imposed_source",
                    "state_imposed_region", "state_imposed_depth", "state_imposed_material")


def _result_columns(result: Any, only: set[int] | None) -> dict[str, list[Any]]:
    """The engine's per-facility results as columns (from its Arrow table; no per-row objects)."""
    table = getattr(result, "table", None)
    if table is None:  # an engine without the columnar table: build the same columns from the results
        rows = [{"facility_id": r.facility_id, "facility_ref": r.facility_ref, "severity": r.severity,
                 "likelihood": r.likelihood, "band": r.band, "exposure": r.exposure, "irremediable": r.irremediable,
                 "scale": r.scale, "scope": r.scope, "irremediability": r.irremediability,
                 "priority_rank": r.priority_rank, "explanation": r.explanation,
                 "contributions": json.dumps([c.__dict__ for c in r.contributions]),
                 "uncertainty": json.dumps(list(r.uncertainty))} for r in result.results]
        table = pa.Table.from_pylist(rows)
    if only is not None:
        table = table.filter(pc.is_in(table["facility_id"], value_set=pa.array(sorted(only), type=pa.int64())))
    return {name: table[name].to_pylist() for name in table.column_names}


def _store_results(run: AssessmentRun, result: Any, inputs: dict[str, pa.Table], *, only: set[int] | None = None,
                   progress: Progress | None = None) -> tuple[dict[str, int], int]:
    """Insert the results with one multi-row statement per batch (no model instances: 100,000 rows).

    Returns facilities per band and how many are irremediable.
    """
    cols = _result_columns(result, only)
    n = len(cols["facility_id"])
    fac = inputs["facilities"]
    facts = dict(zip(fac["facility_id"].to_pylist(), zip(fac["country"].to_pylist(), fac["tier"].to_pylist(),
                                                         fac["workers_count"].to_pylist(), strict=True), strict=True))
    materials = tables.supplied_materials(inputs["links"])
    ids = cols["facility_id"]
    none = [None] * n
    country = [facts.get(i, ("",))[0] or "" for i in ids]
    tier = [facts.get(i, ("", None))[1] for i in ids]
    workers = [facts.get(i, ("", None, None))[2] for i in ids]
    values = {
        "run_id": [run.pk] * n, "facility_ref": cols["facility_ref"], "country": country, "tier": tier,
        "materials": [materials.get(i, "")[:300] for i in ids], "workers_count": workers,
        "high_risk": [bool(v) for v in cols.get("high_risk", cols["irremediable"])],
        "state_imposed_exposure": [v or 0.0 for v in cols.get("state_imposed_exposure", none)],
        "state_imposed_source": [bool(v) for v in cols.get("state_imposed_source", none)],
        "state_imposed_region": [(v or "")[:200] for v in cols.get("state_imposed_region", none)],
        "state_imposed_depth": cols.get("state_imposed_depth", none),
        "state_imposed_material": [(v or "")[:60] for v in cols.get("state_imposed_material", none)],
        "irremediable": [bool(v) for v in cols["irremediable"]],
        "current": [True] * n,
    }
    json_column = _json_column()
    values["contributions"] = json_column(cols["contributions"])
    values["uncertainty"] = json_column(cols["uncertainty"])
    for name in _RESULT_COLUMNS:
        if name not in values:
            values[name] = cols[name]
    quote = connection.ops.quote_name
    sql = (f"INSERT INTO {quote(FacilityAssessment._meta.db_table)} "  # noqa: S608
           f"({', '.join(quote(c) for c in _RESULT_COLUMNS)}) VALUES ({', '.join(['%s'] * len(_RESULT_COLUMNS))})")
    rows = list(zip(*(values[c] for c in _RESULT_COLUMNS), strict=True))
    with connection.cursor() as cursor:
        for start in range(0, n, BATCH):
            cursor.executemany(sql, rows[start:start + BATCH])
            if progress:
                progress("storing", min(start + BATCH, n), n)
    bands = {b: 0 for b in BANDS}
    for band in cols["band"]:
        bands[band] = bands.get(band, 0) + 1
    return bands, sum(values["irremediable"])


def _json_column() -> Callable[[list[Any]], list[Any]]:
    """JSON text from the engine → what the database driver takes for a JSON column."""
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        return lambda texts: [Jsonb(json.loads(t) if isinstance(t, str) else t) for t in texts]
    return lambda texts: [t if isinstance(t, str) else json.dumps(t) for t in texts]


def _store_areas(run: AssessmentRun, areas: Iterable[Any]) -> None:
    CriticalArea.objects.bulk_create([
        CriticalArea(run=run, rank=a.rank, country=a.country or "", tier=a.tier, material=a.material or "",
                     facilities=a.facilities, workers_potentially_affected=a.workers_potentially_affected,
                     highest_severity=a.highest_severity, likelihood=a.likelihood, exposure=a.exposure)
        for a in areas
    ], batch_size=1000)


def area_dict(a: CriticalArea) -> dict[str, Any]:
    return {"rank": a.rank, "country": a.country, "tier": a.tier, "material": a.material,
            "facilities": a.facilities, "workers_potentially_affected": a.workers_potentially_affected,
            "highest_severity": round(a.highest_severity, 4), "likelihood": round(a.likelihood, 4),
            "exposure": round(a.exposure, 4)}


def latest_full_run() -> AssessmentRun | None:
    return (AssessmentRun.objects.filter(kind=AssessmentRun.Kind.FULL, status=AssessmentRun.Status.SUCCEEDED)
            .order_by("-id").first())


def latest_run() -> AssessmentRun | None:
    return AssessmentRun.objects.filter(status=AssessmentRun.Status.SUCCEEDED).order_by("-id").first()


# --- incremental ----------------------------------------------------------------------------------------

def downstream_of(facility_ids: Iterable[int]) -> set[int]:
    """The facilities and everything they supply into, directly or transitively (walking links buyer-ward)."""
    seen = set(facility_ids)
    frontier = set(seen)
    while frontier:
        found: set[int] = set()
        ordered = sorted(frontier)
        for start in range(0, len(ordered), UPDATE_CHUNK):
            found.update(SourcingLink.objects.filter(supplier_id__in=ordered[start:start + UPDATE_CHUNK],
                                                     buyer__isnull=False).values_list("buyer_id", flat=True))
        frontier = found - seen
        seen |= frontier
    return seen


def _boundary(links: pa.Table, subset: set[int]) -> pa.Table:
    """Current results of the suppliers outside the subset that supply into it."""
    outside = {s for s in links["supplier_id"].to_pylist() if s is not None and s not in subset}
    rows: list[tuple] = []
    ordered = sorted(outside)
    for start in range(0, len(ordered), UPDATE_CHUNK):
        rows.extend(FacilityAssessment.objects.filter(current=True, facility_id__in=ordered[start:start + UPDATE_CHUNK])
                    .values_list("facility_id", *BOUNDARY_COLUMNS))
    rows.sort()
    cols = list(zip(*rows, strict=True)) if rows else [()] * (1 + len(BOUNDARY_COLUMNS))
    types = {"facility_id": pa.int64(), "exposure": pa.float64(), "high_risk": pa.bool_(),
             "state_imposed_exposure": pa.float64(), "state_imposed_source": pa.bool_(),
             "state_imposed_region": pa.string(), "state_imposed_depth": pa.int32(),
             "state_imposed_material": pa.string()}
    names = ("facility_id", *BOUNDARY_COLUMNS)
    return pa.table({name: pa.array([None if v == "" and types[name] == pa.string() else v for v in col]
                                    if name in ("state_imposed_region", "state_imposed_material") else col,
                                    type=types[name]) for name, col in zip(names, cols, strict=True)})


def reassess_downstream(facility_ids: Iterable[int], *, by: Any = None) -> AssessmentRun | None:
    """Re-assess edited facilities and everything downstream of them (only once a full run exists)."""
    if by is not None:
        policy.require(by, "run", "risk_assessment")
    ids = {int(i) for i in facility_ids if i is not None}
    base = latest_full_run()
    if not ids or base is None:
        return None
    t0 = time.perf_counter()
    started = timezone.now()
    method = latest_run().methodology  # type: ignore[union-attr]
    subset = downstream_of(ids)
    total = Facility.objects.count()
    if len(subset) > INCREMENTAL_MIN_FOR_FULL and len(subset) > INCREMENTAL_MAX_SHARE * total:
        return _full_run(method, by=by, trigger=f"{_label(by)}: large change")
    inputs, editions = tables.build_tables(subset, with_suppliers=True)
    subset &= set(inputs["facilities"]["facility_id"].to_pylist())  # ignore ids that no longer exist
    if not subset:
        return None
    boundary = _boundary(inputs["links"], subset)
    t1 = time.perf_counter()
    result = engine.run(inputs, method.body, subset=subset, boundary=boundary, **_engine_limits())
    t2 = time.perf_counter()
    with transaction.atomic():
        run = AssessmentRun.objects.create(
            methodology=method, method_version=method.version, engine_version=engine.ENGINE_VERSION,
            editions=result.editions or editions, inputs_digest=tables.digest(inputs),
            kind=AssessmentRun.Kind.INCREMENTAL, started_at=started, triggered_by=_user(by),
            triggered_label=_label(by), changed_facilities=sorted(ids & subset),
        )
        previous = latest_run()
        picture = dict((previous.summary if previous else {}).get("facilities_per_band") or {})
        picture_irremediable = int((previous.summary if previous else {}).get("irremediable") or 0)
        ordered = sorted(subset)
        for start in range(0, len(ordered), UPDATE_CHUNK):
            old = FacilityAssessment.objects.filter(current=True, facility_id__in=ordered[start:start + UPDATE_CHUNK])
            for band, irremediable in old.values_list("band", "irremediable"):
                picture[band] = picture.get(band, 0) - 1
                picture_irremediable -= bool(irremediable)
            old.update(current=False)
        stored = _store_results(run, result, inputs, only=subset)
        for band, n in stored[0].items():
            picture[band] = picture.get(band, 0) + n
        t3 = time.perf_counter()
        # The picture's totals move by what changed: no count over every facility (≤ 1 s at 100,000).
        _finish(run, stored, {"load_s": t1 - t0, "engine_s": t2 - t1, "store_s": t3 - t2},
                picture=(picture, picture_irremediable + stored[1]))
        record(by, "risk.reassess", run, after={"changed": sorted(ids & subset)[:50],
                                                "reassessed": run.facility_count})
    return run


def schedule_reassessment(facility_ids: Iterable[int]) -> None:
    """After the current transaction commits, re-assess these facilities and what lies downstream."""
    ids = set(facility_ids)

    def go() -> None:
        try:
            reassess_downstream(ids)
        except Exception:  # the edit is saved; a failed re-assessment must not turn it into an error page
            log.exception("incremental risk re-assessment failed for %d facilities", len(ids))

    transaction.on_commit(go)


# --- methodology -----------------------------------------------------------------------------------------

def create_methodology_version(*, by: Any, body: dict[str, Any], change_note: str,
                               version: str | None = None) -> MethodologyVersion:
    return methodology.create_version(by=by, body=body, change_note=change_note, version=version)


# --- reading --------------------------------------------------------------------------------------------

def current_results() -> QuerySet:
    """Every facility's latest result, in priority order (severity, then likelihood, then reference)."""
    return FacilityAssessment.objects.filter(current=True).order_by("-severity", "-likelihood", "facility_ref")


def run_results(run: AssessmentRun) -> QuerySet:
    """The results a run stored itself (an incremental run: only the facilities it re-assessed)."""
    return FacilityAssessment.objects.filter(run=run).order_by("priority_rank", "facility_ref")


def state_results(run: AssessmentRun) -> QuerySet:
    """The picture as of ``run``: each facility's latest result from the last full run up to ``run``."""
    latest = latest_run()
    if latest is not None and latest.pk == run.pk:
        return current_results()
    if run.kind == AssessmentRun.Kind.FULL:
        return FacilityAssessment.objects.filter(run=run).order_by("-severity", "-likelihood", "facility_ref")
    base = (AssessmentRun.objects.filter(kind=AssessmentRun.Kind.FULL, status=AssessmentRun.Status.SUCCEEDED,
                                         id__lt=run.pk).order_by("-id").values_list("id", flat=True).first())
    window = FacilityAssessment.objects.filter(run_id__gte=base or 0, run_id__lte=run.pk)
    newest: dict[int, int] = {}
    for fid, _run_id, pk in window.values_list("facility_id", "run_id", "id").order_by("facility_id", "run_id"):
        newest[fid] = pk
    return FacilityAssessment.objects.filter(id__in=list(newest.values())).order_by(
        "-severity", "-likelihood", "facility_ref")


def critical_areas(run: AssessmentRun | None = None) -> list[CriticalArea]:
    """Critical areas as of a run (default: the latest). Incremental runs aggregate on first request."""
    run = run or latest_run()
    if run is None:
        return []
    stored = list(CriticalArea.objects.filter(run=run).order_by("rank"))
    if stored or run.kind == AssessmentRun.Kind.FULL:
        return stored
    rows = state_results(run).values_list("country", "tier", "materials", "workers_count", "severity",
                                          "likelihood", "exposure")
    areas = aggregate_areas(rows)
    with transaction.atomic():
        if not CriticalArea.objects.filter(run=run).exists():
            _store_areas(run, areas)
    return list(CriticalArea.objects.filter(run=run).order_by("rank"))


@dataclass
class _Area:
    country: str
    tier: int | None
    material: str
    facilities: int = 0
    workers_potentially_affected: int = 0
    highest_severity: float = 0.0
    likelihood: float = 0.0
    exposure: float = 0.0
    rank: int = 0


def aggregate_areas(rows: Iterable[tuple]) -> list[_Area]:
    """Country × tier × material (each material a facility supplies), ranked as the engine ranks them."""
    areas: dict[tuple[str, int | None, str], _Area] = {}
    for country, tier, materials, workers, severity, likelihood, exposure in rows:
        for material in (materials.split("|") if materials else [""]):
            key = (country, tier, material)
            a = areas.get(key)
            if a is None:
                a = areas[key] = _Area(country, tier, material)
            a.facilities += 1
            a.workers_potentially_affected += workers or 0
            a.highest_severity = max(a.highest_severity, severity)
            a.likelihood = max(a.likelihood, likelihood)
            a.exposure = max(a.exposure, exposure)
    ordered = sorted(areas.values(), key=lambda a: (-a.highest_severity, -a.likelihood,
                                                    -a.workers_potentially_affected, a.country,
                                                    a.tier if a.tier is not None else 99, a.material))
    for i, a in enumerate(ordered, start=1):
        a.rank = i
    return ordered


# --- comparison -----------------------------------------------------------------------------------------

@dataclass
class FacilityChange:
    facility_id: int
    facility_ref: str
    before: dict[str, Any] | None  # band, severity, likelihood, exposure (None: not assessed in a)
    after: dict[str, Any] | None
    factors: list[tuple[str, float, float]] = field(default_factory=list)  # factor, points in a, points in b

    @property
    def band_moved(self) -> bool:
        return (self.before or {}).get("band") != (self.after or {}).get("band")


@dataclass
class RunComparison:
    a: AssessmentRun
    b: AssessmentRun
    changes: list[FacilityChange]
    methodology_changes: list[tuple[str, Any, Any]]
    editions_changed: list[tuple[str, str | None, str | None]]
    digest_changed: bool
    band_moves: dict[str, int]  # "high → critical": count
    total_changed: int

    @property
    def identical(self) -> bool:
        return not self.changes and not self.methodology_changes and not self.editions_changed


_COMPARED = ("band", "severity", "likelihood", "exposure")


def compare_runs(a: AssessmentRun, b: AssessmentRun, *, limit: int = 500) -> RunComparison:
    """What changed per facility from run a to run b, and why: contributions, method, editions."""
    def light(run: AssessmentRun) -> dict[int, tuple]:
        return {row[0]: row[1:] for row in state_results(run).values_list(
            "facility_id", "id", "facility_ref", "band", "severity", "likelihood", "exposure")}

    la, lb = light(a), light(b)
    changed: list[tuple[int, tuple | None, tuple | None]] = []
    for fid in sorted(la.keys() | lb.keys()):
        x, y = la.get(fid), lb.get(fid)
        if x is None or y is None or x[2] != y[2] or any(round(x[i], 4) != round(y[i], 4) for i in (3, 4, 5)):
            changed.append((fid, x, y))
    band_moves: dict[str, int] = {}
    for _, x, y in changed:
        key = f"{x[2] if x else 'not assessed'} → {y[2] if y else 'not assessed'}"
        band_moves[key] = band_moves.get(key, 0) + 1
    # Most serious first: the larger severity after, then the larger move.
    changed.sort(key=lambda c: (-(c[2][3] if c[2] else 0), -abs((c[2][3] if c[2] else 0) - (c[1][3] if c[1] else 0)),
                                (c[2] or c[1])[1]))
    shown = changed[:limit]
    wanted = [row[0] for _, x, y in shown for row in (x, y) if row is not None]
    contributions: dict[int, list[dict]] = {}
    for start in range(0, len(wanted), UPDATE_CHUNK):
        contributions.update(FacilityAssessment.objects.filter(id__in=wanted[start:start + UPDATE_CHUNK])
                             .values_list("id", "contributions"))
    out = []
    for fid, x, y in shown:
        pa_ = _points(contributions.get(x[0], [])) if x else {}
        pb = _points(contributions.get(y[0], [])) if y else {}
        factors = [(f, pa_.get(f, 0.0), pb.get(f, 0.0)) for f in sorted(pa_.keys() | pb.keys())
                   if round(pa_.get(f, 0.0), 4) != round(pb.get(f, 0.0), 4)]
        out.append(FacilityChange(
            facility_id=fid, facility_ref=(y or x)[1],  # type: ignore[index]
            before=dict(zip(_COMPARED, x[2:6], strict=True)) if x else None,
            after=dict(zip(_COMPARED, y[2:6], strict=True)) if y else None,
            factors=factors,
        ))
    editions = sorted(set(a.editions) | set(b.editions))
    return RunComparison(
        a=a, b=b, changes=out,
        methodology_changes=methodology.diff(a.methodology, b.methodology),
        editions_changed=[(k, a.editions.get(k), b.editions.get(k)) for k in editions
                          if a.editions.get(k) != b.editions.get(k)],
        digest_changed=a.inputs_digest != b.inputs_digest,
        band_moves=dict(sorted(band_moves.items())),
        total_changed=len(changed),
    )


def _points(contributions: list[dict]) -> dict[str, float]:
    out: dict[str, float] = {}
    for c in contributions or []:
        out[c["factor"]] = out.get(c["factor"], 0.0) + float(c["points"])
    return out


def check_version_body(text: str) -> dict[str, Any]:
    """Parse and validate a method body from a form (ValidationError with the problems in words)."""
    body = methodology.parse_body(text)
    problems = engine.validate_methodology({**body, "version": body.get("version", "draft")})
    if problems:
        raise ValidationError(problems)
    return body
