"""The risk engine's reference input tables, built from the current edition of each dataset.

Columns and types are exactly those of ``fairthread.risk.engine.schema`` (COUNTRY_PREVALENCE, LISTED_GOODS,
GOOD_MAPPING, HIGH_RISK_REGIONS, ILO_INDICATORS). Rows are sorted, so the same editions always give the same
tables. High-risk regions marked 'watch' are shown on the data-sources page but not scored.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from fairthread.reference.loaders import ensure_defaults
from fairthread.reference.models import (
    CountryPrevalence,
    ForcedLabourIndicator,
    GoodMapping,
    HighRiskRegion,
    ListedGood,
    ReferenceDataset,
)
from fairthread.risk.engine import schema


def _table(columns: dict[str, str], rows: list[tuple[Any, ...]]) -> pa.Table:
    data = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    arrays = [pa.array(list(col), type=schema.ARROW_TYPES[t]) for col, t in zip(data, columns.values(), strict=True)]
    return pa.table(arrays, schema=schema.arrow_schema(columns))


def _current() -> dict[str, ReferenceDataset]:
    ensure_defaults()
    return {ds.kind: ds for ds in ReferenceDataset.objects.filter(is_current=True)}


def reference_tables() -> dict[str, pa.Table]:
    """Tables keyed 'country_prevalence', 'listed_goods', 'good_mapping', 'high_risk_regions',
    'ilo_indicators', from each kind's current edition (empty tables for a kind with none)."""
    current = _current()
    K = ReferenceDataset.Kind

    def rows_of(kind: str, model: Any, fields: tuple[str, ...], order: tuple[str, ...], **filters: Any
                ) -> tuple[ReferenceDataset | None, list[tuple[Any, ...]]]:
        ds = current.get(kind)
        if ds is None:
            return None, []
        return ds, list(model.objects.filter(dataset=ds, **filters).order_by(*order).values_list(*fields))

    ds, rows = rows_of(K.COUNTRY_PREVALENCE, CountryPrevalence, ("country", "prevalence_per_1000"), ("country",))
    prevalence = _table(schema.COUNTRY_PREVALENCE, [(*r, ds.name, ds.edition) for r in rows])

    ds, rows = rows_of(K.LISTED_GOODS, ListedGood, ("good", "country", "child_labour", "forced_labour"),
                       ("good", "country"))
    goods = _table(schema.LISTED_GOODS, [(*r, ds.name, ds.edition) for r in rows])

    _, rows = rows_of(K.GOOD_MAPPING, GoodMapping, ("term", "term_kind", "good"), ("term_kind", "term", "good"))
    mapping = _table(schema.GOOD_MAPPING, rows)

    ds, rows = rows_of(K.HIGH_RISK_REGIONS, HighRiskRegion,
                       ("region_id", "label", "country", "region_names", "materials", "basis"), ("region_id",),
                       status=HighRiskRegion.Status.ACTIVE)
    regions = _table(schema.HIGH_RISK_REGIONS, [(*r, ds.name, ds.edition) for r in rows])

    _, rows = rows_of(K.ILO_INDICATORS, ForcedLabourIndicator, ("code", "name", "strength"), ("number", "code"))
    indicators = _table(schema.ILO_INDICATORS, rows)

    return {
        "country_prevalence": prevalence,
        "listed_goods": goods,
        "good_mapping": mapping,
        "high_risk_regions": regions,
        "ilo_indicators": indicators,
    }


def current_editions() -> dict[str, str]:
    """Dataset name → current edition, for every kind (e.g. {'Global Slavery Index': '2023', ...})."""
    return {ds.name: ds.edition for ds in sorted(_current().values(), key=lambda d: d.kind)}
