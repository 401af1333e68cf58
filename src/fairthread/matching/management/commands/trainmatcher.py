"""fairthread trainmatcher [--registry FILE] [--real-pairs FILE | --no-real-pairs] [--with-decisions] [--output PATH]
[--seed N]"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fairthread.matching.engine import DEFAULT_MODEL_PATH, read_matching_csv, train
from fairthread.matching.engine.mining import read_real_pairs
from fairthread.matching.engine.model import ModelError, load_model

DEFAULT_REGISTRY = DEFAULT_MODEL_PATH.parent / "training_registry.csv"
DEFAULT_REAL_PAIRS = DEFAULT_MODEL_PATH.parent / "real_pairs.csv"


class Command(BaseCommand):
    help = ("Train the facility-matching model offline from a registry CSV (id,name,address,country[,lat,lng,"
            "os_id,parent_company,native_name]) and save it as a versioned model file. u-probabilities come from "
            "random sampling, m-probabilities from labelled pairs: generated from the registry's own records and real "
            "pairs of one facility as two real lists wrote it.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--registry", help=f"registry CSV (default: the shipped {DEFAULT_REGISTRY.name})")
        parser.add_argument("--real-pairs", help="real labelled pairs CSV (default: the shipped "
                            f"{DEFAULT_REAL_PAIRS.name}, its training part)")
        parser.add_argument("--no-real-pairs", action="store_true", help="train on generated pairs only")
        parser.add_argument("--with-decisions", action="store_true",
                            help="add the pairs people confirmed in the review queue (stored decisions) to the real "
                                 "labelled pairs")
        parser.add_argument("--output", help=f"model file to write (default: {DEFAULT_MODEL_PATH})")
        parser.add_argument("--seed", type=int, default=20240601, help="seed for the generated pairs and sampling")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["registry"]) if options["registry"] else DEFAULT_REGISTRY
        result = read_matching_csv(path)
        if result.errors:
            for error in result.errors:
                self.stderr.write(error)
            raise CommandError(f"{path}: fix the problems above; no model was trained", returncode=1)
        if len(result.rows) < 50:
            raise CommandError(f"{path} has {len(result.rows)} facilities; training needs at least 50", returncode=1)
        real_pairs: list = []
        pairs_path = Path(options["real_pairs"]) if options["real_pairs"] else DEFAULT_REAL_PAIRS
        if not options["no_real_pairs"] and (options["real_pairs"] or DEFAULT_REAL_PAIRS.exists()):
            try:
                real_pairs = read_real_pairs(pairs_path)
            except FileNotFoundError:
                raise CommandError(f"{pairs_path}: no such file", returncode=1) from None
            except ValueError as exc:
                raise CommandError(f"{exc}; no model was trained", returncode=1) from None
        sources = [pairs_path.name] if real_pairs else []
        if options["with_decisions"]:
            from fairthread.matching.services import confirmed_pairs_for_training

            decided = confirmed_pairs_for_training()
            real_pairs = [*real_pairs, *decided]
            sources.append(f"{len(decided)} stored decisions")
        output = Path(options["output"]) if options["output"] else DEFAULT_MODEL_PATH
        thresholds, how_chosen = None, ""
        with contextlib.suppress(ModelError):
            previous = load_model(output)  # keep thresholds already chosen for this file, and how they were
            thresholds, how_chosen = previous.thresholds, str(previous.training.get("thresholds") or "")
        model = train(result.rows, seed=options["seed"], thresholds=thresholds, source=path.name,
                      real_pairs=real_pairs, real_pairs_source=" + ".join(sources))
        if how_chosen:
            model.training["thresholds"] = how_chosen
        try:
            model.save(output)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror}", returncode=1) from None
        training = model.training
        self.stdout.write(f"Trained model {model.version} from {len(result.rows)} facilities "
                          f"({training['generated_pairs']} generated and {training['real_pairs']} real labelled "
                          f"pairs); saved to {output}.")
