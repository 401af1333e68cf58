"""Risk engine at 10,000, 100,000 and 1,000,000 facilities (about 5 links each), engine level, no database.

For each size, in a fresh process (so peak RSS is that size's own): generate the chain straight into Arrow
tables, time loading those tables into DuckDB, a full run, materialising the per-facility result objects,
and an incremental run (one tier-3 facility and everything downstream of it, with its boundary).
Targets on 2 cores: 100,000 ≤ 10 s and ≤ 2 GB; 1,000,000 ≤ 120 s.

Then, on SQLite through the product's own services (``BENCH_STORED_SIZE``, default 100,000; 0 skips it): a
full assessment from the database to stored results, and one facility edited with
``supplychain.services.update_facility``, timed from the save to its stored incremental results (target ≤ 1 s).

Usage: ``uv run --frozen python benchmarks/risk.py`` (``BENCH_SIZES=10000,100000`` limits the sizes;
``BENCH_SOURCE=demo`` builds the chain from ``supplychain.demo.generate`` instead, about 1.6 links each).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
import _common  # noqa: E402

SIZES = (10_000, 100_000, 1_000_000)
LINKS_PER_FACILITY = 6  # from tiers 2-4 to the tier above; tier 1 has one link to the brand → ~5 on average
SEED = 7


def reference_tables() -> dict:
    import pyarrow as pa

    from fairthread.risk.engine import schema

    def table(columns: dict[str, str], rows: list[dict]) -> pa.Table:
        types = {"BIGINT": pa.int64(), "INTEGER": pa.int32(), "VARCHAR": pa.string(), "DOUBLE": pa.float64(),
                 "BOOLEAN": pa.bool_()}
        return pa.table({c: pa.array([r.get(c) for r in rows], type=types[t]) for c, t in columns.items()})

    # GSI 2023 values and DOL 2022 rows for the benchmark's countries (see docs/methodology.md)
    prevalence = {"BD": 7.1, "IN": 8.0, "CN": 4.0, "VN": 4.1, "TR": 15.6, "PT": 3.8, "GB": 1.8, "MU": 1.5,
                  "PK": 10.6, "KH": 5.0}
    listed = [("Garments", "BD", True, True), ("Textiles", "BD", True, False), ("Thread/Yarn", "IN", True, True),
              ("Cotton", "IN", True, False), ("Garments", "IN", True, True), ("Cotton", "CN", True, True),
              ("Thread/Yarn", "CN", False, True), ("Garments", "CN", False, True), ("Textiles", "CN", True, True),
              ("Garments", "VN", True, True), ("Cotton", "TR", True, False), ("Cotton", "PK", False, True)]
    mapping = [("final product assembly", "facility_type", "Garments"), ("fabric mill", "facility_type", "Textiles"),
               ("spinning", "facility_type", "Thread/Yarn"), ("cotton", "material", "Cotton")]
    return {
        "country_prevalence": table(schema.COUNTRY_PREVALENCE, [
            {"country": c, "prevalence_per_1000": p, "dataset": "Global Slavery Index", "edition": "2023"}
            for c, p in prevalence.items()]),
        "listed_goods": table(schema.LISTED_GOODS, [
            {"good": g, "country": c, "child_labour": cl, "forced_labour": fl, "dataset": "US DOL TVPRA list",
             "edition": "2022"} for g, c, cl, fl in listed]),
        "good_mapping": table(schema.GOOD_MAPPING, [{"term": t, "term_kind": k, "good": g} for t, k, g in mapping]),
        "high_risk_regions": table(schema.HIGH_RISK_REGIONS, [{
            "region_id": "CN-XJ", "label": "Xinjiang Uyghur Autonomous Region", "country": "CN",
            "region_names": "xinjiang", "materials": "", "basis": "UFLPA rebuttable presumption",
            "dataset": "high-risk regions", "edition": "2024-11"}]),
        "ilo_indicators": table(schema.ILO_INDICATORS, [{"code": "DebtBondage", "name": "Debt bondage",
                                                          "strength": "strong"}]),
        "evidence": table(schema.EVIDENCE, []),
    }


def generated_tables(n: int, seed: int) -> dict:
    """A tiered chain built with numpy: tier shares 25/35/22/18 %, ~5 links per facility, some data gaps."""
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    counts = [int(n * s) for s in (0.25, 0.35, 0.22)]
    counts.append(n - sum(counts))
    tier = np.repeat(np.arange(1, 5, dtype=np.int32), counts)
    ids = np.arange(1, n + 1, dtype=np.int64)
    places = np.array(["BD|Dhaka", "IN|Tamil Nadu", "CN|Jiangsu", "CN|Xinjiang", "VN|Hanoi", "TR|Denizli",
                       "PT|Norte", "GB|Leicestershire", "MU|Pamplemousses", "PK|Punjab", "KH|Phnom Penh"])
    weights = np.array([20, 18, 20, 1, 10, 8, 5, 4, 3, 8, 3], dtype=float)
    place = places[rng.choice(len(places), n, p=weights / weights.sum())]
    parts = np.char.partition(place, "|")
    country, region = parts[:, 0], parts[:, 2]
    types = np.array(["final product assembly", "fabric mill", "spinning", "farm"])[tier - 1]

    def gaps(values: np.ndarray, p: float) -> pa.Array:
        return pa.array(values, mask=rng.random(n) < p)

    facilities = pa.table({
        "facility_id": ids, "facility_ref": pa.array(np.char.add("NW-", ids.astype(str))),
        "name": pa.array(np.char.add("Facility ", ids.astype(str))), "country": pa.array(country),
        "region": pa.array(region), "tier": tier, "facility_type": pa.array(types),
        "processing_type": pa.array(np.full(n, "", dtype=object), type=pa.string()),
        "workers_count": gaps(rng.integers(5, 5000, n).astype(np.int32), 0.2),
        "pct_female": gaps(rng.integers(0, 100, n).astype(float), 0.3),
        "pct_migrant": gaps(rng.integers(0, 90, n).astype(float), 0.3),
        "pct_agency": gaps(rng.integers(0, 60, n).astype(float), 0.3),
        "dormitory": gaps(rng.random(n) < 0.2, 0.3), "recruitment_agents": gaps(rng.random(n) < 0.2, 0.3),
        "status": pa.array(np.full(n, "active", dtype=object), type=pa.string()),
    })
    starts = np.concatenate([[0], np.cumsum(counts)])
    buyers, suppliers = [np.full(counts[0], -1, dtype=np.int64)], [ids[: counts[0]]]
    for t in range(1, 4):  # tier t+1 supplies tier t
        lo, hi = starts[t - 1], starts[t]
        sup = np.repeat(ids[starts[t]: starts[t + 1]], LINKS_PER_FACILITY)
        buyers.append(ids[rng.integers(lo, hi, sup.size)])
        suppliers.append(sup)
    buyer = np.concatenate(buyers)
    supplier = np.concatenate(suppliers)
    m = buyer.size
    share = rng.integers(1, 40, m).astype(float)
    link_table = pa.table({
        "buyer_id": pa.array(buyer, mask=buyer < 0), "supplier_id": pa.array(supplier),
        "material": pa.array(np.full(m, "cotton", dtype=object), type=pa.string()),
        "volume_share": pa.array(share, mask=rng.random(m) < 0.12),
        "origin_country": pa.array(np.full(m, "", dtype=object), type=pa.string()),
        "origin_region": pa.array(np.full(m, "", dtype=object), type=pa.string()),
    })
    # declared origins for a fifth of tiers 3-4
    orig = ids[starts[2]:][rng.random(n - starts[2]) < 0.2]
    ocountry = np.array(["IN", "CN", "US", "TR"])[rng.integers(0, 4, orig.size)]
    oregion = np.where((ocountry == "CN") & (rng.random(orig.size) < 0.1), "Xinjiang", "")
    origins = pa.table({
        "buyer_id": pa.array(orig), "supplier_id": pa.array(np.zeros(orig.size, dtype=np.int64),
                                                            mask=np.ones(orig.size, dtype=bool)),
        "material": pa.array(np.full(orig.size, "cotton", dtype=object), type=pa.string()),
        "volume_share": pa.array(np.zeros(orig.size), mask=np.ones(orig.size, dtype=bool)),
        "origin_country": pa.array(ocountry), "origin_region": pa.array(oregion),
    })
    links = pa.concat_tables([link_table, origins])
    links = links.add_column(0, "link_id", pa.array(np.arange(1, links.num_rows + 1, dtype=np.int64)))
    return {"facilities": facilities, "links": links, **reference_tables()}


def demo_tables(n: int, seed: int) -> dict:
    import pyarrow as pa

    from fairthread.supplychain import demo

    ids: dict[str, int] = {}
    fac: dict[str, list] = {k: [] for k in ("facility_id", "facility_ref", "name", "country", "region", "tier",
                                            "facility_type", "processing_type", "workers_count", "pct_female",
                                            "pct_migrant", "pct_agency", "dormitory", "recruitment_agents",
                                            "status")}
    lk: dict[str, list] = {k: [] for k in ("link_id", "buyer_id", "supplier_id", "material", "volume_share",
                                           "origin_country", "origin_region")}
    for f in demo.generate(n, seed):
        fid = ids.setdefault(f.brand_ref, len(ids) + 1)
        for key, value in (("facility_id", fid), ("facility_ref", f.brand_ref), ("name", f.name),
                           ("country", f.country), ("region", f.region), ("tier", f.declared_tier),
                           ("facility_type", f.facility_type), ("processing_type", f.processing_type),
                           ("workers_count", f.workers_count), ("pct_female", f.pct_female),
                           ("pct_migrant", f.pct_migrant), ("pct_agency", f.pct_agency),
                           ("dormitory", f.dormitory), ("recruitment_agents", f.recruitment_agents),
                           ("status", f.status)):
            fac[key].append(value)
        rows = [(None if x.buyer_ref == demo.BRAND else ids[x.buyer_ref], fid, x.material,
                 None if x.volume_share is None else float(x.volume_share), "", "") for x in f.links]
        rows += [(fid, None, o.material, None, o.country, o.region) for o in f.origins]
        for row in rows:
            lk["link_id"].append(len(lk["link_id"]) + 1)
            for key, value in zip(("buyer_id", "supplier_id", "material", "volume_share", "origin_country",
                                   "origin_region"), row, strict=True):
                lk[key].append(value)
    for key in ("pct_female", "pct_migrant", "pct_agency"):
        fac[key] = [None if v is None else float(v) for v in fac[key]]
    return {"facilities": pa.table(fac), "links": pa.table(lk), **reference_tables()}


def downstream_subset(links, start: int) -> set[int]:
    import duckdb

    con = duckdb.connect()
    con.register("links", links)
    rows = con.execute("""
        WITH RECURSIVE down(id) AS (SELECT ?::BIGINT UNION
            SELECT l.buyer_id FROM links l JOIN down ON l.supplier_id = down.id WHERE l.buyer_id IS NOT NULL)
        SELECT id FROM down""", [start]).fetchall()
    con.close()
    return {r[0] for r in rows}


def measure(n: int) -> None:
    import duckdb
    import pyarrow as pa
    import pyarrow.compute as pc

    from fairthread.risk.engine import BOUNDARY, BOUNDARY_OPTIONAL, DEFAULT_METHODOLOGY, run
    from fairthread.risk.engine.core import load_tables

    t0 = time.perf_counter()
    tables = demo_tables(n, SEED) if os.environ.get("BENCH_SOURCE") == "demo" else generated_tables(n, SEED)
    _common.figure(f"risk_generate_{n}", time.perf_counter() - t0, "s")
    _common.figure(f"risk_links_{n}", tables["links"].num_rows, "links")

    t0 = time.perf_counter()
    con = duckdb.connect(":memory:")
    load_tables(con, tables)
    load = time.perf_counter() - t0
    con.close()
    _common.figure(f"risk_load_duckdb_{n}", load, "s")

    t0 = time.perf_counter()
    out = run(tables, DEFAULT_METHODOLOGY, memory_limit=os.environ.get("BENCH_MEMORY_LIMIT") or None)
    full = time.perf_counter() - t0
    _common.figure(f"risk_full_run_{n}", full, "s")
    _common.figure(f"risk_full_over_load_{n}", full / load, "x")
    _common.figure(f"risk_propagation_rounds_{n}", out.iterations, "rounds")
    if n <= 100_000:  # the lazily built list of dataclasses (the columnar table is what callers store)
        t0 = time.perf_counter()
        assert len(list(out.results)) == n
        _common.figure(f"risk_results_objects_{n}", time.perf_counter() - t0, "s")

    # incremental: the first tier-3 facility and everything downstream of it, with its boundary
    facilities, links = tables["facilities"], tables["links"]
    start = pc.min(pc.filter(facilities["facility_id"], pc.equal(facilities["tier"], 3))).as_py()
    t0 = time.perf_counter()
    subset = downstream_subset(links, start)
    ids = pa.array(sorted(subset), type=pa.int64())
    sub_links = links.filter(pc.or_(pc.is_in(links["buyer_id"], ids), pc.is_in(links["supplier_id"], ids)))
    suppliers = pc.unique(pc.drop_null(sub_links["supplier_id"]))
    outside = pc.filter(suppliers, pc.invert(pc.is_in(suppliers, ids)))
    sub_tables = {**tables, "links": sub_links,
                  "facilities": facilities.filter(pc.or_(pc.is_in(facilities["facility_id"], ids),
                                                         pc.is_in(facilities["facility_id"], suppliers)))}
    boundary = out.table.select([*BOUNDARY, *BOUNDARY_OPTIONAL]).filter(
        pc.is_in(out.table["facility_id"], outside))
    inc = run(sub_tables, DEFAULT_METHODOLOGY, subset=subset, boundary=boundary)
    _common.figure(f"risk_incremental_{n}", time.perf_counter() - t0, "s")
    _common.figure(f"risk_incremental_facilities_{n}", len(inc.results), "facilities")
    _common.figure(f"risk_peak_rss_{n}", _common.peak_rss_mb(), "MB")


def measure_stored(n: int) -> None:
    """The product path on SQLite: a full assessment from the database to stored results, then one facility
    edited through the service function and timed from the save until its incremental results are stored."""
    _common.setup_django(f"risk-stored-{n}")
    from fairthread.accounts.models import Membership, Role, User
    from fairthread.risk import services as risk
    from fairthread.risk.models import AssessmentRun
    from fairthread.supplychain import demo_load
    from fairthread.supplychain import services as supplychain
    from fairthread.supplychain.models import Facility

    brand = demo_load.ensure_brand()
    t0 = time.perf_counter()
    demo_load.bulk_load(n, SEED, brand=brand)
    _common.figure(f"risk_stored_load_demo_{n}", time.perf_counter() - t0, "s")
    analyst = User.objects.create_user("bench-analyst")
    Membership.objects.create(user=analyst, organisation=brand, role=Role.BRAND_ANALYST)

    t0 = time.perf_counter()
    risk.run_assessment(by=analyst)
    _common.figure(f"risk_stored_full_run_{n}", time.perf_counter() - t0, "s")

    # A tier-3 facility: its edit re-assesses it and everything downstream of it down to tier 1.
    facility = Facility.objects.filter(tier=3).order_by("pk").first()
    before = AssessmentRun.objects.filter(kind=AssessmentRun.Kind.INCREMENTAL).count()
    t0 = time.perf_counter()
    supplychain.update_facility(facility, by=analyst, values={"pct_migrant": 85, "dormitory": True})
    elapsed = time.perf_counter() - t0
    runs = AssessmentRun.objects.filter(kind=AssessmentRun.Kind.INCREMENTAL)
    if runs.count() != before + 1:
        _common.fail("the edit did not store an incremental assessment")
    _common.figure(f"risk_incremental_save_to_stored_{n}", elapsed, "s")
    _common.figure(f"risk_incremental_save_to_stored_facilities_{n}", runs.latest("pk").facility_count,
                   "facilities")
    _common.figure(f"risk_stored_peak_rss_{n}", _common.peak_rss_mb(), "MB")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--size":
        measure(int(sys.argv[2]))
        return
    if len(sys.argv) == 3 and sys.argv[1] == "--stored":
        measure_stored(int(sys.argv[2]))
        return
    sizes = [int(s) for s in os.environ.get("BENCH_SIZES", ",".join(map(str, SIZES))).split(",") if s.strip()]
    print(f"# {_common.machine()}", flush=True)
    for n in sizes:
        done = subprocess.run([sys.executable, __file__, "--size", str(n)], check=False)  # noqa: S603
        if done.returncode:
            _common.fail(f"the run at {n} facilities failed")
    stored = int(os.environ.get("BENCH_STORED_SIZE", "100000"))
    if stored:
        done = subprocess.run([sys.executable, __file__, "--stored", str(stored)], check=False)  # noqa: S603
        if done.returncode:
            _common.fail(f"the stored run at {stored} facilities failed")


if __name__ == "__main__":
    main()
