"""Server-side charts, rendered offline: Vega-Lite specs from altair, turned into SVG by vl-convert.

No chart references an external URL: the world map's TopoJSON comes from the npm package ``world-atlas``
(installed into ``settings.NODE_MODULES_DIR``) and is inlined into the spec.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from fairthread.reference.countries import country_name, country_numeric
from fairthread.supplychain.queries import CountryCount

WORLD_ATLAS = "world-atlas/countries-110m.json"
_XLINK = re.compile(r'\s+xmlns:xlink="[^"]*"')


class ChartUnavailable(RuntimeError):
    """The map's geography is not installed (``npm ci`` not run)."""


@functools.lru_cache(maxsize=1)
def world_topology() -> dict[str, Any]:
    path = settings.NODE_MODULES_DIR / WORLD_ATLAS
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ChartUnavailable(
            f"{WORLD_ATLAS} is missing: run `npm ci` to install the front-end packages."
        ) from exc


@dataclass(frozen=True)
class MapScale:
    """What the world map shades countries by: a legend title and a colour scale."""

    title: str = "Facilities"
    scale_type: str = "log"
    scheme: str = "blues"
    domain: tuple[float, float] | None = None


FACILITY_COUNT = MapScale()
# Risk: the highest severity of any facility in the country, on the fixed 0–1 scale.
HIGHEST_SEVERITY = MapScale(title="Highest severity", scale_type="linear", scheme="orangered", domain=(0.0, 1.0))


def map_rows(counts: Sequence[CountryCount]) -> list[dict[str, Any]]:
    """Per-country rows keyed like world-atlas features: ISO 3166 numeric codes as three-digit strings."""
    rows = []
    for c in counts:
        numeric = country_numeric(c.code)
        if numeric is not None and c.count > 0:
            rows.append({"id": f"{numeric:03d}", "count": c.count, "name": country_name(c.code)})
    return rows


def facilities_map_spec(
    counts: Sequence[CountryCount], width: int = 720, height: int = 380, scale: MapScale = FACILITY_COUNT
) -> dict[str, Any]:
    """The world map shaded per country by ``count`` (a number of facilities, or the measure ``scale`` names)."""
    import altair as alt  # imported lazily: altair is slow to import and only charts need it

    countries = alt.Data(values=world_topology(), format=alt.DataFormat(type="topojson", feature="countries"))
    base = alt.Chart(countries).mark_geoshape(fill="#e6e6e6", stroke="#ffffff", strokeWidth=0.5)
    rows = map_rows(counts)
    if not rows:  # nothing to shade (and no legend of an empty scale)
        spec = base.project("equalEarth").properties(width=width, height=height).to_dict()
        spec.pop("$schema", None)
        return spec
    filled = (
        alt.Chart(countries)
        .mark_geoshape(stroke="#ffffff", strokeWidth=0.5)
        .transform_lookup(
            lookup="id",
            from_=alt.LookupData(data=alt.Data(values=rows), key="id", fields=["count", "name"]),
        )
        .transform_filter("isValid(datum.count)")
        .encode(color=alt.Color("count:Q", title=scale.title, scale=_color_scale(scale)))
    )
    chart = (base + filled).project("equalEarth").properties(width=width, height=height)
    spec = chart.to_dict()
    spec.pop("$schema", None)  # a URL the renderer never needs
    return spec


def _color_scale(scale: MapScale) -> Any:
    import altair as alt

    if scale.domain is None:
        return alt.Scale(type=scale.scale_type, scheme=scale.scheme)
    return alt.Scale(type=scale.scale_type, scheme=scale.scheme, domain=list(scale.domain))


def render_svg(spec: dict[str, Any]) -> str:
    import vl_convert

    svg = vl_convert.vegalite_to_svg(spec)
    # vl-convert declares the xlink namespace without using it; drop it so the SVG names no URL but its own.
    if "xlink:" not in svg:
        svg = _XLINK.sub("", svg, count=1)
    return svg


def facilities_map_svg(
    counts: Sequence[CountryCount] | Callable[[], Sequence[CountryCount]],
    cache_key: str | None = None,
    scale: MapScale = FACILITY_COUNT,
) -> str:
    """The world map of facilities by country as SVG.

    With ``cache_key`` the SVG is cached under it; ``counts`` may then be a callable so that a cache hit
    skips counting too.
    """

    def build() -> str:
        data = counts() if callable(counts) else counts
        return render_svg(facilities_map_spec(data, scale=scale))

    if not cache_key:
        return build()
    return _cached(f"map:{scale.title}|{cache_key}", build)


def _cached(cache_key: str, build: Callable[[], str]) -> str:
    key = "chart:" + hashlib.sha256(cache_key.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = build()
        cache.set(key, svg, 24 * 3600)
    return svg


@dataclass(frozen=True)
class HeatCell:
    row: str      # e.g. a country's name
    column: str   # e.g. "Tier 2"
    value: float  # the colour: e.g. the highest severity in the cell, 0–1
    count: int    # the annotation: e.g. facilities in the cell


def heatmap_spec(cells: Sequence[HeatCell], *, row_title: str, column_title: str, value_title: str,
                 columns: Sequence[str], cell_size: int = 34) -> dict[str, Any]:
    """A grid of cells coloured by ``value`` (fixed 0–1 scale) and annotated with ``count``."""
    import altair as alt

    rows = [{"row": c.row, "column": c.column, "value": round(c.value, 4), "count": c.count} for c in cells]
    order = list(dict.fromkeys(c.row for c in cells))
    data = alt.Data(values=rows)
    base = alt.Chart(data).encode(
        x=alt.X("column:N", title=column_title, sort=list(columns), axis=alt.Axis(orient="top", labelAngle=0)),
        y=alt.Y("row:N", title=row_title, sort=order),
    )
    rect = base.mark_rect(stroke="#ffffff").encode(
        color=alt.Color("value:Q", title=value_title, scale=_color_scale(HIGHEST_SEVERITY)))
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("count:Q"),
        color=alt.condition("datum.value > 0.6", alt.value("#ffffff"), alt.value("#222222")),
    )
    chart = (rect + text).properties(width=cell_size * max(1, len(columns)), height=cell_size * max(1, len(order)))
    spec = chart.to_dict()
    spec.pop("$schema", None)
    return spec


def heatmap_svg(cells: Sequence[HeatCell], *, cache_key: str | None = None, **options: Any) -> str:
    def build() -> str:
        return render_svg(heatmap_spec(cells, **options))

    return _cached(f"heatmap|{cache_key}", build) if cache_key else build()
