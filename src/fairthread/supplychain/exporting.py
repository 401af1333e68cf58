"""The brand's public transparency list: facilities as Open Supply Hub or ODSAS rows, written as CSV or XLSX.

Text that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) is
neutralised with a leading single quote; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db.models import Q, QuerySet
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from fairthread.reference.countries import country_name
from fairthread.supplychain.models import Facility, SourcingLink

OSH_HEADER = [
    "country",
    "name",
    "address",
    "lat",
    "lng",
    "sector",
    "facility_type",
    "processing_type",
    "product_type",
    "number_of_workers",
    "parent_company",
    "os_id",
    "is_closed",
]
ODSAS_HEADER = [
    "Factory Name",
    "Factory Type",
    "Product Type",
    "Brands produced",
    "Parent company",
    "Address",
    "Country",
    "Total Workers",
    "Line Workers (optional)",
    "% Female workers (optional)",
    "longitude (optional)",
    "latitude (optional)",
    "Factory contact details (optional)",
]
EXPORT_FORMATS = ("osh", "odsas")
EXTENSIONS = (".csv", ".xlsx")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Make a text cell safe to open in a spreadsheet; numbers and empty cells pass unchanged."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _number(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def select(qs: QuerySet, tiers: set[int] | None, include_unknown_tier: bool) -> QuerySet:
    """All facilities by default; with ``tiers`` only those tiers (plus unknown tier when asked)."""
    if tiers is None:
        return qs if include_unknown_tier else qs.filter(tier__isnull=False)
    condition = Q(tier__in=sorted(tiers))
    if include_unknown_tier:
        condition |= Q(tier__isnull=True)
    return qs.filter(condition)


def _brands_by_facility(ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    links = (
        SourcingLink.objects.filter(brand__isnull=False, supplier_id__in=ids)
        .values_list("supplier_id", "brand__name")
        .distinct()
    )
    for supplier_id, name in links:
        out.setdefault(supplier_id, []).append(name)
    return out


def export_facilities(
    qs: QuerySet | None = None,
    fmt: str = "osh",
    tiers: set[int] | None = None,
    include_unknown_tier: bool = True,
) -> list[list[Any]]:
    """Rows (header first) for the facilities in ``qs`` in the given format, every text cell neutralised."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}; use osh or odsas")
    qs = Facility.objects.all() if qs is None else qs
    facilities = list(select(qs, tiers, include_unknown_tier).order_by("country", "name", "id"))
    rows: list[list[Any]] = []
    if fmt == "osh":
        rows.append(list(OSH_HEADER))
        for f in facilities:
            rows.append(
                [
                    country_name(f.country),
                    f.name,
                    f.address,
                    f.lat,
                    f.lng,
                    f.sector,
                    f.facility_type,
                    f.processing_type,
                    f.product_type,
                    _number(f.workers_count),
                    f.parent_company,
                    f.os_id or "",
                    "true" if f.status == Facility.Status.CLOSED else "",
                ]
            )
    else:
        brands: dict[int, list[str]] = {}
        for start in range(0, len(facilities), 900):
            brands.update(_brands_by_facility([f.pk for f in facilities[start : start + 900]]))
        rows.append(list(ODSAS_HEADER))
        for f in facilities:
            rows.append(
                [
                    f.name,
                    f.facility_type,
                    f.product_type,
                    "; ".join(sorted(brands.get(f.pk, []))),
                    f.parent_company,
                    f.address,
                    country_name(f.country),
                    _number(f.workers_count),
                    None,
                    _number(f.pct_female),
                    f.lng,
                    f.lat,
                    "",
                ]
            )
    return [[neutralise(cell) for cell in row] for row in rows]


def to_csv_bytes(rows: Iterable[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (so Excel reads non-Latin names); numbers are written unquoted."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if cell is None else cell for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx_bytes(rows: Iterable[list[Any]], sheet_title: str = "Facilities") -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    for row in rows:
        # Strings are always stored as text cells (openpyxl would treat a leading "=" as a formula, but
        # neutralise() has already quoted those); control characters XLSX cannot hold are dropped.
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", c) if isinstance(c, str) else c for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def kind_for(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in EXTENSIONS:
        raise ValueError(f"Cannot tell the file type from '{Path(path).name}': name it .csv or .xlsx")
    return suffix[1:]


def write_export(rows: list[list[Any]], path: str | Path) -> None:
    """Write rows as CSV or XLSX, chosen by the file's extension."""
    kind = kind_for(path)
    data = to_csv_bytes(rows) if kind == "csv" else to_xlsx_bytes(rows)
    Path(path).write_bytes(data)
