"""fairthread trainmatcher [--registry FILE] [--output PATH]"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from fairthread.matching.engine import DEFAULT_MODEL_PATH, read_matching_csv, train
from fairthread.matching.engine.model import ModelError, load_model

DEFAULT_REGISTRY = DEFAULT_MODEL_PATH.parent / "training_registry.csv"


class Command(BaseCommand):
    help = ("Train the facility-matching model offline from a registry CSV (id,name,address,country[,lat,lng,"
            "os_id,parent_company,native_name]) and save it as a versioned model file. u-probabilities come from "
            "random sampling, m-probabilities from labelled pairs generated from the registry's own records.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--registry", help=f"registry CSV (default: the shipped {DEFAULT_REGISTRY.name})")
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
        output = Path(options["output"]) if options["output"] else DEFAULT_MODEL_PATH
        thresholds = None
        with contextlib.suppress(ModelError):
            thresholds = load_model(output).thresholds  # keep thresholds already chosen for this file
        model = train(result.rows, seed=options["seed"], thresholds=thresholds, source=path.name)
        try:
            model.save(output)
        except OSError as exc:
            raise CommandError(f"cannot write {output}: {exc.strerror}", returncode=1) from None
        self.stdout.write(f"Trained model {model.version} from {len(result.rows)} facilities "
                          f"({model.training['labelled_pairs']} labelled pairs); saved to {output}.")
