"""Building the risk engine's input tables literally in tests.

The reference rows below are copied from the shared reference files (country names turned into ISO codes):
- Walk Free, Global Slavery Index 2023 (gsi_2023_prevalence.csv; data © Walk Free, attribute "Walk Free,
  Global Slavery Index 2023");
- US Department of Labor (ILAB), List of Goods Produced by Child Labor or Forced Labor, 2022
  (dol_tvpra_goods_2022.csv; US federal government work, public domain).
See tests/risk/SOURCES.md.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from fairthread.risk.engine import schema

_ARROW = {"BIGINT": pa.int64(), "INTEGER": pa.int32(), "VARCHAR": pa.string(), "DOUBLE": pa.float64(),
          "BOOLEAN": pa.bool_()}

GSI = ("Global Slavery Index", "2023")
DOL = ("US DOL TVPRA list", "2022")
REGIONS = ("high-risk regions", "2024-11")

# country, prevalence per 1,000 (GSI 2023)
PREVALENCE = [("IN", 8.0), ("GB", 1.8), ("BD", 7.1), ("MU", 1.5), ("PT", 3.8), ("CN", 4.0)]
# good, country, child labour, forced labour (DOL 2022)
LISTED = [
    ("Thread/Yarn", "IN", True, True),
    ("Cotton", "IN", True, False),
    ("Garments", "BD", True, True),
    ("Textiles", "BD", True, False),
    ("Thread/Yarn", "CN", False, True),
    ("Cotton", "CN", True, True),
    ("Garments", "CN", False, True),
    ("Textiles", "CN", True, True),
    ("Garments", "IN", True, True),
]
MAPPING = [
    ("final product assembly", "facility_type", "Garments"),
    ("fabric mill", "facility_type", "Textiles"),
    ("spinning", "facility_type", "Thread/Yarn"),
    ("cotton", "material", "Cotton"),
]
XINJIANG = {
    "region_id": "CN-XJ",
    "label": "Xinjiang Uyghur Autonomous Region",
    "country": "CN",
    "region_names": "xinjiang|xinjiang uyghur autonomous region",
    "materials": "",
    "basis": "UFLPA rebuttable presumption; CBP WRO 2020",
    "dataset": REGIONS[0],
    "edition": REGIONS[1],
}
ILO = [
    ("VulnerabilityAbuse", "Abuse of vulnerability", "medium"),
    ("Deception", "Deception", "medium"),
    ("MovementRestriction", "Restriction of movement", "strong"),
    ("Isolation", "Isolation", "medium"),
    ("Violence", "Physical and sexual violence", "strong"),
    ("ThreatIntimidation", "Intimidation and threats", "strong"),
    ("DocumentRetention", "Retention of identity documents", "strong"),
    ("WageWithholding", "Withholding of wages", "strong"),
    ("DebtBondage", "Debt bondage", "strong"),
    ("WorkLiveConditions", "Abusive working and living conditions", "medium"),
    ("ExcessiveOvertime", "Excessive overtime", "medium"),
]


def table(columns: dict[str, str], rows: list[dict[str, Any]]) -> pa.Table:
    return pa.table({name: pa.array([r.get(name) for r in rows], type=_ARROW[t]) for name, t in columns.items()},
                    schema=pa.schema([(n, _ARROW[t]) for n, t in columns.items()]))


def facility(fid: int, ref: str, country: str, region: str, tier: int | None, facility_type: str,
             workers: int | None, migrant: float | None, agency: float | None, dormitory: bool | None,
             agents: bool | None) -> dict[str, Any]:
    return {"facility_id": fid, "facility_ref": ref, "name": ref, "country": country, "region": region,
            "tier": tier, "facility_type": facility_type, "processing_type": "", "workers_count": workers,
            "pct_female": None, "pct_migrant": migrant, "pct_agency": agency, "dormitory": dormitory,
            "recruitment_agents": agents, "status": "active"}


def link(lid: int, buyer: int | None, supplier: int | None, material: str, share: float | None,
         origin_country: str = "", origin_region: str = "") -> dict[str, Any]:
    return {"link_id": lid, "buyer_id": buyer, "supplier_id": supplier, "material": material,
            "volume_share": share, "origin_country": origin_country, "origin_region": origin_region}


def reference_tables(regions: list[dict[str, Any]] | None = None) -> dict[str, pa.Table]:
    return {
        "country_prevalence": table(schema.COUNTRY_PREVALENCE, [
            {"country": c, "prevalence_per_1000": p, "dataset": GSI[0], "edition": GSI[1]} for c, p in PREVALENCE]),
        "listed_goods": table(schema.LISTED_GOODS, [
            {"good": g, "country": c, "child_labour": cl, "forced_labour": fl, "dataset": DOL[0], "edition": DOL[1]}
            for g, c, cl, fl in LISTED]),
        "good_mapping": table(schema.GOOD_MAPPING, [{"term": t, "term_kind": k, "good": g} for t, k, g in MAPPING]),
        "high_risk_regions": table(schema.HIGH_RISK_REGIONS, [XINJIANG] if regions is None else regions),
        "ilo_indicators": table(schema.ILO_INDICATORS, [{"code": c, "name": n, "strength": s} for c, n, s in ILO]),
    }


def tables(facilities: list[dict[str, Any]], links: list[dict[str, Any]],
           evidence: list[dict[str, Any]] | None = None) -> dict[str, pa.Table]:
    return {
        "facilities": table(schema.FACILITIES, facilities),
        "links": table(schema.LINKS, links),
        "evidence": table(schema.EVIDENCE, evidence or []),
        **reference_tables(),
    }
