"""fairthread linkregistry [--facility ID ...]

Links the facilities without an OS ID (or the given ones) to the current reference registry: a match records
the OS ID, a possible match goes to the review queue. Exit status: 0 done, 1 no registry, 2 wrong usage.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = ("Link facilities to the current reference registry (imported with `fairthread importregistry`), "
            "incrementally: facilities already linked or waiting for review are left alone.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--facility", type=int, action="append", dest="facilities", metavar="ID",
                            help="link only this facility (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        from fairthread.matching.services import MatchingError, link_to_registry

        try:
            summary = link_to_registry(by="command line", facility_ids=options["facilities"])
        except MatchingError as exc:
            raise CommandError(str(exc), returncode=1) from None
        self.stdout.write(f"{summary.matched:,} linked (OS ID recorded), {summary.review:,} sent to review, "
                          f"{summary.new:,} not in the registry.")
