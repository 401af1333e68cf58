"""The risk engine's contract: the tables it takes and the rows it returns (plain Python, no Django).

Django code (``fairthread.risk.services``) builds these tables from the database and stores what the engine
returns; the CLI and the benchmarks build them from generated data. Every table is a DuckDB relation or an
Arrow table with exactly these columns (extra columns are ignored). Percentages are 0–100; shares 0–100.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

# --- inputs ---------------------------------------------------------------------------------------------
FACILITIES = {
    "facility_id": "BIGINT",          # stable id (the database primary key)
    "facility_ref": "VARCHAR",        # brand reference, else fairthread's uid: used for tie-breaks and output
    "name": "VARCHAR",
    "country": "VARCHAR",             # ISO 3166-1 alpha-2
    "region": "VARCHAR",              # state / province as given ('' when unknown)
    "tier": "INTEGER",                # derived tier, NULL when unknown
    "facility_type": "VARCHAR",       # canonical vocabulary (supplychain.vocabulary), '' when unknown
    "processing_type": "VARCHAR",
    "workers_count": "INTEGER",       # NULL when unknown
    "pct_female": "DOUBLE",           # NULL when unknown
    "pct_migrant": "DOUBLE",
    "pct_agency": "DOUBLE",
    "dormitory": "BOOLEAN",           # NULL when unknown
    "recruitment_agents": "BOOLEAN",  # NULL when unknown
    "status": "VARCHAR",              # 'active' | 'closed'
}
LINKS = {
    "link_id": "BIGINT",
    "buyer_id": "BIGINT",             # NULL when the buyer is the brand
    "supplier_id": "BIGINT",          # NULL when only the declared origin is known
    "material": "VARCHAR",            # canonical material, '' when not stated
    "volume_share": "DOUBLE",         # % of the buyer's volume of this material, NULL when unknown
    "origin_country": "VARCHAR",      # declared origin (ISO2), '' when a supplier is given
    "origin_region": "VARCHAR",
}
# Evidence fed by later issues (audits, grievances, screening); empty tables are valid.
EVIDENCE = {
    "facility_id": "BIGINT",
    "kind": "VARCHAR",                # 'audit_finding' | 'grievance' | 'screening_hit'
    "indicator": "VARCHAR",           # ILO indicator code for audit findings/grievances, '' otherwise
    "status": "VARCHAR",              # 'open' | 'confirmed' (screening) | 'closed' (ignored)
    "count": "INTEGER",
}
# Reference data (each row carries the edition it came from, for provenance).
COUNTRY_PREVALENCE = {"country": "VARCHAR", "prevalence_per_1000": "DOUBLE", "dataset": "VARCHAR",
                      "edition": "VARCHAR"}
LISTED_GOODS = {"good": "VARCHAR", "country": "VARCHAR", "child_labour": "BOOLEAN", "forced_labour": "BOOLEAN",
                "dataset": "VARCHAR", "edition": "VARCHAR"}
# fairthread material / facility type → DOL good names
GOOD_MAPPING = {"term": "VARCHAR", "term_kind": "VARCHAR",  # 'material' | 'facility_type'
                "good": "VARCHAR"}
HIGH_RISK_REGIONS = {
    "region_id": "VARCHAR",           # e.g. 'CN-XJ'
    "label": "VARCHAR",               # 'Xinjiang Uyghur Autonomous Region'
    "country": "VARCHAR",             # ISO2
    "region_names": "VARCHAR",        # '|'-separated lower-case names that match Facility.region / origin_region
    "materials": "VARCHAR",           # '|'-separated materials it applies to; '' = every material and facility
    "basis": "VARCHAR",               # why (e.g. 'UFLPA rebuttable presumption; CBP WRO 2020 (XPCC)')
    "dataset": "VARCHAR",
    "edition": "VARCHAR",
}
ILO_INDICATORS = {"code": "VARCHAR", "name": "VARCHAR", "strength": "VARCHAR"}  # 'strong' | 'medium'

# Every input table by the name ``run`` takes it under, and the Arrow type of each DuckDB column type.
TABLES = {
    "facilities": FACILITIES,
    "links": LINKS,
    "evidence": EVIDENCE,
    "country_prevalence": COUNTRY_PREVALENCE,
    "listed_goods": LISTED_GOODS,
    "good_mapping": GOOD_MAPPING,
    "high_risk_regions": HIGH_RISK_REGIONS,
    "ilo_indicators": ILO_INDICATORS,
}
ARROW_TYPES = {"BIGINT": pa.int64(), "INTEGER": pa.int32(), "VARCHAR": pa.string(), "DOUBLE": pa.float64(),
               "BOOLEAN": pa.bool_()}


def arrow_schema(columns: dict[str, str]) -> pa.Schema:
    return pa.schema([(name, ARROW_TYPES[kind]) for name, kind in columns.items()])


# --- outputs --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Contribution:
    factor: str            # e.g. 'country', 'commodity', 'state_imposed', 'workforce', 'evidence', 'data_gap'
    input_value: str       # in words, e.g. 'India: 8.0 per 1,000'
    points: float          # likelihood points this factor added
    source: str            # dataset name, e.g. 'Global Slavery Index'
    edition: str           # e.g. '2023'
    note: str = ""         # added by the engine helper: extra words in the brackets (e.g. the legal basis)


@dataclass
class FacilityResult:
    facility_id: int
    facility_ref: str
    severity: float        # [0, 1]
    likelihood: float      # [0, 1]
    band: str              # 'low' | 'medium' | 'high' | 'critical'
    exposure: float        # [0, 1] share of input volume tracing back to high-risk sources
    irremediable: bool     # state-imposed forced labour: avoid/exit, not remediable through engagement
    uncertainty: list[str] = field(default_factory=list)  # data gaps in words
    scale: int = 0         # 1–5
    scope: int = 0         # 1–5
    irremediability: int = 0  # 1–5
    contributions: list[Contribution] = field(default_factory=list)  # ranked, largest first
    explanation: str = ""  # one sentence in words
    priority_rank: int = 0  # 1 = most urgent: severity first, then likelihood, then facility_ref


@dataclass
class CriticalArea:
    country: str
    tier: int | None
    material: str
    facilities: int
    workers_potentially_affected: int
    highest_severity: float
    likelihood: float      # the highest likelihood in the area
    exposure: float        # the highest exposure in the area
    rank: int = 0          # severity first, then likelihood, then workers


@dataclass
class EngineRun:
    method_version: str
    editions: dict[str, str]   # dataset name → edition used
    results: Sequence[FacilityResult]  # built lazily from ``table`` (a list-like sequence, by priority_rank)
    critical_areas: list[CriticalArea]
    # Added by the engine helper (optional):
    # one row per facility (pyarrow.Table, ordered by priority_rank): the FacilityResult fields, with
    # contributions and uncertainty as JSON text, plus country, tier, workers_count, high_risk,
    # local_likelihood and the state_imposed_* columns to pass back as the boundary of an incremental run.
    table: Any = None
    brand_exposure: float | None = None                # the brand's tier 1 as a whole (None in incremental runs)
    brand_state_imposed_exposure: float | None = None
    iterations: int = 0                                # propagation rounds until nothing changed
