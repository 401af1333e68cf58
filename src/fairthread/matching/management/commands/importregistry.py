"""fairthread importregistry FILE --name NAME [--source TEXT] [--licence TEXT]

Loads an Open Supply Hub facilities export (CSV) as the current reference registry and prepares it once for
linking. Exit status: 0 done, 1 invalid input (each problem printed with its row and column), 2 wrong usage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = ("Import an Open Supply Hub facilities export (CSV: os_id, name, address, country_code or country, "
            "lat, lon/lng, ...) as the current reference registry; then `fairthread linkregistry` links the "
            "brand's facilities to it.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the export (CSV)")
        parser.add_argument("--name", required=True, help="a name for this edition, e.g. 'Open Supply Hub 2026-11'")
        parser.add_argument("--source", default="", help="where the file came from (URL, date)")
        parser.add_argument("--licence", default="", help="its licence, e.g. 'CC BY-SA 4.0'")

    def handle(self, *args: Any, **options: Any) -> None:
        from fairthread.matching.services import MatchingError, import_registry

        name = options["name"].strip()
        if not name:
            raise CommandError("--name must not be empty.", returncode=2)
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=1) from None
        try:
            edition = import_registry(data, filename=path.name, name=name, by="command line",
                                      source=options["source"], licence=options["licence"])
        except MatchingError as exc:
            for problem in exc.problems:
                self.stderr.write(problem)
            n = len(exc.problems)
            raise CommandError(f"{n} problem{'s' if n != 1 else ''} found; nothing was imported.",
                               returncode=1) from None
        self.stdout.write(f"{edition.name}: {edition.row_count:,} registry facilities imported and prepared "
                          f"({edition.database_path}).")
