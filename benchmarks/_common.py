"""Shared set-up for the benchmarks: a throw-away data directory and SQLite database, and figure output.

Every figure is printed on its own line as ``BENCH <figure_name> <value> <unit>`` so tools can collect it.
"""

from __future__ import annotations

import atexit
import os
import platform
import resource
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(label: str) -> Path:
    """Point fairthread at a fresh temporary data directory (SQLite inside), set Django up and migrate."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"fairthread-bench-{label}-"))
    atexit.register(shutil.rmtree, data_dir, ignore_errors=True)
    os.environ["FAIRTHREAD_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)  # the figures in docs/benchmarks.md are for SQLite
    os.environ.setdefault("FAIRTHREAD_TASK_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
    os.environ["DJANGO_SETTINGS_MODULE"] = "fairthread.settings"
    sys.path.insert(0, str(ROOT / "src"))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)
    return data_dir


def figure(name: str, value: float, unit: str) -> None:
    shown = f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}"
    print(f"BENCH {name} {shown} {unit}", flush=True)


def peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux (bytes on macOS).
    kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return kb / 1024 / (1024 if sys.platform == "darwin" else 1)


def machine() -> str:
    return (f"{os.cpu_count()} CPUs, {platform.machine()}, {platform.system()} {platform.release()}, "
            f"Python {platform.python_version()}")


def fail(message: str) -> None:
    print(f"benchmark failed: {message}", file=sys.stderr, flush=True)
    sys.exit(1)
