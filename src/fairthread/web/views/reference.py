"""The data-sources page: every reference dataset and edition with its source, licence and attribution,
and each dataset's rows. Every signed-in member may read them (the data behind the risk method is public)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from fairthread.reference.countries import country_name
from fairthread.reference.models import ROW_MODELS, ReferenceDataset
from fairthread.web.decorators import allowed

PAGE_SIZE = 100

# Data fairthread uses that is not a loadable dataset: shown with its attribution on the same page.
OTHER_SOURCES: list[dict[str, str]] = [
    {"name": "Open Supply Hub", "use": "facility identifiers (OS ID) and the facility-list format for imports",
     "source": "https://opensupplyhub.org", "licence": "CC BY-SA 4.0", "attribution": "Open Supply Hub"},
    {"name": "Natural Earth (via world-atlas)", "use": "the country shapes of the world maps",
     "source": "https://www.naturalearthdata.com; world-atlas countries-110m.json (npm)",
     "licence": "public domain (Natural Earth); ISC (world-atlas package)",
     "attribution": "Made with Natural Earth"},
    {"name": "ISO 3166 country codes (pycountry)", "use": "country names and codes",
     "source": "Debian iso-codes via the pycountry package", "licence": "LGPL-2.1 (package)",
     "attribution": "ISO 3166 via Debian iso-codes"},
]


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _country(code: str) -> str:
    return f"{country_name(code)} ({code})" if code else "—"


def _number(value: float | int | None) -> str:
    if value is None:
        return "—"
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


# kind → (column headings, row → cells, fields searched by ?q=)
Columns = tuple[list[str], Callable[[Any], list[str]], tuple[str, ...]]
COLUMNS: dict[str, Columns] = {
    ReferenceDataset.Kind.COUNTRY_PREVALENCE: (
        ["Country", "Prevalence per 1,000", "Estimated number", "Population", "Region"],
        lambda r: [_country(r.country), _number(r.prevalence_per_1000), _number(r.estimated_number),
                   _number(r.population), r.region],
        ("country", "country_name", "region"),
    ),
    ReferenceDataset.Kind.LISTED_GOODS: (
        ["Good", "Sector", "Country", "Child labour", "Forced labour", "Forced child labour"],
        lambda r: [r.good, r.sector, _country(r.country), _yes(r.child_labour), _yes(r.forced_labour),
                   _yes(r.forced_child_labour)],
        ("good", "sector", "country", "country_name"),
    ),
    ReferenceDataset.Kind.ILO_INDICATORS: (
        ["#", "Code", "Indicator", "Definition (fairthread's words)", "Dimension (ILO 2012)", "Strength"],
        lambda r: [str(r.number), r.code, r.name, r.definition, r.get_dimension_display(), r.strength],
        ("code", "name", "definition"),
    ),
    ReferenceDataset.Kind.HIGH_RISK_REGIONS: (
        ["Id", "Region", "Country", "Names matched", "Materials", "Status", "Basis", "Source"],
        lambda r: [r.region_id, r.label, _country(r.country), ", ".join(r.names()) or "the whole country",
                   ", ".join(r.materials.split("|")) if r.materials else "every material",
                   r.get_status_display(), r.basis, r.source],
        ("region_id", "label", "country", "region_names"),
    ),
    ReferenceDataset.Kind.GOOD_MAPPING: (
        ["fairthread term", "Kind", "Good on the DOL list", "Note"],
        lambda r: [r.term, r.get_term_kind_display(), r.good, r.note],
        ("term", "good"),
    ),
}


@allowed("view", "dashboard")
def reference_sources(request: HttpRequest) -> HttpResponse:
    datasets = ReferenceDataset.objects.select_related("loaded_by").order_by("kind", "-is_current", "-loaded_at",
                                                                             "-id")
    groups: dict[str, list[ReferenceDataset]] = {}
    for ds in datasets:
        groups.setdefault(ds.get_kind_display(), []).append(ds)
    return render(request, "web/reference/sources.html", {"groups": groups, "other_sources": OTHER_SOURCES})


@allowed("view", "dashboard")
def reference_dataset(request: HttpRequest, pk: int) -> HttpResponse:
    ds = get_object_or_404(ReferenceDataset, pk=pk)
    headings, cells, searched = COLUMNS[ds.kind]
    qs = ROW_MODELS[ds.kind].objects.filter(dataset=ds)
    q = request.GET.get("q", "").strip()[:100]
    if q:
        condition = Q()
        for name in searched:
            condition |= Q(**{f"{name}__icontains": q})
        qs = qs.filter(condition)
    page = Paginator(qs.order_by(*ROW_MODELS[ds.kind]._meta.ordering, "pk"), PAGE_SIZE).get_page(
        request.GET.get("page"))
    return render(request, "web/reference/dataset.html", {
        "dataset": ds,
        "headings": headings,
        "rows": [cells(r) for r in page.object_list],
        "page": page,
        "q": q,
        "querystring": urlencode({"q": q}) + "&" if q else "",
        "other_editions": ReferenceDataset.objects.filter(kind=ds.kind).exclude(pk=ds.pk)
        .order_by("-loaded_at", "-id"),
    })
