"""The matching file format: reading and checking ``id,name,address,country[,lat,lng,os_id,parent_company,
native_name]`` CSV files, and writing ``input_id,decision,matched_id,score``."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from fairthread.reference.countries import resolve_country

REQUIRED = ("id", "name", "address", "country")
OPTIONAL = ("lat", "lng", "os_id", "parent_company", "native_name", "coordinate_precision")
OUTPUT_COLUMNS = ("input_id", "decision", "matched_id", "score")


@dataclass
class ReadResult:
    rows: list[dict[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def read_matching_csv(path: Path, max_errors: int = 200) -> ReadResult:
    """Rows with ``country`` resolved to ISO-2; errors as ``row N, column 'X': message`` (N = line number of the
    data row, header = row 1)."""
    result = ReadResult()
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        result.errors.append(f"no such file: {path}")
        return result
    except OSError as exc:
        result.errors.append(f"cannot read {path}: {exc.strerror}")
        return result
    if b"\x00" in data:
        result.errors.append(f"{path.name} is not a CSV text file")
        return result
    reader = csv.reader(io.StringIO(_decode(data), newline=""))
    header = next(reader, None)
    if not header:
        result.errors.append(f"row 1: {path.name} is empty (expected the columns {', '.join(REQUIRED)})")
        return result
    columns = [h.strip().lower() for h in header]
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        for c in missing:
            result.errors.append(f"row 1, column '{c}': missing required column")
        return result
    index = {c: columns.index(c) for c in (*REQUIRED, *OPTIONAL) if c in columns}
    seen: dict[str, int] = {}
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        row = {c: (values[i].strip() if i < len(values) else "") for c, i in index.items()}
        problems = _check(row, line, seen)
        if problems:
            result.errors.extend(problems)
            if len(result.errors) >= max_errors:
                result.errors.append(f"stopped after {max_errors} problems")
                break
            continue
        result.rows.append(row)
    return result


def _check(row: dict[str, str], line: int, seen: dict[str, int]) -> list[str]:
    problems = []
    if not row["id"]:
        problems.append(f"row {line}, column 'id': empty; every row needs an id")
    elif row["id"] in seen:
        problems.append(f"row {line}, column 'id': '{row['id']}' already used on row {seen[row['id']]}")
    else:
        seen[row["id"]] = line
    if not row["name"] and not row.get("native_name"):
        problems.append(f"row {line}, column 'name': empty; every facility needs a name")
    code = resolve_country(row["country"])
    if not row["country"]:
        problems.append(f"row {line}, column 'country': empty; give an ISO-2 code or a country name")
    elif code is None:
        problems.append(f"row {line}, column 'country': '{row['country']}' is not a known country")
    else:
        row["country"] = code
    for col, bound in (("lat", 90.0), ("lng", 180.0)):
        text = row.get(col, "")
        if not text:
            continue
        try:
            value = float(text)
        except ValueError:
            problems.append(f"row {line}, column '{col}': '{text}' is not a number")
            continue
        if not -bound <= value <= bound:
            problems.append(f"row {line}, column '{col}': {text} is outside -{bound:g}..{bound:g}")
    if bool(row.get("lat")) != bool(row.get("lng")):
        col = "lng" if row.get("lat") else "lat"
        problems.append(f"row {line}, column '{col}': give both lat and lng, or neither")
    return problems


def write_results(path: Path, results: Iterable[tuple[str, str, str, float]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(OUTPUT_COLUMNS)
        for input_id, decision, matched_id, score in results:
            writer.writerow([input_id, decision, matched_id, f"{score:.4f}"])
            count += 1
    return count
