"""A deterministic demo supply chain for an online fashion retailer (plain Python, no Django).

``generate(n, seed)`` streams about ``n`` facilities, tier 1 first, each with its links to its buyers (the
brand or facilities of the tier above) and the declared origins of inputs whose upstream is unknown.
``iter_rows`` / ``write_csv`` turn that into the fairthread import format. The same (n, seed) always gives
the same output: one ``random.Random(seed)`` drives everything, in a fixed order.

Memory stays linear: only the skeletons (place, type, material) of the current and the previous tier are
held, so 1,000,000 facilities fit in a few hundred megabytes. The known forced-labour hotspots of
standards.md §6 are planted at fixed positions so that every demo has them, whatever ``n``.
"""

from __future__ import annotations

import csv
import random
from bisect import bisect
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate
from typing import NamedTuple, TextIO

from fairthread.supplychain import demo_places as P
from fairthread.supplychain.demo_agents import AgentPools, DemoEngagement

BRAND = "BRAND"
BRAND_NAME = "Northwind Fashion"
REF_PREFIX = "NW"
MIN_FACILITIES = 100
# One tier-1 supplier organisation with several facilities: the demo's supplier user works for it.
SUPPLIER_GROUP = "Shonali Thread Apparels Group"
MAURITIUS_GROUP = "Tamarin Bay Textiles Group"

COLUMNS = [
    "facility_ref",
    "os_id",
    "name",
    "name_native",
    "address",
    "country",
    "region",
    "lat",
    "lng",
    "coordinate_precision",
    "sector",
    "facility_type",
    "processing_type",
    "product_type",
    "parent_company",
    "organisation",
    "workers_count",
    "pct_female",
    "pct_migrant",
    "pct_agency",
    "dormitory",
    "recruitment_agents",
    "status",
    "tier",
    "supplies",
    "material",
    "volume_share",
    "origin_material",
    "origin_country",
    "origin_region",
    "recruitment_agent",
    "recruitment_agent_native",
    "recruitment_agent_country",
    "recruitment_agent_licence",
    "recruitment_origin_country",
]
TIER_SHARES = (0.25, 0.35, 0.22, 0.18)
# Share of facilities run by a known supplier organisation, per tier; and the probability that a field of the
# workforce profile is unknown (data gaps grow with distance from the brand).
ORG_PROBABILITY = (1.0, 0.85, 0.6, 0.4)
GAP_PROBABILITY = (0.08, 0.3, 0.5, 0.7)
OS_ID_PROBABILITY = (0.55, 0.3, 0.1, 0.03)
UNKNOWN_SHARE_PROBABILITY = 0.12
MAX_SHARE_GROUP = 10_000  # a group larger than this cannot have shares of at least 0.01 % each
_B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(slots=True)
class DemoLink:
    buyer_ref: str  # BRAND or another facility's reference
    material: str
    volume_share: Decimal | None


@dataclass(slots=True)
class DemoOrigin:
    material: str
    country: str
    region: str


@dataclass(slots=True)
class DemoFacility:
    brand_ref: str
    declared_tier: int
    name: str
    country: str
    region: str
    address: str
    facility_type: str
    os_id: str = ""
    name_native: str = ""
    lat: float | None = None
    lng: float | None = None
    coordinate_precision: str = ""
    sector: str = ""
    processing_type: str = ""
    product_type: str = ""
    parent_company: str = ""
    organisation: str = ""
    workers_count: int | None = None
    pct_female: int | None = None
    pct_migrant: int | None = None
    pct_agency: int | None = None
    dormitory: bool | None = None
    recruitment_agents: bool | None = None
    status: str = "active"
    links: list[DemoLink] = field(default_factory=list)
    origins: list[DemoOrigin] = field(default_factory=list)
    agents: list[DemoEngagement] = field(default_factory=list)  # recruitment agents and their corridors
    hotspot: str = ""  # the planted hotspot's key, for tests and the demo tour


@dataclass(frozen=True)
class Plant:
    """A planted hotspot facility: fixed place, type and material; links to other planted facilities."""

    key: str
    tier: int
    country: str
    region: str
    city: str
    facility_type: str
    material: str
    supplies: tuple[str, ...] = ()
    organisation: str = ""
    origins: tuple[tuple[str, str, str], ...] = ()
    workforce: dict = field(default_factory=dict, hash=False)
    processing_type: str = ""


_SUMANGALI = {
    "workers_count": (600, 1400),
    "pct_female": (82, 92),
    "pct_migrant": (65, 90),
    "pct_agency": (0, 5),
    "dormitory": True,
    "recruitment_agents": True,
}
_MAURITIUS = {"pct_migrant": (45, 70), "dormitory": True, "recruitment_agents": True}
_LEICESTER = {
    "workers_count": (12, 60),
    "pct_migrant": (55, 80),
    "pct_agency": (35, 65),
    "dormitory": False,
    "recruitment_agents": None,
}
PLANTS: tuple[Plant, ...] = (
    # Tier 1: the supplier user's group in Bangladesh (vertical: four CMT units and a knitting mill).
    *(
        Plant(
            f"bd_group_{k}",
            1,
            "BD",
            "Dhaka",
            city,
            "final product assembly",
            "cotton",
            organisation=SUPPLIER_GROUP,
        )
        for k, city in enumerate(("Gazipur", "Ashulia", "Savar", "Narayanganj"), start=1)
    ),
    Plant("bd_xinjiang_cmt", 1, "BD", "Dhaka", "Gazipur", "final product assembly", "cotton"),
    Plant("kh_xinjiang_cmt", 1, "KH", "Phnom Penh", "Phnom Penh", "final product assembly", "cotton"),
    Plant("tn_cmt", 1, "IN", "Tamil Nadu", "Tiruppur", "final product assembly", "cotton"),
    *(
        Plant(
            f"leicester_{k}",
            1,
            "GB",
            "Leicestershire",
            "Leicester",
            "final product assembly",
            material,
            workforce=_LEICESTER,
        )
        for k, material in enumerate(("cotton", "polyester", "viscose"), start=1)
    ),
    Plant(
        "mu_cmt",
        1,
        "MU",
        "Plaines Wilhems",
        "Curepipe",
        "final product assembly",
        "cotton",
        organisation=MAURITIUS_GROUP,
        workforce=_MAURITIUS,
    ),
    Plant(
        "tr_cmt",
        1,
        "TR",
        "Istanbul",
        "Istanbul",
        "final product assembly",
        "cotton",
        workforce={"pct_migrant": (15, 30), "pct_agency": (20, 35)},
    ),
    Plant(
        "my_cmt",
        1,
        "MY",
        "Penang",
        "Bayan Lepas",
        "final product assembly",
        "polyester",
        workforce={"pct_migrant": (70, 90), "dormitory": True, "recruitment_agents": True},
    ),
    # Tier 2.
    Plant(
        "bd_group_mill",
        2,
        "BD",
        "Dhaka",
        "Gazipur",
        "fabric mill",
        "cotton",
        ("bd_group_1", "bd_group_2"),
        organisation=SUPPLIER_GROUP,
    ),
    Plant(
        "bd_xinjiang_mill", 2, "BD", "Mymensingh", "Bhaluka", "fabric mill", "cotton", ("bd_xinjiang_cmt",)
    ),
    Plant("cn_xinjiang_mill", 2, "CN", "Zhejiang", "Shaoxing", "fabric mill", "cotton", ("kh_xinjiang_cmt",)),
    Plant("tn_knitting", 2, "IN", "Tamil Nadu", "Tiruppur", "fabric mill", "cotton", ("tn_cmt",)),
    Plant(
        "mu_mill",
        2,
        "MU",
        "Pamplemousses",
        "Pamplemousses",
        "fabric mill",
        "cotton",
        ("mu_cmt",),
        organisation=MAURITIUS_GROUP,
        workforce=_MAURITIUS,
        processing_type="Denim weaving",
    ),
    Plant("tr_mill", 2, "TR", "Denizli", "Denizli", "fabric mill", "cotton", ("tr_cmt",)),
    Plant(
        "tw_mill",
        2,
        "TW",
        "Taoyuan",
        "Taoyuan",
        "fabric mill",
        "polyester",
        ("my_cmt",),
        workforce={"pct_migrant": (30, 50), "dormitory": True, "recruitment_agents": True},
    ),
    Plant("bd_tannery", 2, "BD", "Dhaka", "Savar", "tannery", "leather"),
    Plant(
        "in_hand_embroidery",
        2,
        "IN",
        "Uttar Pradesh",
        "Bareilly",
        "embroidery",
        "cotton",
        ("tn_cmt",),
        processing_type="Hand embroidery (homeworkers)",
        workforce={"pct_female": (85, 95), "workers_count": None, "pct_agency": None},
    ),
    # Tier 3: Sumangali-style spinning mills, Xinjiang cotton, Turkmen and Uzbek cotton through Turkey.
    Plant(
        "tn_spinning_1",
        3,
        "IN",
        "Tamil Nadu",
        "Dindigul",
        "spinning",
        "cotton",
        ("tn_knitting",),
        origins=(("cotton", "IN", "Gujarat"),),
        workforce=_SUMANGALI,
    ),
    Plant(
        "tn_spinning_2",
        3,
        "IN",
        "Tamil Nadu",
        "Erode",
        "spinning",
        "cotton",
        ("tn_knitting",),
        origins=(("cotton", "IN", "Maharashtra"),),
        workforce=_SUMANGALI,
    ),
    Plant(
        "tn_spinning_3",
        3,
        "IN",
        "Tamil Nadu",
        "Coimbatore",
        "spinning",
        "cotton",
        ("bd_group_mill",),
        workforce=_SUMANGALI,
    ),
    Plant(
        "cn_xinjiang_yarn",
        3,
        "CN",
        "Jiangsu",
        "Nantong",
        "spinning",
        "cotton",
        ("bd_xinjiang_mill",),
        origins=(("cotton", "CN", "Xinjiang"),),
    ),
    Plant(
        "xj_spinning",
        3,
        "CN",
        "Xinjiang",
        "Aksu",
        "spinning",
        "cotton",
        ("cn_xinjiang_mill",),
        origins=(("cotton", "CN", "Xinjiang"),),
    ),
    Plant(
        "tr_spinning_turkmen",
        3,
        "TR",
        "Kahramanmaraş",
        "Kahramanmaraş",
        "spinning",
        "cotton",
        ("tr_mill",),
        origins=(("cotton", "TM", "Lebap"),),
    ),
    Plant(
        "uz_spinning",
        3,
        "UZ",
        "Fergana",
        "Fergana",
        "spinning",
        "cotton",
        ("tr_mill",),
        origins=(("cotton", "UZ", "Fergana"),),
    ),
    Plant(
        "tw_polyester",
        3,
        "TW",
        "Changhua",
        "Changhua",
        "fibre production",
        "polyester",
        ("tw_mill",),
        workforce={"pct_migrant": (25, 45), "recruitment_agents": True},
    ),
    # Tier 4.
    Plant(
        "in_gin_gujarat",
        4,
        "IN",
        "Gujarat",
        "Rajkot",
        "ginning",
        "cotton",
        ("tn_spinning_1",),
        origins=(("cotton", "IN", "Gujarat"),),
    ),
    Plant(
        "xj_gin",
        4,
        "CN",
        "Xinjiang",
        "Aksu",
        "ginning",
        "cotton",
        ("xj_spinning",),
        origins=(("cotton", "CN", "Xinjiang"),),
    ),
    Plant(
        "br_cattle_ranch",
        4,
        "BR",
        "Mato Grosso",
        "Rondonópolis",
        "farm",
        "leather",
        processing_type="Cattle ranching",
    ),
)


class Skeleton(NamedTuple):
    """What later tiers need to know of a facility: where it is, what it makes, what it consumes."""

    country: str
    region: str
    city: tuple[str, float, float, str]
    facility_type: str
    material: str
    consumes: tuple[str, ...]
    org: int  # index into the organisation list, -1 for none
    unit: int  # 1-based position within its organisation
    plant: Plant | None


class _Org(NamedTuple):
    name: str
    stem: str
    stem_native: str
    size: int


def tier_counts(n: int) -> list[int]:
    counts = [int(n * share) for share in TIER_SHARES]
    counts[0] += n - sum(counts)
    return counts


def _weighted(table: dict[str, int]) -> tuple[list[str], list[int]]:
    items = [k for k, w in table.items() if w > 0]
    return items, list(accumulate(table[k] for k in items))


def _pick(rng: random.Random, items: Sequence, cum: Sequence[int]):
    return items[bisect(cum, rng.random() * cum[-1])]


class _Tables:
    """Cumulative-weight tables, built once."""

    def __init__(self) -> None:
        self.tier_types = {t: _weighted(w) for t, w in P.TIER_TYPES.items()}
        self.type_countries = {t: _weighted(w) for t, w in P.TYPE_COUNTRIES.items()}
        self.materials = {t: _weighted(w) for t, w in P.MATERIAL_WEIGHTS.items()}
        self.farm_materials = {c: _weighted(w) for c, w in P.FARM_MATERIALS.items()}
        self.fibre_materials = {c: _weighted(w) for c, w in P.FIBRE_MATERIALS.items()}
        self.mill_materials = {c: _weighted(w) for c, w in P.MILL_MATERIALS.items()}
        self.regions: dict[tuple[str, int], tuple[list, list[int]]] = {}
        for country, regions in P.REGIONS.items():
            for stage in range(4):
                weights = [r[1][stage] for r in regions]
                if not any(weights):
                    weights = [1] * len(regions)
                items = [r for r, w in zip(regions, weights, strict=True) if w]
                self.regions[(country, stage)] = (items, list(accumulate(w for w in weights if w)))
        self.region_by_name = {(c, r[0]): r for c, regions in P.REGIONS.items() for r in regions}
        self.cotton_origins = {c: _weighted_origins(o) for c, o in P.COTTON_ORIGINS.items()}
        self.wool_origins = _weighted_origins(P.WOOL_ORIGINS)
        self.leather_origins = _weighted_origins(P.LEATHER_ORIGINS)


def _weighted_origins(rows: list[tuple[str, str, int]]) -> tuple[list[tuple[str, str]], list[int]]:
    return [(c, r) for c, r, _ in rows], list(accumulate(w for _, _, w in rows))


_TABLES: _Tables | None = None


def _tables() -> _Tables:
    global _TABLES  # noqa: PLW0603 - built lazily once; read-only afterwards
    if _TABLES is None:
        _TABLES = _Tables()
    return _TABLES


def _city_for(
    rng: random.Random, region: tuple, stage_letter: str, prefer: str = ""
) -> tuple[str, float, float, str]:
    cities = region[2]
    if prefer:
        suitable = [c for c in cities if prefer in c[3]]
        if suitable:
            return suitable[int(rng.random() * len(suitable))]
    suitable = [c for c in cities if stage_letter in c[3]] or cities
    return suitable[int(rng.random() * len(suitable))]


def _material(rng: random.Random, t: _Tables, facility_type: str, country: str) -> str:
    if facility_type == "farm":
        table = t.farm_materials.get(country)
    elif facility_type == "fibre production":
        table = t.fibre_materials.get(country)
    elif facility_type == "fabric mill":
        table = t.mill_materials.get(country)
    else:
        table = None
    items, cum = table or t.materials[facility_type]
    material = _pick(rng, items, cum)
    if facility_type == "spinning" and country == "IT":
        return "wool"
    return material


def _consumes(rng: random.Random, facility_type: str, material: str) -> tuple[str, ...]:
    if facility_type in {"final product assembly", "finishing"}:
        return (material,)
    if facility_type == "fabric mill":
        # Stretch fabrics: some mills also buy elastane.
        if material in {"cotton", "polyester"} and rng.random() < 0.2:
            return (material, "elastane")
        return (material,)
    if facility_type in {"tannery", "slaughterhouse"}:
        return ("leather",)
    if facility_type == "spinning":
        return (material,)
    return ()


class _Generator:
    def __init__(self, n: int, seed: int) -> None:
        if n < MIN_FACILITIES:
            raise ValueError(f"The demo needs at least {MIN_FACILITIES} facilities (asked for {n}).")
        self.n = n
        self.rng = random.Random(seed)
        self.agent_pools = AgentPools(seed)
        self.t = _tables()
        self.counts = tier_counts(n)
        self.offsets = [0, *accumulate(self.counts)][:4]
        self.width = max(5, len(str(max(self.counts))))
        self.orgs: list[_Org] = []
        self.org_names: set[str] = {SUPPLIER_GROUP, MAURITIUS_GROUP}
        self.planted_orgs: dict[str, int] = {}
        self.open_orgs: dict[tuple[int, str], list[int]] = {}  # (tier, country) -> [org index, units left]
        self.plant_at: dict[tuple[int, int], Plant] = {}
        self.plant_pos: dict[str, tuple[int, int]] = {}
        by_tier: dict[int, list[Plant]] = {1: [], 2: [], 3: [], 4: []}
        for plant in PLANTS:
            by_tier[plant.tier].append(plant)
        for tier, plants in by_tier.items():
            count = self.counts[tier - 1]
            for j, plant in enumerate(plants):
                # Spread the planted facilities through the tier rather than bunching them at the start.
                pos = (j * count) // len(plants) + (count // len(plants)) // 2
                self.plant_at[(tier, pos)] = plant
                self.plant_pos[plant.key] = (tier, pos)
        for plant in PLANTS:
            # A planted facility supplies planted facilities of the tier just above it.
            assert all(self.plant_pos[key][0] == plant.tier - 1 for key in plant.supplies), plant.key

    def ref(self, tier: int, i: int) -> str:
        return f"{REF_PREFIX}-T{tier}-{i + 1:0{self.width}d}"

    # ----- skeletons -----------------------------------------------------------------------------
    def _organisation(self, tier: int, country: str, city: str) -> tuple[int, int]:
        rng = self.rng
        if rng.random() >= ORG_PROBABILITY[tier - 1]:
            return -1, 0
        slot = self.open_orgs.get((tier, country))
        if slot is not None and slot[1] > 0:
            slot[1] -= 1
            org = self.orgs[slot[0]]
            return slot[0], org.size - slot[1]
        size = _pick(rng, (1, 2, 3, 4, 5, 6), (35, 60, 75, 85, 93, 100))
        stem, native = self._stem(country, city)
        suffix = " Group" if size > 1 else " " + P.LEGAL.get(country, ("Ltd",))[0]
        name = f"{stem}{suffix}".strip()
        if name in self.org_names:
            name = f"{stem}{suffix} ({city})"
        k = 2
        base = name
        while name in self.org_names:
            name = f"{base} {k}"
            k += 1
        self.org_names.add(name)
        self.orgs.append(_Org(name, stem, native, size))
        self.open_orgs[(tier, country)] = [len(self.orgs) - 1, size - 1]
        return len(self.orgs) - 1, 1

    def _stem(self, country: str, city: str) -> tuple[str, str]:
        rng = self.rng
        if country == "CN":
            a, b = rng.choice(P.CN_SYLLABLES), rng.choice(P.CN_SYLLABLES)
            return f"{city} {a[0]}{b[0].lower()}", f"{P.CN_CITIES.get(city, '')}{a[1]}{b[1]}"
        words = P.NAME_WORDS.get(country)
        if words is None:
            return f"{city} {rng.choice(('Star', 'Crown', 'Lotus', 'Summit'))}", ""
        first, second = words
        a, b = rng.choice(first), rng.choice(second)
        if country == "IT":
            return f"{a} {b}".strip(), ""
        if country == "VN":
            return f"{a} {b}", ""
        return f"{a} {b}".strip(), ""

    def _skeleton(self, tier: int, i: int) -> Skeleton:
        rng, t = self.rng, self.t
        plant = self.plant_at.get((tier, i))
        if plant is not None:
            region = t.region_by_name[(plant.country, plant.region)]
            city = next(c for c in region[2] if c[0] == plant.city)
            if plant.organisation:
                org = self.planted_orgs.get(plant.organisation)
                if org is None:
                    stem = " ".join(plant.organisation.split()[:2])
                    size = sum(1 for p in PLANTS if p.organisation == plant.organisation)
                    self.orgs.append(_Org(plant.organisation, stem, "", size))
                    org = self.planted_orgs[plant.organisation] = len(self.orgs) - 1
                    unit = 1
                else:
                    unit = 1 + sum(
                        1 for p in PLANTS[: PLANTS.index(plant)] if p.organisation == plant.organisation
                    )
            else:
                org, unit = self._organisation(tier, plant.country, plant.city)
            return Skeleton(
                plant.country,
                plant.region,
                city,
                plant.facility_type,
                plant.material,
                _consumes(rng, plant.facility_type, plant.material),
                org,
                unit,
                plant,
            )
        facility_type = _pick(rng, *t.tier_types[tier])
        stage = P.STAGE[facility_type]
        country = _pick(rng, *t.type_countries[facility_type])
        region = _pick(rng, *t.regions[(country, stage)])
        city = _city_for(rng, region, P.STAGE_LETTER[stage], "t" if facility_type == "tannery" else "")
        org, unit = self._organisation(tier, country, city[0])
        material = _material(rng, t, facility_type, country)
        return Skeleton(
            country,
            region[0],
            city,
            facility_type,
            material,
            _consumes(rng, facility_type, material),
            org,
            unit,
            None,
        )

    # ----- links ---------------------------------------------------------------------------------
    def _links(
        self, tier: int, skel: list[Skeleton], buyers: list[Skeleton] | None
    ) -> list[tuple[int, int, str]]:
        """(supplier index, buyer index or -1 for the brand, material), in supplier order."""
        rng = self.rng
        links: list[tuple[int, int, str]] = []
        if buyers is None:
            return [(i, -1, s.material) for i, s in enumerate(skel)]
        by_material: dict[str, list[int]] = {}
        by_material_country: dict[tuple[str, str], list[int]] = {}
        for j, b in enumerate(buyers):
            for m in b.consumes:
                by_material.setdefault(m, []).append(j)
                by_material_country.setdefault((m, b.country), []).append(j)
        everyone = range(len(buyers))
        for i, s in enumerate(skel):
            if s.plant is not None and s.plant.supplies:
                for key in s.plant.supplies:
                    links.append((i, self.plant_pos[key][1], s.material))
                continue
            wanted = _pick(rng, (1, 2, 3), (60, 90, 100))
            chosen: list[int] = []
            partners = P.PARTNERS.get(s.country, ())
            for _ in range(wanted):
                r = rng.random()
                pool: Sequence[int] | None = None
                if r < 0.7:
                    pool = by_material_country.get((s.material, s.country))
                if not pool and partners and r < 0.92:
                    pools = [p for c in partners if (p := by_material_country.get((s.material, c)))]
                    if pools:
                        pool = pools[int(rng.random() * len(pools))]
                if not pool:
                    pool = by_material.get(s.material) or everyone
                j = pool[int(rng.random() * len(pool))]
                if j not in chosen:
                    chosen.append(j)
            links.extend((i, j, s.material) for j in chosen)
        return links

    def _shares(self, links: list[tuple[int, int, str]]) -> list[Decimal | None]:
        rng = self.rng
        groups: dict[tuple[int, str], list[int]] = {}
        for pos, (_, buyer, material) in enumerate(links):
            groups.setdefault((buyer, material), []).append(pos)
        shares: list[Decimal | None] = [None] * len(links)
        for positions in groups.values():
            if len(positions) > MAX_SHARE_GROUP or rng.random() < UNKNOWN_SHARE_PROBABILITY:
                continue
            for pos, share in zip(positions, split_hundred(rng, len(positions)), strict=True):
                shares[pos] = share
        return shares

    # ----- details -------------------------------------------------------------------------------
    def _details(self, tier: int, i: int, s: Skeleton) -> DemoFacility:
        rng = self.rng
        g = self.offsets[tier - 1] + i
        stage = P.STAGE[s.facility_type]
        city_name, lat, lng = s.city[0], s.city[1], s.city[2]
        org = self.orgs[s.org] if s.org >= 0 else None
        if org is not None:
            stem, stem_native = org.stem, org.stem_native
        else:
            stem, stem_native = self._stem(s.country, city_name)
        name, native = _facility_name(rng, s, stem, stem_native)
        if org is not None and org.size > 1 and s.unit > 1:
            name = f"{name} (Unit {s.unit})"
        f = DemoFacility(
            brand_ref=self.ref(tier, i),
            declared_tier=tier,
            name=name,
            name_native=native,
            country=s.country,
            region=s.region,
            address=_address(rng, s.country, city_name, g, stage),
            facility_type=s.facility_type,
            sector="Leather" if s.material == "leather" and stage in (1, 2) else P.SECTORS[stage],
            organisation=org.name if org else "",
            parent_company=org.name if org is not None and org.size > 1 else "",
        )
        if s.plant is not None:
            f.hotspot = s.plant.key
        # Coordinates and their precision: exact for audited tier-1 units, vaguer further up the chain.
        precision = _pick(
            rng,
            ("exact", "city", "region", ""),
            ((50, 90, 90, 100), (25, 80, 90, 100), (0, 60, 85, 100), (0, 40, 85, 100))[tier - 1],
        )
        if precision == "exact":
            f.lat, f.lng = round(lat + rng.uniform(-0.04, 0.04), 5), round(lng + rng.uniform(-0.04, 0.04), 5)
        elif precision == "city":
            f.lat, f.lng = round(lat, 4), round(lng, 4)
        elif precision == "region":
            f.lat, f.lng = round(lat, 1), round(lng, 1)
        f.coordinate_precision = precision
        if rng.random() < OS_ID_PROBABILITY[tier - 1]:
            f.os_id = _os_id(s.country, g, rng)
        plant = s.plant
        f.processing_type = plant.processing_type if plant and plant.processing_type else _processing(rng, s)
        f.product_type = _product(rng, s, stage)
        self._workforce(f, s, stage, tier)
        if rng.random() < 0.02 and plant is None:
            f.status = "closed"
        f.origins = self._origins(s, tier)
        if f.recruitment_agents:
            f.agents = self.agent_pools.engagements(f.brand_ref, f.country)
        return f

    def _workforce(self, f: DemoFacility, s: Skeleton, stage: int, tier: int) -> None:
        rng = self.rng
        wf = P.workforce_profile(s.country)
        gap = GAP_PROBABILITY[tier - 1]
        lo, hi = wf["workers"][stage]
        f.workers_count = _round_headcount(int(lo + (hi - lo) * rng.random() ** 2))
        f.pct_female = rng.randint(*wf["female"][stage])
        f.pct_migrant = rng.randint(*wf["migrant"])
        f.pct_agency = rng.randint(*wf["agency"])
        f.dormitory = rng.random() < wf["dorm"]
        f.recruitment_agents = rng.random() < wf["agents"]
        if s.country == "IN" and s.region == "Tamil Nadu" and s.facility_type == "spinning":
            # Hostels for young women recruited from other districts are common in Tamil Nadu spinning.
            f.pct_female, f.pct_migrant = rng.randint(60, 90), rng.randint(40, 85)
            f.dormitory, f.recruitment_agents = rng.random() < 0.7, rng.random() < 0.6
        for name in (
            "workers_count",
            "pct_female",
            "pct_migrant",
            "pct_agency",
            "dormitory",
            "recruitment_agents",
        ):
            if rng.random() < gap:
                setattr(f, name, None)
        if s.plant is not None:
            for name, value in s.plant.workforce.items():
                setattr(f, name, rng.randint(*value) if isinstance(value, tuple) else value)

    def _origins(self, s: Skeleton, tier: int) -> list[DemoOrigin]:
        rng, t = self.rng, self.t
        if s.plant is not None:
            return [DemoOrigin(*o) for o in s.plant.origins]
        if s.facility_type == "ginning" and rng.random() < 0.85:
            return [DemoOrigin("cotton", s.country, s.region)]
        if s.facility_type == "spinning" and rng.random() < 0.3:
            if s.material == "wool":
                return [DemoOrigin("wool", *_pick(rng, *t.wool_origins))]
            return [DemoOrigin("cotton", *_pick(rng, *t.cotton_origins.get(s.country, t.cotton_origins[""])))]
        if s.facility_type == "tannery" and rng.random() < 0.25:
            return [DemoOrigin("leather", *_pick(rng, *t.leather_origins))]
        return []

    # ----- the stream ----------------------------------------------------------------------------
    def __iter__(self) -> Iterator[DemoFacility]:
        previous: list[Skeleton] | None = None
        for tier in (1, 2, 3, 4):
            self.open_orgs = {}
            skel = [self._skeleton(tier, i) for i in range(self.counts[tier - 1])]
            links = self._links(tier, skel, previous)
            shares = self._shares(links)
            pos = 0
            for i, s in enumerate(skel):
                facility = self._details(tier, i, s)
                while pos < len(links) and links[pos][0] == i:
                    _, buyer, material = links[pos]
                    buyer_ref = BRAND if buyer < 0 else self.ref(tier - 1, buyer)
                    facility.links.append(DemoLink(buyer_ref, material, shares[pos]))
                    pos += 1
                yield facility
            previous = skel


def split_hundred(rng: random.Random, n: int) -> list[Decimal]:
    """n random shares summing up to exactly 100: whole percent for up to 20, else hundredths (n ≤ 10,000)."""
    if not 1 <= n <= MAX_SHARE_GROUP:
        raise ValueError(f"Cannot split 100 into {n} shares of at least 0.01.")
    if n == 1:
        return [Decimal(100)]
    units = 100 if n <= 20 else 10_000
    weights = [rng.choice((1, 1, 2, 2, 3, 4, 5, 6, 8, 10)) for _ in range(n)]
    total = sum(weights)
    # Everyone gets one unit; the rest goes by weight, largest remainders first.
    rest = units - n
    raw = [w * rest / total for w in weights]
    parts = [1 + int(r) for r in raw]
    missing = units - sum(parts)
    for k in sorted(range(n), key=lambda k: raw[k] - int(raw[k]), reverse=True)[:missing]:
        parts[k] += 1
    if units == 100:
        return [Decimal(p) for p in parts]
    return [Decimal(p).scaleb(-2) for p in parts]


def _round_headcount(n: int) -> int:
    if n >= 1000:
        return round(n, -1)
    return max(n, 3)


def _facility_name(rng: random.Random, s: Skeleton, stem: str, stem_native: str) -> tuple[str, str]:
    ft = s.facility_type
    if s.country == "CN":
        latin, native = P.CN_TYPES[ft]
        if ft == "spinning" and s.material == "wool":
            latin, native = "Wool Spinning", "毛纺"
        return f"{stem} {latin} Co., Ltd.", (f"{stem_native}{native}有限公司" if stem_native else "")
    if s.country == "IT":
        kind = {
            "spinning": "Filatura",
            "fabric mill": "Lanificio" if s.material == "wool" else "Tessitura",
            "tannery": "Conceria",
        }.get(ft, "Confezioni")
        return f"{kind} {stem} {rng.choice(P.LEGAL['IT'])}", ""
    word = rng.choice(P.TYPE_WORDS[ft])
    if ft == "spinning" and s.material == "wool":
        word = "Worsted Spinners"
    if ft == "farm":
        word = {"wool": "Merino Station", "leather": "Cattle Ranch"}.get(s.material, "Cotton Farm")
    legal = rng.choice(P.LEGAL.get(s.country, ("Ltd",)))
    if s.country == "ID":
        return f"PT {stem} {word}", ""
    return " ".join(part for part in (stem, word, legal) if part), ""


def _address(rng: random.Random, country: str, city: str, g: int, stage: int) -> str:
    # The running number keeps name + address + country unique, so re-imports find each facility again.
    if stage == 3:
        return f"Lot {g + 1}, {rng.choice(P.STREETS['raw'])}, {city}"
    street = rng.choice(P.STREETS.get(country, P.STREETS[""]))
    if country == "CN":
        return f"No. {g + 1} {street}, {city}"
    if country == "TR":
        return f"{street} No:{g + 1}, {city}"
    if country in {"GB", "PT"}:
        return f"Unit {g + 1}, {street}, {city}"
    return f"Plot {g + 1}, {street}, {city}"


def _os_id(country: str, g: int, rng: random.Random) -> str:
    # Open Supply Hub style (country, year, day, 7 characters); the tail is a bijection of g, so unique.
    x = (g * 1_103_515_245 + 12_345) % (32**7)
    tail = "".join(_B32[(x >> (5 * k)) & 31] for k in range(7))
    return f"{country}{rng.randint(2019, 2024)}{rng.randint(1, 365):03d}{tail}"


def _processing(rng: random.Random, s: Skeleton) -> str:
    if s.facility_type == "farm":
        return {"wool": "Sheep farming", "leather": "Cattle ranching"}.get(s.material, "Cotton farming")
    if s.facility_type == "fibre production":
        return {
            "viscose": "Viscose staple fibre",
            "polyester": "Polyester filament yarn",
            "elastane": "Elastane filament",
        }[s.material]
    if s.facility_type == "spinning" and s.material == "wool":
        return "Worsted spinning"
    processing = rng.choice(P.PROCESSING[s.facility_type])
    if processing == "Denim weaving" and s.material != "cotton":
        return "Weaving"
    return processing


def _product(rng: random.Random, s: Skeleton, stage: int) -> str:
    if stage == 0:
        return rng.choice(P.PRODUCTS[s.material])
    if stage == 3 or s.facility_type == "slaughterhouse":
        return P.RAW_PRODUCT[s.material]
    if s.facility_type == "tannery":
        return "Finished leather"
    if s.facility_type == "trims":
        return "Zips, labels and trims"
    if s.facility_type == "fibre production":
        return f"{s.material.capitalize()} fibre"
    return P.UPSTREAM_PRODUCT[stage].format(s.material.capitalize())


def generate(n: int, seed: int) -> Iterator[DemoFacility]:
    """Stream about ``n`` facilities (exactly ``n``), tier by tier, deterministically for (n, seed)."""
    return iter(_Generator(n, seed))


# ----- the fairthread import format -------------------------------------------------------------
def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def facility_cells(f: DemoFacility) -> dict[str, str]:
    return {
        "facility_ref": f.brand_ref,
        "os_id": f.os_id,
        "name": f.name,
        "name_native": f.name_native,
        "address": f.address,
        "country": f.country,
        "region": f.region,
        "lat": _text(f.lat),
        "lng": _text(f.lng),
        "coordinate_precision": f.coordinate_precision,
        "sector": f.sector,
        "facility_type": f.facility_type,
        "processing_type": f.processing_type,
        "product_type": f.product_type,
        "parent_company": f.parent_company,
        "organisation": f.organisation,
        "workers_count": _text(f.workers_count),
        "pct_female": _text(f.pct_female),
        "pct_migrant": _text(f.pct_migrant),
        "pct_agency": _text(f.pct_agency),
        "dormitory": _text(f.dormitory),
        "recruitment_agents": _text(f.recruitment_agents),
        "status": f.status,
        "tier": str(f.declared_tier),
        "recruitment_agent": "|".join(e.agent.name for e in f.agents),
        "recruitment_agent_native": "",
        "recruitment_agent_country": "|".join(e.agent.country for e in f.agents),
        "recruitment_agent_licence": "|".join(e.agent.licence_number for e in f.agents),
        "recruitment_origin_country": "|".join(e.origin_country for e in f.agents),
    }


_EMPTY_LINK = {
    "supplies": "",
    "material": "",
    "volume_share": "",
    "origin_material": "",
    "origin_country": "",
    "origin_region": "",
}


def rows_for(f: DemoFacility) -> Iterator[dict[str, str]]:
    """One row per link and per declared origin (the facility's fields repeated), at least one row."""
    cells = facility_cells(f)
    emitted = False
    for link in f.links:
        yield {
            **cells,
            **_EMPTY_LINK,
            "supplies": link.buyer_ref,
            "material": link.material,
            "volume_share": _text(link.volume_share),
        }
        emitted = True
    for origin in f.origins:
        yield {
            **cells,
            **_EMPTY_LINK,
            "origin_material": origin.material,
            "origin_country": origin.country,
            "origin_region": origin.region,
        }
        emitted = True
    if not emitted:
        yield {**cells, **_EMPTY_LINK}


def iter_rows(n: int, seed: int) -> Iterator[dict[str, str]]:
    for facility in generate(n, seed):
        yield from rows_for(facility)


def write_csv(out: TextIO, n: int, seed: int) -> int:
    """Write the fairthread-format CSV; returns the number of data rows."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for row in iter_rows(n, seed):
        writer.writerow(row)
        count += 1
    return count


def share_groups(facilities: Iterable[DemoFacility]) -> dict[tuple[str, str], list[Decimal | None]]:
    """buyer ref × material -> the shares declared for it (for checks and tests)."""
    groups: dict[tuple[str, str], list[Decimal | None]] = {}
    for f in facilities:
        for link in f.links:
            groups.setdefault((link.buyer_ref, link.material), []).append(link.volume_share)
    return groups


def hotspot_refs(n: int) -> dict[str, str]:
    """Planted hotspot key -> brand reference; planted positions depend only on ``n``."""
    g = _Generator(n, 0)
    return {key: g.ref(tier, i) for key, (tier, i) in g.plant_pos.items()}
