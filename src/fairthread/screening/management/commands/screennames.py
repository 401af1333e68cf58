"""fairthread screennames INPUT.csv --list LIST.csv [--list ...] [--format csv|cbp|ftm] --output OUT.csv

Screens the names in a file against restricted lists without touching the database.
INPUT.csv: columns ``id,name,country`` (and optionally ``address``). OUT.csv: one row per input row,
``input_id,decision,entity_id,score``. Exit status: 0 done, 1 invalid input, 2 wrong usage.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fairthread.reference.countries import resolve_country, suggest_country
from fairthread.screening.engine import ENGINE_VERSION, Entity, Query, Screener, Thresholds
from fairthread.screening.lists import FORMATS, ListError, load_list

INPUT_REQUIRED = ("id", "name", "country")
INPUT_ALLOWED = ("id", "name", "country", "address")
OUTPUT_COLUMNS = ("input_id", "decision", "entity_id", "score")


def read_input(data: bytes) -> tuple[list[Query], list[str]]:
    """Queries from INPUT.csv, or the list of problems (``row N, column 'X': message``)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [f"the input file is not UTF-8 text (invalid byte at position {exc.start})"]
    if "\x00" in text:
        return [], ["the input file contains NUL characters: it looks like binary data, not a CSV file"]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        return [], ["the input file is empty (expected the header id,name,country)"]
    except csv.Error as exc:
        return [], [f"the header row cannot be read as CSV: {exc}"]
    problems = [f"missing column '{c}' (the header must include: id, name, country; address is optional)"
                for c in INPUT_REQUIRED if c not in header]
    problems += [f"column '{c}' is not expected (columns: {', '.join(INPUT_ALLOWED)})"
                 for c in header if c and c not in INPUT_ALLOWED]
    if problems:
        return [], problems
    queries: list[Query] = []
    seen: dict[str, int] = {}
    number = 0
    try:
        for cells in reader:
            number += 1
            if not any(c.strip() for c in cells):
                continue
            row = {c: (cells[i].strip() if i < len(cells) else "") for i, c in enumerate(header)}
            if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
                problems.append(f"row {number}: {len(cells)} cells but the header has {len(header)} columns")
                continue
            if not row["id"]:
                problems.append(f"row {number}, column 'id': empty (every row needs an id)")
            elif row["id"] in seen:
                problems.append(f"row {number}, column 'id': '{row['id']}' is already used on row {seen[row['id']]}")
            else:
                seen[row["id"]] = number
            if not row["name"]:
                problems.append(f"row {number}, column 'name': empty (nothing to screen)")
            country = ""
            if row["country"]:
                country = resolve_country(row["country"]) or ""
                if not country:
                    hint = suggest_country(row["country"])
                    extra = f" (did you mean '{hint}'?)" if hint else ""
                    problems.append(f"row {number}, column 'country': unknown country '{row['country']}'{extra}")
            queries.append(Query(id=row["id"], name=row["name"], country=country, address=row.get("address", "")))
    except csv.Error as exc:
        problems.append(f"row {number + 1}: cannot be read as CSV ({exc})")
    return queries, problems


class Command(BaseCommand):
    help = "Screen the names in a CSV file against restricted lists (no database). Writes one row per name."
    requires_system_checks: list[str] = []  # file to file: nothing here needs the database or the checks

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", help="CSV with columns id,name,country (and optionally address)")
        parser.add_argument("--list", dest="lists", action="append", required=True, metavar="LIST",
                            help="list file to screen against; give --list several times for several lists")
        parser.add_argument("--format", dest="list_format", choices=FORMATS, default="csv",
                            help="format of the list files: csv (the simple list format, default), "
                                 "cbp (CBP WRO/Findings CSV), ftm (FollowTheMoney JSON lines)")
        parser.add_argument("--output", required=True, help="CSV file to write")
        parser.add_argument("--hit-threshold", type=float, default=Thresholds.hit,
                            help=f"score from which a name is a hit (default {Thresholds.hit})")
        parser.add_argument("--review-threshold", type=float, default=Thresholds.review,
                            help=f"score from which a name goes to review (default {Thresholds.review})")
        parser.add_argument("--workers", type=int, default=2,
                            help="worker processes for files of 2,000 names or more (default 2; smaller files "
                                 "are screened in this process)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            thresholds = Thresholds(hit=options["hit_threshold"], review=options["review_threshold"])
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from None
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1", returncode=2)
        entities: list[Entity] = []
        problems: list[str] = []
        for name in options["lists"]:
            try:
                entities.extend(load_list(name, options["list_format"]))
            except ListError as exc:
                problems.extend(f"{Path(name).name}: {p}" for p in exc.problems)
        input_path = Path(options["input"])
        try:
            data = input_path.read_bytes()
        except OSError as exc:
            problems.append(f"cannot read {input_path}: {exc.strerror}")
            data = None
        queries: list[Query] = []
        if data is not None:
            queries, input_problems = read_input(data)
            problems.extend(f"{input_path.name}: {p}" for p in input_problems)
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            n = len(problems)
            raise CommandError(f"{n} problem{'s' if n != 1 else ''} found; nothing was screened.", returncode=1)
        ids = [e.id for e in entities]
        if len(set(ids)) != len(ids):
            duplicated = sorted({i for i in ids if ids.count(i) > 1})
            raise CommandError(f"the same entity id appears in more than one list: {', '.join(duplicated[:5])}",
                               returncode=1)
        screener = Screener(entities, thresholds)
        hits = screener.screen(queries, workers=options["workers"])
        output = Path(options["output"])
        tmp = output.with_name(output.name + ".part")
        try:
            with open(tmp, "w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(OUTPUT_COLUMNS)
                for hit in hits:
                    flagged = hit.decision != "clear"
                    writer.writerow([hit.query_id, hit.decision, hit.entity_id if flagged else "",
                                     f"{hit.score:.4f}".rstrip("0").rstrip(".") if hit.score else "0"])
            os.replace(tmp, output)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror}", returncode=1) from None
        counts = {d: sum(h.decision == d for h in hits) for d in ("hit", "review", "clear")}
        self.stdout.write(f"Screened {len(hits)} names against {len(entities)} list entities: "
                          f"{counts['hit']} hit, {counts['review']} review, {counts['clear']} clear "
                          f"(engine {ENGINE_VERSION}). Wrote {output}.")

