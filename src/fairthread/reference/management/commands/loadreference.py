"""fairthread loadreference DATASET FILE [--edition E] | fairthread loadreference --defaults

Exit status: 0 loaded (or unchanged), 1 invalid input (nothing written), 2 wrong usage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fairthread.reference.loaders import SHIPPED, LoadResult, UsageProblem, load_defaults, load_file
from fairthread.reference.parsers import PARSERS

DATASET_HELP = {
    "gsi": "Walk Free Global Slavery Index country table (CSV or XLSX)",
    "dol": "US DOL List of Goods Produced by Child Labor or Forced Labor (CSV)",
    "dol-xml": "the same DOL list in the DOL's XML format",
    "ilo": "ILO forced-labour indicators with definitions (fairthread YAML)",
    "high-risk-regions": "regions with state-imposed forced labour (fairthread CSV)",
    "good-mapping": "fairthread materials and facility types → DOL goods (fairthread CSV)",
}


class Command(BaseCommand):
    help = (
        "Load a reference dataset edition from the publisher's own file, or (--defaults) the files shipped "
        "with fairthread. The new edition becomes current; older editions are kept; loading the same file "
        "again changes nothing. Datasets: " + "; ".join(f"{k}: {v}" for k, v in DATASET_HELP.items()) + "."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dataset", nargs="?", choices=list(PARSERS), metavar="DATASET",
                            help=f"one of {', '.join(PARSERS)}")
        parser.add_argument("file", nargs="?", metavar="FILE", help="the file to load")
        parser.add_argument("--edition", help="edition label, e.g. 2024 (default: from the file or its name)")
        parser.add_argument("--name", help="dataset name (default: the publisher's)")
        parser.add_argument("--source", help="source URL or citation")
        parser.add_argument("--licence", help="licence or terms of use")
        parser.add_argument("--attribution", help="attribution text shown with the data")
        parser.add_argument("--defaults", action="store_true", help="load every file shipped with fairthread")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["defaults"]:
            if options["dataset"] or options["file"]:
                raise CommandError("Give either --defaults or DATASET FILE, not both.", returncode=2)
            for shipped, result in zip(SHIPPED, load_defaults(), strict=True):
                self._report(result, shipped.filename)
                if not result.ok:
                    raise CommandError("A shipped reference file is invalid; nothing was written for it.",
                                       returncode=1)
            return
        if not options["dataset"] or not options["file"]:
            raise CommandError("Give DATASET and FILE (e.g. loadreference gsi gsi_2024.csv --edition 2024), "
                               "or --defaults.", returncode=2)
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}", returncode=1)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}", returncode=1) from None
        try:
            result = load_file(
                options["dataset"], data, filename=path.name, edition=options["edition"],
                name=options["name"], source=options["source"], licence=options["licence"],
                attribution=options["attribution"],
            )
        except UsageProblem as exc:
            raise CommandError(str(exc), returncode=2) from None
        self._report(result, path.name)
        if not result.ok:
            n = len(result.errors)
            raise CommandError(f"{n} problem{'s' if n != 1 else ''} found in {path.name}; nothing was loaded.",
                               returncode=1)

    def _report(self, result: LoadResult, label: str) -> None:
        for warning in result.warnings:
            self.stderr.write(f"warning: {warning}")
        for error in result.errors:
            self.stderr.write(error)
        if not result.ok:
            return
        state = "current" if result.is_current else "kept, not current"
        if result.unchanged:
            self.stdout.write(f"Unchanged: {label} is already stored as {result.name} {result.edition} "
                              f"({result.rows} rows, {state}).")
            return
        replaced = f"; replaces edition {result.replaced}" if result.replaced else ""
        self.stdout.write(f"Loaded {result.name} {result.edition} from {label}: {result.rows} rows ({state}"
                          f"{replaced}).")
