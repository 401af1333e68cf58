from __future__ import annotations

import csv
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "facilities"

PARK = "Plot 5, Ashulia, Savar, Dhaka"
REGISTRY = [
    {"id": "R1", "name": "Mercury Apparel Co., Ltd.", "address": PARK, "country": "BD"},
    {"id": "R2", "name": "Neptune Knit Ltd", "address": "Plot 9, Ashulia, Savar, Dhaka", "country": "BD"},
    {"id": "R3", "name": "Quanzhou Xinxing Footwear Co., Ltd.", "address": "Wuyi Industrial Zone, Quanzhou, Fujian",
     "country": "CN", "os_id": "CN2019143ABCDE1"},
    {"id": "R4", "name": "Orient Denim Mills", "address": "Road 12, Gazipur", "country": "BD"},
    {"id": "R5", "name": "Lanka Stretch Fabrics (Pvt) Ltd", "address": "Seethawaka Export Processing Zone, Avissawella",
     "country": "LK"},
]


def write_csv(path: Path, rows: list[dict[str, str]], columns: list[str] | None = None) -> Path:
    columns = columns or ["id", "name", "address", "country", "os_id"]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture
def real_registry() -> list[dict[str, str]]:
    """The real Open Supply Hub facilities shipped in tests/data (see tests/data/facilities/SOURCES.md)."""
    with (DATA / "osh_facilities_subset.csv").open(encoding="utf-8") as handle:
        return [
            {"id": r["os_id"], "name": r["name"], "address": r["address"], "country": r["country_code"],
             "lat": r["lat"], "lng": r["lon"]}
            for r in csv.DictReader(handle)
        ]
