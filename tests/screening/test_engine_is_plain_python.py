"""The engine and the list parsers import no Django (they run in the CLI, benchmarks and workers as is)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import fairthread.screening

PACKAGE = Path(fairthread.screening.__file__).parent


def test_no_django_import_in_the_engine_sources():
    files = [*sorted((PACKAGE / "engine").glob("*.py")), PACKAGE / "lists.py"]
    assert len(files) >= 4
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(n == "django" or n.startswith("django.") for n in names), f"{path.name} imports {names}"


def test_importing_the_engine_loads_no_django():
    code = ("import sys, fairthread.screening.engine, fairthread.screening.lists; "
            "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
