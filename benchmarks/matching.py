"""Facility matching: quality (generated set + the 112 real labelled pairs), dedupe side by side, and speed.

Usage:
  uv run --frozen python benchmarks/matching.py             # everything (BENCH_SIZES=100000 for a quick run)
  uv run --frozen python benchmarks/matching.py --quality   # quality only
  uv run --frozen python benchmarks/matching.py --speed     # speed only
  uv run --frozen python benchmarks/matching.py --no-dedupe # skip the dedupe baseline
  uv run --frozen python benchmarks/matching.py --generate  # ONE-OFF: (re)build benchmarks/data/matching_*

(a) The generated set was built once (``--generate``, seed 20240517) from the real facilities in
``../shared/data/facilities`` (a copy ships in ``tests/data/facilities``): real facilities are split by a
seeded shuffle into a training part and a test part *before any tuning*; each part has its own registry and
its own upload (variants of registry facilities, hard negatives in the same industrial park, real facilities
absent from the registry). The test part is frozen: nothing is tuned on it. The shipped model's training
registry (``src/fairthread/matching/models/training_registry.csv``) is the training part's registry.
(b) ``../shared/data/eval/oar_facility_pairs_labelled.json`` (evaluation only): each pair's first record is
matched against a registry of all pairs' second records.

Every figure is printed as ``BENCH <name> <value> <unit>``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

ROOT = _common.ROOT
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT / "benchmarks" / "data"
SHARED = ROOT.parent / "shared" / "data"
FACILITIES = [SHARED / "facilities", ROOT / "tests" / "data" / "facilities"]
EVAL_PAIRS = SHARED / "eval" / "oar_facility_pairs_labelled.json"
TRAINING_REGISTRY = ROOT / "src" / "fairthread" / "matching" / "models" / "training_registry.csv"
DEDUPE_ENV = ROOT / "benchmarks" / ".envs" / "dedupe"
SEED = 20240517
COLUMNS = ["id", "name", "address", "country", "lat", "lng", "os_id", "parent_company", "native_name"]
SPEED_UPLOAD = 10_000
SPEED_REGISTRY = 1_000_000


# -- the generated set (built once) ----------------------------------------------------------------------------

def real_facilities() -> list[dict[str, str]]:
    from fairthread.matching.engine.text import clean
    from fairthread.reference.countries import resolve_country

    folder = next((f for f in FACILITIES if (f / "osh_facilities_subset.csv").exists()), None)
    if folder is None:
        _common.fail("the real facility lists are not there (../shared/data/facilities or tests/data/facilities)")
    out: list[dict[str, str]] = []
    with (folder / "osh_facilities_subset.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            out.append({"id": row["os_id"], "name": row["name"], "address": row["address"],
                        "country": row["country_code"], "lat": row["lat"], "lng": row["lon"], "os_id": ""})
    for path in sorted((folder / "oar_lists").glob("*.csv"), key=lambda p: int(p.stem)):
        with path.open(encoding="utf-8", errors="replace") as handle:
            for n, row in enumerate(csv.DictReader(handle), start=2):
                code = resolve_country(row.get("country") or "")
                if code and (row.get("name") or "").strip():
                    out.append({"id": f"oar{path.stem}-{n}", "name": row["name"].strip(),
                                "address": (row.get("address") or "").strip(), "country": code,
                                "lat": "", "lng": "", "os_id": ""})
    # One record per normalised name and country: the same facility twice in the source lists would make a
    # "wrong" match that is in fact right.
    seen: set[tuple[str, str]] = set()
    unique = []
    for row in out:
        key = (clean(row["name"]), row["country"])
        if key not in seen:
            seen.add(key)
            unique.append(row)
    return unique


def build_part(facilities: Sequence[dict[str, str]], rng: random.Random, prefix: str
               ) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(registry, upload with an ``expected_id`` column)."""
    from fairthread.matching.engine import variants

    absent = set(rng.sample(range(len(facilities)), k=len(facilities) // 6))
    registry = [f for i, f in enumerate(facilities) if i not in absent]
    by_country: dict[str, list[dict[str, str]]] = {}
    for f in registry:
        by_country.setdefault(f["country"], []).append(f)
    upload: list[dict[str, str]] = []
    for i, f in enumerate(facilities):
        new_id = f"{prefix}{len(upload) + 1:05d}"
        if i in absent:
            row = variants.variant(f, new_id, rng)
            row["expected_id"] = ""
            upload.append(row)
            continue
        if rng.random() < 0.7:
            row = variants.variant(f, new_id, rng)
            row["expected_id"] = f["id"]
            upload.append(row)
        if rng.random() < 0.25:
            neg = variants.hard_negative(f, by_country[f["country"]], f"{prefix}{len(upload) + 1:05d}", rng)
            if neg:
                neg["expected_id"] = ""
                upload.append(neg)
    rng.shuffle(upload)
    return registry, upload


def write_csv(path: Path, rows: Iterable[Mapping[str, str]], columns: Sequence[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def generate(force: bool) -> None:
    target = DATA / "matching_test_upload.csv"
    if target.exists() and not force:
        _common.fail(f"{target} exists: the generated set is frozen (use --generate --force to rebuild it)")
    facilities = real_facilities()
    rng = random.Random(SEED)
    order = list(range(len(facilities)))
    rng.shuffle(order)
    half = len(order) // 2
    parts = {"train": [facilities[i] for i in order[:half]], "test": [facilities[i] for i in order[half:]]}
    for part, members in parts.items():
        registry, upload = build_part(members, rng, f"{part[:2]}-")
        write_csv(DATA / f"matching_{part}_registry.csv", registry, COLUMNS)
        write_csv(DATA / f"matching_{part}_upload.csv", upload, [*COLUMNS, "expected_id"])
        print(f"{part}: registry {len(registry)}, upload {len(upload)} "
              f"({sum(1 for r in upload if r['expected_id'])} with a match)")
        if part == "train":
            write_csv(TRAINING_REGISTRY, registry, COLUMNS)


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# -- scoring -------------------------------------------------------------------------------------------------

def score(decisions: Mapping[str, tuple[str, str]], expected: Mapping[str, str]) -> dict[str, float]:
    """decisions: input id -> (decision, matched id). Quality on ``match`` decisions; review is not a match."""
    tp = fp = fn = review = 0
    for input_id, truth in expected.items():
        decision, matched = decisions.get(input_id, ("new", ""))
        if decision == "review":
            review += 1
        if decision == "match" and truth and matched == truth:
            tp += 1
        elif decision == "match":
            fp += 1
            if truth:
                fn += 1
        elif truth:
            fn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "review_share": review / max(len(expected), 1),
            "rows": len(expected), "tp": tp, "fp": fp, "fn": fn}


def report(name: str, s: Mapping[str, float]) -> None:
    print(f"{name}: P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f} review "
          f"{s['review_share']:.1%} ({s['rows']} rows; tp {s['tp']}, fp {s['fp']}, fn {s['fn']})")
    for key in ("precision", "recall", "f1"):
        print(f"BENCH {name}_{key} {s[key]:.3f} ratio", flush=True)
    print(f"BENCH {name}_review_share {s['review_share']:.3f} ratio", flush=True)


def run_ours(registry: list[dict[str, str]], upload: list[dict[str, str]]) -> tuple[dict[str, tuple[str, str]],
                                                                                       float, int]:
    from fairthread.matching.engine import Registry

    start = time.perf_counter()
    index = Registry(registry)
    run = index.link(upload)
    index.close()
    elapsed = time.perf_counter() - start
    return {r.input_id: (r.decision, r.matched_id) for r in run.results}, elapsed, run.pairs_compared


def clean_country(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    from fairthread.reference.countries import resolve_country

    out = []
    for row in rows:
        row = dict(row)
        row["country"] = resolve_country(row.get("country") or "") or (row.get("country") or "").upper()
        out.append(row)
    return out


# -- dedupe baseline (separate venv) -------------------------------------------------------------------------

DEDUPE_SCRIPT = r'''
import csv, io, json, sys, time
import dedupe

def load(path):
    with open(path, encoding="utf-8") as h:
        return {r["id"]: {"name": r["name"] or None, "address": r["address"] or None, "country": r["country"] or None}
                for r in csv.DictReader(h)}

train_reg, train_up, test_reg, test_up, out = sys.argv[1:6]
labels = json.load(open(sys.argv[6]))
fields = [dedupe.variables.String("name"), dedupe.variables.String("address", has_missing=True),
          dedupe.variables.Exact("country")]
canonical, messy = load(train_reg), load(train_up)
start = time.perf_counter()
gaz = dedupe.Gazetteer(fields)
pairs = {"match": [[messy[a], canonical[b]] for a, b in labels["match"]],
         "distinct": [[messy[a], canonical[b]] for a, b in labels["distinct"]]}
# Labelled pairs given as a training file, as OS Hub does with its training.json.
gaz.prepare_training(messy, canonical, training_file=io.StringIO(json.dumps(pairs)), sample_size=15000)
gaz.train(recall=1.0)
train_s = time.perf_counter() - start
start = time.perf_counter()
gaz.index(load(test_reg))
up = load(test_up)
results = gaz.search(up, threshold=0.5, n_matches=None, generator=False)
with open(out, "w", encoding="utf-8", newline="") as h:
    w = csv.writer(h)
    w.writerow(["input_id", "decision", "matched_id", "score"])
    for messy_id, matches in results:
        matches = sorted(matches, key=lambda m: -m[1])
        above = [m for m in matches if m[1] >= 0.8]
        if len(above) == 1:
            w.writerow([messy_id, "match", above[0][0], f"{above[0][1]:.4f}"])
        elif matches:
            w.writerow([messy_id, "review", matches[0][0], f"{matches[0][1]:.4f}"])
        else:
            w.writerow([messy_id, "new", "", "0"])
print(json.dumps({"train_s": train_s, "link_s": time.perf_counter() - start}))
'''


def ensure_dedupe_env() -> Path | None:
    python = DEDUPE_ENV / "bin" / "python"
    if python.exists():
        return python
    try:
        subprocess.run(["uv", "venv", "--python", "3.11", str(DEDUPE_ENV)], check=True, capture_output=True)
        # dedupe 3.0.3 calls BTrees' Bucket.byValue, which BTrees 6 removed.
        subprocess.run(["uv", "pip", "install", "--python", str(python), "dedupe", "btrees<6"], check=True,
                       capture_output=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", b"") or b""
        print(f"dedupe baseline skipped: could not create {DEDUPE_ENV} ({detail.decode(errors='replace')[-300:]})")
        return None
    return python


def run_dedupe(work: Path) -> tuple[dict[str, tuple[str, str]], dict[str, float]] | None:
    python = ensure_dedupe_env()
    if python is None:
        return None
    train_up = read_rows(DATA / "matching_train_upload.csv")
    train_reg_ids = [r["id"] for r in read_rows(DATA / "matching_train_registry.csv")]
    rng = random.Random(SEED)
    # The same kind of labels OS Hub trained on: matches and distincts, here from the training part only.
    match = [(r["id"], r["expected_id"]) for r in train_up if r["expected_id"]]
    distinct = [(r["id"], rng.choice(train_reg_ids)) for r in train_up if not r["expected_id"]]
    labels = {"match": match, "distinct": distinct}
    (work / "labels.json").write_text(json.dumps(labels), encoding="utf-8")
    (work / "run_dedupe.py").write_text(DEDUPE_SCRIPT, encoding="utf-8")
    for part in ("train", "test"):
        for kind in ("registry", "upload"):
            rows = clean_country(read_rows(DATA / f"matching_{part}_{kind}.csv"))
            write_csv(work / f"{part}_{kind}.csv", rows, ["id", "name", "address", "country"])
    out = work / "dedupe_out.csv"
    proc = subprocess.run(
        [str(python), str(work / "run_dedupe.py"), str(work / "train_registry.csv"), str(work / "train_upload.csv"),
         str(work / "test_registry.csv"), str(work / "test_upload.csv"), str(out), str(work / "labels.json")],
        capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "2"},
    )
    if proc.returncode != 0:
        print(f"dedupe baseline failed: {proc.stderr[-800:]}")
        return None
    timings = json.loads(proc.stdout.strip().splitlines()[-1])
    return {r["input_id"]: (r["decision"], r["matched_id"]) for r in read_rows(out)}, timings


# -- quality -------------------------------------------------------------------------------------------------

def quality(with_dedupe: bool) -> None:
    if not (DATA / "matching_test_upload.csv").exists():
        _common.fail("benchmarks/data/matching_test_upload.csv is missing: run --generate once")
    registry = clean_country(read_rows(DATA / "matching_test_registry.csv"))
    upload = read_rows(DATA / "matching_test_upload.csv")
    expected = {r["id"]: r["expected_id"] for r in upload}
    decisions, elapsed, pairs = run_ours(registry, clean_country(upload))
    print(f"generated test part: registry {len(registry)}, upload {len(upload)}, pairs compared {pairs:,}, "
          f"{elapsed:.2f} s")
    ours = score(decisions, expected)
    report("matching_generated", ours)
    _common.figure("matching_generated_pairs_compared", pairs, "pairs")
    _common.figure("matching_generated_seconds", elapsed, "s")
    if with_dedupe:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="fairthread-dedupe-") as tmp:
            outcome = run_dedupe(Path(tmp))
        if outcome is not None:
            theirs = score(outcome[0], expected)
            report("dedupe_generated", theirs)
            _common.figure("dedupe_train_seconds", outcome[1]["train_s"], "s")
            _common.figure("dedupe_link_seconds", outcome[1]["link_s"], "s")
            better = ours["f1"] > theirs["f1"] and ours["review_share"] < theirs["review_share"]
            print(f"fairthread vs dedupe: F1 {ours['f1']:.3f} vs {theirs['f1']:.3f}, review "
                  f"{ours['review_share']:.1%} vs {theirs['review_share']:.1%} -> "
                  f"{'better on both' if better else 'NOT better on both'}")
    real_pairs()


def real_pairs() -> None:
    if not EVAL_PAIRS.exists():
        print(f"real labelled pairs skipped: {EVAL_PAIRS} is not there (evaluation-only data, never shipped)")
        return
    data = json.loads(EVAL_PAIRS.read_text(encoding="utf-8"))
    firsts: list[dict[str, str]] = []
    seconds: list[dict[str, str]] = []
    expected: dict[str, str] = {}
    for label in ("match", "distinct"):
        for n, pair in enumerate(data[label]):
            a, b = pair["__value__"] if isinstance(pair, dict) else pair
            left_id, right_id = f"{label}{n}a", f"{label}{n}b"
            firsts.append({"id": left_id, "name": a["name"], "address": a["address"], "country": a["country"]})
            seconds.append({"id": right_id, "name": b["name"], "address": b["address"], "country": b["country"]})
            expected[left_id] = right_id if label == "match" else ""
    decisions, elapsed, pairs = run_ours(clean_country(seconds), clean_country(firsts))
    print(f"real labelled pairs: {len(firsts)} records against {len(seconds)}, pairs compared {pairs}")
    report("matching_real_pairs", score(decisions, expected))


# -- speed ---------------------------------------------------------------------------------------------------

def speed_registry(size: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """A registry of ``size`` facilities (real ones plus the demo generator) and an upload of 10,000 rows that
    are variants of registry facilities (70 %) or new ones."""
    from fairthread.matching.engine import variants
    from fairthread.supplychain import demo

    real = clean_country(read_rows(DATA / "matching_train_registry.csv") + read_rows(
        DATA / "matching_test_registry.csv"))
    registry: list[dict[str, str]] = list(real)
    seen_refs: set[str] = set()
    for row in demo.iter_rows(max(size - len(real), demo.MIN_FACILITIES), 42):
        if len(registry) >= size:
            break
        ref = row["facility_ref"]
        if ref in seen_refs:
            continue  # a facility appears on one row per link
        seen_refs.add(ref)
        registry.append({"id": f"demo-{ref}", "name": row["name"], "address": row["address"],
                         "country": row["country"], "lat": row["lat"], "lng": row["lng"], "os_id": row["os_id"],
                         "parent_company": row["parent_company"], "native_name": row["name_native"]})
    rng = random.Random(SEED + 1)
    upload = []
    for n in range(SPEED_UPLOAD):
        source = registry[rng.randrange(len(registry))]
        row = variants.variant(source, f"up{n}", rng)
        if rng.random() < 0.3:
            row["name"] = f"{row['name']} {rng.choice(['Nova', 'Orient', 'Delta', 'Zenith'])} {n}"
        upload.append(row)
    return registry, upload


def speed(size: int) -> None:
    from fairthread.matching.engine import Registry

    registry, upload = speed_registry(size)
    print(f"speed: registry {len(registry):,} facilities, upload {len(upload):,}")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="fairthread-matchbench-") as tmp:
        database = Path(tmp) / "registry.duckdb"
        # One-off: the registry is prepared once (when it is imported) and kept.
        start = time.perf_counter()
        Registry(registry, threads=2, database=database).close()
        del registry
        build = time.perf_counter() - start
        # Per upload: open the prepared registry and link the upload against it.
        start = time.perf_counter()
        index = Registry.open(database, threads=2)
        run = index.link(upload)
        link = time.perf_counter() - start
        single = index.link([upload[0] | {"id": "single"}])
        index.close()
    print(f"registry prepared once in {build:.1f} s; upload opened + linked in {link:.1f} s "
          f"({run.timings}); one facility in {single.seconds:.3f} s")
    suffix = "" if size == SPEED_REGISTRY else f"_{size // 1000}k"
    _common.figure(f"matching_registry{suffix}_prepare_once_seconds", build, "s")
    _common.figure(f"matching_link_10k{suffix}_seconds", link, "s")
    _common.figure(f"matching_link_10k{suffix}_pairs_compared", run.pairs_compared, "pairs")
    _common.figure(f"matching_single{suffix}_seconds", single.seconds, "s")
    _common.figure(f"matching{suffix}_peak_rss_mb", _common.peak_rss_mb(), "MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generate", action="store_true", help="build the generated set (one-off)")
    parser.add_argument("--force", action="store_true", help="with --generate: overwrite the frozen set")
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--speed", action="store_true")
    parser.add_argument("--no-dedupe", action="store_true")
    parser.add_argument("--size", type=int, help="speed: one registry size, in this process")
    args = parser.parse_args()
    print(f"machine: {_common.machine()}")
    if args.generate:
        generate(args.force)
        return
    if args.size:
        speed(args.size)
        return
    both = not args.quality and not args.speed
    if args.quality or both:
        quality(not args.no_dedupe)
        _common.figure("matching_quality_peak_rss_mb", _common.peak_rss_mb(), "MB")
    if args.speed or both:
        sizes = [int(s) for s in os.environ.get("BENCH_SIZES", str(SPEED_REGISTRY)).split(",") if s.strip()]
        for size in sizes:
            # Each size in its own process, so that peak RSS is that size's own.
            proc = subprocess.run([sys.executable, __file__, "--size", str(size)], check=False)
            if proc.returncode != 0:
                _common.fail(f"the speed run at {size:,} failed")


if __name__ == "__main__":
    main()
