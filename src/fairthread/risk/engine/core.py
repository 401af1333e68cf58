"""The engine: factors, propagation and aggregation in SQL on an in-memory DuckDB connection.

Python only prepares the statements (with the methodology's numbers, validated first) and assembles the
outputs. Every table is sorted explicitly and every output number is rounded to 4 decimals, so the same
inputs, method and editions give identical results.
"""

# The SQL is assembled from this module's own text, the contract's column names and the methodology's
# numbers, which are validated and inlined as float/int literals: no user text reaches a statement.
# ruff: noqa: S608

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any, overload

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from fairthread.reference.countries import country_name
from fairthread.risk.engine import schema
from fairthread.risk.engine.method import BAND_NAMES, validate_methodology
from fairthread.risk.engine.schema import Contribution, CriticalArea, EngineRun, FacilityResult

TABLES = schema.TABLES
BOUNDARY = {"facility_id": "BIGINT", "exposure": "DOUBLE", "high_risk": "BOOLEAN",
            "state_imposed_exposure": "DOUBLE"}
# Optional boundary columns (the previous run's table has them): without them a boundary supplier located in a
# high-risk region is only seen through its state_imposed_exposure, and the sentence cannot name the region.
BOUNDARY_OPTIONAL = {"state_imposed_source": "BOOLEAN", "state_imposed_region": "VARCHAR",
                     "state_imposed_depth": "INTEGER", "state_imposed_material": "VARCHAR"}
NOT_REMEDIABLE = " — not remediable through supplier engagement"


def phrase(c: Contribution) -> str:
    """One contribution in words, with its dataset and edition in brackets (mirrored in SQL below)."""
    parts = [c.note] if getattr(c, "note", "") else []
    if c.edition:
        parts.append(f"{c.source} {c.edition}".strip())
    text = c.input_value + (f" ({'; '.join(parts)})" if parts else "")
    return text + (NOT_REMEDIABLE if c.factor == "state_imposed" else "")


def sentence(band: str, contributions: Sequence[Contribution], max_factors: int = 3) -> str:
    listed = [c for c in contributions if c.points > 0 or c.factor == "state_imposed"]
    chosen = listed[:max_factors]
    # state-imposed forced labour decides the band (avoid/exit), so the sentence always names it
    chosen += [c for c in listed[max_factors:] if c.factor == "state_imposed"]
    top = [phrase(c) for c in chosen]
    body = "; ".join(top) if top else "no risk factor found in the data"
    return f"{band.capitalize()}: {body}."


def _num(value: Any) -> str:
    """A validated methodology number as a SQL literal."""
    return repr(float(value))


def _empty(columns: dict[str, str]) -> pa.Table:
    return pa.table({n: pa.array([], type=schema.ARROW_TYPES[t]) for n, t in columns.items()})


def _load(con: duckdb.DuckDBPyConnection, name: str, table: pa.Table | None, columns: dict[str, str],
          optional: dict[str, str] | None = None) -> None:
    """Copy an Arrow table into DuckDB with exactly the contract's columns and types."""
    table = _empty(columns) if table is None else table
    present = set(table.column_names)
    missing = [c for c in columns if c not in present]
    if missing:
        raise ValueError(f"Table {name!r} lacks the column(s) {', '.join(missing)}.")
    select = [f'CAST("{c}" AS {t}) AS "{c}"' for c, t in columns.items()]
    for c, t in (optional or {}).items():
        select.append(f'CAST("{c}" AS {t}) AS "{c}"' if c in present else f'CAST(NULL AS {t}) AS "{c}"')
    con.register(f"_arrow_{name}", table)
    con.execute(f"CREATE TABLE {name} AS SELECT {', '.join(select)} FROM _arrow_{name}")
    con.unregister(f"_arrow_{name}")


def load_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, pa.Table],
                boundary: pa.Table | None = None) -> None:
    for name, columns in TABLES.items():
        _load(con, name, tables.get(name), columns)
    _load(con, "boundary", boundary, BOUNDARY, BOUNDARY_OPTIONAL)


# the share carried by the unknown-share links of one material (0.01 % units; k known sum, m unknown links of n):
# the remaining share, but never less than their equal split m/n, so an unknown share is never taken as 0
UNKNOWN_SHARE = "(CASE WHEN m > 0 THEN greatest(10000 - k, (10000 * m) // n) ELSE 0 END)"
# exposure of one material from exact integer sums (shares in 0.01 %, values in 0.0001): the unknown-share links
# carry UNKNOWN_SHARE at their worst value; the known shares fill the rest (scaled down when they exceed it)
EXPO = ("least(1.0, (CAST({U} * coalesce({u}, 0) AS DOUBLE) / 10000 "
        "+ CAST(10000 - {U} AS DOUBLE) * {a} / greatest(k, 10000 - {U}, 1) / 10000) / 10000)")


def expo(a: str, u: str) -> str:
    return EXPO.format(a=a, u=u, U=UNKNOWN_SHARE)
_PCT = "CASE WHEN {x} = round({x}) THEN CAST(CAST({x} AS BIGINT) AS VARCHAR) ELSE printf('%.1f', {x}) END"


def _pct(expr: str) -> str:
    return _PCT.format(x=expr)


def _listed_text(forced: str, child: str) -> str:
    return (f"CASE WHEN {forced} AND {child} THEN 'forced labour and child labour' "
            f"WHEN {forced} THEN 'forced labour' ELSE 'child labour' END")


class Engine:
    def __init__(self, con: duckdb.DuckDBPyConnection, m: dict[str, Any], subset: set[int] | None) -> None:
        self.con, self.m, self.subset = con, m, subset
        self.f = m["factors"]
        self.iterations = 0

    def sql(self, statement: str) -> None:
        self.con.execute(statement)

    # ----- preparation ------------------------------------------------------------------------------
    def prepare(self) -> None:
        con = self.con
        if self.subset is None:
            self.sql("CREATE TABLE target AS SELECT DISTINCT facility_id FROM facilities")
        else:
            ids = pa.table({"facility_id": pa.array(sorted(self.subset), type=pa.int64())})
            con.register("_subset", ids)
            self.sql("CREATE TABLE target AS SELECT DISTINCT s.facility_id FROM _subset s "
                     "JOIN facilities f USING (facility_id)")
            con.unregister("_subset")
        names = pa.table({"code": pa.array(sorted(self._countries()), type=pa.string())})
        names = names.append_column("name", pa.array([country_name(c) for c in names["code"].to_pylist()],
                                                     type=pa.string()))
        con.register("_names", names)
        self.sql("CREATE TABLE cname AS SELECT * FROM _names")
        con.unregister("_names")
        self.sql("""
            CREATE TABLE fac AS
            SELECT f.facility_id, f.facility_ref, coalesce(f.country, '') AS country,
                   lower(trim(coalesce(f.region, ''))) AS region_key, f.tier,
                   lower(trim(coalesce(f.facility_type, ''))) AS facility_type, f.workers_count,
                   f.pct_migrant, f.pct_agency, f.dormitory, f.recruitment_agents,
                   coalesce(n.name, f.country, '') AS cname
            FROM facilities f JOIN target USING (facility_id) LEFT JOIN cname n ON n.code = f.country""")
        self.sql("""
            CREATE TABLE lnk AS
            SELECT link_id, buyer_id, supplier_id, lower(trim(coalesce(material, ''))) AS material,
                   -- shares in exact integer units of 0.01 % (100 % = 10,000): sums do not depend on row order
                   CAST(round(volume_share * 100) AS BIGINT) AS share, coalesce(origin_country, '') AS origin_country,
                   lower(trim(coalesce(origin_region, ''))) AS origin_region
            FROM links""")
        # materials each target facility supplies (its outgoing links)
        self.sql("""CREATE TABLE out_mat AS SELECT DISTINCT l.supplier_id AS facility_id, l.material FROM lnk l
                    JOIN target t ON t.facility_id = l.supplier_id WHERE l.material <> ''""")
        # input links of target facilities
        self.sql("CREATE TABLE lin AS SELECT l.* FROM lnk l JOIN target t ON t.facility_id = l.buyer_id")
        self.sql("""
            CREATE TABLE gm AS SELECT DISTINCT lower(trim(term)) AS term, term_kind, good FROM good_mapping""")
        self.sql("""
            CREATE TABLE lg AS SELECT good, country, bool_or(coalesce(child_labour, false)) AS child,
                   bool_or(coalesce(forced_labour, false)) AS forced, min(dataset) AS dataset,
                   min(edition) AS edition
            FROM listed_goods GROUP BY good, country""")
        self.sql("""
            CREATE TABLE hrr AS
            SELECT region_id, label, country, coalesce(basis, '') AS basis, coalesce(dataset, '') AS dataset,
                   coalesce(edition, '') AS edition,
                   CASE WHEN trim(coalesce(region_names, '')) = '' THEN []::VARCHAR[]
                        ELSE list_transform(string_split(lower(region_names), '|'), lambda x: trim(x)) END AS names,
                   CASE WHEN trim(coalesce(materials, '')) = '' THEN []::VARCHAR[]
                        ELSE list_transform(string_split(lower(materials), '|'), lambda x: trim(x)) END AS mats
            FROM high_risk_regions""")

    def _countries(self) -> set[str]:
        rows = self.con.execute("""
            SELECT DISTINCT country FROM facilities WHERE country IS NOT NULL
            UNION SELECT DISTINCT origin_country FROM links WHERE origin_country IS NOT NULL""").fetchall()
        return {r[0] for r in rows if r[0]}

    # ----- local factors (everything that does not depend on upstream results) ------------------------
    def local_factors(self) -> None:
        f = self.f
        c, cm, ic = f["country"], f["commodity"], f["input_commodity"]
        si, wf, ev, dg = f["state_imposed"], f["workforce"], f["evidence"], f["data_gap"]
        half = _num(dg["unknown_workforce_fraction"])
        # country
        self.sql(f"""
            CREATE TABLE x_country AS
            SELECT fac.facility_id, p.prevalence_per_1000 AS prevalence, p.dataset, p.edition,
                   CASE WHEN p.prevalence_per_1000 IS NULL THEN {_num(c['unknown_points'])}
                        ELSE round({_num(c['max_points'])} * least(p.prevalence_per_1000
                             / {_num(c['saturation_per_1000'])}, 1.0), 4) END AS points,
                   CASE WHEN p.prevalence_per_1000 IS NULL
                        THEN 'country prevalence unknown for ' || fac.cname || ' (assumed at the cap)'
                        ELSE 'country prevalence ' || fac.cname || ' ' || printf('%.1f', p.prevalence_per_1000)
                             || ' per 1,000' END AS input_value
            FROM fac LEFT JOIN (SELECT country, max(prevalence_per_1000) AS prevalence_per_1000,
                                       min(dataset) AS dataset, min(edition) AS edition
                                FROM country_prevalence WHERE prevalence_per_1000 IS NOT NULL GROUP BY country) p
                 ON p.country = fac.country""")
        # the facility's own goods: by type, else by the materials it supplies
        self.sql("""
            CREATE TABLE own_goods AS
            WITH by_type AS (SELECT fac.facility_id, gm.good FROM fac JOIN gm
                             ON gm.term_kind = 'facility_type' AND gm.term = fac.facility_type),
                 by_material AS (SELECT o.facility_id, gm.good FROM out_mat o JOIN gm
                                 ON gm.term_kind = 'material' AND gm.term = o.material
                                 WHERE o.facility_id NOT IN (SELECT facility_id FROM by_type))
            SELECT DISTINCT * FROM (SELECT * FROM by_type UNION ALL SELECT * FROM by_material)""")
        self.sql(f"""
            CREATE TABLE x_commodity AS
            SELECT * EXCLUDE (rn) FROM (
              SELECT g.facility_id, g.good, lg.forced, lg.child, lg.dataset, lg.edition,
                     CASE WHEN lg.forced THEN {_num(cm['forced_labour_points'])}
                          ELSE {_num(cm['child_labour_points'])} END AS points,
                     g.good || ' from ' || fac.cname || ' listed for ' || {_listed_text('lg.forced', 'lg.child')}
                       AS input_value,
                     row_number() OVER (PARTITION BY g.facility_id ORDER BY points DESC, g.good) AS rn
              FROM own_goods g JOIN fac USING (facility_id)
              JOIN lg ON lg.good = g.good AND lg.country = fac.country WHERE lg.forced OR lg.child)
            WHERE rn = 1""")
        # direct inputs: the link's material and the supplier's type, in the supplier's (or origin) country
        self.sql("""
            CREATE TABLE input_goods AS
            WITH sup AS (SELECT facility_id, country, lower(trim(coalesce(facility_type, ''))) AS ftype
                         FROM facilities),
            g AS (
              SELECT l.buyer_id AS facility_id, gm.good,
                     CASE WHEN l.supplier_id IS NULL THEN l.origin_country ELSE s.country END AS country
              FROM lin l JOIN gm ON gm.term_kind = 'material' AND gm.term = l.material
              LEFT JOIN sup s ON s.facility_id = l.supplier_id
              UNION ALL
              SELECT l.buyer_id, gm.good, s.country FROM lin l JOIN sup s ON s.facility_id = l.supplier_id
              JOIN gm ON gm.term_kind = 'facility_type' AND gm.term = s.ftype)
            -- only listed goods matter: the join keeps the table small
            SELECT DISTINCT g.facility_id, g.good, g.country FROM g
            JOIN lg ON lg.good = g.good AND lg.country = g.country WHERE lg.forced OR lg.child""")
        self.sql(f"""
            CREATE TABLE x_input AS
            SELECT * EXCLUDE (rn) FROM (
              SELECT g.facility_id, g.good, g.country, lg.forced, lg.child, lg.dataset, lg.edition,
                     CASE WHEN lg.forced THEN {_num(ic['forced_labour_points'])}
                          ELSE {_num(ic['child_labour_points'])} END AS points,
                     'input ' || g.good || ' from ' || coalesce(n.name, g.country) || ' listed for '
                       || {_listed_text('lg.forced', 'lg.child')} AS input_value,
                     row_number() OVER (PARTITION BY g.facility_id ORDER BY points DESC, g.good, g.country) AS rn
              FROM input_goods g JOIN lg ON lg.good = g.good AND lg.country = g.country
              LEFT JOIN cname n ON n.code = g.country WHERE lg.forced OR lg.child)
            WHERE rn = 1""")
        # state-imposed: located in a high-risk region (for its materials), or a confirmed screening hit
        self.sql("""
            CREATE TABLE located AS
            SELECT facility_id, arg_min(region_id, region_id) AS region_id FROM (
              SELECT fac.facility_id, r.region_id FROM fac JOIN hrr r ON r.country = fac.country
              WHERE (len(r.names) = 0 OR list_contains(r.names, fac.region_key))
                AND (len(r.mats) = 0 OR EXISTS (SELECT 1 FROM out_mat o WHERE o.facility_id = fac.facility_id
                                                 AND list_contains(r.mats, o.material))))
            GROUP BY facility_id""")
        self.sql("""
            CREATE TABLE x_evidence AS
            SELECT e.facility_id,
                   coalesce(sum(e.count) FILTER (e.kind = 'audit_finding' AND e.status = 'open'
                                                 AND i.strength = 'strong'), 0) AS strong_findings,
                   coalesce(sum(e.count) FILTER (e.kind = 'audit_finding' AND e.status = 'open'
                                                 AND coalesce(i.strength, 'medium') <> 'strong'), 0)
                     AS medium_findings,
                   coalesce(sum(e.count) FILTER (e.kind = 'grievance' AND e.status = 'open'), 0) AS grievances,
                   coalesce(sum(e.count) FILTER (e.kind = 'screening_hit' AND e.status = 'open'), 0)
                     AS screening_hits,
                   coalesce(bool_or(e.kind = 'screening_hit' AND e.status = 'confirmed'), false) AS confirmed_hit,
                   string_agg(DISTINCT i.name, ', ' ORDER BY i.name) FILTER (e.kind = 'audit_finding'
                     AND e.status = 'open' AND i.strength = 'strong') AS strong_names
            FROM evidence e JOIN target t ON t.facility_id = e.facility_id
            LEFT JOIN ilo_indicators i ON i.code = e.indicator
            WHERE coalesce(e.count, 0) > 0 GROUP BY e.facility_id""")
        # unmapped upstream: a material supplied with no input link of that material (known tiers 1..max)
        self.sql(f"""
            CREATE TABLE unmapped AS
            SELECT o.facility_id, string_agg(o.material, ', ' ORDER BY o.material) AS materials
            FROM out_mat o JOIN fac USING (facility_id)
            WHERE fac.tier BETWEEN 1 AND {int(dg['unmapped_upstream_max_tier'])}
              AND NOT EXISTS (SELECT 1 FROM lin l WHERE l.buyer_id = o.facility_id AND l.material = o.material)
            GROUP BY o.facility_id""")
        mig, agn = _num(wf["migrant_points"]), _num(wf["agency_points"])
        dorm, agt = _num(wf["dormitory_points"]), _num(wf["recruitment_agents_points"])
        self.sql(f"""
            CREATE TABLE loc AS
            SELECT fac.*, xc.points AS country_points, coalesce(xm.points, 0) AS commodity_points,
                   coalesce(xm.forced, false) AS own_forced, coalesce(xi.points, 0) AS input_commodity_points,
                   lo.region_id AS located_region, coalesce(xe.confirmed_hit, false) AS confirmed_hit,
                   (lo.region_id IS NOT NULL OR coalesce(xe.confirmed_hit, false)) AS src_si,
                   round(least({_num(wf['cap'])},
                     coalesce({mig} * fac.pct_migrant / 100.0, 0) + coalesce({agn} * fac.pct_agency / 100.0, 0)
                     + CASE WHEN fac.dormitory THEN {dorm} ELSE 0 END
                     + CASE WHEN fac.recruitment_agents THEN {agt} ELSE 0 END), 4) AS workforce_points,
                   coalesce(xe.strong_findings, 0) AS strong_findings,
                   coalesce(xe.medium_findings, 0) AS medium_findings,
                   coalesce(xe.grievances, 0) AS grievances, coalesce(xe.screening_hits, 0) AS screening_hits,
                   xe.strong_names,
                   round(least({_num(ev['cap'])},
                     coalesce(xe.strong_findings, 0) * {_num(ev['strong_finding_points'])}
                     + coalesce(xe.medium_findings, 0) * {_num(ev['medium_finding_points'])}
                     + coalesce(xe.grievances, 0) * {_num(ev['grievance_points'])}
                     + coalesce(xe.screening_hits, 0) * {_num(ev['screening_hit_points'])}), 4) AS evidence_points,
                   um.materials AS unmapped_materials,
                   round(least({_num(dg['cap'])},
                     {half} * ((CASE WHEN fac.pct_migrant IS NULL THEN {mig} ELSE 0 END)
                       + (CASE WHEN fac.pct_agency IS NULL THEN {agn} ELSE 0 END)
                       + (CASE WHEN fac.dormitory IS NULL THEN {dorm} ELSE 0 END)
                       + (CASE WHEN fac.recruitment_agents IS NULL THEN {agt} ELSE 0 END))
                     + CASE WHEN um.materials IS NULL THEN 0 ELSE {_num(dg['unmapped_upstream_points'])} END), 4)
                     AS data_gap_points
            FROM fac JOIN x_country xc USING (facility_id)
            LEFT JOIN x_commodity xm USING (facility_id) LEFT JOIN x_input xi USING (facility_id)
            LEFT JOIN located lo USING (facility_id) LEFT JOIN x_evidence xe USING (facility_id)
            LEFT JOIN unmapped um USING (facility_id)""")
        cap = _num(self.m["likelihood"]["cap_points"])
        thr = _num(self.f["exposure"]["high_risk_min_local_likelihood"])
        self.sql(f"""
            CREATE TABLE loc2 AS
            SELECT *, least({cap}, country_points + commodity_points + input_commodity_points
                          + CASE WHEN src_si THEN {_num(si['located_points'])} ELSE 0 END
                          + workforce_points + evidence_points + data_gap_points) / 100.0 AS local_likelihood,
                   (src_si OR own_forced OR least({cap}, country_points + commodity_points + input_commodity_points
                          + CASE WHEN src_si THEN {_num(si['located_points'])} ELSE 0 END
                          + workforce_points + evidence_points + data_gap_points) / 100.0 >= {thr}) AS high_risk
            FROM loc""")

    # ----- exposure propagation ---------------------------------------------------------------------
    def propagate(self) -> None:
        for name in ("input_goods", "own_goods", "x_evidence", "located", "unmapped"):
            self.sql(f"DROP TABLE {name}")
        # declared origins: forced-labour-listed material in the origin country, or a high-risk region
        self.sql("""
            CREATE TABLE origin_val AS
            SELECT l.link_id,
                   coalesce(bool_or(lg.forced), false) AS listed_forced,
                   min(r.region_id) AS region_id
            FROM lin l
            LEFT JOIN gm ON gm.term_kind = 'material' AND gm.term = l.material
            LEFT JOIN lg ON lg.good = gm.good AND lg.country = l.origin_country AND lg.forced
            LEFT JOIN hrr r ON r.country = l.origin_country
                 AND (len(r.names) = 0 OR list_contains(r.names, l.origin_region))
                 AND (len(r.mats) = 0 OR list_contains(r.mats, l.material))
            WHERE l.supplier_id IS NULL GROUP BY l.link_id""")
        self.sql("""
            CREATE TABLE edges AS
            SELECT l.buyer_id, l.supplier_id, l.material, l.share,
                   CASE WHEN l.supplier_id IS NULL
                        THEN CASE WHEN o.listed_forced OR o.region_id IS NOT NULL THEN 1.0 ELSE 0.0 END END AS ov,
                   CASE WHEN l.supplier_id IS NULL
                        THEN CASE WHEN o.region_id IS NOT NULL THEN 1.0 ELSE 0.0 END END AS osv,
                   o.region_id AS o_region
            FROM lin l LEFT JOIN origin_val o USING (link_id)""")
        # node state: target facilities start at 0; boundary facilities are fixed at the previous results
        self.sql("""
            CREATE TABLE st AS
            SELECT facility_id, true AS target, high_risk AS hr, src_si, located_region AS loc_region,
                   0.0::DOUBLE AS e, 0.0::DOUBLE AS se,
                   NULL::INTEGER AS si_depth, NULL::VARCHAR AS si_region, NULL::VARCHAR AS si_material
            FROM loc2
            UNION ALL
            SELECT b.facility_id, false, coalesce(b.high_risk, false), coalesce(b.state_imposed_source, false),
                   CASE WHEN b.state_imposed_source THEN b.state_imposed_region END,
                   coalesce(b.exposure, 0.0), coalesce(b.state_imposed_exposure, 0.0),
                   b.state_imposed_depth, b.state_imposed_region, b.state_imposed_material
            FROM boundary b WHERE b.facility_id NOT IN (SELECT facility_id FROM target)""")
        limit = int(self.f["exposure"]["max_iterations"])
        for i in range(limit):
            self.iterations = i + 1
            self.sql(f"""
                CREATE OR REPLACE TABLE nxt AS
                WITH lv AS (
                  SELECT g.buyer_id, g.material, g.share,
                         -- values in integer units of 0.0001 (exposures are rounded to 4 decimals every round)
                         CAST(round(10000 * coalesce(g.ov, greatest(CASE WHEN s.hr THEN 1.0 ELSE 0.0 END, s.e), 0.0))
                              AS BIGINT) AS v,
                         CAST(round(10000 * coalesce(g.osv, greatest(CASE WHEN s.src_si THEN 1.0 ELSE 0.0 END, s.se),
                                                      0.0)) AS BIGINT) AS sv,
                         -- reaches a state-imposed source through this link, whatever the share
                         CASE WHEN g.supplier_id IS NULL THEN g.osv > 0 WHEN s.src_si THEN true
                              ELSE coalesce(s.si_depth IS NOT NULL OR s.se > 0, false) END AS reach,
                         CASE WHEN g.supplier_id IS NULL THEN 0 WHEN s.src_si THEN 0
                              ELSE coalesce(s.si_depth, 0) + 1 END AS cand_depth,
                         CASE WHEN g.supplier_id IS NULL THEN g.o_region WHEN s.src_si THEN s.loc_region
                              ELSE s.si_region END AS cand_region,
                         CASE WHEN g.supplier_id IS NULL OR s.src_si THEN g.material ELSE s.si_material END
                           AS cand_material
                  FROM edges g LEFT JOIN st s ON s.facility_id = g.supplier_id),
                per_material AS (
                  SELECT buyer_id, material,
                         coalesce(sum(share) FILTER (share IS NOT NULL), 0) AS k,
                         coalesce(sum(share * v) FILTER (share IS NOT NULL), 0) AS a,
                         coalesce(sum(share * sv) FILTER (share IS NOT NULL), 0) AS sa,
                         max(v) FILTER (share IS NULL) AS u, max(sv) FILTER (share IS NULL) AS su,
                         count(*) FILTER (share IS NULL) AS m, count(*) AS n
                  FROM lv GROUP BY buyer_id, material),
                expo AS (
                  SELECT buyer_id AS facility_id, max({expo('a', 'u')}) AS e,
                         max({expo('sa', 'su')}) AS se
                  FROM per_material GROUP BY buyer_id),
                path AS (
                  SELECT buyer_id AS facility_id,
                         arg_min(struct_pack(d := cand_depth, r := cand_region, m := cand_material),
                                 struct_pack(d := cand_depth, r := coalesce(cand_region, ''), m := cand_material))
                           AS p
                  FROM lv WHERE reach GROUP BY buyer_id)
                SELECT st.facility_id, st.target, st.hr, st.src_si, st.loc_region,
                       CASE WHEN st.target THEN round(coalesce(expo.e, 0.0), 4) ELSE st.e END AS e,
                       CASE WHEN st.target THEN round(coalesce(expo.se, 0.0), 4) ELSE st.se END AS se,
                       CASE WHEN st.target THEN path.p.d ELSE st.si_depth END AS si_depth,
                       CASE WHEN st.target THEN path.p.r ELSE st.si_region END AS si_region,
                       CASE WHEN st.target THEN path.p.m ELSE st.si_material END AS si_material
                FROM st LEFT JOIN expo USING (facility_id) LEFT JOIN path USING (facility_id)""")
            # rounded every round: the values a later incremental run reads back from the boundary
            self.sql("""
                CREATE OR REPLACE TABLE unsettled AS SELECT facility_id FROM st JOIN nxt USING (facility_id)
                WHERE abs(st.e - nxt.e) > 1e-12 OR abs(st.se - nxt.se) > 1e-12
                   OR st.si_depth IS DISTINCT FROM nxt.si_depth OR st.si_region IS DISTINCT FROM nxt.si_region
                   OR st.si_material IS DISTINCT FROM nxt.si_material""")
            changed = self.con.execute("SELECT count(*) FROM unsettled").fetchone()[0]
            self.sql("DROP TABLE st")
            self.sql("ALTER TABLE nxt RENAME TO st")
            if not changed:
                break
        # a direct state-imposed source (declared origin in the region, or a supplier located there) that carries
        # at least as much of a material as any other link of that material (unknown shares as in UNKNOWN_SHARE)
        self.sql(f"""
            CREATE TABLE si_major AS
            WITH pm AS (SELECT buyer_id, material, coalesce(sum(share), 0) AS k,
                               count(*) FILTER (share IS NULL) AS m, count(*) AS n FROM edges GROUP BY ALL),
            es AS (
              SELECT g.buyer_id, g.material,
                     CASE WHEN g.share IS NULL THEN CAST({UNKNOWN_SHARE} AS DOUBLE)
                          ELSE CAST(g.share AS DOUBLE) * (10000 - {UNKNOWN_SHARE})
                               / greatest(k, 10000 - {UNKNOWN_SHARE}, 1) END AS eff,
                     (coalesce(g.osv, 0) > 0 OR coalesce(s.src_si, false)) AS direct_si
              FROM edges g JOIN pm USING (buyer_id, material) LEFT JOIN st s ON s.facility_id = g.supplier_id)
            SELECT DISTINCT buyer_id AS facility_id FROM (
              SELECT *, max(eff) OVER (PARTITION BY buyer_id, material) AS top FROM es)
            WHERE direct_si AND eff > 0 AND eff >= top - 1e-9""")
        self.sql("DROP TABLE edges")
        self.sql("DROP TABLE lin")

    # ----- totals, severity, bands ------------------------------------------------------------------
    def score(self) -> None:
        f, sev, bands = self.f, self.m["severity"], self.m["bands"]
        si = f["state_imposed"]
        cap = _num(self.m["likelihood"]["cap_points"])
        self.sql(f"""
            CREATE TEMP VIEW tot AS
            SELECT loc2.*, round(st.e, 4) AS exposure, round(st.se, 4) AS state_imposed_exposure,
                   st.si_depth, st.si_region, st.si_material,
                   (loc2.src_si OR st.si_depth IS NOT NULL) AS irremediable,
                   -- sourcing: in proportion to the input that traces back to the region (full points for a
                   -- direct main source); irremediable whatever the share
                   CASE WHEN loc2.src_si THEN {_num(si['located_points'])}
                        WHEN st.si_depth IS NOT NULL THEN round({_num(si['sourcing_points'])} * greatest(
                             CASE WHEN mj.facility_id IS NULL THEN 0.0 ELSE 1.0 END, round(st.se, 4)), 4)
                        ELSE 0 END AS state_imposed_points,
                   round({_num(f['exposure']['max_points'])} * round(st.e, 4), 4) AS exposure_points
            FROM loc2 JOIN st USING (facility_id) LEFT JOIN si_major mj USING (facility_id)""")
        self.sql(f"""
            CREATE TEMP VIEW sig AS
            SELECT *, round(least({cap}, country_points + commodity_points + input_commodity_points
                                + state_imposed_points + exposure_points + workforce_points + evidence_points
                                + data_gap_points) / 100.0, 4) AS likelihood,
                   CASE WHEN irremediable THEN 1 ELSE 0 END AS state_imposed,
                   CASE WHEN dormitory IS NULL THEN NULL WHEN dormitory THEN 1 ELSE 0 END AS dormitory_n,
                   CASE WHEN recruitment_agents IS NULL THEN NULL WHEN recruitment_agents THEN 1 ELSE 0 END
                     AS recruitment_agents_n
            FROM tot""")
        t = sev["scope"]["worker_thresholds"]
        scope = (f"CASE WHEN workers_count IS NULL THEN {int(sev['scope']['unknown_level'])} "
                 f"WHEN workers_count >= {_num(t[3])} THEN 5 WHEN workers_count >= {_num(t[2])} THEN 4 "
                 f"WHEN workers_count >= {_num(t[1])} THEN 3 WHEN workers_count >= {_num(t[0])} THEN 2 ELSE 1 END")
        w = _num(sev["max_weight"])
        rest = _num(1 - float(sev["max_weight"]))
        band_cases = " ".join(
            f"WHEN likelihood >= {_num(b['min_likelihood'])} AND severity >= {_num(b['min_severity'])} "
            f"THEN '{b['name']}'" for b in reversed(bands))
        irr_band = sev["irremediable_band"]
        assert irr_band in BAND_NAMES  # validated; safe to inline
        self.sql(f"""
            CREATE TEMP VIEW lev AS
            SELECT *, {self._levels(sev['scale'])} AS scale, {scope} AS scope,
                      {self._levels(sev['irremediability'])} AS irremediability FROM sig""")
        self.sql(f"""
            CREATE TABLE sev AS
            SELECT *, CASE WHEN irremediable THEN '{irr_band}' {band_cases} ELSE 'low' END AS band FROM (
              SELECT *, round(({w} * greatest(scale, scope, irremediability)
                              + {rest} * (scale + scope + irremediability) / 3.0) / 5.0, 4) AS severity
              FROM lev)""")
        for name in ("lev", "sig", "tot"):
            self.sql(f"DROP VIEW {name}")
        self.sql("DROP TABLE loc")
        self.sql("DROP TABLE loc2")

    @staticmethod
    def _levels(section: dict[str, Any]) -> str:
        column = {"dormitory": "dormitory_n", "recruitment_agents": "recruitment_agents_n"}
        cases = [str(int(section["base"]))]
        for rule in section["rules"]:
            signal = column.get(rule["signal"], rule["signal"])
            cases.append(f"CASE WHEN {signal} >= {_num(rule['min'])} THEN {int(rule['level'])} ELSE 0 END")
        return f"greatest({', '.join(cases)})"

    # ----- contributions and sentences --------------------------------------------------------------
    def explain(self) -> None:
        dg = self.f["data_gap"]
        half = float(dg["unknown_workforce_fraction"])
        si_phrase = """
            CASE WHEN s.src_si AND s.located_region IS NOT NULL THEN 'located in ' || r.label
                 WHEN s.src_si THEN 'confirmed hit on a restricted list'
                 ELSE 'sources ' || coalesce(nullif(s.si_material, ''), 'inputs') || ' from '
                      || coalesce(r.label, 'a high-risk region')
                      || CASE WHEN s.si_depth IS NULL THEN ''
                              WHEN s.si_depth = 0 THEN ' directly'
                              WHEN s.si_depth = 1 THEN ' through 1 tier'
                              ELSE ' through ' || s.si_depth || ' tiers' END END"""
        workforce = f"""
            (CASE WHEN concat_ws(', ',
                     CASE WHEN pct_migrant > 0 THEN {_pct('pct_migrant')} || '% migrant workers' END,
                     CASE WHEN pct_agency > 0 THEN {_pct('pct_agency')} || '% agency workers' END) = ''
                  THEN 'workers' ELSE concat_ws(', ',
                     CASE WHEN pct_migrant > 0 THEN {_pct('pct_migrant')} || '% migrant workers' END,
                     CASE WHEN pct_agency > 0 THEN {_pct('pct_agency')} || '% agency workers' END) END
             || CASE WHEN dormitory THEN ' with dormitory accommodation' ELSE '' END
             || CASE WHEN recruitment_agents AND dormitory THEN ' and recruitment through agents'
                     WHEN recruitment_agents THEN ' with recruitment through agents' ELSE '' END)"""
        gaps = """list_filter([
                CASE WHEN pct_migrant IS NULL THEN 'migrant share unknown' END,
                CASE WHEN pct_agency IS NULL THEN 'agency share unknown' END,
                CASE WHEN dormitory IS NULL THEN 'dormitory unknown' END,
                CASE WHEN recruitment_agents IS NULL THEN 'recruitment through agents unknown' END,
                CASE WHEN unmapped_materials IS NOT NULL THEN 'no known upstream for ' || unmapped_materials END
              ], lambda x: x IS NOT NULL)"""
        evidence = """concat_ws(', ',
                CASE WHEN strong_findings > 0 THEN strong_findings || ' open finding(s) on strong ILO indicators ('
                     || coalesce(strong_names, '') || ')' END,
                CASE WHEN medium_findings > 0 THEN medium_findings || ' open finding(s) on medium ILO indicators' END,
                CASE WHEN grievances > 0 THEN grievances || ' open grievance(s)' END,
                CASE WHEN screening_hits > 0 THEN screening_hits || ' unconfirmed screening hit(s)' END)"""
        self.sql(f"""
            CREATE TABLE unc AS
            SELECT facility_id, list_filter([
                CASE WHEN pct_migrant IS NULL THEN 'migrant share unknown (counted at {half:g} of its weight)' END,
                CASE WHEN pct_agency IS NULL THEN 'agency share unknown (counted at {half:g} of its weight)' END,
                CASE WHEN dormitory IS NULL THEN 'dormitory unknown (counted at {half:g} of its weight)' END,
                CASE WHEN recruitment_agents IS NULL
                     THEN 'recruitment through agents unknown (counted at {half:g} of its weight)' END,
                CASE WHEN unmapped_materials IS NOT NULL
                     THEN 'no known upstream for ' || unmapped_materials || ' (no supplier or declared origin)' END,
                CASE WHEN workers_count IS NULL THEN 'number of workers unknown (scope assumed at level '
                     || scope || ')' END,
                CASE WHEN facility_id IN (SELECT facility_id FROM unsettled)
                     THEN 'exposure not settled after {int(self.f["exposure"]["max_iterations"])} rounds '
                          || '(a cycle in the supply chain): it may be higher' END,
                CASE WHEN country_points > 0 AND facility_id IN (SELECT facility_id FROM x_country
                                                                 WHERE prevalence IS NULL)
                     THEN 'no prevalence estimate for ' || cname || ' (counted at the cap)' END
              ], lambda x: x IS NOT NULL) AS uncertainty
            FROM sev""")
        factors = [  # (factor, input value in words, points, source, edition, note) as SQL expressions
            ("country", "xc.input_value", "xc.points",
             "CASE WHEN xc.prevalence IS NULL THEN '' ELSE xc.dataset END",
             "CASE WHEN xc.prevalence IS NULL THEN '' ELSE xc.edition END", "''"),
            ("commodity", "xm.input_value", "xm.points", "xm.dataset", "xm.edition", "''"),
            ("input_commodity", "xi.input_value", "xi.points", "xi.dataset", "xi.edition", "''"),
            ("state_imposed", si_phrase, "CASE WHEN s.irremediable THEN s.state_imposed_points END",
             "coalesce(r.dataset, '')", "coalesce(r.edition, '')",
             "'state-imposed forced labour' || CASE WHEN coalesce(r.basis, '') = '' THEN '' ELSE '; ' || r.basis END"),
            ("exposure", f"{_pct('round(s.exposure * 100, 1)')} || '% of input volume traces back to high-risk "
             "sources'", "s.exposure_points", "'supply-chain map'", "''", "''"),
            ("workforce", workforce, "s.workforce_points", "'facility profile'", "''", "''"),
            ("evidence", evidence, "s.evidence_points", "'evidence'", "''", "''"),
            ("data_gap", f"'data gaps: ' || array_to_string({gaps}, ', ')", "s.data_gap_points",
             "'facility profile'", "''", "''"),
        ]
        # stage 1: each contributing factor's words and numbers once, as columns (NULL when it adds nothing)
        # A factor is listed when it adds points; state-imposed forced labour always is when it applies, even when
        # a tiny traced share rounds its points to 0, because it alone decides the band (avoid/exit).
        def shown(factor: str, points: str) -> str:
            return f"{points} IS NOT NULL" if factor == "state_imposed" else f"{points} > 0"

        columns = []
        for i, (factor, value, points, source, edition, note) in enumerate(factors):
            columns.append(f"CAST({points} AS DOUBLE) AS p{i}")
            for prefix, expr in (("v", value), ("s", source), ("e", edition), ("n", note)):
                columns.append(f"CASE WHEN {shown(factor, points)} THEN {expr} END AS {prefix}{i}")
        # stage 2: a struct per contribution; 'k' (minus the points) sorts the list largest first, then by factor
        items = []
        for i, (factor, *_rest) in enumerate(factors):
            v, pts, src, ed, nt = f"v{i}", f"p{i}", f"s{i}", f"e{i}", f"n{i}"
            phrase = (f"{v} || CASE WHEN {nt} <> '' OR {ed} <> '' THEN ' (' || concat_ws('; ', nullif({nt}, ''), "
                      f"CASE WHEN {ed} <> '' THEN trim({src} || ' ' || {ed}) END) || ')' ELSE '' END")
            if factor == "state_imposed":
                phrase += f" || '{NOT_REMEDIABLE}'"
            js = (f"""'{{"factor":"{factor}","input_value":' || to_json({v}) || ',"points":' """
                  f"""|| CAST({pts} AS VARCHAR) || ',"source":' || to_json({src}) """
                  f"""|| ',"edition":' || to_json({ed}) || ',"note":' || to_json({nt}) || '}}'""")
            items.append(f"CASE WHEN {shown(factor, pts)} THEN struct_pack(k := -{pts}, factor := '{factor}', "
                         f"js := {js}, phrase := {phrase}) END")
        max_factors = int(self.m.get("explanation", {}).get("max_factors", 3))
        self.sql(f"""
            CREATE TABLE expl AS
            SELECT facility_id,
                   '[' || array_to_string(list_transform(l, lambda x: x.js), ',') || ']' AS contributions,
                   array_to_string(list_transform(list_concat(l[1:{max_factors}], list_filter(
                       l[{max_factors + 1}:], lambda x: x.factor = 'state_imposed')), lambda x: x.phrase), '; ')
                     AS top
            FROM (
              SELECT facility_id, list_sort(list_filter([{', '.join(items)}], lambda x: x IS NOT NULL)) AS l
              FROM (
                SELECT s.facility_id, {', '.join(columns)}
                FROM sev s JOIN x_country xc USING (facility_id) LEFT JOIN x_commodity xm USING (facility_id)
                LEFT JOIN x_input xi USING (facility_id)
                LEFT JOIN hrr r ON r.region_id = CASE WHEN s.src_si THEN s.located_region ELSE s.si_region END))""")
        self.sql("""
            CREATE TABLE ranks AS
            SELECT facility_id,
                   row_number() OVER (ORDER BY severity DESC, likelihood DESC, facility_ref, facility_id)
                     AS priority_rank
            FROM sev""")
        self.result_sql = """
            SELECT s.facility_id, s.facility_ref, s.severity, s.likelihood, s.band, s.exposure, s.irremediable,
                   s.scale, s.scope, s.irremediability, k.priority_rank,
                   upper(s.band[1]) || s.band[2:] || ': '
                     || coalesce(x.top, 'no risk factor found in the data') || '.' AS explanation,
                   coalesce(x.contributions, '[]') AS contributions, to_json(u.uncertainty) AS uncertainty,
                   s.country, s.tier, s.workers_count, s.high_risk, round(s.local_likelihood, 4) AS local_likelihood,
                   s.src_si AS state_imposed_source, s.state_imposed_exposure,
                   CASE WHEN s.src_si THEN s.located_region ELSE s.si_region END AS state_imposed_region,
                   s.si_depth AS state_imposed_depth, s.si_material AS state_imposed_material
            FROM sev s JOIN ranks k USING (facility_id) LEFT JOIN expl x USING (facility_id)
            LEFT JOIN unc u USING (facility_id)"""

    def table(self) -> pa.Table:
        """The result table ordered by priority_rank (sorted in Arrow: cheaper than sorting the wide rows)."""
        table = self.con.sql(self.result_sql).to_arrow_table()
        for name in ("expl", "unc"):  # their text now lives in the Arrow table
            self.sql(f"DROP TABLE {name}")
        return table.take(pc.sort_indices(table, sort_keys=[("priority_rank", "ascending")]))

    def critical_areas(self) -> list[CriticalArea]:
        rows = self.con.execute("""
            WITH fm AS (
              SELECT r.country, r.tier, r.workers_count, r.severity, r.likelihood, r.exposure,
                     coalesce(o.material, '') AS material FROM sev r
              LEFT JOIN out_mat o USING (facility_id))
            SELECT country, tier, material, count(*) AS facilities, coalesce(sum(workers_count), 0) AS workers,
                   max(severity) AS highest_severity, max(likelihood) AS likelihood, max(exposure) AS exposure
            FROM fm GROUP BY country, tier, material
            ORDER BY highest_severity DESC, likelihood DESC, workers DESC, country, tier NULLS LAST, material
        """).fetchall()
        return [CriticalArea(country=r[0], tier=r[1], material=r[2], facilities=int(r[3]),
                             workers_potentially_affected=int(r[4]), highest_severity=float(r[5]),
                             likelihood=float(r[6]), exposure=float(r[7]), rank=i)
                for i, r in enumerate(rows, start=1)]

    def brand_exposure(self) -> tuple[float | None, float | None]:
        if self.subset is not None:
            return None, None
        row = self.con.execute(f"""
            WITH lv AS (
              SELECT l.material, l.share,
                     CAST(round(10000 * coalesce(greatest(CASE WHEN s.hr THEN 1.0 ELSE 0.0 END, s.e), 0.0)) AS BIGINT)
                       AS v,
                     CAST(round(10000 * coalesce(greatest(CASE WHEN s.src_si THEN 1.0 ELSE 0.0 END, s.se), 0.0))
                       AS BIGINT) AS sv
              FROM lnk l LEFT JOIN st s ON s.facility_id = l.supplier_id
              WHERE l.buyer_id IS NULL AND l.supplier_id IS NOT NULL),
            pm AS (SELECT material, coalesce(sum(share) FILTER (share IS NOT NULL), 0) AS k,
                          coalesce(sum(share * v) FILTER (share IS NOT NULL), 0) AS a,
                          coalesce(sum(share * sv) FILTER (share IS NOT NULL), 0) AS sa,
                          max(v) FILTER (share IS NULL) AS u, max(sv) FILTER (share IS NULL) AS su,
                          count(*) FILTER (share IS NULL) AS m, count(*) AS n
                   FROM lv GROUP BY material)
            SELECT round(max({expo('a', 'u')}), 4), round(max({expo('sa', 'su')}), 4)
            FROM pm""").fetchone()
        return (row[0] if row[0] is not None else 0.0), (row[1] if row[1] is not None else 0.0)

    def editions(self) -> dict[str, str]:
        rows = self.con.execute("""
            SELECT dataset, string_agg(DISTINCT edition, ', ' ORDER BY edition) FROM (
              SELECT dataset, edition FROM country_prevalence UNION ALL SELECT dataset, edition FROM listed_goods
              UNION ALL SELECT dataset, edition FROM high_risk_regions)
            WHERE coalesce(dataset, '') <> '' GROUP BY dataset ORDER BY dataset""").fetchall()
        return {r[0]: r[1] or "" for r in rows}


def _result(row: dict[str, Any]) -> FacilityResult:
    contributions = [Contribution(factor=c["factor"], input_value=c["input_value"], points=float(c["points"]),
                                  source=c["source"], edition=c["edition"], note=c["note"])
                     for c in json.loads(row["contributions"])]
    return FacilityResult(
        facility_id=row["facility_id"], facility_ref=row["facility_ref"], severity=row["severity"],
        likelihood=row["likelihood"], band=row["band"], exposure=row["exposure"],
        irremediable=bool(row["irremediable"]), uncertainty=json.loads(row["uncertainty"]),
        scale=row["scale"], scope=row["scope"], irremediability=row["irremediability"],
        contributions=contributions, explanation=row["explanation"], priority_rank=row["priority_rank"])


class LazyResults(Sequence[FacilityResult]):
    """The per-facility results, built from the columnar table the first time they are read."""

    def __init__(self, table: pa.Table) -> None:
        self._table = table
        self._items: list[FacilityResult] | None = None

    def _all(self) -> list[FacilityResult]:
        if self._items is None:
            self._items = [_result(row) for row in self._table.to_pylist()]
        return self._items

    @overload
    def __getitem__(self, index: int) -> FacilityResult: ...
    @overload
    def __getitem__(self, index: slice) -> list[FacilityResult]: ...
    def __getitem__(self, index: int | slice) -> FacilityResult | list[FacilityResult]:
        return self._all()[index]

    def __len__(self) -> int:
        return self._table.num_rows

    def __iter__(self) -> Iterator[FacilityResult]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]


def execute(tables: dict[str, pa.Table], methodology: dict[str, Any], *, subset: set[int] | None = None,
            boundary: pa.Table | None = None, con: duckdb.DuckDBPyConnection | None = None,
            memory_limit: str | None = None, spill_directory: str | None = None) -> EngineRun:
    problems = validate_methodology(methodology)
    if problems:
        raise ValueError("The methodology is not valid: " + " ".join(problems))
    unknown = set(tables) - set(TABLES)
    if unknown:
        raise ValueError(f"Unknown input table(s): {', '.join(sorted(unknown))}.")
    own = con is None
    con = duckdb.connect(":memory:") if con is None else con
    try:
        # every output is ordered explicitly, so DuckDB need not keep insertion order (less memory)
        con.execute("SET preserve_insertion_order = false")
        if memory_limit:  # DuckDB spills joins and sorts to disk beyond this, instead of holding all in memory
            con.execute("SET memory_limit = ?", [memory_limit])
        if spill_directory:
            con.execute("SET temp_directory = ?", [spill_directory])
        load_tables(con, tables, boundary)
        engine = Engine(con, methodology, subset)
        engine.prepare()
        engine.local_factors()
        engine.propagate()
        engine.score()
        engine.explain()
        table = engine.table()
        brand, brand_si = engine.brand_exposure()
        return EngineRun(method_version=str(methodology["version"]), editions=engine.editions(),
                         results=LazyResults(table), critical_areas=engine.critical_areas(), table=table,
                         brand_exposure=brand, brand_state_imposed_exposure=brand_si,
                         iterations=engine.iterations)
    finally:
        if own:
            con.close()
