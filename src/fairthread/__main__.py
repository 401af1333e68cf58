"""The `fairthread` console script: Django management commands with fairthread's settings.

`fairthread migrate`, `fairthread importfacilities FILE`, `python -m fairthread COMMAND` all land here.
Exit codes follow the project's convention: 0 success, 1 invalid input, 2 wrong usage.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fairthread.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    args = ["fairthread", *(sys.argv[1:] if argv is None else argv)]
    try:
        execute_from_command_line(args)
    except ImproperlyConfigured as exc:
        # A configuration mistake is the operator's input: say what to fix, without a traceback.
        sys.stderr.write(f"fairthread: configuration error: {exc}\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
