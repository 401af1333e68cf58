"""fairthread assessrisk [--methodology VERSION] [--output FILE.csv]: assess every facility and summarise."""

from __future__ import annotations

import csv
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fairthread.risk import services
from fairthread.risk.models import FacilityAssessment
from fairthread.supplychain.models import Facility

OUTPUT_COLUMNS = ["facility_ref", "name", "country", "tier", "severity", "likelihood", "priority_rank", "band",
                  "exposure", "explanation"]
BAR_WIDTH = 30


def _number(value: float) -> str:
    """Rounded to 4 decimals, written the same way every time (no exponent, no trailing noise)."""
    text = f"{round(float(value), 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def write_results(run: Any, path: Path) -> int:
    """One row per facility of a full run, in priority order (ranks are unique and follow the ordering)."""
    rows = FacilityAssessment.objects.filter(run=run).order_by("priority_rank", "facility_ref").values_list(
        "facility_id", "facility_ref", "country", "tier", "severity", "likelihood", "band", "exposure",
        "explanation")
    names = dict(Facility.objects.values_list("id", "name").iterator(chunk_size=10_000))
    count = 0
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(OUTPUT_COLUMNS)
        for rank, (fid, ref, country, tier, sev, lik, band, exp, text) in enumerate(
                rows.iterator(chunk_size=5_000), start=1):
            writer.writerow([ref, names.get(fid, ""), country, "" if tier is None else tier, _number(sev),
                             _number(lik), rank, band, _number(exp), text])
            count += 1
    return count


class Command(BaseCommand):
    help = "Assess every facility's forced-labour risk, store the run and print facilities per band and the top " \
           "critical areas."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--methodology", metavar="VERSION", help="Methodology version (default: the newest)")
        parser.add_argument("--output", metavar="FILE.csv", help="Also write one row per facility to this CSV file")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"]) if options.get("output") else None
        if output is not None and output.suffix.lower() != ".csv":
            raise CommandError(f"--output must name a .csv file, not '{output.name}'.", returncode=2)
        if output is not None and not output.parent.exists():
            raise CommandError(f"The folder {output.parent} does not exist.", returncode=2)
        tty = sys.stderr.isatty()
        try:
            run = services.run_assessment(by=None, methodology_version=options.get("methodology"),
                                          progress=self._progress if tty else None)
        except services.UnknownMethodology as exc:
            raise CommandError(
                f"No methodology version '{exc.version}'. Versions: {', '.join(exc.known)}.", returncode=1
            ) from None
        if tty:
            self.stderr.write("")
        self._summary(run)
        if output is not None:
            n = write_results(run, output)
            self.stdout.write(f"Wrote {n:,} facilities to {output}.")

    def _progress(self, stage: str, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        self.stderr.write(f"\r{stage:<10} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done:,}/{total:,}",
                          ending="")
        self.stderr.flush()

    def _summary(self, run: Any) -> None:
        summary = run.summary
        self.stdout.write(f"Assessment run #{run.pk}: {run.facility_count:,} facilities, methodology "
                          f"{run.method_version}, editions "
                          + (", ".join(f"{k} {v}" for k, v in sorted(run.editions.items())) or "none")
                          + f" ({run.duration_seconds or 0:.1f} s).")
        self.stdout.write("Facilities per band:")
        for band in services.BANDS:
            self.stdout.write(f"  {band:<9}{summary['facilities_per_band'].get(band, 0):>9,}")
        if summary.get("irremediable"):
            self.stdout.write(f"  state-imposed forced labour (avoid / exit): {summary['irremediable']:,}")
        areas = summary.get("top_critical_areas") or []
        self.stdout.write("Top critical areas (country, tier, material — severity first):" if areas
                          else "No critical areas.")
        for a in areas:
            tier = f"tier {a['tier']}" if a["tier"] else "tier unknown"
            self.stdout.write(
                f"  {a['rank']:>2}. {a['country']} {tier} {a['material'] or 'no material'}: {a['facilities']:,} "
                f"facilities, {a['workers_potentially_affected']:,} workers, severity {a['highest_severity']:.2f}, "
                f"likelihood {a['likelihood']:.2f}")
