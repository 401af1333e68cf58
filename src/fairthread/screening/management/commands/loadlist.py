"""fairthread loadlist FILE --format cbp|csv|ftm --name NAME

Stores the file as a new version of the named restricted list (an identical file adds no version) and
re-screens what changed. Exit status: 0 done, 1 invalid input, 2 wrong usage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fairthread.screening.lists import FORMATS, ListError
from fairthread.screening.models import RestrictedList


class Command(BaseCommand):
    help = "Load a restricted-list file as a new list version and re-screen what changed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the list file")
        parser.add_argument("--format", dest="list_format", choices=FORMATS, required=True,
                            help="csv (the simple list format), cbp (CBP WRO/Findings CSV), ftm (FollowTheMoney JSON)")
        parser.add_argument("--name", required=True, help="the list's name (a new name creates the list)")
        parser.add_argument("--type", dest="list_type", choices=RestrictedList.ListType.values, default=None,
                            help="list type for a new list (default: from the format)")

    def handle(self, *args: Any, **options: Any) -> None:
        from fairthread.screening.services import load_list_version

        name = options["name"].strip()
        if not name:
            raise CommandError("--name must not be empty.", returncode=2)
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=1) from None
        try:
            result, stats = load_list_version(data, fmt=options["list_format"], name=name, filename=path.name,
                                              by="command line", list_type=options["list_type"])
        except ListError as exc:
            for problem in exc.problems:
                self.stderr.write(f"{path.name}: {problem}")
            n = len(exc.problems)
            raise CommandError(f"{n} problem{'s' if n != 1 else ''} found; nothing was loaded.", returncode=1) from None
        v = result.version
        if not result.created:
            self.stdout.write(f"{name}: the file is identical to version {v.number}; no new version.")
            return
        self.stdout.write(f"{name}: version {v.number} stored with {v.entity_count:,} entities.")
        if stats is not None:
            self.stdout.write(f"  re-screened {stats.queries:,} name(s): {stats.raised:,} new hit(s), "
                              f"{stats.updated:,} updated, {stats.withdrawn:,} withdrawn.")
