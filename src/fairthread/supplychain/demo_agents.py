"""Invented recruitment agents for the demo: labour corridors into the countries where garment and textile
facilities recruit migrant workers through agents, and agency names in the patterns those countries use.

Every name is made up from a place or landscape word, a second invented word and a service word, so that no name
is a real agency's; nothing here says any agent did wrong. Agents come from a fixed pool per origin country, so
several facilities share an agent, as they do in practice.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

# Destination country -> (origin country, weight): where facilities there recruit migrant workers.
CORRIDORS: dict[str, tuple[tuple[str, int], ...]] = {
    "MY": (("NP", 40), ("BD", 30), ("MM", 20), ("ID", 10)),
    "TH": (("MM", 60), ("KH", 30), ("LA", 10)),
    "TW": (("VN", 45), ("ID", 25), ("PH", 20), ("TH", 10)),
    "JO": (("BD", 45), ("LK", 20), ("IN", 20), ("NP", 15)),
    "MU": (("BD", 70), ("IN", 20), ("MG", 10)),
    "AE": (("NP", 25), ("BD", 25), ("IN", 25), ("PK", 15), ("LK", 10)),
    "SA": (("NP", 25), ("BD", 25), ("IN", 25), ("PK", 15), ("PH", 10)),
    "QA": (("NP", 35), ("BD", 25), ("IN", 25), ("LK", 15)),
    "KR": (("VN", 40), ("NP", 30), ("KH", 30)),
    "JP": (("VN", 60), ("ID", 20), ("PH", 20)),
}
# Where no corridor is listed, agents recruit within the country (e.g. from other districts of Tamil Nadu).

# Per country where an agency is based: place / landscape words, invented second words, service words, legal form,
# licence-number pattern (``{n}`` a number; ``{y}`` a two-digit year).
_AGENCY_STYLE: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...], str, str]] = {
    "NP": (("Sagarmatha", "Makalu", "Gandaki", "Bagmati", "Rara", "Phewa", "Manaslu", "Langtang", "Sunkoshi",
            "Tilicho", "Arun", "Karnali"),
           ("Bluepine", "Silverline", "Lotusgate", "Skybridge", "Fairwind", "Goldleaf"),
           ("Overseas", "Manpower Services", "Human Resource", "Overseas Employment"), "Pvt. Ltd.", "{n}/0{y}/{y1}"),
    "BD": (("Padma", "Jamuna", "Meghna", "Karnaphuli", "Surma", "Teesta", "Rupsha", "Madhumati", "Dhaleshwari"),
           ("Greenfield", "Sunrise Link", "Bridgeway", "Crescent Star", "Silverbay", "Trustline"),
           ("International", "Overseas", "Recruiting Agency", "Manpower"), "Ltd.", "RL-{n}"),
    "MM": (("Ayeyar", "Chindwin", "Inle", "Bago", "Thanlwin", "Shwe Pyi"),
           ("Golden Lotus Link", "Myint Moe", "Bright Path", "Nawarat Star"),
           ("Overseas Employment Agency", "Services", "Manpower Agency"), "Co., Ltd.", "MOLIP-{n}"),
    "ID": (("Mahakam", "Musi", "Bengawan", "Citarum", "Brantas"),
           ("Sentosa Jaya", "Karya Mandiri", "Sinar Abadi", "Bina Utama"),
           ("Tenaga Kerja", "Penempatan", "Sumber Daya"), "PT", "P3MI-{n}"),
    "KH": (("Mekong", "Tonle", "Kampot", "Angkor Hill"), ("Sovann", "Reaksmey", "Mlop Chan"),
           ("Manpower", "Recruitment"), "Co., Ltd.", "MLVT-{n}"),
    "LA": (("Nam Ngum", "Xe Bang", "Phou Bia"), ("Sengdao", "Khamvong"), ("Labour Services",), "Co., Ltd.",
           "LA-{n}"),
    "VN": (("Song Hong", "Song Lam", "Ha Tinh", "Truong Son", "Cuu Long"), ("Viet Tin", "Thanh Cong", "Hoa Binh Moi"),
           ("Manpower", "Labour Export", "Human Resources"), "JSC", "{n}/LDTBXH-GP"),
    "PH": (("Pasig", "Cagayan", "Bicol", "Samar"), ("Bagong Lakas", "Mabuhay Link", "Tala Bright"),
           ("Manpower Services", "International Placement"), "Inc.", "DMW-{n}-LB"),
    "LK": (("Kelani", "Mahaweli", "Walawe", "Sigiri"), ("Ceypath", "Lanka Bridge", "Serendib Line"),
           ("Foreign Employment Agency", "Manpower"), "(Pvt) Ltd", "SLBFE-{n}"),
    "IN": (("Kaveri", "Vaigai", "Narmada", "Godavari", "Tapti", "Sabari"), ("Sri Velan", "Shree Maruti", "Arunodaya"),
           ("Placement Services", "Manpower Consultants", "Overseas Recruiting"), "Pvt. Ltd.",
           "B-{n}/MUM/PER/1000+/5/{n2}"),
    "PK": (("Indus", "Chenab", "Ravi", "Swat"), ("Crescent Link", "Green Valley"), ("Overseas Employment Promoters",),
           "", "OEP-{n}/RWP"),
    "MG": (("Ikopa", "Betsiboka", "Mangoro"), ("Soa Lalana", "Tsara Asa"), ("Services de Placement",), "SARL",
           "MG-{n}"),
}
_DOMESTIC_STYLE = (("Central", "Northern", "Valley", "Riverside", "Hillside"),
                   ("Prime", "Unity", "Keystone", "Harbour"),
                   ("Labour Contractors", "Staffing Services", "Workforce Solutions"), "Ltd", "LC-{n}")
POOL_SIZE = 12


@dataclass(frozen=True)
class DemoAgent:
    name: str
    country: str  # where the agency is based
    licence_number: str


@dataclass(frozen=True)
class DemoEngagement:
    agent: DemoAgent
    origin_country: str  # where the workers are recruited


def _agency(rng: random.Random, country: str, used: set[str]) -> DemoAgent | None:
    """A new agency (a name not in ``used``), or None when the country's words give no new name."""
    places, words, services, legal, licence = _AGENCY_STYLE.get(country, _DOMESTIC_STYLE)
    for _ in range(50):
        name = " ".join([rng.choice(places), rng.choice(words), rng.choice(services)])
        if legal == "PT":
            name = f"PT {name}"
        elif legal:
            name = f"{name} {legal}"
        if name not in used:
            used.add(name)
            break
    else:
        return None
    year = rng.randint(70, 80)
    number = licence.format(n=rng.randint(100, 1999), y=year, y1=year + 1, n2=rng.randint(1000, 9999))
    return DemoAgent(name=name, country=country, licence_number=number)


class AgentPools:
    """Deterministic pools of invented agencies, per country where they are based (seeded apart from the rest of
    the demo, so adding agents changes no other generated value)."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.pools: dict[str, list[DemoAgent]] = {}

    def pool(self, country: str) -> list[DemoAgent]:
        if country not in self.pools:
            rng = random.Random(f"fairthread-demo-agents:{self.seed}:{country}")
            used: set[str] = set()
            made = (_agency(rng, country, used) for _ in range(POOL_SIZE))
            self.pools[country] = [agent for agent in made if agent is not None]
        return self.pools[country]

    def engagements(self, ref: str, country: str) -> list[DemoEngagement]:
        """One or two agents for the facility ``ref`` in ``country``: an agency in the corridor's origin country
        (or a domestic labour contractor where no migrant corridor is listed)."""
        rng = random.Random(f"fairthread-demo-agents:{self.seed}:{ref}")
        corridors = CORRIDORS.get(country)
        if corridors is None:
            return [DemoEngagement(rng.choice(self.pool(country)), country)]
        origins = [o for o, _ in corridors]
        weights = [w for _, w in corridors]
        count = 1 if rng.random() < 0.6 else 2
        chosen: list[str] = []
        while len(chosen) < min(count, len(origins)):
            origin = rng.choices(origins, weights)[0]
            if origin not in chosen:
                chosen.append(origin)
        return [DemoEngagement(rng.choice(self.pool(origin)), origin) for origin in chosen]
