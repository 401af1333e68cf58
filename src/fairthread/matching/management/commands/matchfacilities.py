"""fairthread matchfacilities INPUT.csv --against REGISTRY.csv --output OUT.csv (no database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fairthread.matching.engine import ModelError, Registry, Thresholds, load_model, read_matching_csv, write_results


def _probability(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number between 0 and 1") from None
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(f"{text} is not between 0 and 1")
    return value


class Command(BaseCommand):
    help = ("Resolve the facilities of INPUT.csv against REGISTRY.csv with the trained matching model and write "
            "input_id,decision,matched_id,score to OUT.csv (decision: match, review or new). Works on files "
            "only: the database and its stored decisions are not used.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("input", help="CSV with id,name,address,country[,lat,lng,os_id,parent_company,native_name]")
        parser.add_argument("--against", required=True, help="the registry CSV, same columns")
        parser.add_argument("--output", required=True, help="the result CSV to write")
        parser.add_argument("--model", help="a model file from `fairthread trainmatcher` (default: the shipped one)")
        parser.add_argument("--match-threshold", type=_probability, help="auto-match at or above this score")
        parser.add_argument("--review-threshold", type=_probability, help="send to review at or above this score")
        parser.add_argument("--details", help="also write one JSON line per input row: explanation, "
                            "per-field evidence, model version")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            model = load_model(Path(options["model"]) if options["model"] else None)
        except ModelError as exc:
            raise CommandError(str(exc), returncode=1) from None
        base = model.thresholds
        try:
            thresholds = Thresholds(
                options["match_threshold"] if options["match_threshold"] is not None else base.match,
                options["review_threshold"] if options["review_threshold"] is not None else base.review,
                base.margin,
            )
        except ValueError as exc:
            raise CommandError(f"{exc} (--review-threshold must not exceed --match-threshold)", returncode=2) from None
        files = {"input": Path(options["input"]), "registry": Path(options["against"])}
        tables = {}
        failed = False
        for role, path in files.items():
            result = read_matching_csv(path)
            if result.errors:
                failed = True
                self.stderr.write(f"{path} ({role}): {len(result.errors)} problem(s):")
                for error in result.errors:
                    self.stderr.write(error)
            tables[role] = result.rows
        if failed:
            raise CommandError("nothing was matched: fix the problems above", returncode=1)
        registry = Registry(tables["registry"], model)
        try:
            run = registry.link(tables["input"], thresholds)
        finally:
            registry.close()
        output = Path(options["output"])
        try:
            write_results(output, ((r.input_id, r.decision, r.matched_id, r.score) for r in run.results))
            if options["details"]:
                with Path(options["details"]).open("w", encoding="utf-8") as handle:
                    for r in run.results:
                        handle.write(json.dumps({
                            "input_id": r.input_id, "decision": r.decision, "matched_id": r.matched_id,
                            "score": r.score, "method": r.method, "model_version": r.model_version,
                            "explanation": r.explanation, "evidence": r.evidence,
                        }, ensure_ascii=False) + "\n")
        except OSError as exc:
            raise CommandError(f"cannot write {exc.filename}: {exc.strerror}", returncode=1) from None
        counts = {d: sum(1 for r in run.results if r.decision == d) for d in ("match", "review", "new")}
        self.stdout.write(
            f"{len(run.results)} rows against {len(tables['registry'])} registry facilities: "
            f"{counts['match']} match, {counts['review']} review, {counts['new']} new "
            f"({run.pairs_compared} pairs compared, model {model.version}, {run.seconds:.2f} s). Wrote {output}."
        )
