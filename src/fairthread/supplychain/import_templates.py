"""The downloadable fairthread-format template, as CSV or XLSX bytes.

The CSV holds only the header row (so uploading it unchanged imports nothing). The XLSX has the header on its
first sheet — the one the importer reads — and a second sheet describing every column with example rows.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from fairthread.supplychain.exporting import to_csv_bytes
from fairthread.supplychain.importing.formats import FAIRTHREAD_COLUMNS

COLUMNS = list(FAIRTHREAD_COLUMNS)
# Example rows for the help sheet: a tier-1 factory supplying the brand, its fabric mill, a declared origin, and a
# factory that recruits migrant workers through two agents (one per corridor).
EXAMPLES: list[dict[str, str]] = [
    {
        "facility_ref": "CMT-001",
        "name": "Example Garments Ltd",
        "address": "Plot 12, EPZ, Gazipur",
        "country": "Bangladesh",
        "region": "Dhaka",
        "facility_type": "final product assembly",
        "organisation": "Example Group",
        "workers_count": "1200",
        "pct_female": "65",
        "status": "active",
        "tier": "1",
        "supplies": "BRAND",
        "material": "garments",
        "volume_share": "40",
    },
    {
        "facility_ref": "MILL-001",
        "name": "Example Knit Fabrics",
        "address": "Narayanganj",
        "country": "BD",
        "facility_type": "fabric mill",
        "tier": "2",
        "supplies": "CMT-001",
        "material": "fabric",
        "volume_share": "100",
        "origin_material": "cotton",
        "origin_country": "India",
        "origin_region": "Gujarat",
    },
    {
        "facility_ref": "CMT-002",
        "name": "Example Apparel Jordan",
        "address": "Al-Hassan Industrial Estate, Irbid",
        "country": "Jordan",
        "facility_type": "final product assembly",
        "tier": "1",
        "supplies": "BRAND",
        "material": "garments",
        "pct_migrant": "70",
        "recruitment_agent": "Example Overseas Pvt. Ltd.|Example Manpower Services",
        "recruitment_agent_country": "Nepal|Bangladesh",
        "recruitment_agent_licence": "0000/081/82|RL-0000",
        "recruitment_origin_country": "Nepal|Bangladesh",
    },
]
FILE_NAMES = {"csv": "fairthread-import-template.csv", "xlsx": "fairthread-import-template.xlsx"}
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def template_bytes(kind: str) -> bytes:
    """The template as ``csv`` or ``xlsx`` bytes."""
    if kind == "csv":
        return to_csv_bytes([COLUMNS])
    if kind != "xlsx":
        raise ValueError(f"Unknown template kind {kind!r}; use csv or xlsx")
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Facilities"
    sheet.append(COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    help_sheet = workbook.create_sheet("Columns (help)")
    help_sheet.append(["column", "meaning"])
    for name, meaning in FAIRTHREAD_COLUMNS.items():
        help_sheet.append([name, meaning])
    help_sheet.append([])
    help_sheet.append(["Example rows (copy to the first sheet and adapt):"])
    help_sheet.append(COLUMNS)
    for example in EXAMPLES:
        help_sheet.append([example.get(c, "") for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
