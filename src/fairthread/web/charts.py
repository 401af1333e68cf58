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


def map_rows(counts: Sequence[CountryCount]) -> list[dict[str, Any]]:
    """Per-country rows keyed like world-atlas features: ISO 3166 numeric codes as three-digit strings."""
    rows = []
    for c in counts:
        numeric = country_numeric(c.code)
        if numeric is not None and c.count > 0:
            rows.append({"id": f"{numeric:03d}", "count": c.count, "name": country_name(c.code)})
    return rows


def facilities_map_spec(
    counts: Sequence[CountryCount], width: int = 720, height: int = 380
) -> dict[str, Any]:
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
        .encode(color=alt.Color("count:Q", title="Facilities", scale=alt.Scale(type="log", scheme="blues")))
    )
    chart = (base + filled).project("equalEarth").properties(width=width, height=height)
    spec = chart.to_dict()
    spec.pop("$schema", None)  # a URL the renderer never needs
    return spec


def render_svg(spec: dict[str, Any]) -> str:
    import vl_convert

    svg = vl_convert.vegalite_to_svg(spec)
    # vl-convert declares the xlink namespace without using it; drop it so the SVG names no URL but its own.
    if "xlink:" not in svg:
        svg = _XLINK.sub("", svg, count=1)
    return svg


def facilities_map_svg(
    counts: Sequence[CountryCount] | Callable[[], Sequence[CountryCount]], cache_key: str | None = None
) -> str:
    """The world map of facilities by country as SVG.

    With ``cache_key`` the SVG is cached under it; ``counts`` may then be a callable so that a cache hit
    skips counting too.
    """

    def build() -> str:
        data = counts() if callable(counts) else counts
        return render_svg(facilities_map_spec(data))

    if not cache_key:
        return build()
    key = "chart:map:" + hashlib.sha256(cache_key.encode()).hexdigest()
    svg = cache.get(key)
    if svg is None:
        svg = build()
        cache.set(key, svg, 24 * 3600)
    return svg
