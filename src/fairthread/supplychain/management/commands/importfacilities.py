"""fairthread importfacilities FILE [--organisation NAME] [--format auto|osh|odsas|fairthread] [--dry-run]"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fairthread.accounts.models import Organisation
from fairthread.supplychain.importing import import_file
from fairthread.supplychain.importing.formats import FORMAT_LABELS, FORMATS


class Command(BaseCommand):
    help = (
        "Import a supplier list (CSV or XLSX) in the Open Supply Hub, ODSAS or fairthread format. "
        "Writes nothing if any row is invalid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="CSV or XLSX file to import")
        parser.add_argument(
            "--organisation",
            metavar="NAME",
            help="the organisation the list comes from (recorded as each value's source)",
        )
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=["auto", *FORMATS],
            default="auto",
            help="file format (default: detect from the headers)",
        )
        parser.add_argument("--dry-run", action="store_true", help="validate only; write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}", returncode=1)
        organisation = None
        if options["organisation"]:
            name = options["organisation"]
            organisation = Organisation.objects.filter(name__iexact=name.strip()).first()
            if organisation is None:
                known = (
                    ", ".join(Organisation.objects.order_by("name").values_list("name", flat=True))
                    or "none yet"
                )
                raise CommandError(
                    f"No organisation named '{name}'. Existing organisations: {known}.", returncode=1
                )
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}", returncode=1) from None
        result = import_file(
            data,
            filename=path.name,
            by=None,
            organisation=organisation,
            file_format=options["file_format"],
            dry_run=options["dry_run"],
        )
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        if not result.ok:
            for error in result.errors:
                self.stderr.write(error)
            n = len(result.errors)
            raise CommandError(
                f"{n} problem{'s' if n != 1 else ''} found in {path.name}; nothing was imported.",
                returncode=1,
            )
        label = FORMAT_LABELS.get(result.file_format, result.file_format)
        verb = "Checked" if options["dry_run"] else "Imported"
        self.stdout.write(f"{verb} {result.rows} rows from {path.name} ({label}).")
        self.stdout.write(
            f"created: {result.created}  updated: {result.updated}  unchanged: {result.unchanged}  "
            f"links created: {result.links_created}"
        )
        if options["dry_run"]:
            self.stdout.write("Dry run: nothing was written.")
