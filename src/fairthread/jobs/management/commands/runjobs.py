"""``fairthread runjobs``: run every periodic job once and exit (cron or a systemd timer calls it)."""

from __future__ import annotations

import logging
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fairthread.jobs import registry

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Run the periodic jobs once (overdue-challenge notifications, tier recomputation, …) and exit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--only", action="append", metavar="NAME", default=[],
                            help="Run only this job (repeatable). See --list.")
        parser.add_argument("--list", action="store_true", help="List the periodic jobs and exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["list"]:
            for job in registry.PERIODIC_JOBS:
                self.stdout.write(f"{job.name}: {job.description}")
            return
        unknown = [name for name in options["only"] if registry.get(name) is None]
        if unknown:
            known = ", ".join(job.name for job in registry.PERIODIC_JOBS)
            raise CommandError(f"Unknown job(s): {', '.join(unknown)}. Known jobs: {known}.")
        jobs = [registry.get(n) for n in options["only"]] if options["only"] else registry.PERIODIC_JOBS
        failed = 0
        for job in jobs:
            assert job is not None
            try:
                summary = job.function()
            except Exception as exc:  # one broken job must not stop the others
                log.exception("periodic job %s failed", job.name)
                self.stderr.write(f"{job.name}: FAILED ({exc})")
                failed += 1
                continue
            self.stdout.write(f"{job.name}: {summary}")
        if failed:
            raise CommandError(f"{failed} job(s) failed; see the log.")
