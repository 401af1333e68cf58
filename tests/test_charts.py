"""The world map is drawn offline from the npm world-atlas TopoJSON and references no external URL."""

from __future__ import annotations

import re

from fairthread.supplychain.queries import CountryCount
from fairthread.web import charts

URL = re.compile(r"https?://[^\s\"'<>)]+")
SVG_NS = "http://www.w3.org/2000/svg"


def _filled_country_paths(svg: str) -> int:
    """Paths in the second layer (the countries shaded by count); the first layer is the grey base map."""
    match = re.search(r'<g class="[^"]*layer_1_marks"[^>]*?(/>|>(.*?)</g>)', svg, re.S)
    return match.group(2).count("<path") if match and match.group(2) else 0


def _urls_anywhere(value: object) -> list[str]:
    if isinstance(value, dict):
        return [u for k, v in value.items() for u in ([str(v)] if k == "url" else []) + _urls_anywhere(v)]
    if isinstance(value, list):
        return [u for v in value for u in _urls_anywhere(v)]
    return []


def test_map_rows_use_three_digit_iso_numeric_ids() -> None:
    rows = charts.map_rows([CountryCount("BD", 3), CountryCount("IN", 5), CountryCount("TR", 0)])
    # Bangladesh is 050 and India 356 in ISO 3166-1 numeric; a zero count is not drawn.
    assert rows == [
        {"id": "050", "count": 3, "name": "Bangladesh"},
        {"id": "356", "count": 5, "name": "India"},
    ]


def test_spec_inlines_the_geography_and_loads_no_url() -> None:
    spec = charts.facilities_map_spec([CountryCount("BD", 3)])
    assert _urls_anywhere(spec) == []
    assert "$schema" not in spec


def test_map_svg_shades_one_path_per_country_with_facilities() -> None:
    # Mauritius (MU) is too small for the 1:110m atlas: it is left out of the map without an error.
    svg = charts.facilities_map_svg([CountryCount("BD", 3), CountryCount("IN", 12), CountryCount("MU", 4)])
    assert svg.startswith("<svg")
    assert _filled_country_paths(svg) == 2
    assert set(URL.findall(svg)) == {SVG_NS}


def test_map_svg_with_no_facilities_is_a_plain_world() -> None:
    svg = charts.facilities_map_svg([])
    assert svg.startswith("<svg")
    assert _filled_country_paths(svg) == 0
    assert svg.count("<path") > 100  # the grey countries are still drawn


def test_cached_map_is_not_counted_or_rendered_again() -> None:
    calls: list[int] = []

    def counts() -> list[CountryCount]:
        calls.append(1)
        return [CountryCount("PK", 2)]

    first = charts.facilities_map_svg(counts, cache_key="test-scope|v1")
    second = charts.facilities_map_svg(counts, cache_key="test-scope|v1")
    assert first == second
    assert len(calls) == 1
    charts.facilities_map_svg(counts, cache_key="test-scope|v2")
    assert len(calls) == 2
