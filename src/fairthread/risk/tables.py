"""The engine's input tables, built from the database: one SQL query per table, columns straight into Arrow.

No model instances are built (100,000 facilities would cost seconds): rows come from a plain cursor, are
transposed into columns, and each column becomes one Arrow array of the type ``engine.schema`` names.
Decimal percentages are cast to floating point in SQL, so PostgreSQL and SQLite give the same values.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import uuid
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import connection

from fairthread.risk.engine import schema
from fairthread.supplychain.models import Facility, SourcingLink

ARROW_TYPES = schema.ARROW_TYPES
TABLE_SCHEMAS = schema.TABLES
SQL_CHUNK = 900  # ids per IN (...) list: under SQLite's oldest bound-parameter limit

# Evidence providers: later issues (audits, grievances, screening) register a callable returning rows of
# (facility_id, kind, indicator, status, count), optionally only for the given facility ids.
EvidenceProvider = Callable[[set[int] | None], Iterable[tuple[int, str, str, str, int]]]
EVIDENCE_PROVIDERS: list[EvidenceProvider] = []


def register_evidence_provider(provider: EvidenceProvider) -> None:
    EVIDENCE_PROVIDERS.append(provider)


arrow_schema = schema.arrow_schema


def table_from_columns(name: str, columns: dict[str, Sequence[Any]]) -> pa.Table:
    spec = TABLE_SCHEMAS[name]
    return pa.table({c: pa.array(columns[c], type=ARROW_TYPES[t]) for c, t in spec.items()},
                    schema=arrow_schema(spec))


def empty_table(name: str) -> pa.Table:
    return arrow_schema(TABLE_SCHEMAS[name]).empty_table()


def _bool(values: Sequence[Any]) -> list[bool | None]:
    return [None if v is None else bool(v) for v in values]


def _ref(brand_ref: str | None, uid: Any) -> str:
    if brand_ref:
        return brand_ref
    return str(uid if isinstance(uid, uuid.UUID) else uuid.UUID(str(uid)))


def _fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _in_chunks(sql: str, ids: Iterable[int]) -> list[tuple]:
    """``sql`` has one ``{ids}`` placeholder for an IN list; rows for every chunk of ids."""
    ids = sorted(ids)
    rows: list[tuple] = []
    for start in range(0, len(ids), SQL_CHUNK):
        part = ids[start:start + SQL_CHUNK]
        rows.extend(_fetch(sql.format(ids=", ".join(["%s"] * len(part))), part))
    return rows


_F = Facility._meta.db_table
_L = SourcingLink._meta.db_table
# Table and column names are ours (model metadata); values are always bound parameters.
_FACILITY_SQL = (
    "SELECT id, brand_ref, uid, name, country, region, tier, facility_type, processing_type, workers_count, "  # noqa: S608
    "CAST(pct_female AS DOUBLE PRECISION), CAST(pct_migrant AS DOUBLE PRECISION), "
    "CAST(pct_agency AS DOUBLE PRECISION), dormitory, recruitment_agents, status "
    f"FROM {_F}"
)
_LINK_SQL = (
    "SELECT id, buyer_id, supplier_id, material, CAST(volume_share AS DOUBLE PRECISION), origin_country, "  # noqa: S608
    f"origin_region FROM {_L} "
    "WHERE (valid_from IS NULL OR valid_from <= %s) AND (valid_to IS NULL OR valid_to >= %s)"
)


def facilities_table(ids: set[int] | None = None) -> pa.Table:
    if ids is None:
        rows = _fetch(_FACILITY_SQL + " ORDER BY id")
    else:
        rows = sorted(_in_chunks(_FACILITY_SQL + " WHERE id IN ({ids})", ids))
    cols = list(zip(*rows, strict=True)) if rows else [()] * 16
    return table_from_columns("facilities", {
        "facility_id": cols[0],
        "facility_ref": [_ref(b, u) for b, u in zip(cols[1], cols[2], strict=True)],
        "name": cols[3],
        "country": cols[4],
        "region": cols[5],
        "tier": cols[6],
        "facility_type": cols[7],
        "processing_type": cols[8],
        "workers_count": cols[9],
        "pct_female": cols[10],
        "pct_migrant": cols[11],
        "pct_agency": cols[12],
        "dormitory": _bool(cols[13]),
        "recruitment_agents": _bool(cols[14]),
        "status": cols[15],
    })


def links_table(ids: set[int] | None = None, today: datetime.date | None = None) -> pa.Table:
    """Links valid today; with ``ids``, those whose buyer or supplier is one of them."""
    day = connection.ops.adapt_datefield_value(today or datetime.date.today())
    if ids is None:
        rows = _fetch(_LINK_SQL + " ORDER BY id", [day, day])
    else:
        found: dict[int, tuple] = {}
        for column in ("buyer_id", "supplier_id"):
            ordered = sorted(ids)
            for start in range(0, len(ordered), SQL_CHUNK):
                part = ordered[start:start + SQL_CHUNK]
                sql = _LINK_SQL + f" AND {column} IN ({', '.join(['%s'] * len(part))})"
                found.update((r[0], r) for r in _fetch(sql, [day, day, *part]))
        rows = [found[k] for k in sorted(found)]
    cols = list(zip(*rows, strict=True)) if rows else [()] * 7
    return table_from_columns("links", {
        "link_id": cols[0],
        "buyer_id": cols[1],
        "supplier_id": cols[2],
        "material": cols[3],
        "volume_share": cols[4],
        "origin_country": cols[5],
        "origin_region": cols[6],
    })


def evidence_table(ids: set[int] | None = None) -> pa.Table:
    rows = sorted(row for provider in EVIDENCE_PROVIDERS for row in provider(ids))
    if not rows:
        return empty_table("evidence")
    cols = list(zip(*rows, strict=True))
    return table_from_columns("evidence", dict(zip(schema.EVIDENCE, cols, strict=True)))


def reference_tables() -> tuple[dict[str, pa.Table], dict[str, str]]:
    """The reference tables and their editions (dataset → edition), from the reference app."""
    from fairthread.reference import tables as reference

    return reference.reference_tables(), dict(reference.current_editions())


def build_tables(ids: set[int] | None = None, *, with_suppliers: bool = False
                 ) -> tuple[dict[str, pa.Table], dict[str, str]]:
    """All eight engine inputs; with ``ids``, only those facilities and the links into and out of them (and,
    ``with_suppliers``, the facilities that supply them too, as an incremental run needs)."""
    ref, editions = reference_tables()
    links = links_table(ids)
    wanted = ids
    if ids is not None and with_suppliers:
        wanted = set(ids) | {s for s in links["supplier_id"].to_pylist() if s is not None}
    tables = {
        "facilities": facilities_table(wanted),
        "links": links,
        "evidence": evidence_table(wanted),
    }
    for name in TABLE_SCHEMAS:
        if name not in tables:
            tables[name] = ref.get(name, empty_table(name))
    return tables, editions


def digest(tables: dict[str, pa.Table]) -> str:
    """sha256 over every table's contents: tables by name, columns in contract order, rows sorted."""
    h = hashlib.sha256()
    for name in sorted(tables):
        columns = list(TABLE_SCHEMAS.get(name, tables[name].schema.names))
        table = tables[name].select(columns)
        if table.num_rows:
            table = table.sort_by([(c, "ascending") for c in columns])
        buffer = io.BytesIO()
        pacsv.write_csv(table, buffer)
        h.update(name.encode() + b"\n")
        h.update(buffer.getvalue())
    return h.hexdigest()


def supplied_materials(links: pa.Table) -> dict[int, str]:
    """facility id → the materials it supplies ('|'-separated, sorted), from the links table."""
    pairs = links.filter(pc.is_valid(links["supplier_id"])).select(["supplier_id", "material"])
    pairs = pairs.group_by(["supplier_id", "material"]).aggregate([])
    out: dict[int, set[str]] = {}
    for fid, material in zip(pairs["supplier_id"].to_pylist(), pairs["material"].to_pylist(), strict=True):
        out.setdefault(fid, set()).add(material or "")
    return {fid: "|".join(sorted(m)) for fid, m in out.items()}
