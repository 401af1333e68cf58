"""Reading reference datasets from their publishers' own formats (plain Python, no Django).

- Walk Free, Global Slavery Index country table (CSV as published, or XLSX): ``parse_gsi``;
- US Department of Labor (ILAB), List of Goods Produced by Child Labor or Forced Labor: the CSV
  (``parse_dol_csv``) and the XML the DOL publishes (``parse_dol_xml``);
- fairthread's own files: ILO indicators (YAML, ``parse_ilo_yaml``), high-risk regions (CSV,
  ``parse_high_risk_regions``) and the materials/processes → goods mapping (CSV, ``parse_good_mapping``).

Every parser returns a ``Parsed`` with the rows as plain dicts (the row model's field names) and every
problem in words, ``row N, column 'X': message`` (row N = the Nth data row after the header, as in the
supplier-list importer). A file with any error must not be stored.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from fairthread.reference.countries import resolve_country, suggest_country
from fairthread.supplychain.vocabulary import FACILITY_TYPES, MATERIALS, canonical_facility_type, canonical_material

KIND_COUNTRY_PREVALENCE = "country_prevalence"
KIND_LISTED_GOODS = "listed_goods"
KIND_ILO_INDICATORS = "ilo_indicators"
KIND_HIGH_RISK_REGIONS = "high_risk_regions"
KIND_GOOD_MAPPING = "good_mapping"

# The publishers' own spellings that ISO 3166 / pycountry do not know (keys compared case-insensitively).
PUBLISHER_COUNTRY_NAMES: dict[str, str] = {
    "congo, democratic republic of the": "CD",
    "democratic republic of the congo": "CD",
    "congo (kinshasa)": "CD",
    "dr congo": "CD",
    "drc": "CD",
    "congo, republic of the": "CG",
    "republic of the congo": "CG",
    "republic of congo": "CG",
    "congo (brazzaville)": "CG",
    "kyrgyz republic": "KG",
    "slovak republic": "SK",
    "west bank": "PS",
    "gaza strip": "PS",
    "west bank and gaza": "PS",
    "west bank and the gaza strip": "PS",
    "palestinian territories": "PS",
    "gambia, the": "GM",
    "the gambia": "GM",
    "bahamas, the": "BS",
    "the bahamas": "BS",
    "korea, north": "KP",
    "korea, south": "KR",
    "micronesia": "FM",
    "timor leste": "TL",
    "east timor": "TL",
    "cabo verde": "CV",
    "lao people's democratic republic": "LA",
    "burma (myanmar)": "MM",
}

_MAX_ERRORS = 200  # beyond this the file is clearly not what it claims to be; stop listing


@dataclass
class Parsed:
    kind: str
    rows: list[dict[str, Any]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    meta: dict[str, str] = field(default_factory=dict)  # metadata the file carries itself (YAML header)

    @property
    def ok(self) -> bool:
        return not self.errors


class FileProblem(Exception):  # noqa: N818 - a message for the user, not a programming error
    """A problem with the file as a whole (not with one row)."""


# --- helpers -------------------------------------------------------------------------------------------
def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _clean(text: Any) -> str:
    """Cell text: NFC, non-breaking spaces as spaces, outer whitespace removed, inner runs collapsed."""
    if text is None:
        return ""
    s = _nfc(str(text)).replace("\u00a0", " ").replace("\u202f", " ")
    return " ".join(s.split())


def _header_key(text: str) -> str:
    return _clean(text).lower().replace("_", " ")


def resolve_publisher_country(name: str) -> str | None:
    """ISO alpha-2 for a country as a publisher writes it ("Turkey (Türkiye)", "Burma", "Kyrgyz Republic",
    "Congo, Democratic Republic of the", "West Bank"); None when unknown."""
    text = _clean(name)
    if not text:
        return None
    code = resolve_country(text) or PUBLISHER_COUNTRY_NAMES.get(text.lower())
    if code:
        return code
    # "Turkey (Türkiye)", "Côte d'Ivoire (Ivory Coast)": try the name without, then within, the brackets.
    m = re.fullmatch(r"(.+?)\s*\((.+)\)", text)
    if m:
        for part in (m.group(1), m.group(2)):
            code = resolve_country(part) or PUBLISHER_COUNTRY_NAMES.get(part.strip().lower())
            if code:
                return code
    # "Korea, Republic of" style inversions.
    if "," in text:
        head, _, tail = text.partition(",")
        code = resolve_country(f"{tail.strip()} {head.strip()}")
        if code:
            return code
    return None


def _unknown_country(text: str) -> str:
    hint = suggest_country(text)
    return f"unknown country '{text}'" + (f" — did you mean '{hint}'?" if hint else "")


def decode(data: bytes) -> str:
    """Bytes → text: BOMs first, then UTF-8, then Windows-1252 (what spreadsheet programs write)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise FileProblem("The file starts with a UTF-16 byte-order mark but is not UTF-16 text.") from None
    if b"\x00" in data:
        raise FileProblem("The file contains binary data (NUL characters); expected a text file.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise FileProblem(f"The file is not UTF-8 or Windows-1252 text (bad byte at position {exc.start}).") from None


def _xlsx_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook  # only needed for spreadsheets

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileProblem(f"The file looks like a spreadsheet but cannot be opened: {exc}") from None
    try:
        sheet = wb.worksheets[0]
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        wb.close()


def _table(data: bytes, header_must_have: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """(headers, [(data row number, cells)]) from CSV or XLSX bytes. The header is the first row that has a
    cell named ``header_must_have`` (publishers put titles above the table in spreadsheets)."""
    if not data.strip():
        raise FileProblem("The file is empty.")
    if data[:4] == b"PK\x03\x04":
        raw = _xlsx_rows(data)
    else:
        text = decode(data)
        lines = [line for line in text.splitlines()[:50] if line.strip()]
        # The delimiter is the one the header line uses (there may be a title line above it).
        header_line = next((line for line in lines if header_must_have in _header_key(line)), lines[0] if lines else "")
        delimiter = max((",", ";", "\t"), key=header_line.count)
        raw = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    number = 0
    for cells in raw:
        if headers is None:
            if any(_header_key(c) == header_must_have for c in cells):
                headers = [_clean(c) for c in cells]
            continue
        number += 1
        if any(_clean(c) for c in cells):  # blank lines are skipped but counted, so numbers match the file
            rows.append((number, cells))
    if headers is None:
        raise FileProblem(f"No header row with a '{header_must_have}' column was found.")
    return headers, rows


def _columns(headers: list[str], wanted: dict[str, Callable[[str], bool]], required: set[str]
             ) -> dict[str, int]:
    """field → column index, matching header keys with the predicates; a missing required column is a
    FileProblem naming it and the columns found."""
    found: dict[str, int] = {}
    for name, test in wanted.items():
        for i, h in enumerate(headers):
            if test(_header_key(h)):
                found[name] = i
                break
    missing = sorted(required - set(found))
    if missing:
        raise FileProblem(
            f"Missing column{'s' if len(missing) > 1 else ''} {', '.join(repr(m) for m in missing)}; "
            f"the header has: {', '.join(repr(h) for h in headers if h)}."
        )
    return found


def _cell(cells: list[str], index: int | None) -> str:
    if index is None or index >= len(cells):
        return ""
    return _clean(cells[index])


_MISSING = {"", "-", "–", "—", "n/a", "na", "..", "…"}


def _number(text: str) -> float | None:
    """'  38,928,000 ' → 38928000.0; '' / '-' / 'n/a' → None; raises ValueError for anything else."""
    s = text.strip().lower()
    if s in _MISSING:
        return None
    s = s.replace(" ", "").replace("\u00a0", "").replace("\u202f", "")
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", s):
        s = s.replace(",", "")  # thousands separators: 1,162,000
    elif re.fullmatch(r"-?\d+,\d+", s):
        s = s.replace(",", ".")  # a decimal comma: 3,8
    value = float(s)
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(text)
    return value


_YES = {"yes", "y", "true", "1", "x"}
_NO = {"no", "n", "false", "0", ""}


def _flag(text: str) -> bool:
    s = text.strip().lower()
    if s in _YES:
        return True
    if s in _NO:
        return False
    raise ValueError(text)


def _problem(parsed: Parsed, message: str) -> None:
    if len(parsed.errors) < _MAX_ERRORS:
        parsed.errors.append(message)
    elif len(parsed.errors) == _MAX_ERRORS:
        parsed.errors.append("… more problems not listed; fix these first.")


def _guard(kind: str, fn: Callable[[Parsed], None]) -> Parsed:
    parsed = Parsed(kind=kind)
    try:
        fn(parsed)
    except FileProblem as exc:
        parsed.errors.append(str(exc))
    if parsed.errors:
        parsed.rows = []  # nothing from a bad file may be stored
    return parsed


# --- Walk Free, Global Slavery Index -------------------------------------------------------------------
def parse_gsi(data: bytes) -> Parsed:
    """The GSI country table: country, population, region, prevalence per 1,000, estimated number."""

    def run(parsed: Parsed) -> None:
        headers, rows = _table(data, "country")
        cols = _columns(headers, {
            "country": lambda h: h == "country",
            "population": lambda h: h.startswith("population"),
            "region": lambda h: h == "region",
            "prevalence_per_1000": lambda h: "prevalence" in h,
            "estimated_number": lambda h: "number" in h,
        }, required={"country", "prevalence_per_1000"})
        seen: dict[str, int] = {}
        for number, cells in rows:
            row: dict[str, Any] = {}
            name = _cell(cells, cols["country"])
            where = f"row {number}, column '{headers[cols['country']]}'"
            code = resolve_publisher_country(name)
            if not name:
                _problem(parsed, f"{where}: the country is empty")
            elif code is None:
                _problem(parsed, f"{where}: {_unknown_country(name)}")
            elif code in seen:
                _problem(parsed, f"{where}: '{name}' is the same country ({code}) as row {seen[code]}")
            else:
                seen[code] = number
            row.update(country=code or "", country_name=name, region=_cell(cells, cols.get("region")))
            for key, integer, upper in (("prevalence_per_1000", False, 1000.0), ("population", True, None),
                                        ("estimated_number", True, None)):
                if key not in cols:
                    row[key] = None
                    continue
                text = _cell(cells, cols[key])
                here = f"row {number}, column '{headers[cols[key]]}'"
                try:
                    value = _number(text)
                except ValueError:
                    _problem(parsed, f"{here}: '{text}' is not a number")
                    continue
                if value is not None and (value < 0 or (upper is not None and value > upper)):
                    limit = f"between 0 and {upper:g}" if upper is not None else "0 or more"
                    _problem(parsed, f"{here}: must be {limit}, got {text}")
                    continue
                if value is not None and integer:
                    if value != int(value):
                        _problem(parsed, f"{here}: '{text}' is not a whole number")
                        continue
                    value = int(value)
                row[key] = value
            parsed.rows.append(row)
        if not rows:
            raise FileProblem("The file has a header but no data rows.")
        missing = sum(1 for r in parsed.rows if r.get("prevalence_per_1000") is None)
        if missing and not parsed.errors:
            parsed.warnings.append(f"{missing} countries have no prevalence estimate; stored without one")

    return _guard(KIND_COUNTRY_PREVALENCE, run)


# --- US DOL List of Goods (CSV and XML) -----------------------------------------------------------------
_DOL_FIELDS = ("good", "sector", "country", "region", "child_labor", "forced_labor", "forced_child_labor",
               "derived_labor_exploitation", "derived_country")
_DOL_REQUIRED = {"good", "country", "child_labor", "forced_labor"}


def _dol_rows(parsed: Parsed, records: list[tuple[int, dict[str, str]]], labels: dict[str, str],
              where: str = "column") -> None:
    """Validate DOL records (number, {field: text}) into ListedGood rows; ``labels`` name each field as the
    file does, for the messages."""
    seen: dict[tuple[str, str], tuple[int, dict[str, Any]]] = {}
    for number, rec in records:
        problems_before = len(parsed.errors)

        def bad(name: str, message: str, number: int = number) -> None:
            _problem(parsed, f"row {number}, {where} '{labels[name]}': {message}")

        good = rec.get("good", "")
        if not good:
            bad("good", "the good is empty")
        country_text = rec.get("country", "")
        country = resolve_publisher_country(country_text)
        if not country_text:
            bad("country", "the country is empty")
        elif country is None:
            bad("country", _unknown_country(country_text))
        flags: dict[str, bool] = {}
        for name in ("child_labor", "forced_labor", "forced_child_labor", "derived_labor_exploitation"):
            text = rec.get(name, "")
            if name in _DOL_REQUIRED and not text:
                bad(name, "empty; expected Yes or No")
                continue
            try:
                flags[name] = _flag(text)
            except ValueError:
                bad(name, f"'{text}' is not Yes or No")
        derived_text = rec.get("derived_country", "")
        derived = ""
        if derived_text.lower() not in ("", "no", "n/a", "-"):
            derived = resolve_publisher_country(derived_text) or ""
            if not derived:
                bad("derived_country", _unknown_country(derived_text))
        if len(parsed.errors) > problems_before:
            continue
        row = {
            "good": good, "sector": rec.get("sector", ""), "country": country, "country_name": country_text,
            "region": rec.get("region", ""), "child_labour": flags["child_labor"],
            "forced_labour": flags["forced_labor"], "forced_child_labour": flags.get("forced_child_labor", False),
            "derived_labour_exploitation": flags.get("derived_labor_exploitation", False),
            "derived_country": derived,
        }
        key = (good.lower(), country)
        if key in seen:
            first, earlier = seen[key]
            same = all(earlier[k] == row[k] for k in ("child_labour", "forced_labour", "forced_child_labour"))
            if same:
                parsed.warnings.append(f"row {number}: {good} – {country_text} repeats row {first}; kept once")
                continue
            _problem(parsed, f"row {number}, {where} '{labels['good']}': {good} – {country_text} is listed "
                             f"again with different findings (first at row {first})")
            continue
        seen[key] = (number, row)
        parsed.rows.append(row)
    if not records:
        raise FileProblem("The file has no goods.")


def parse_dol_csv(data: bytes) -> Parsed:
    """The DOL list as CSV: good, sector, country, region, child_labor, forced_labor, forced_child_labor,
    derived_labor_exploitation, derived_country (Yes/No; British spellings accepted)."""

    def run(parsed: Parsed) -> None:
        headers, rows = _table(data, "good")

        def named(*names: str) -> Callable[[str], bool]:
            keys = {n.replace("_", " ") for n in names}
            return lambda h: h in keys

        cols = _columns(headers, {
            "good": named("good"), "sector": named("sector"), "country": named("country"),
            "region": named("region"),
            "child_labor": named("child_labor", "child_labour", "child labor"),
            "forced_labor": named("forced_labor", "forced_labour"),
            "forced_child_labor": named("forced_child_labor", "forced_child_labour"),
            "derived_labor_exploitation": named("derived_labor_exploitation", "derived_labour_exploitation"),
            "derived_country": named("derived_country"),
        }, required=_DOL_REQUIRED)
        records = [(number, {f: _cell(cells, cols.get(f)) for f in _DOL_FIELDS}) for number, cells in rows]
        labels = {f: headers[cols[f]] if f in cols else f for f in _DOL_FIELDS}
        _dol_rows(parsed, records, labels)

    return _guard(KIND_LISTED_GOODS, run)


_XML_FIELDS = {  # element → field
    "Country_Name": "country", "Country_Region": "region", "Child_Labor": "child_labor",
    "Forced_Labor": "forced_labor", "Forced_Child_Labor": "forced_child_labor",
    "Derived_Labor_Exploitation": "derived_labor_exploitation", "Derived_Country": "derived_country",
}


def parse_dol_xml(data: bytes) -> Parsed:
    """The DOL list as the DOL publishes it in XML: <Goods><Good><Good_Name/><Good_Sector/><Countries>
    <Country><Country_Name/>…<Forced_Labor>Yes</Forced_Labor>…</Country></Countries></Good></Goods>.
    Row N in messages = the Nth <Country> record, which is row N of the equivalent CSV."""

    def run(parsed: Parsed) -> None:
        if not data.strip():
            raise FileProblem("The file is empty.")
        text = decode(data)
        if re.search(r"<!\s*(doctype|entity)", text, re.IGNORECASE):
            # DTDs and entities are how XML bombs and external-file reads work; the DOL file has none.
            raise FileProblem("The XML declares a DOCTYPE or entities, which are not accepted.")
        try:
            root = ET.fromstring(text)  # noqa: S314 - no DTD or entity can reach the parser (refused above)
        except ET.ParseError as exc:
            line, column = exc.position
            raise FileProblem(f"The file is not well-formed XML: line {line}, column {column}.") from None
        if root.tag != "Goods":
            raise FileProblem(f"Expected the DOL <Goods> document, found <{root.tag}>.")
        records: list[tuple[int, dict[str, str]]] = []
        number = 0
        for good_el in root.findall("Good"):
            good = _clean(good_el.findtext("Good_Name"))
            sector = _clean(good_el.findtext("Good_Sector"))
            countries = good_el.findall("Countries/Country")
            if not countries:
                parsed.warnings.append(f"good '{good}' has no <Country> records; skipped")
            for country_el in countries:
                number += 1
                rec = {"good": good, "sector": sector}
                for element, name in _XML_FIELDS.items():
                    rec[name] = _clean(country_el.findtext(element))
                records.append((number, rec))
        labels = {"good": "Good_Name", "sector": "Good_Sector", **{v: k for k, v in _XML_FIELDS.items()}}
        _dol_rows(parsed, records, labels, where="element")

    return _guard(KIND_LISTED_GOODS, run)


# --- fairthread's own files ---------------------------------------------------------------------------
DIMENSIONS = ("unfree_recruitment", "work_under_duress", "impossibility_of_leaving", "menace_of_penalty")
STRENGTHS = ("strong", "medium")
META_KEYS = ("name", "edition", "source", "licence", "attribution")


def parse_ilo_yaml(data: bytes) -> Parsed:
    """ILO indicators: a mapping with optional name/edition/source/licence/attribution and ``indicators``, a
    list of {code, number, name, definition, dimension, strength, grading_basis}."""

    def run(parsed: Parsed) -> None:
        try:
            doc = yaml.safe_load(decode(data))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            raise FileProblem(f"The file is not valid YAML{at}.") from None
        if isinstance(doc, dict):
            parsed.meta = {k: _clean(doc[k]) for k in META_KEYS if doc.get(k) not in (None, "")}
            items = doc.get("indicators")
        else:
            items = doc
        if not isinstance(items, list) or not items:
            raise FileProblem("Expected a list of indicators under 'indicators'.")
        seen: dict[str, int] = {}
        for n, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                _problem(parsed, f"indicator {n}: expected a mapping with code, name, definition, dimension, "
                                 "strength")
                continue
            row = {k: _clean(item.get(k)) for k in ("code", "name", "definition", "dimension", "strength",
                                                    "grading_basis")}
            where = f"indicator {n}" + (f" ({row['code']})" if row["code"] else "")
            before = len(parsed.errors)
            for key in ("code", "name", "definition"):
                if not row[key]:
                    _problem(parsed, f"{where}, field '{key}': missing")
            if row["code"] and not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", row["code"]):
                _problem(parsed, f"{where}, field 'code': '{row['code']}' must be letters, digits and _")
            elif row["code"] in seen:
                _problem(parsed, f"{where}, field 'code': '{row['code']}' repeats indicator {seen[row['code']]}")
            seen.setdefault(row["code"], n)
            row["dimension"] = row["dimension"].lower()
            row["strength"] = row["strength"].lower()
            if row["dimension"] not in DIMENSIONS:
                _problem(parsed, f"{where}, field 'dimension': '{row['dimension']}' is not one of "
                                 f"{', '.join(DIMENSIONS)}")
            if row["strength"] not in STRENGTHS:
                _problem(parsed, f"{where}, field 'strength': '{row['strength']}' is not strong or medium")
            number = item.get("number", n)
            if not isinstance(number, int) or isinstance(number, bool) or number < 0:
                _problem(parsed, f"{where}, field 'number': '{number}' is not a whole number")
                number = n
            row["number"] = number
            if len(parsed.errors) == before:
                parsed.rows.append(row)

    return _guard(KIND_ILO_INDICATORS, run)


def _names(text: str) -> str:
    """'Xinjiang| XUAR |xinjiang' → 'xinjiang|xuar' (lower-case, unique, in order)."""
    out: list[str] = []
    for part in text.split("|"):
        key = _clean(part).lower()
        if key and key not in out:
            out.append(key)
    return "|".join(out)


def parse_high_risk_regions(data: bytes) -> Parsed:
    """High-risk regions CSV: region_id, label, country, region_names ('|'-separated; empty = the whole
    country), materials ('|'-separated canonical materials; empty = every material), status (active | watch),
    basis, source."""

    def run(parsed: Parsed) -> None:
        headers, rows = _table(data, "region id")
        fields = ("region_id", "label", "country", "region_names", "materials", "status", "basis", "source")
        cols = _columns(headers, {f: (lambda h, f=f: h == f.replace("_", " ")) for f in fields},
                        required={"region_id", "label", "country", "basis"})
        seen: dict[str, int] = {}
        for number, cells in rows:
            before = len(parsed.errors)
            rec = {f: _cell(cells, cols.get(f)) for f in fields}

            def bad(name: str, message: str, number: int = number) -> None:
                _problem(parsed, f"row {number}, column '{headers[cols[name]]}': {message}")

            for key in ("region_id", "label", "basis"):
                if not rec[key]:
                    bad(key, "missing")
            if rec["region_id"] in seen:
                bad("region_id", f"'{rec['region_id']}' repeats row {seen[rec['region_id']]}")
            seen.setdefault(rec["region_id"], number)
            country = resolve_publisher_country(rec["country"])
            if country is None:
                bad("country", _unknown_country(rec["country"]) if rec["country"] else "missing")
            materials: list[str] = []
            for part in _names(rec["materials"]).split("|"):
                if not part:
                    continue
                canonical = canonical_material(part)
                if canonical is None:
                    bad("materials", f"unknown material '{part}'; use one of {', '.join(MATERIALS)}")
                elif canonical not in materials:
                    materials.append(canonical)
            status = (rec["status"] or "active").lower()
            if status not in ("active", "watch"):
                bad("status", f"'{rec['status']}' is not active or watch")
            if len(parsed.errors) > before:
                continue
            parsed.rows.append({
                "region_id": rec["region_id"], "label": rec["label"], "country": country,
                "region_names": _names(rec["region_names"]), "materials": "|".join(materials), "status": status,
                "basis": rec["basis"], "source": rec["source"],
            })
        if not rows:
            raise FileProblem("The file has a header but no regions.")

    return _guard(KIND_HIGH_RISK_REGIONS, run)


def parse_good_mapping(data: bytes) -> Parsed:
    """Mapping CSV: term (a fairthread material or facility type), term_kind (material | facility_type),
    good (as the DOL list names it), note."""

    def run(parsed: Parsed) -> None:
        headers, rows = _table(data, "term")
        fields = ("term", "term_kind", "good", "note")
        cols = _columns(headers, {f: (lambda h, f=f: h == f.replace("_", " ")) for f in fields},
                        required={"term", "term_kind", "good"})
        seen: dict[tuple[str, str, str], int] = {}
        for number, cells in rows:
            before = len(parsed.errors)
            rec = {f: _cell(cells, cols.get(f)) for f in fields}

            def bad(name: str, message: str, number: int = number) -> None:
                _problem(parsed, f"row {number}, column '{headers[cols[name]]}': {message}")

            kind = rec["term_kind"].lower().replace(" ", "_")
            term = ""
            if kind == "material":
                term = canonical_material(rec["term"]) or ""
                if not term:
                    bad("term", f"unknown material '{rec['term']}'; use one of {', '.join(MATERIALS)}")
            elif kind == "facility_type":
                term = canonical_facility_type(rec["term"]) or ""
                if not term:
                    bad("term", f"unknown facility type '{rec['term']}'; use one of {', '.join(FACILITY_TYPES)}")
            else:
                bad("term_kind", f"'{rec['term_kind']}' is not material or facility_type")
            if not rec["good"]:
                bad("good", "missing")
            if len(parsed.errors) > before:
                continue
            key = (term, kind, rec["good"].lower())
            if key in seen:
                parsed.warnings.append(f"row {number}: {term} → {rec['good']} repeats row {seen[key]}; kept once")
                continue
            seen[key] = number
            parsed.rows.append({"term": term, "term_kind": kind, "good": rec["good"], "note": rec["note"][:300]})
        if not rows:
            raise FileProblem("The file has a header but no rows.")

    return _guard(KIND_GOOD_MAPPING, run)


# The command's DATASET names → (kind, parser).
PARSERS: dict[str, tuple[str, Callable[[bytes], Parsed]]] = {
    "gsi": (KIND_COUNTRY_PREVALENCE, parse_gsi),
    "dol": (KIND_LISTED_GOODS, parse_dol_csv),
    "dol-xml": (KIND_LISTED_GOODS, parse_dol_xml),
    "ilo": (KIND_ILO_INDICATORS, parse_ilo_yaml),
    "high-risk-regions": (KIND_HIGH_RISK_REGIONS, parse_high_risk_regions),
    "good-mapping": (KIND_GOOD_MAPPING, parse_good_mapping),
}


def parse(dataset: str, data: bytes) -> Parsed:
    """Parse ``data`` as the named dataset format (one of ``PARSERS``)."""
    if dataset not in PARSERS:
        raise ValueError(f"Unknown dataset {dataset!r}; use one of {', '.join(PARSERS)}")
    return PARSERS[dataset][1](data)
