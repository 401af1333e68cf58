"""CSV import throughput: a generated fairthread-format list imported with ``import_file`` into an empty DB.

Each size runs in its own process (fresh database, its own peak memory). Target: ≥ 5,000 rows/s on SQLite.
Usage: ``uv run --frozen python benchmarks/import_csv.py [--rows N]``.
"""

from __future__ import annotations

import argparse
import io
import itertools
import math
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

SIZES = (10_000, 50_000)
ROWS_PER_FACILITY = 1.45  # about this many rows per facility (one per link or declared origin)


def generated_csv(rows: int) -> bytes:
    import csv

    from fairthread.supplychain import demo

    facilities = max(demo.MIN_FACILITIES, math.ceil(rows / ROWS_PER_FACILITY))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=demo.COLUMNS, lineterminator="\n")
    writer.writeheader()
    # Buyers always come before their suppliers, so cutting the stream keeps every reference valid.
    writer.writerows(itertools.islice(demo.iter_rows(facilities, 42), rows))
    return out.getvalue().encode("utf-8")


def run_one(rows: int) -> None:
    _common.setup_django(f"import{rows}")
    from fairthread.supplychain import demo_load
    from fairthread.supplychain.importing import import_file

    data = generated_csv(rows)
    brand = demo_load.ensure_brand()
    start = time.perf_counter()
    result = import_file(data, filename=f"bench-{rows}.csv", by=None, organisation=brand)
    elapsed = time.perf_counter() - start
    if not result.ok:
        _common.fail(f"the import of {rows:,} rows failed: {result.errors[:5]}")
    suffix = "" if rows == SIZES[0] else f"_{rows // 1000}k"
    print(f"{rows:,} rows ({len(data) / 1e6:.1f} MB): {result.summary()} in {elapsed:.2f} s")
    _common.figure(f"import_csv{suffix}_rows_per_s", result.rows / elapsed, "rows/s")
    _common.figure(f"import_csv{suffix}_seconds", elapsed, "s")
    _common.figure(f"import_csv{suffix}_peak_rss_mb", _common.peak_rss_mb(), "MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, help="run one size in this process")
    args = parser.parse_args()
    if args.rows:
        run_one(args.rows)
        return
    print(f"import_csv: {_common.machine()}", flush=True)
    for rows in SIZES:
        done = subprocess.run([sys.executable, __file__, "--rows", str(rows)], check=False)
        if done.returncode:
            sys.exit(done.returncode)


if __name__ == "__main__":
    main()
