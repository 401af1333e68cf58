"""Checking every row and turning it into facility values and link declarations, without touching the DB
(except to look up references that are not in the file).

Every problem is collected, never raised: ``row N, column 'X': message`` for a cell, plain words otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from fairthread.reference.countries import resolve_country, suggest_country
from fairthread.supplychain.identity import agent_identity_key, identity_key
from fairthread.supplychain.importing.formats import FAIRTHREAD, NOT_STORED, ColumnMap
from fairthread.supplychain.models import Facility, RecruitmentAgent
from fairthread.supplychain.vocabulary import (
    COORDINATE_PRECISIONS,
    canonical_facility_type,
    canonical_material,
)

BRAND_TOKEN = "BRAND"  # noqa: S105 - a keyword of the format, not a secret
# Facility model fields an import row can supply ("organisation" holds the organisation's name here).
FACILITY_FIELDS = (
    "brand_ref",
    "os_id",
    "name",
    "name_native",
    "address",
    "country",
    "region",
    "lat",
    "lng",
    "coordinate_precision",
    "sector",
    "facility_type",
    "processing_type",
    "product_type",
    "parent_company",
    "organisation",
    "workers_count",
    "pct_female",
    "pct_migrant",
    "pct_agency",
    "dormitory",
    "recruitment_agents",
    "status",
    "declared_tier",
)
# Import column -> facility field, where the names differ.
COLUMN_TO_FIELD = {"facility_ref": "brand_ref", "tier": "declared_tier", "is_closed": "status"}
LINK_COLUMNS = ("supplies", "material", "volume_share", "origin_material", "origin_country", "origin_region")
AGENT_COLUMNS = ("recruitment_agent", "recruitment_agent_native", "recruitment_agent_country",
                 "recruitment_agent_licence", "recruitment_origin_country")
AGENT_SEPARATOR = "|"
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_TRUE = {"yes", "y", "true", "t", "1"}
_FALSE = {"no", "n", "false", "f", "0"}
_RANGE = re.compile(r"^(\d[\d,. ]*)\s*[-–]\s*(\d[\d,. ]*)$")
_TIER = re.compile(r"^(?:tier\s*|t)?([1-4])$", re.IGNORECASE)


class CellError(ValueError):
    """The message for one bad cell."""


@dataclass(frozen=True)
class AgentSpec:
    """One recruitment agent named on a row, and the corridor it recruits along for that facility."""

    name: str
    country: str  # ISO-2 or ""
    origin_country: str  # ISO-2 or ""
    name_native: str = ""
    licence_number: str = ""

    @property
    def identity_key(self) -> str:
        return agent_identity_key(self.name, self.country)


@dataclass
class ParsedRow:
    number: int
    values: dict[str, Any]  # facility field -> parsed value (only fields this row supplied)
    columns: dict[str, str]  # facility field or link column -> header as written in the file
    supplies: list[str] = field(default_factory=list)
    material: str = ""
    volume_share: Decimal | None = None
    origin: tuple[str, str, str] | None = None  # (material, country, region)
    agents: list[AgentSpec] = field(default_factory=list)

    def column(self, name: str) -> str:
        return self.columns.get(name, name)


@dataclass
class FacilityGroup:
    """The rows that describe one facility, and their merged values."""

    rows: list[ParsedRow]
    values: dict[str, Any]
    identity_key: str

    @property
    def first(self) -> int:
        return self.rows[0].number

    @property
    def ref(self) -> str | None:
        return self.values.get("brand_ref")

    @property
    def os_id(self) -> str | None:
        return self.values.get("os_id")


@dataclass
class LinkSpec:
    """A sourcing link to write: buyer is BRAND, a group index (from the file) or a DB facility id."""

    supplier: int | None  # group index; None for a declared origin
    buyer_group: int | None
    buyer_db: int | None
    to_brand: bool
    material: str
    volume_share: Decimal | None
    origin_country: str = ""
    origin_region: str = ""
    row: int = 0


@dataclass
class Validated:
    fmt: str
    rows_total: int
    groups: list[FacilityGroup] = field(default_factory=list)
    links: list[LinkSpec] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------- cell parsers


def _text(limit: int) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if len(text) > limit:
            raise CellError(f"too long ({len(text)} characters; at most {limit})")
        return text

    return parse


def _number(text: str) -> float:
    cleaned = text.replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")  # decimal comma, as European spreadsheets write it
    try:
        value = float(cleaned)
    except ValueError:
        raise CellError(f"'{text}' is not a number") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise CellError(f"'{text}' is not a number")
    return value


def _coordinate(low: float, high: float, what: str) -> Callable[[str], float]:
    def parse(text: str) -> float:
        value = _number(text)
        if not low <= value <= high:
            raise CellError(f"{what} must be between {low:g} and {high:g}, got {text}")
        return value

    return parse


def _whole(text: str) -> int:
    cleaned = text.replace(",", "").replace(" ", "").replace("\u00a0", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(f"'{text}' is not a whole number") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise CellError(f"'{text}' is not a whole number")
    if value < 0:
        raise CellError(f"'{text}' is negative; a number of workers must be 0 or more")
    if value > 10_000_000:
        raise CellError(f"'{text}' is implausibly large for a number of workers")
    return int(value)


def _percent(text: str) -> Decimal:
    cleaned = text.replace(" ", "").rstrip("%").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise CellError(f"'{text}' is not a percentage (write e.g. 70 or 70%)") from None
    if not value.is_finite() or not 0 <= value <= 100:
        raise CellError(f"a percentage must be between 0 and 100, got '{text}'")
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _boolean(text: str) -> bool:
    key = text.strip().lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellError(f"'{text}' is not yes or no (write yes/no, true/false, y/n or 1/0)")


def _status(text: str) -> str:
    key = text.strip().lower()
    if key in {"active", "closed"}:
        return key
    raise CellError(f"status must be 'active' or 'closed', got '{text}'")


def _is_closed(text: str) -> str:
    return "closed" if _boolean(text) else "active"


def _tier(text: str) -> int:
    match = _TIER.match(text.strip())
    if not match:
        raise CellError(f"tier must be 1, 2, 3 or 4 (or empty), got '{text}'")
    return int(match.group(1))


def _country(text: str) -> str:
    code = resolve_country(text)
    if code:
        return code
    suggestion = suggest_country(text)
    hint = f" — did you mean '{suggestion}'?" if suggestion else ""
    raise CellError(f"unknown country '{text}'{hint}")


def _precision(text: str) -> str:
    key = text.strip().lower()
    if key in COORDINATE_PRECISIONS:
        return key
    raise CellError(f"coordinate precision must be one of {', '.join(COORDINATE_PRECISIONS)}, got '{text}'")


def _os_id(text: str) -> str:
    value = text.strip().upper()
    if len(value) > 20 or not value.isalnum():
        raise CellError(f"'{text}' is not an Open Supply Hub ID (letters and digits, at most 20)")
    return value


def _max(name: str) -> int:
    return Facility._meta.get_field(name).max_length


PARSERS: dict[str, Callable[[str], Any]] = {
    "brand_ref": _text(_max("brand_ref")),
    "os_id": _os_id,
    "name": _text(_max("name")),
    "name_native": _text(_max("name_native")),
    "address": _text(_max("address")),
    "country": _country,
    "region": _text(_max("region")),
    "lat": _coordinate(-90, 90, "latitude"),
    "lng": _coordinate(-180, 180, "longitude"),
    "coordinate_precision": _precision,
    "sector": _text(_max("sector")),
    "processing_type": _text(_max("processing_type")),
    "product_type": _text(_max("product_type")),
    "parent_company": _text(_max("parent_company")),
    "organisation": _text(200),
    "pct_female": _percent,
    "pct_migrant": _percent,
    "pct_agency": _percent,
    "dormitory": _boolean,
    "recruitment_agents": _boolean,
    "status": _status,
    "declared_tier": _tier,
}


def unneutralise(text: str) -> str:
    """Undo export's formula neutralising: "'=x" (quote then =, +, -, @) is read back as "=x"."""
    if len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        return text[1:]
    return text


# ---------------------------------------------------------------------------------------------- rows


def _cell(cells: list[str], cols: list[int]) -> tuple[str, int]:
    """The first non-blank value among the columns that feed a field (and which column it came from)."""
    for index in cols:
        if index < len(cells):
            value = unneutralise(cells[index].strip())
            if value:
                return value, index
    return "", cols[0]


@dataclass
class CompiledMap:
    """The column map prepared once per file, so each row is read with plain list indexing."""

    cmap: ColumnMap
    # column, field name, column indexes, first header, parser (None: not a facility value)
    specs: list[tuple[str, str, list[int], str, Any]]
    headers: dict[str, str]  # field or link column -> header as written (first column)


def compile_map(cmap: ColumnMap) -> CompiledMap:
    specs = []
    headers = {}
    for column, cols in cmap.columns.items():
        name = COLUMN_TO_FIELD.get(column, column)
        header = cmap.headers[cols[0]].strip()
        specs.append((column, name, cols, header, _parser_for(column, name)))
        headers[name] = header
    return CompiledMap(cmap=cmap, specs=specs, headers=headers)


def _facility_type(text: str, number: int, header: str, warnings: list[str]) -> str:
    canonical = canonical_facility_type(text)
    if canonical is not None:
        return canonical
    value = _text(_max("facility_type"))(text)
    warnings.append(f"row {number}, column '{header}': unknown facility type '{text}'; kept as given")
    return value


def _workers(text: str, number: int, header: str, warnings: list[str]) -> int:
    match = _RANGE.match(text)
    if not match:
        return _whole(text)
    low, high = _whole(match.group(1)), _whole(match.group(2))
    if low > high:
        raise CellError(f"the range '{text}' runs backwards")
    value = (low + high) // 2
    warnings.append(f"row {number}, column '{header}': range '{text}' stored as its middle, {value}")
    return value


def _simple(parse: Callable[[str], Any]) -> Callable[[str, int, str, list[str]], Any]:
    return lambda text, number, header, warnings: parse(text)


def _parser_for(column: str, name: str) -> Callable[[str, int, str, list[str]], Any] | None:
    if column in NOT_STORED or column in LINK_COLUMNS or column in AGENT_COLUMNS:
        return None
    if column == "facility_type":
        return _facility_type
    if column == "workers_count":
        return _workers
    if column == "is_closed":
        return _simple(_is_closed)
    return _simple(PARSERS[name])


def parse_row(
    number: int, cells: list[str], compiled: CompiledMap, errors: list[str], warnings: list[str]
) -> ParsedRow:
    row = ParsedRow(number=number, values={}, columns=compiled.headers)
    ncells = len(cells)
    texts: dict[str, str] = {}

    def problem(header: str, message: str) -> None:
        errors.append(f"row {number}, column '{header}': {message}")

    values = row.values
    for column, name, cols, header, parser in compiled.specs:
        if len(cols) == 1:
            index = cols[0]
            text = cells[index] if index < ncells else ""
            if text and text[0] == "'":
                text = unneutralise(text)
        else:
            text, index = _cell(cells, cols)
            actual = compiled.cmap.headers[index].strip()
            if actual != header:
                if row.columns is compiled.headers:
                    row.columns = dict(compiled.headers)
                row.columns[name] = header = actual
        texts[column] = text
        if not text:
            continue
        if parser is None:
            if column == "line_workers":  # validated, not stored
                try:
                    _whole(text)
                except CellError as exc:
                    problem(header, str(exc))
            continue  # link columns are read below, once every column has been read
        try:
            values[name] = parser(text, number, header, warnings)
        except CellError as exc:
            problem(header, str(exc))

    for required, label in (("name", "a facility name"), ("country", "a country")):
        if required in texts and not texts[required]:
            problem(row.column(required), f"is empty; every row needs {label}")
    if bool(texts.get("lat")) != bool(texts.get("lng")):
        missing = "lng" if texts.get("lat") else "lat"
        problem(row.column(missing), "is empty; latitude and longitude must be given together")
    if compiled.cmap.fmt == FAIRTHREAD:
        _parse_links(row, texts, problem, warnings)
        _parse_agents(row, texts, problem)
    return row


def _parse_agents(row: ParsedRow, texts: dict[str, str], problem: Callable[[str, str], None]) -> None:
    """The recruitment agents a row names: ``|``-separated names with aligned (or single) countries."""

    def split(column: str) -> list[str]:
        text = texts.get(column, "")
        return [p.strip() for p in text.split(AGENT_SEPARATOR)] if text.strip() else []

    names = split("recruitment_agent")
    if not [n for n in names if n]:
        for column in AGENT_COLUMNS[1:]:
            if texts.get(column, "").strip():
                problem(row.column(column), "is given but column 'recruitment_agent' names no agent")
        return
    if any(not n for n in names):
        problem(row.column("recruitment_agent"), "has an empty name between '|' separators")
        return
    limit = RecruitmentAgent._meta.get_field("name").max_length
    for name in names:
        if len(name) > limit:
            problem(row.column("recruitment_agent"), f"agent name too long ({len(name)} characters; at most {limit})")
            return
    seen: set[str] = set()
    for name in names:
        key = " ".join(name.casefold().split())
        if key in seen:
            problem(row.column("recruitment_agent"), f"names the agent '{name}' twice")
            return
        seen.add(key)

    def aligned(column: str, *, single: bool) -> list[str] | None:
        """One value per agent: the column's values, one value repeated (``single``), or all empty."""
        values = split(column)
        if not values:
            return [""] * len(names)
        if len(values) == len(names):
            return values
        if single and len(values) == 1:
            return values * len(names)
        allowed = "one value for all of them or one per agent" if single else "one value per agent"
        problem(row.column(column), f"has {len(values)} value(s) for {len(names)} agent(s) in column "
                                    f"'{row.column('recruitment_agent')}'; give {allowed}, separated by '|'")
        return None

    def countries(column: str) -> list[str] | None:
        values = aligned(column, single=True)
        if values is None:
            return None
        codes: list[str] = []
        for value in values:
            if not value:
                codes.append("")
                continue
            try:
                codes.append(_country(value))
            except CellError as exc:
                problem(row.column(column), str(exc))
                return None
        return codes

    based, origin = countries("recruitment_agent_country"), countries("recruitment_origin_country")
    native, licence = aligned("recruitment_agent_native", single=False), aligned("recruitment_agent_licence",
                                                                              single=False)
    if based is None or origin is None or native is None or licence is None:
        return
    for column, values, field_name in (("recruitment_agent_native", native, "name_native"),
                                       ("recruitment_agent_licence", licence, "licence_number")):
        limit = RecruitmentAgent._meta.get_field(field_name).max_length
        for value in values:
            if len(value) > limit:
                problem(row.column(column), f"too long ({len(value)} characters; at most {limit})")
                return
    row.agents = [AgentSpec(name=n, country=c, origin_country=o, name_native=nn, licence_number=lc)
                  for n, c, o, nn, lc in zip(names, based, origin, native, licence, strict=True)]
    flag = row.values.get("recruitment_agents")
    if flag is False:
        problem(row.column("recruitment_agents"), "says no recruitment through agents, but column "
                                                  f"'{row.column('recruitment_agent')}' names agents")
    elif flag is None:  # not given (or not readable, reported above): naming agents says yes
        row.values["recruitment_agents"] = True


def _parse_links(
    row: ParsedRow, texts: dict[str, str], problem: Callable[[str, str], None], warnings: list[str]
) -> None:
    def text(column: str) -> str:
        return texts.get(column, "")

    supplies = text("supplies")
    if supplies:
        tokens = [t.strip() for t in supplies.split(";") if t.strip()]
        row.supplies = [BRAND_TOKEN if t.upper() == BRAND_TOKEN else t for t in tokens]
        if row.values.get("brand_ref") and row.values["brand_ref"] in row.supplies:
            problem(row.column("supplies"), "a facility cannot supply itself")
    material = text("material")
    if material:
        row.material = _material(material, row.number, row.column("material"), warnings)
    share = text("volume_share")
    if share:
        try:
            row.volume_share = _percent(share)
        except CellError as exc:
            problem(row.column("volume_share"), str(exc))
    if (material or share) and not supplies:
        warnings.append(
            f"row {row.number}, column '{row.column('material' if material else 'volume_share')}': "
            "ignored because 'supplies' is empty"
        )
    o_material, o_country, o_region = text("origin_material"), text("origin_country"), text("origin_region")
    if o_material or o_country or o_region:
        if not o_country:
            problem(
                row.column("origin_country"),
                "is empty; a declared origin needs a country (origin_material and origin_region describe it)",
            )
            return
        try:
            code = _country(o_country)
        except CellError as exc:
            problem(row.column("origin_country"), str(exc))
            return
        if len(o_region) > 120:
            problem(row.column("origin_region"), f"too long ({len(o_region)} characters; at most 120)")
            return
        canonical = (
            _material(o_material, row.number, row.column("origin_material"), warnings) if o_material else ""
        )
        row.origin = (canonical, code, o_region)


def _material(text: str, number: int, header: str, warnings: list[str]) -> str:
    canonical = canonical_material(text)
    if canonical:
        return canonical
    warnings.append(f"row {number}, column '{header}': unknown material '{text}'; kept as given")
    return text.strip().lower()[:60]


# ------------------------------------------------------------------------------------------- the whole file


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def validate(
    rows: list[tuple[int, list[str]]],
    cmap: ColumnMap,
    *,
    has_brand: bool,
    lookup_refs: Callable[[set[str]], dict[str, int]],
    progress: Callable[[int], None] | None = None,
) -> Validated:
    """Parse and check every row, merge duplicates, group rows into facilities and collect the links."""
    result = Validated(fmt=cmap.fmt, rows_total=len(rows))
    errors, warnings = result.errors, result.warnings
    if cmap.ignored:
        names = ", ".join(f"'{h}'" for h in cmap.ignored)
        warnings.append(f"Ignored column(s) that the {cmap.fmt} format does not use: {names}.")
    for header in cmap.duplicates:
        warnings.append(f"Column '{header}' appears more than once; the first one is used.")
    width = len(cmap.headers)
    compiled = compile_map(cmap)
    seen_raw: dict[tuple[str, ...], int] = {}
    parsed: list[ParsedRow] = []
    for i, (number, cells) in enumerate(rows, 1):
        if progress is not None and i % 1000 == 0:
            progress(i)
        extra = [c for c in cells[width:] if c.strip()]
        if extra:
            warnings.append(f"row {number}: {len(extra)} cell(s) beyond the last column ignored")
        raw = tuple(c.strip() for c in cells[:width])
        raw = raw + ("",) * (width - len(raw))
        if raw in seen_raw:
            warnings.append(f"rows {seen_raw[raw]} and {number} are identical; imported once")
            continue
        seen_raw[raw] = number
        parsed.append(parse_row(number, cells, compiled, errors, warnings))

    if any(r.supplies and BRAND_TOKEN in r.supplies for r in parsed) and not has_brand:
        first = next(r for r in parsed if BRAND_TOKEN in r.supplies)
        errors.append(
            f"row {first.number}, column '{first.column('supplies')}': BRAND names the brand, but no brand "
            "organisation is known for this import (choose the brand organisation the list comes from)"
        )
    result.groups = _group(parsed, errors, warnings)
    result.links = _links(result.groups, lookup_refs, errors)
    return result


def _group(parsed: list[ParsedRow], errors: list[str], warnings: list[str]) -> list[FacilityGroup]:
    uf = _UnionFind(len(parsed))
    by_ref: dict[str, int] = {}
    by_os: dict[str, int] = {}
    for i, row in enumerate(parsed):
        for key, index in (("brand_ref", by_ref), ("os_id", by_os)):
            value = row.values.get(key)
            if value is not None:
                if value in index:
                    uf.union(index[value], i)
                else:
                    index[value] = i
    keyed: dict[int, list[int]] = {}
    loose: dict[str, list[int]] = {}
    keys = [
        identity_key(r.values.get("name", ""), r.values.get("address", ""), r.values.get("country", ""))
        for r in parsed
    ]
    for i, row in enumerate(parsed):
        if "brand_ref" in row.values or "os_id" in row.values:
            keyed.setdefault(uf.find(i), []).append(i)
        else:
            loose.setdefault(keys[i], []).append(i)
    # Rows without ids that match one keyed facility exactly by name + address + country belong to it.
    keyed_by_identity: dict[str, list[int]] = {}
    for root, members in keyed.items():
        keyed_by_identity.setdefault(keys[members[0]], []).append(root)
    for key, members in list(loose.items()):
        roots = keyed_by_identity.get(key, [])
        if len(roots) == 1:
            keyed[roots[0]].extend(members)
            del loose[key]

    groups: list[FacilityGroup] = []
    for members in keyed.values():
        rows = [parsed[i] for i in sorted(members)]
        groups.append(_merge(rows, keys[members[0]], strict=True, errors=errors, warnings=warnings))
    for key, members in loose.items():
        rows = [parsed[i] for i in members]
        groups.append(_merge(rows, key, strict=False, errors=errors, warnings=warnings))
    groups.sort(key=lambda g: g.first)
    return groups


def _merge(
    rows: list[ParsedRow], key: str, *, strict: bool, errors: list[str], warnings: list[str]
) -> FacilityGroup:
    values = dict(rows[0].values)
    origin_of = dict.fromkeys(values, rows[0])
    for row in rows[1:]:
        for name, value in row.values.items():
            if name not in values:
                values[name] = value
                origin_of[name] = row
                continue
            if values[name] == value:
                continue
            first = origin_of[name]
            if strict and name == "brand_ref":
                errors.append(
                    f"rows {first.number} and {row.number} claim the same os_id '{values.get('os_id')}' for "
                    f"different facilities: column '{row.column(name)}' is '{values[name]}' and '{value}'"
                )
            elif strict:
                what = (
                    f"facility reference '{values['brand_ref']}'"
                    if values.get("brand_ref")
                    else f"os_id '{values.get('os_id')}'"
                )
                errors.append(
                    f"rows {first.number} and {row.number} both describe {what} but differ in column "
                    f"'{row.column(name)}' ('{values[name]}' and '{value}')"
                )
            elif name not in {"name", "address"}:
                warnings.append(
                    f"rows {first.number} and {row.number} describe the same facility (same name, address "
                    f"and country) but differ in column '{row.column(name)}'; row {first.number}'s value "
                    "is used"
                )
    return FacilityGroup(rows=rows, values=values, identity_key=key)


def _links(
    groups: list[FacilityGroup], lookup_refs: Callable[[set[str]], dict[str, int]], errors: list[str]
) -> list[LinkSpec]:
    ref_to_group = {g.ref: i for i, g in enumerate(groups) if g.ref}
    missing = {t for g in groups for r in g.rows for t in r.supplies if t != BRAND_TOKEN} - set(ref_to_group)
    in_db = lookup_refs(missing) if missing else {}
    specs: dict[tuple, LinkSpec] = {}
    for gi, group in enumerate(groups):
        for row in group.rows:
            for token in row.supplies:
                if token == BRAND_TOKEN:
                    key: tuple = ("brand", gi, row.material)
                    spec = LinkSpec(
                        supplier=gi,
                        buyer_group=None,
                        buyer_db=None,
                        to_brand=True,
                        material=row.material,
                        volume_share=row.volume_share,
                        row=row.number,
                    )
                elif token in ref_to_group:
                    if ref_to_group[token] == gi:
                        continue  # reported as "cannot supply itself" while parsing
                    key = ("group", ref_to_group[token], gi, row.material)
                    spec = LinkSpec(
                        supplier=gi,
                        buyer_group=ref_to_group[token],
                        buyer_db=None,
                        to_brand=False,
                        material=row.material,
                        volume_share=row.volume_share,
                        row=row.number,
                    )
                elif token in in_db:
                    key = ("db", in_db[token], gi, row.material)
                    spec = LinkSpec(
                        supplier=gi,
                        buyer_group=None,
                        buyer_db=in_db[token],
                        to_brand=False,
                        material=row.material,
                        volume_share=row.volume_share,
                        row=row.number,
                    )
                else:
                    errors.append(
                        f"row {row.number}, column '{row.column('supplies')}': no facility with reference "
                        f"'{token}' in this file or in fairthread (write BRAND for the brand itself, or "
                        "another row's facility_ref)"
                    )
                    continue
                _add_spec(specs, key, spec, row, "volume_share", errors)
            if row.origin is not None:
                material, country, region = row.origin
                key = ("origin", gi, material, country, region)
                spec = LinkSpec(
                    supplier=None,
                    buyer_group=gi,
                    buyer_db=None,
                    to_brand=False,
                    material=material,
                    volume_share=None,
                    origin_country=country,
                    origin_region=region,
                    row=row.number,
                )
                _add_spec(specs, key, spec, row, "origin_country", errors)
    return list(specs.values())


def _add_spec(
    specs: dict[tuple, LinkSpec], key: tuple, spec: LinkSpec, row: ParsedRow, column: str, errors: list[str]
) -> None:
    existing = specs.get(key)
    if existing is None:
        specs[key] = spec
    elif (
        spec.volume_share is not None
        and existing.volume_share is not None
        and spec.volume_share != existing.volume_share
    ):
        errors.append(
            f"rows {existing.row} and {row.number} declare the same link with different volume shares in "
            f"column '{row.column(column)}' ({existing.volume_share} and {spec.volume_share})"
        )
    elif existing.volume_share is None:
        existing.volume_share = spec.volume_share
