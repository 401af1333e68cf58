"""The three import formats (Open Supply Hub list, ODSAS template, fairthread): columns and header aliases.

Headers are matched after normalising case, spacing, ``_``/``-`` and a trailing "(optional)", so
"  Country ", "COUNTRY" and "country" are the same column, as are "longitude (optional)", "lon" and "lng".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

OSH = "osh"
ODSAS = "odsas"
FAIRTHREAD = "fairthread"
FORMATS = (OSH, ODSAS, FAIRTHREAD)
FORMAT_LABELS = {
    OSH: "Open Supply Hub list",
    ODSAS: "ODSAS template",
    FAIRTHREAD: "fairthread format",
}

# The fairthread format's columns, in template order, with what each means (the template and docs use these).
FAIRTHREAD_COLUMNS: dict[str, str] = {
    "facility_ref": "your own reference for the facility (unique); how re-imports and 'supplies' find it",
    "os_id": "Open Supply Hub ID, e.g. BD2019083ZKS0EW",
    "name": "facility name (required)",
    "name_native": "name in native script",
    "address": "street address",
    "country": "country name, ISO-2 or ISO-3 code (required)",
    "region": "state or province, e.g. Tamil Nadu",
    "lat": "latitude, -90 to 90",
    "lng": "longitude, -180 to 180",
    "coordinate_precision": "exact, street, city, region or country",
    "sector": "e.g. Apparel, Footwear, Textiles",
    "facility_type": "Open Supply Hub facility type, e.g. final product assembly, fabric mill, spinning",
    "processing_type": "processing type, free text",
    "product_type": "product type, free text",
    "parent_company": "parent company",
    "organisation": "supplier organisation that runs the facility (created if new)",
    "workers_count": "number of workers",
    "pct_female": "% female workers, 0-100",
    "pct_migrant": "% migrant workers, 0-100",
    "pct_agency": "% agency or temporary workers, 0-100",
    "dormitory": "dormitory on site: yes/no",
    "recruitment_agents": "workers recruited through agents: yes/no",
    "status": "active or closed",
    "tier": "declared tier 1-4, used only where no link gives a tier",
    "supplies": "who this facility supplies: BRAND and/or other rows' facility_ref, separated by ';'",
    "material": "material supplied on those links, e.g. cotton",
    "volume_share": "% of the buyer's volume of that material, 0-100",
    "origin_material": "input whose upstream facility is unknown, e.g. cotton",
    "origin_country": "declared origin country of that input",
    "origin_region": "declared origin region of that input, e.g. Gujarat",
    "recruitment_agent": "recruitment agent(s) the facility recruits workers through, separated by '|'",
    "recruitment_agent_native": "the agents' names in native script, aligned with recruitment_agent ('|')",
    "recruitment_agent_country": "where each agent is based: one value for all, or one per agent ('|')",
    "recruitment_agent_licence": "each agent's licence number: one per agent ('|'), may be empty",
    "recruitment_origin_country": "where the agent recruits the workers (corridor origin): one value or one per agent",
}

# Field -> header aliases (normalised). Fields accepted by every format.
COMMON_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("name", "facility name", "factory name", "supplier name", "facility"),
    "country": ("country", "country code", "country name", "facility country", "country iso2"),
    "address": ("address", "facility address", "factory address", "full address"),
    "lat": ("lat", "latitude"),
    "lng": ("lng", "lon", "long", "longitude"),
    "os_id": ("os id", "osid", "os hub id", "oar id", "open supply hub id"),
    "sector": ("sector", "sectors"),
    "facility_type": ("facility type", "factory type", "type of facility"),
    "processing_type": ("processing type", "type of processing"),
    "product_type": ("product type", "product types", "type of product"),
    "parent_company": ("parent company", "parent company name"),
    "workers_count": ("number of workers", "workers count", "total workers", "workers", "no of workers"),
    "status": ("status",),
    "is_closed": ("is closed", "closed"),
}
FORMAT_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    OSH: {},
    ODSAS: {
        "brands_produced": ("brands produced", "brands"),
        "line_workers": ("line workers",),
        "pct_female": ("% female workers", "female workers %", "percent female workers"),
        "contact_details": ("factory contact details", "contact details"),
    },
    FAIRTHREAD: {
        "facility_ref": ("facility ref", "facility reference", "brand ref", "brand reference", "supplier id"),
        "name_native": ("name native", "native name", "name in native script"),
        "region": ("region", "state", "province", "state province"),
        "coordinate_precision": ("coordinate precision",),
        "organisation": ("organisation", "organization", "supplier organisation", "supplier organization"),
        "pct_female": ("pct female", "% female", "% female workers", "female %"),
        "pct_migrant": ("pct migrant", "% migrant", "% migrant workers", "migrant %"),
        "pct_agency": ("pct agency", "% agency", "% agency workers", "agency %"),
        "dormitory": ("dormitory", "dormitory on site"),
        "recruitment_agents": ("recruitment agents", "recruitment through agents"),
        "tier": ("tier", "declared tier"),
        "supplies": ("supplies",),
        "material": ("material",),
        "volume_share": ("volume share", "volume share %"),
        "origin_material": ("origin material",),
        "origin_country": ("origin country",),
        "origin_region": ("origin region",),
        "recruitment_agent": ("recruitment agent", "recruitment agent name", "recruitment agent names",
                              "labour agent", "labor agent"),
        "recruitment_agent_native": ("recruitment agent native", "recruitment agent native name"),
        "recruitment_agent_country": ("recruitment agent country", "agent country"),
        "recruitment_agent_licence": ("recruitment agent licence", "recruitment agent license", "agent licence",
                                      "agent license"),
        "recruitment_origin_country": ("recruitment origin country", "recruited in", "workers recruited in"),
    },
}
# Where two columns give the same field (country_code and country_name), the earlier alias wins and the
# later one fills in where the first is blank.

REQUIRED: dict[str, tuple[str, ...]] = {
    OSH: ("name", "country", "address"),
    ODSAS: ("name", "country", "address"),
    FAIRTHREAD: ("name", "country"),
}
# Columns understood but not stored (no field for them); not warned about.
NOT_STORED = {"brands_produced", "contact_details", "line_workers"}

# Headers that only one format uses, for --format auto.
_DISTINCTIVE = {
    FAIRTHREAD: set(FORMAT_ALIASES[FAIRTHREAD]) - {"pct_female"},
    ODSAS: {"brands_produced", "line_workers", "contact_details"},
}
_ODSAS_HEADERS = {"factory name", "factory type", "total workers"}

_OPTIONAL = re.compile(r"\(\s*optional\s*\)$")


def normalise_header(text: str) -> str:
    text = text.replace("\ufeff", "").strip().lower().replace("_", " ").replace("-", " ")
    text = _OPTIONAL.sub("", text).strip()
    return " ".join(text.split())


def _alias_table(fmt: str) -> dict[str, str]:
    table: dict[str, str] = {}
    for fieldname, aliases in {**COMMON_ALIASES, **FORMAT_ALIASES[fmt]}.items():
        table[normalise_header(fieldname)] = fieldname
        for alias in aliases:
            table.setdefault(normalise_header(alias), fieldname)
    return table


ALIAS_TABLES = {fmt: _alias_table(fmt) for fmt in FORMATS}
_ALIAS_ORDER = {fmt: {alias: i for i, alias in enumerate(table)} for fmt, table in ALIAS_TABLES.items()}


def detect_format(headers: list[str]) -> str:
    """Guess the format from the headers: fairthread-only columns win, then ODSAS's, else the OS Hub list."""
    normalised = {normalise_header(h) for h in headers}
    fields_ft = {ALIAS_TABLES[FAIRTHREAD].get(h) for h in normalised}
    if fields_ft & _DISTINCTIVE[FAIRTHREAD]:
        return FAIRTHREAD
    fields_odsas = {ALIAS_TABLES[ODSAS].get(h) for h in normalised}
    if fields_odsas & _DISTINCTIVE[ODSAS] or normalised & _ODSAS_HEADERS:
        return ODSAS
    # An OS Hub list always has an address column; a bare name + country list is read as fairthread's.
    return OSH if "address" in {ALIAS_TABLES[OSH].get(h) for h in normalised} else FAIRTHREAD


@dataclass
class ColumnMap:
    """Which file columns feed which field (first column first), and what was left over."""

    fmt: str
    headers: list[str]
    # field -> column indexes, best first
    columns: dict[str, list[int]] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)

    def header(self, fieldname: str) -> str:
        """The header as written in the file for ``fieldname`` (its first column)."""
        cols = self.columns.get(fieldname)
        return self.headers[cols[0]].strip() if cols else fieldname

    def missing(self) -> list[str]:
        return [f for f in REQUIRED[self.fmt] if f not in self.columns]


def map_columns(headers: list[str], fmt: str) -> ColumnMap:
    table = ALIAS_TABLES[fmt]
    order = _ALIAS_ORDER[fmt]
    cmap = ColumnMap(fmt=fmt, headers=headers)
    candidates: dict[str, list[tuple[int, int, str]]] = {}
    for index, header in enumerate(headers):
        norm = normalise_header(header)
        if not norm:
            continue
        fieldname = table.get(norm)
        if fieldname is None:
            cmap.ignored.append(header.strip())
            continue
        candidates.setdefault(fieldname, []).append((order[norm], index, header.strip()))
    for fieldname, found in candidates.items():
        found.sort()
        cmap.columns[fieldname] = [index for _, index, _ in found]
        # The same header twice is ambiguous: the first column is used and the user told.
        seen: set[str] = set()
        for _, _, header in found:
            norm = normalise_header(header)
            if norm in seen:
                cmap.duplicates.append(header)
            seen.add(norm)
    return cmap
