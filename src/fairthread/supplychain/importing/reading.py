"""Turning uploaded bytes into a header and rows of text: XLSX or CSV, encoding and delimiter detected.

Every problem with the file as a whole is raised as ``FileProblem`` with a message in plain words.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass

import charset_normalizer
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

DELIMITERS = (",", ";", "\t")
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig", "UTF-8 with byte-order mark"),
    (b"\xff\xfe", "utf-16", "UTF-16 (little-endian)"),
    (b"\xfe\xff", "utf-16", "UTF-16 (big-endian)"),
)
_ALLOWED_CONTROLS = {"\t", "\n", "\r"}


class FileProblem(Exception):  # noqa: N818 - a message for the user, not a programming error
    """A problem with the file as a whole (not with one row)."""


@dataclass
class Table:
    headers: list[str]
    # (data row number counted from 1 after the header, cells)
    rows: list[tuple[int, list[str]]]
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""


def _looks_like_text(text: str) -> bool:
    """Text, not binary that happened to decode: (almost) no control characters."""
    if not text:
        return True
    sample = text[:200_000]
    controls = sum(1 for ch in sample if (ch < " " and ch not in _ALLOWED_CONTROLS) or "\x7f" <= ch <= "\x9f")
    return controls <= len(sample) // 1000


def _utf16_without_bom(data: bytes) -> str | None:
    """UTF-16 saved without a byte-order mark: every other byte of ASCII text is NUL."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    for zeros, codec in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if zeros.count(0) >= 0.8 * len(zeros):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding name). BOMs first, then strict UTF-8, then Windows-1252, then charset-normalizer."""
    text, encoding = _decode(data)
    if "\x00" in text:
        # A NUL character is binary data, never a supplier name; PostgreSQL cannot store it in text either.
        raise FileProblem(
            "The file is not a CSV or XLSX file: it contains binary data (NUL characters). Upload a CSV "
            "(comma, semicolon or tab separated) or an Excel .xlsx workbook."
        )
    return text, encoding


def _decode(data: bytes) -> tuple[str, str]:
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise FileProblem(
                    f"The file starts with a {label} byte-order mark but cannot be decoded as {label} "
                    f"(bad bytes at position {exc.start}). Save it again as UTF-8 CSV."
                ) from None
            return text.lstrip("\ufeff"), label
    if b"\x00" in data:
        text = _utf16_without_bom(data)
        if text is not None and _looks_like_text(text):
            return text, "UTF-16 (no byte-order mark)"
        raise FileProblem(
            "The file is not a CSV or XLSX file: it contains binary data. Upload a CSV (comma, semicolon or "
            "tab separated) or an Excel .xlsx workbook."
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_like_text(text):
            return text, "UTF-8"
        raise FileProblem(
            "The file cannot be read as text: it contains control characters. Upload a CSV or an .xlsx file."
        )
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        pass
    else:
        if _looks_like_text(text):
            return text, "Windows-1252"
    best = charset_normalizer.from_bytes(data[:1_000_000]).best()
    if best is not None and best.encoding:
        try:
            text = data.decode(best.encoding)
        except (UnicodeDecodeError, LookupError):
            text = ""
        if text and _looks_like_text(text):
            return text, best.encoding
    raise FileProblem(
        "The file cannot be decoded: it is not UTF-8, UTF-16 or Windows-1252 text. Save it as "
        '"CSV UTF-8" (or as .xlsx) and upload it again.'
    )


def _sniff_delimiter(text: str) -> str:
    """The delimiter that splits the header line most, counting only outside quotes."""
    first = ""
    for line in text.splitlines():
        if line.strip():
            first = line
            break
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for ch in first:
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in counts:
            counts[ch] += 1
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    return str(value).strip()


def _collect(rows_iter, max_rows: int) -> tuple[list[str], list[tuple[int, list[str]]]]:
    headers: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    number = 0
    for cells in rows_iter:
        if headers is None:
            if any(c.strip() for c in cells):
                headers = cells
            continue
        number += 1
        if not any(c.strip() for c in cells):
            continue  # blank lines are skipped but still counted, so row numbers match the file
        rows.append((number, cells))
        if len(rows) > max_rows:
            raise FileProblem(
                f"The file has more than {max_rows:,} data rows, the limit. Split it into smaller files, "
                "or raise the limit with the FAIRTHREAD_IMPORT_MAX_ROWS setting."
            )
    if headers is None:
        raise FileProblem("The file has no header row: it contains only empty lines or cells.")
    return headers, rows


def read_csv(data: bytes, max_rows: int) -> Table:
    text, encoding = decode(data)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers, rows = _collect(([c.strip() for c in row] for row in reader), max_rows)
    except csv.Error as exc:
        raise FileProblem(f"The file is not a valid CSV file (line {reader.line_num}): {exc}.") from None
    return Table(headers=headers, rows=rows, kind="csv", encoding=encoding, delimiter=delimiter)


def read_xlsx(data: bytes, max_rows: int) -> Table:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError, TypeError):
        raise FileProblem(
            "The file is not a valid Excel .xlsx workbook (it may be damaged, password-protected or another "
            "kind of file). Save it again as .xlsx or as CSV."
        ) from None
    try:
        if not workbook.worksheets:
            raise FileProblem("The workbook has no worksheets.")
        sheet = workbook.worksheets[0]
        rows_iter = ([_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True))
        try:
            headers, rows = _collect(rows_iter, max_rows)
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError, OSError):
            raise FileProblem("The .xlsx workbook is damaged: its first sheet cannot be read.") from None
    finally:
        workbook.close()
    return Table(headers=headers, rows=rows, kind="xlsx", encoding="xlsx")


def _is_xlsx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return False


def read_table(data: bytes, filename: str, *, max_bytes: int, max_rows: int) -> Table:
    if not data:
        raise FileProblem("The file is empty (0 bytes).")
    if len(data) > max_bytes:
        raise FileProblem(
            f"The file is too large: {len(data) / 1_048_576:.1f} MB, and the limit is "
            f"{max_bytes / 1_048_576:.1f} MB ({max_bytes:,} bytes). Split it, or raise the limit with the "
            "FAIRTHREAD_IMPORT_MAX_BYTES setting."
        )
    if data.startswith(b"PK\x03\x04"):
        if _is_xlsx(data):
            return read_xlsx(data, max_rows)
        raise FileProblem(
            "The file is not a CSV or XLSX file: it is a ZIP archive (or another Office format). "
            "Upload a CSV or an Excel .xlsx workbook."
        )
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileProblem(
            "This is an old Excel .xls (or other legacy Office) file, which fairthread does not read. "
            "Save it as .xlsx or CSV and upload it again."
        )
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise FileProblem(
            f"'{filename}' is named like an Excel workbook but is not a valid .xlsx file. Save it again as "
            ".xlsx or as CSV."
        )
    return read_csv(data, max_rows)
