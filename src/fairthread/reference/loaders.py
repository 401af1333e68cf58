"""Storing reference datasets: one edition per file, atomically, idempotent by the file's sha256.

``load_file`` parses a publisher's file (``parsers``), and when every row is valid stores it as a new
``ReferenceDataset`` edition that becomes the current one for its kind; older editions stay. Loading a file
whose sha256 is already stored for that kind changes nothing. ``load_defaults`` loads the files shipped in
``reference/data/`` (the data migration calls it, so a fresh database has them).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps as global_apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from fairthread.reference import parsers

DATA_DIR = Path(__file__).parent / "data"

_GSI_SOURCE = "Walk Free, Global Slavery Index {edition}: country table, https://www.walkfree.org/global-slavery-index/"
_DOL_SOURCE = (
    "US Department of Labor, Bureau of International Labor Affairs (ILAB), List of Goods Produced by Child "
    "Labor or Forced Labor, {edition} edition, https://www.dol.gov/agencies/ilab/reports/child-labor/list-of-goods"
)
_DOL_META = {
    "name": "US DOL TVPRA list",
    "source": _DOL_SOURCE,
    "licence": "US federal government work: public domain",
    "attribution": "US Department of Labor, ILAB, List of Goods Produced by Child Labor or Forced Labor {edition}",
}
# Metadata for each DATASET format when the file does not carry its own ({edition} is filled in).
DEFAULT_META: dict[str, dict[str, str]] = {
    "gsi": {
        "name": "Global Slavery Index",
        "source": _GSI_SOURCE,
        "licence": "Data © Walk Free; reproduced with attribution under Walk Free's terms",
        "attribution": "Walk Free, Global Slavery Index {edition}",
    },
    "dol": _DOL_META,
    "dol-xml": _DOL_META,
    "ilo": {
        "name": "ILO forced-labour indicators (fairthread definitions)",
        "source": "ILO Indicators of Forced Labour (2012); definitions written by fairthread",
        "licence": "fairthread's own text; indicator names from the ILO",
        "attribution": "International Labour Organization, ILO Indicators of Forced Labour (2012)",
    },
    "high-risk-regions": {
        "name": "fairthread high-risk regions",
        "source": "fairthread, compiled from the US UFLPA (2021) and US CBP Withhold Release Orders; "
                  "each region states its own basis and source (docs/data-sources.md)",
        "licence": "fairthread's own data (project licence); the laws and orders cited are public",
        "attribution": "fairthread high-risk regions {edition} (basis: UFLPA; US CBP Withhold Release Orders)",
    },
    "good-mapping": {
        "name": "fairthread goods mapping",
        "source": "fairthread: its materials and facility types mapped to the goods named on the US DOL list",
        "licence": "fairthread's own data (project licence)",
        "attribution": "fairthread goods mapping {edition}",
    },
}


@dataclass(frozen=True)
class ShippedFile:
    dataset: str  # the loader (a key of parsers.PARSERS)
    filename: str
    edition: str
    meta: dict[str, str] = field(default_factory=dict)  # overrides DEFAULT_META for this file

    @property
    def path(self) -> Path:
        return DATA_DIR / self.filename


SHIPPED: tuple[ShippedFile, ...] = (
    ShippedFile("gsi", "gsi_2023_prevalence.csv", "2023", {
        "source": _GSI_SOURCE.format(edition="2023") + " (copy of the country table in br04aman/Datathon @ "
                  "6b83e05a, data/Global_Slavery_Index_2023.csv)",
    }),
    ShippedFile("dol", "dol_tvpra_goods_2022.csv", "2022", {
        "source": _DOL_SOURCE.format(edition="2022") + " (CSV derived from the DOL's XML, "
                  "USDepartmentofLabor/Child-Labor @ 48678c8e, Child Labor/goods_2016.xml)",
    }),
    ShippedFile("ilo", "ilo_indicators.yaml", "2026-11"),
    ShippedFile("high-risk-regions", "high_risk_regions.csv", "2026-11"),
    ShippedFile("good-mapping", "good_mapping.csv", "2026-11"),
)


@dataclass
class LoadResult:
    dataset: str  # the DATASET format
    kind: str
    ok: bool = False
    created: bool = False  # a new edition was stored
    unchanged: bool = False  # the identical file was already stored: nothing changed
    rows: int = 0
    dataset_id: int | None = None
    name: str = ""
    edition: str = ""
    is_current: bool = False
    replaced: str = ""  # the edition that was current before, if any
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class UsageProblem(ValueError):
    """The request itself is incomplete (e.g. no edition could be determined): wrong usage, not bad data."""


def _edition_from_filename(filename: str) -> str:
    m = re.search(r"(?<!\d)(19|20)\d{2}(?!\d)", filename)
    return m.group(0) if m else ""


def _models(apps: Any) -> tuple[Any, dict[str, Any]]:
    get = apps.get_model
    dataset_model = get("reference", "ReferenceDataset")
    rows = {
        parsers.KIND_COUNTRY_PREVALENCE: get("reference", "CountryPrevalence"),
        parsers.KIND_LISTED_GOODS: get("reference", "ListedGood"),
        parsers.KIND_ILO_INDICATORS: get("reference", "ForcedLabourIndicator"),
        parsers.KIND_HIGH_RISK_REGIONS: get("reference", "HighRiskRegion"),
        parsers.KIND_GOOD_MAPPING: get("reference", "GoodMapping"),
    }
    return dataset_model, rows


def _audit(apps: Any, by: Any, ds: Any, *, replaced: str) -> None:
    if apps is not global_apps:
        # Installing the shipped defaults in a migration is part of creating the database, not a change
        # anyone made: the audit log of a fresh database starts empty.
        return
    from fairthread.audit.log import record

    after = {"kind": ds.kind, "name": ds.name, "edition": ds.edition, "sha256": ds.sha256,
             "row_count": ds.row_count, "file_name": ds.file_name, "is_current": ds.is_current}
    note = f"replaces edition {replaced} as the current one" if replaced else ""
    record(by, "reference.load", ds, after=after, note=note)


def load_file(
    dataset: str,
    data: bytes,
    *,
    filename: str = "",
    edition: str | None = None,
    by: Any = None,
    name: str | None = None,
    source: str | None = None,
    licence: str | None = None,
    attribution: str | None = None,
    make_current: bool = True,
    apps: Any = None,
) -> LoadResult:
    """Parse and store one edition. Writes nothing unless every row is valid; the identical file again
    (same kind and sha256) is a no-op. ``by`` None = the system (CLI, migration); a user must be allowed to
    change the methodology (reference data drives it). ``apps`` = a migration's app registry."""
    if dataset not in parsers.PARSERS:
        raise UsageProblem(f"Unknown dataset '{dataset}'; use one of {', '.join(parsers.PARSERS)}.")
    apps = apps or global_apps
    kind, parse = parsers.PARSERS[dataset]
    result = LoadResult(dataset=dataset, kind=kind)
    if by is not None:
        from fairthread.accounts import policy

        policy.require(by, "change", "methodology")
    limit = getattr(settings, "IMPORT_MAX_BYTES", 50 * 1024 * 1024)
    if len(data) > limit:
        result.errors.append(f"The file is {len(data):,} bytes, over the {limit:,}-byte limit.")
        return result
    dataset_model, row_models = _models(apps)
    sha = hashlib.sha256(data).hexdigest()
    existing = dataset_model.objects.filter(kind=kind, sha256=sha).first()
    if existing is not None:
        return _unchanged(result, existing)
    parsed = parse(data)
    result.warnings = list(parsed.warnings)
    if not parsed.ok:
        result.errors = list(parsed.errors)
        return result
    defaults = DEFAULT_META[dataset]
    edition = (edition or parsed.meta.get("edition") or _edition_from_filename(filename)).strip()
    if not edition:
        raise UsageProblem(f"Cannot tell the edition of {filename or 'the file'}: give it with --edition.")
    meta = {
        key: (given or parsed.meta.get(key) or defaults[key]).format(edition=edition)
        for key, given in (("name", name), ("source", source), ("licence", licence), ("attribution", attribution))
    }
    if kind == parsers.KIND_GOOD_MAPPING:
        result.warnings += _unknown_goods(apps, parsed.rows)
    row_model = row_models[kind]
    field_names = {f.name for f in row_model._meta.concrete_fields}
    user = by if getattr(by, "is_authenticated", False) else None
    try:
        with transaction.atomic():
            current = (dataset_model.objects.select_for_update()
                       .filter(kind=kind, is_current=True).first())
            make_current = make_current or current is None
            if make_current and current is not None:
                result.replaced = current.edition
                current.is_current = False
                current.save(update_fields=["is_current"])
            ds = dataset_model.objects.create(
                kind=kind, name=meta["name"][:200], edition=edition[:40], source=meta["source"],
                licence=meta["licence"], attribution=meta["attribution"][:300], file_name=filename[:255],
                file_format=dataset, sha256=sha, row_count=len(parsed.rows), loaded_at=timezone.now(),
                loaded_by=user, loaded_by_label=user.get_username() if user else "system",
                is_current=make_current,
            )
            row_model.objects.bulk_create(
                [row_model(dataset=ds, **{k: v for k, v in row.items() if k in field_names})
                 for row in parsed.rows],
                batch_size=1000,
            )
            _audit(apps, by, ds, replaced=result.replaced)
    except IntegrityError:
        # The same file loaded at the same moment by someone else: theirs stands.
        existing = dataset_model.objects.filter(kind=kind, sha256=sha).first()
        if existing is None:
            raise
        return _unchanged(LoadResult(dataset=dataset, kind=kind), existing)
    result.ok = result.created = True
    result.rows = ds.row_count
    result.dataset_id, result.name, result.edition, result.is_current = ds.pk, ds.name, ds.edition, ds.is_current
    return result


def _unchanged(result: LoadResult, existing: Any) -> LoadResult:
    result.ok = result.unchanged = True
    result.rows = existing.row_count
    result.dataset_id, result.name, result.edition = existing.pk, existing.name, existing.edition
    result.is_current = existing.is_current
    return result


def _unknown_goods(apps: Any, rows: list[dict[str, Any]]) -> list[str]:
    """Mapped goods that the current DOL list does not name (a typo would silently never match)."""
    good_model = apps.get_model("reference", "ListedGood")
    known = {g.lower() for g in good_model.objects.filter(dataset__is_current=True)
             .values_list("good", flat=True).distinct()}
    if not known:
        return []
    missing = sorted({r["good"] for r in rows if r["good"].lower() not in known})
    return [f"good '{g}' is not on the current list of goods; the mapping to it matches nothing yet"
            for g in missing]


def load_shipped(shipped: ShippedFile, *, by: Any = None, apps: Any = None) -> LoadResult:
    """Load one shipped file. It never displaces another current edition of its kind (a user's newer one)."""
    return load_file(shipped.dataset, shipped.path.read_bytes(), filename=shipped.filename,
                     edition=shipped.edition, by=by, make_current=False, apps=apps, **shipped.meta)


def load_defaults(*, by: Any = None, apps: Any = None) -> list[LoadResult]:
    """Load every shipped file (idempotent: files already stored are left as they are)."""
    return [load_shipped(s, by=by, apps=apps) for s in SHIPPED]


def ensure_defaults() -> None:
    """Load the shipped files for any kind that has no current edition (e.g. after a test flushed the
    database); a database with every kind current is left alone."""
    dataset_model, _ = _models(global_apps)
    current = set(dataset_model.objects.filter(is_current=True).values_list("kind", flat=True))
    for shipped in SHIPPED:
        if parsers.PARSERS[shipped.dataset][0] not in current:
            load_shipped(shipped)
