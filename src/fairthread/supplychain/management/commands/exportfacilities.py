"""fairthread exportfacilities OUTPUT --format osh|odsas [--tiers 1,2]"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fairthread.supplychain.exporting import EXPORT_FORMATS, export_facilities, kind_for, write_export
from fairthread.supplychain.models import Facility


def parse_tiers(text: str) -> tuple[set[int], bool]:
    """ "1,2" -> ({1, 2}, False); "unknown" adds the facilities whose tier is not known yet."""
    tiers: set[int] = set()
    unknown = False
    for part in text.split(","):
        token = part.strip().lower()
        if not token:
            continue
        if token in {"unknown", "none", "?"}:
            unknown = True
        elif token in {"1", "2", "3", "4"}:
            tiers.add(int(token))
        else:
            raise ValueError(f"'{part.strip()}' is not a tier: use 1, 2, 3, 4 or unknown, e.g. --tiers 1,2")
    if not tiers and not unknown:
        raise ValueError("--tiers needs at least one tier, e.g. --tiers 1,2")
    return tiers, unknown


class Command(BaseCommand):
    help = "Export the facility list (transparency list) as CSV or XLSX in Open Supply Hub or ODSAS format."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("output", help="file to write: .csv or .xlsx")
        parser.add_argument("--format", dest="fmt", choices=EXPORT_FORMATS, required=True)
        parser.add_argument(
            "--tiers",
            help="publish only these tiers, e.g. 1,2 (add 'unknown' for facilities "
            "without a tier); default: all facilities",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        output = options["output"]
        try:
            kind_for(output)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=1) from None
        tiers: set[int] | None = None
        include_unknown = True
        if options["tiers"] is not None:
            try:
                tiers, include_unknown = parse_tiers(options["tiers"])
            except ValueError as exc:
                raise CommandError(str(exc), returncode=1) from None
        rows = export_facilities(Facility.objects.all(), options["fmt"], tiers, include_unknown)
        try:
            write_export(rows, output)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}", returncode=1) from None
        self.stdout.write(f"Wrote {len(rows) - 1} facilities to {output} ({options['fmt']} format).")
