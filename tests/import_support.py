"""Helpers shared by the import/export tests (no tests here)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from fairthread.__main__ import main
from fairthread.supplychain.models import Facility, FacilitySource, SourcingLink

DATA = Path(__file__).parent / "data" / "facilities"
OAR_LISTS = sorted((DATA / "oar_lists").glob("*.csv"), key=lambda p: int(p.stem))


def db_counts() -> tuple[int, int, int]:
    return Facility.objects.count(), SourcingLink.objects.count(), FacilitySource.objects.count()


def csv_bytes(rows: list[list[str]], encoding: str = "utf-8", delimiter: str = ",") -> bytes:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode(encoding)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """Run `fairthread ARGS` in-process; returns (exit code, stdout, stderr)."""
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err
