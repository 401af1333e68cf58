"""`fairthread generatedemo --facilities N --seed S [--output FILE]`: the deterministic demo supply chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fairthread.supplychain import demo


class Command(BaseCommand):
    help = (
        "Generate a realistic, deterministic supply chain for a fashion retailer: write it as a "
        "fairthread-format CSV (--output) or load it into the database."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--facilities", type=int, default=2_000, help="number of facilities (default 2,000)"
        )
        parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
        parser.add_argument(
            "--output", help="write a fairthread-format CSV to this file ('-' for standard output)"
        )
        parser.add_argument(
            "--bulk",
            action="store_true",
            help="load with bulk inserts instead of the importer (automatic above 10,000)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        n, seed, output = options["facilities"], options["seed"], options["output"]
        if n < demo.MIN_FACILITIES:
            raise CommandError(f"--facilities must be at least {demo.MIN_FACILITIES} (got {n}).")
        if output:
            if output == "-":
                # Each CSV row ends in a newline, so the wrapper adds none.
                demo.write_csv(self.stdout, n, seed)  # type: ignore[arg-type]
                return
            path = Path(output)
            if path.suffix.lower() not in {".csv", ""}:
                raise CommandError("The demo is written as CSV; give the output file a .csv extension.")
            if not path.parent.exists():
                raise CommandError(f"The folder {path.parent} does not exist.")
            with path.open("w", encoding="utf-8", newline="") as out:
                rows = demo.write_csv(out, n, seed)
            self.stdout.write(f"Wrote {rows:,} rows for {n:,} facilities (seed {seed}) to {path}.")
            return
        from fairthread.supplychain import demo_load

        result = demo_load.load(n, seed, bulk=True if options["bulk"] else None)
        if not result.ok:
            for message in result.errors:
                self.stderr.write(message)
            raise CommandError(
                "The demo data could not be loaded (see the problems above); nothing was written."
            )
        self.stdout.write(result.summary())
