"""Restricted-list parsers (plain Python): the simple list CSV, CBP's WRO/Findings CSV, FollowTheMoney JSON.

Each parser returns engine ``Entity`` records or raises ``ListError`` holding every problem found, as
``row N, column 'X': message`` (N = data row number counted from 1 after the header, as the facility import
does) or ``line N: message`` for JSON lines.

The simple list format (CSV, UTF-8): ``id,name,aliases,country,address,list,effective_date``; ``id`` and
``name`` are required; ``aliases`` holds alternative names separated by ``|`` (any script); ``country`` is an
ISO-2 code or a country name; the other columns may be empty or left out.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import re
from pathlib import Path

from fairthread.reference.countries import resolve_country, suggest_country
from fairthread.screening.engine import Entity, analyse
from fairthread.screening.engine.vocabulary import GENERIC

FORMATS = ("csv", "cbp", "ftm")
SIMPLE_COLUMNS = ("id", "name", "aliases", "country", "address", "list", "effective_date")
CBP_COLUMNS = ("entity", "country", "industry", "effective_date", "type")
# FollowTheMoney schemata that are not parties (sanctions, links, addresses): skipped, not screened against.
FTM_NOT_NAMED = frozenset({
    "Sanction", "Ownership", "Directorship", "Membership", "Employment", "Family", "Associate", "Address",
    "Identification", "Passport", "Representation", "Succession", "UnknownLink", "Occupancy", "Position",
    "Note", "Mention", "Article", "Documentation", "Debt", "Payment", "Contract", "ContractAward",
})
_ALIAS_SPLIT = re.compile(r"\s*[,;]?\s*\b(?:a/k/a|aka|f/k/a|fka|d/b/a|dba|also known as|formerly known as)\b[:\s]*",
                          re.IGNORECASE)
_PARENS = re.compile(r"\s*\(([^()]*)\)")
_LEGAL_END = re.compile(r"\b(?:ltd|limited|inc|corp|corporation|co|company|llc|gmbh|bhd|berhad|plc|s\.?a)\.?$",
                        re.IGNORECASE)
# Spellings fairthread.reference.countries does not resolve yet (reported upstream; kept here meanwhile).
_COUNTRY_EXTRA = {
    "democratic republic of the congo": "CD", "dr congo": "CD", "drc": "CD", "congo-kinshasa": "CD",
    "republic of the congo": "CG", "congo-brazzaville": "CG", "ivory coast": "CI", "cote d'ivoire": "CI",
}
_VESSEL = re.compile(r"^fishing vessel:\s*", re.IGNORECASE)


class ListError(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems[:5]))
        self.problems = problems


def load_list(path: str | Path, fmt: str = "csv", list_name: str = "") -> list[Entity]:
    """Read and parse a list file. ``list_name`` overrides the list column / source name when given."""
    if fmt not in FORMATS:
        raise ListError([f"unknown list format '{fmt}' (expected one of: {', '.join(FORMATS)})"])
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise ListError([f"cannot read {path}: {exc.strerror}"]) from None
    return parse_list(data, fmt, list_name)


def parse_list(data: bytes | str, fmt: str = "csv", list_name: str = "") -> list[Entity]:
    text = _decode(data)
    if fmt == "csv":
        return parse_simple_csv(text, list_name)
    if fmt == "cbp":
        return parse_cbp_csv(text, list_name)
    if fmt == "ftm":
        return parse_ftm_json(text, list_name)
    raise ListError([f"unknown list format '{fmt}' (expected one of: {', '.join(FORMATS)})"])


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        text = data
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ListError([f"the file is not UTF-8 text (invalid byte at position {exc.start})"]) from None
    if "\x00" in text:
        raise ListError(["the file contains NUL characters: it looks like binary data, not a CSV or JSON file"])
    return text.lstrip("\ufeff")


def _rows(
    text: str, required: tuple[str, ...], allowed: tuple[str, ...]
) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ListError(["the file is empty"]) from None
    except csv.Error as exc:
        raise ListError([f"the header row cannot be read as CSV: {exc}"]) from None
    columns = [h.strip().lower() for h in header]
    problems = [f"missing column '{c}' (the header must include: {', '.join(required)})"
                for c in required if c not in columns]
    problems += [f"column '{c}' is not part of this format (columns: {', '.join(allowed)})"
                 for c in columns if c and c not in allowed]
    duplicated = sorted({c for c in columns if c and columns.count(c) > 1})
    problems += [f"column '{c}' appears more than once" for c in duplicated]
    if problems:
        raise ListError(problems)
    rows: list[tuple[int, dict[str, str]]] = []
    number = 0
    try:
        for cells in reader:
            number += 1
            if not any(c.strip() for c in cells):
                continue  # blank lines still count, so row numbers match the file
            if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns):]):
                problems.append(f"row {number}: {len(cells)} cells but the header has {len(columns)} columns")
                continue
            rows.append((number, {c: (cells[i].strip() if i < len(cells) else "") for i, c in enumerate(columns)}))
    except csv.Error as exc:
        problems.append(f"row {number + 1}: cannot be read as CSV ({exc})")
    if problems:
        raise ListError(problems)
    return columns, rows


def _country(value: str, number: int, column: str, problems: list[str]) -> str:
    if not value:
        return ""
    code = resolve_country(value) or _COUNTRY_EXTRA.get(" ".join(value.casefold().split()))
    if code is None:
        hint = suggest_country(value)
        extra = f" (did you mean '{hint}'?)" if hint else ""
        problems.append(f"row {number}, column '{column}': unknown country '{value}'{extra}")
        return ""
    return code


def _date(value: str, number: int, column: str, problems: list[str]) -> str:
    if not value:
        return ""
    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        problems.append(f"row {number}, column '{column}': '{value}' is not a date (expected YYYY-MM-DD)")
        return ""


def parse_simple_csv(text: str, list_name: str = "") -> list[Entity]:
    _, rows = _rows(text, ("id", "name"), SIMPLE_COLUMNS)
    problems: list[str] = []
    entities: list[Entity] = []
    seen: dict[str, int] = {}
    for number, row in rows:
        entity_id, name = row.get("id", ""), row.get("name", "")
        if not entity_id:
            problems.append(f"row {number}, column 'id': empty (every entity needs an id)")
        elif entity_id in seen:
            problems.append(f"row {number}, column 'id': '{entity_id}' is already used on row {seen[entity_id]}")
        else:
            seen[entity_id] = number
        if not name:
            problems.append(f"row {number}, column 'name': empty (every entity needs a name)")
        aliases = tuple(a.strip() for a in row.get("aliases", "").split("|") if a.strip() and a.strip() != name)
        entities.append(Entity(
            id=entity_id, name=name, aliases=aliases,
            country=_country(row.get("country", ""), number, "country", problems),
            address=row.get("address", ""), list_name=list_name or row.get("list", ""),
            effective_date=_date(row.get("effective_date", ""), number, "effective_date", problems),
            source="list CSV",
        ))
    if problems:
        raise ListError(problems)
    return entities


def cbp_names(text: str) -> tuple[str, tuple[str, ...]]:
    """Main name and aliases from a CBP entity text ("A, a/k/a B; C (D)").

    Aliases come from "a/k/a"-style markers and semicolons; a parenthesis gives a name without it and, if it is
    an alternative spelling ("Qiqihar (Tsitsihar)", "Xingsheng (or Xinsheng)"), a name with it in place of the
    word before; a closing parenthesis that is an acronym or a name of its own ("(BAT Malawi)") is an alias.
    """
    pieces: list[str] = []
    for part in re.split(r"\s*;\s*", text.strip()):
        pieces.extend(p for p in _ALIAS_SPLIT.split(part) if p.strip())
    # "X Co., Ltd. and Y Co., Ltd.": two companies named on one order
    split: list[str] = []
    for piece in pieces:
        for joint in re.finditer(r"\s+and\s+", piece):
            if _LEGAL_END.search(piece[:joint.start()].rstrip(",")):
                split.extend([piece[:joint.start()], piece[joint.end():]])
                break
        else:
            split.append(piece)
    names: list[str] = []
    for piece in split:
        piece = _VESSEL.sub("", piece.strip().strip(",").strip())
        names.extend(_paren_variants(piece))
    names = [" ".join(n.split()) for n in names if n.strip()]
    unique = list(dict.fromkeys(names))
    return unique[0], tuple(unique[1:])


def _paren_variants(piece: str) -> list[str]:
    match = _PARENS.search(piece)
    if match is None:
        return [piece]
    inner = match.group(1).strip()
    without = (piece[:match.start()] + piece[match.end():]).strip()
    out = _paren_variants(without)
    at_end = not piece[match.end():].strip()
    alternative = inner.lower().startswith("or ")
    if alternative:
        inner = inner[3:].strip()
    inner_words = inner.split()
    words_before = piece[:match.start()].split()
    generic = all(t in GENERIC or t.isdigit() for v in analyse(inner).variants for t in v.tokens)
    if at_end and not alternative and (inner.isupper() or (len(inner_words) >= 2 and not generic)):
        out.append(inner)  # a name of its own: "(BAT Malawi)", "(VSETC)", "(Shanghai No.4 Prison)"
    elif at_end and generic and len(inner_words) == 1:
        pass  # a descriptor: "Tianjin No. 2 Prison (Manufacturing)"
    elif words_before and len(inner_words) <= 2 and not inner.isdigit():
        # an alternative spelling or translation of the word(s) before: "Qiqihar (Tsitsihar)",
        # "Xinsheng (New Life)", "Sujiao Chang (Plastics Factory)"
        k = len(inner_words) if (at_end and generic) else 1
        replaced = " ".join(words_before[:-k] + [inner]) + piece[match.end():]
        out.extend(_paren_variants(replaced.strip()))
    return out


def parse_cbp_csv(text: str, list_name: str = "") -> list[Entity]:
    _, rows = _rows(text, CBP_COLUMNS, CBP_COLUMNS)
    problems: list[str] = []
    entities: list[Entity] = []
    for number, row in rows:
        entity_text = row["entity"]
        if not entity_text:
            problems.append(f"row {number}, column 'entity': empty")
            continue
        order = row["type"]
        if order not in {"WRO", "Finding"}:
            problems.append(f"row {number}, column 'type': '{order}' is neither 'WRO' nor 'Finding'")
        effective = _date(row["effective_date"], number, "effective_date", problems)
        country = _country(row["country"], number, "country", problems)
        name, aliases = cbp_names(entity_text)
        # A stable id across list versions: the same order (text, date, type) keeps its id when rows move.
        digest = hashlib.sha1(f"{entity_text}|{effective}|{order}".encode(), usedforsecurity=False).hexdigest()[:12]
        entities.append(Entity(
            id=f"cbp-{digest}", name=name, aliases=aliases, country=country, address="",
            list_name=list_name or f"CBP {order}", effective_date=effective, schema="Organization",
            source=f"CBP WRO/Findings; industry: {row['industry']}",
        ))
    if problems:
        raise ListError(problems)
    return entities


def _strings(value: object) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return value
    raise TypeError


def parse_ftm_json(text: str, list_name: str = "") -> list[Entity]:
    """OpenSanctions FollowTheMoney entities, one JSON object per line (``schema``, ``id``, ``properties``)."""
    problems: list[str] = []
    entities: list[Entity] = []
    seen: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {number}: not valid JSON ({exc.msg} at character {exc.pos + 1})")
            continue
        if not isinstance(obj, dict):
            problems.append(f"line {number}: expected a JSON object, got {type(obj).__name__}")
            continue
        schema, entity_id, props = obj.get("schema"), obj.get("id"), obj.get("properties", {})
        if not isinstance(schema, str) or not schema:
            problems.append(f"line {number}: 'schema' is missing or not a string")
            continue
        if schema in FTM_NOT_NAMED:
            continue
        if not isinstance(entity_id, str) or not entity_id:
            problems.append(f"line {number}: 'id' is missing or not a string")
            continue
        if not isinstance(props, dict):
            problems.append(f"line {number}: 'properties' must be an object")
            continue
        try:
            names = _strings(props.get("name"))
            aliases = [a for key in ("alias", "previousName", "weakAlias") for a in _strings(props.get(key))]
            countries = [c for key in ("country", "jurisdiction", "nationality") for c in _strings(props.get(key))]
            addresses = _strings(props.get("address"))
            datasets = _strings(obj.get("datasets"))
        except TypeError:
            problems.append(f"line {number}: property values must be lists of strings")
            continue
        names = [n.strip() for n in names if n.strip()]
        if not names:
            problems.append(f"line {number}: entity '{entity_id}' has no 'name' property")
            continue
        if entity_id in seen:
            problems.append(f"line {number}: id '{entity_id}' is already used on line {seen[entity_id]}")
            continue
        seen[entity_id] = number
        country = next((code for c in countries
                        if (code := resolve_country(c) or _COUNTRY_EXTRA.get(c.casefold()))), "")
        first_seen = obj.get("first_seen")
        effective = first_seen[:10] if isinstance(first_seen, str) and re.match(r"\d{4}-\d\d-\d\d", first_seen) else ""
        entities.append(Entity(
            id=entity_id, name=names[0],
            aliases=tuple(dict.fromkeys(a.strip() for a in names[1:] + aliases if a.strip() and a.strip() != names[0])),
            country=country, address="; ".join(addresses), list_name=list_name or ", ".join(datasets),
            effective_date=effective, schema=schema, source="FollowTheMoney JSON",
        ))
    if problems:
        raise ListError(problems)
    return entities
