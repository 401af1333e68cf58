"""Facility list, facility page, create/edit, sourcing links from a facility's page, and the export."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from fairthread.accounts import policy
from fairthread.accounts.models import Organisation
from fairthread.audit.models import AuditEvent
from fairthread.reference.countries import country_name, resolve_country
from fairthread.supplychain import exporting, queries, services
from fairthread.supplychain.models import AgentEngagement, Facility, SourcingLink
from fairthread.supplychain.vocabulary import MATERIALS
from fairthread.web.decorators import allowed
from fairthread.web.forms import (
    FACILITY_FIELDS,
    AgentEngagementForm,
    FacilityForm,
    LinkForm,
    country_choices,
    facility_type_choices,
    material_choices,
)
from fairthread.web.views import matching

PAGE_SIZE = 50
# Only the columns the list shows (the table stays narrow at 100,000 facilities).
LIST_COLUMNS = (
    "id",
    "uid",
    "name",
    "brand_ref",
    "os_id",
    "country",
    "region",
    "facility_type",
    "tier",
    "declared_tier",
    "in_cycle",
    "workers_count",
    "status",
    "updated_at",
)
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "id"),
    "country": ("country", "name", "id"),
    "tier": ("tier", "name", "id"),
    "workers": ("workers_count", "name", "id"),
    "updated": ("updated_at", "id"),
}
SORT_LABELS = {
    "name": "Name",
    "country": "Country",
    "tier": "Tier",
    "workers": "Workers",
    "updated": "Updated",
}
TIER_FILTERS = ["1", "2", "3", "4", "unknown"]


@dataclass
class FacilityFilter:
    """The list's search, filters and sort, from the query string (bad values reported and ignored)."""

    q: str = ""
    country: str = ""
    tier: str = ""
    facility_type: str = ""
    material: str = ""
    status: str = ""
    sort: str = "name"
    problems: list[str] = field(default_factory=list)

    @classmethod
    def from_params(cls, params: Mapping[str, str], type_key: str = "type") -> FacilityFilter:
        f = cls(q=params.get("q", "").strip()[:200])
        country = params.get("country", "").strip()
        if country:
            code = resolve_country(country)
            if code:
                f.country = code
            else:
                f.problems.append(f"Unknown country {country!r}: the country filter was ignored.")
        tier = params.get("tier", "").strip().lower()
        if tier:
            if tier in TIER_FILTERS:
                f.tier = tier
            else:
                f.problems.append("Tier must be 1, 2, 3, 4 or unknown: the tier filter was ignored.")
        f.facility_type = params.get(type_key, "").strip()[:60]
        material = params.get("material", "").strip().lower()
        if material:
            if material in MATERIALS:
                f.material = material
            else:
                f.problems.append(f"Unknown material {material!r}: the material filter was ignored.")
        status = params.get("status", "").strip().lower()
        if status:
            if status in Facility.Status.values:
                f.status = status
            else:
                f.problems.append("Status must be active or closed: the status filter was ignored.")
        sort = params.get("sort", "name").strip()
        if sort.lstrip("-") in SORTS:
            f.sort = sort
        elif sort:
            f.problems.append(f"Cannot sort by {sort!r}: sorted by name instead.")
        return f

    def apply(self, qs: QuerySet) -> QuerySet:
        if self.q:
            qs = qs.filter(
                Q(name__icontains=self.q)
                | Q(brand_ref__icontains=self.q)
                | Q(os_id__icontains=self.q)
                | Q(address__icontains=self.q)
            )
        if self.country:
            qs = qs.filter(country=self.country)
        if self.tier == "unknown":
            qs = qs.filter(tier__isnull=True)
        elif self.tier:
            qs = qs.filter(tier=int(self.tier))
        if self.facility_type:
            qs = qs.filter(facility_type=self.facility_type)
        if self.material:
            qs = qs.filter(id__in=queries.material_supplier_ids(self.material))
        if self.status:
            qs = qs.filter(status=self.status)
        return qs

    def ordered(self, qs: QuerySet) -> QuerySet:
        key = self.sort.lstrip("-")
        fields = SORTS[key]
        if self.sort.startswith("-"):
            return qs.order_by(*(f"-{name}" for name in fields))
        return qs.order_by(*fields)

    def params(self, type_key: str = "type", **overrides: str) -> dict[str, str]:
        values = {
            "q": self.q,
            "country": self.country,
            "tier": self.tier,
            type_key: self.facility_type,
            "material": self.material,
            "status": self.status,
            "sort": self.sort,
        }
        values.update(overrides)
        return {k: v for k, v in values.items() if v and not (k == "sort" and v == "name")}

    def query(self, type_key: str = "type", **overrides: str) -> str:
        return urlencode(self.params(type_key, **overrides))

    @property
    def active(self) -> bool:
        return bool(self.q or self.country or self.tier or self.facility_type or self.material or self.status)


@allowed("view", "facility")
def facility_list(request: HttpRequest) -> HttpResponse:
    flt = FacilityFilter.from_params(request.GET)
    qs = flt.ordered(flt.apply(policy.visible_facilities(request.user))).only(*LIST_COLUMNS)
    paginator = Paginator(qs, PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    sort_key = flt.sort.lstrip("-")
    descending = flt.sort.startswith("-")
    columns = []
    for key, label in SORT_LABELS.items():
        current = key == sort_key
        # Clicking the current column flips its direction.
        target = f"-{key}" if current and not descending else key
        columns.append(
            {
                "key": key,
                "label": label,
                "current": current,
                "descending": current and descending,
                "url": "?" + flt.query(sort=target),
            }
        )
    export_query = flt.query(type_key="facility_type")
    return render(
        request,
        "web/facility_list.html",
        {
            "page": page,
            "total": paginator.count,
            "flt": flt,
            "columns": columns,
            "page_query": flt.query(),
            "export_query": export_query,
            "export_hidden": sorted(flt.params(type_key="facility_type").items()),
            "countries": country_choices("Any country"),
            "tiers": [("", "Any tier")]
            + [(t, f"Tier {t}") for t in TIER_FILTERS[:4]]
            + [("unknown", "Tier unknown")],
            "types": facility_type_choices(blank="Any type"),
            "materials": material_choices(blank="Any material"),
            "statuses": [("", "Any status")] + list(Facility.Status.choices),
            "sorts": [(k, f"{v} (A→Z / low→high)") for k, v in SORT_LABELS.items()]
            + [(f"-{k}", f"{v} (Z→A / high→low)") for k, v in SORT_LABELS.items()],
        },
    )


# --- Facility page ------------------------------------------------------------------------------------------


def _display(facility: Facility, name: str) -> Any:
    getter = getattr(facility, f"get_{name}_display", None)
    value = getter() if getter else getattr(facility, name)
    if name == "country":
        return f"{country_name(value)} ({value})" if value else ""
    if name == "organisation":
        return facility.organisation
    return value


def provenance_rows(facility: Facility, limit: int = 200) -> list[dict[str, Any]]:
    """For each field some source supplied: the current value and every source's value, latest first."""
    sources = list(facility.sources.select_related("batch", "organisation")[:limit])
    order = {name: i for i, name in enumerate(FACILITY_FIELDS)}
    by_field: dict[str, list[tuple[Any, Any]]] = {}
    for source in sources:  # already latest first (model ordering)
        for name, value in (source.values or {}).items():
            by_field.setdefault(name, []).append((value, source))
    rows = []
    for name in sorted(by_field, key=lambda n: (order.get(n, len(order)), n)):
        try:
            label = Facility._meta.get_field(name).verbose_name
        except Exception:  # a source may carry a column that is not a model field (e.g. "tier")
            label = name.replace("_", " ")
        current = _display(facility, name) if hasattr(facility, name) else None
        rows.append(
            {
                "field": name,
                "label": label,
                "current": current,
                "sources": [{"value": v, "source": s} for v, s in by_field[name]],
            }
        )
    return rows


def _brand_for(user: Any) -> Organisation | None:
    org = user.organisation
    if org is not None and org.kind == Organisation.Kind.BRAND:
        return org
    return Organisation.objects.filter(kind=Organisation.Kind.BRAND).order_by("id").first()


@allowed("view", "facility")
def facility_detail(request: HttpRequest, uid: Any) -> HttpResponse:
    user = request.user
    facility = policy.visible_facilities(user).select_related("organisation").filter(uid=uid).first()
    if facility is None:
        return _merged_facility(request, uid)
    links = policy.visible_links(user)
    upstream = list(
        links.filter(buyer=facility).select_related("supplier").order_by("material", "supplier__name", "id")
    )
    downstream = list(
        links.filter(supplier=facility)
        .select_related("buyer", "brand")
        .order_by("brand_id", "buyer__name", "id")
    )
    visible_ids = set(
        policy.visible_facilities(user)
        .filter(
            id__in=[li.supplier_id for li in upstream if li.supplier_id]
            + [li.buyer_id for li in downstream if li.buyer_id]
        )
        .values_list("id", flat=True)
    )
    for li in upstream + downstream:
        li.may_delete = policy.can(user, "delete", li)
    engagements = list(facility.agent_engagements.select_related("agent").order_by("agent__name", "origin_country"))
    if engagements and policy.can(user, "view", "screening"):
        from fairthread.screening.services import agent_screening_status

        status = agent_screening_status({e.agent_id for e in engagements})
        for e in engagements:
            e.screening = status.get(e.agent_id, "clear")
    context: dict[str, Any] = {
        "facility": facility,
        "engagements": engagements,
        "upstream": upstream,
        "downstream": downstream,
        "visible_ids": visible_ids,
        "paths": queries.paths_to_brand(facility, links),
        "provenance": provenance_rows(facility),
        "may_edit": policy.can(user, "change", facility),
        "may_link": policy.can(user, "create", SourcingLink(buyer=facility)),
        "may_view_imports": policy.can(user, "view", "import"),
        "country_label": f"{country_name(facility.country)} ({facility.country})",
    }
    context.update(matching.facility_panel(user, facility))
    if policy.can(user, "view", "challenge"):
        from fairthread.challenges.services import challenges_for

        context["show_challenges"] = True
        context["challenges"] = list(challenges_for(facility))
        context["may_open_challenge"] = policy.can(user, "open", "challenge")
    if policy.can(user, "view", "audit_log"):
        context["show_audit"] = True
        context["audit_events"] = list(
            AuditEvent.objects.filter(object_type=Facility._meta.label_lower, object_id=str(facility.pk))[:50]
        )
    return render(request, "web/facility_detail.html", context)


def _merged_facility(request: HttpRequest, uid: Any) -> HttpResponse:
    """A record merged into another: say so, with a link to the record it lives on in (else 404)."""
    merged = get_object_or_404(
        policy.visible_facilities(request.user, Facility.all_objects.all()).select_related("merged_into"),
        uid=uid, status=Facility.Status.MERGED,
    )
    survivor = merged.merged_into
    # Follow a chain of merges (A into B, B later into C) to the record that is current.
    seen = {merged.pk}
    while survivor is not None and survivor.status == Facility.Status.MERGED and survivor.merged_into_id \
            and survivor.pk not in seen:
        seen.add(survivor.pk)
        survivor = survivor.merged_into
    context: dict[str, Any] = {
        "facility": merged, "survivor": survivor, "country_label": f"{country_name(merged.country)} ({merged.country})",
    }
    context.update(matching.facility_panel(request.user, merged))
    return render(request, "web/facility_merged.html", context)


def _apply_service_error(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@allowed("change", "facility")
@require_http_methods(["GET", "POST"])
def facility_edit(request: HttpRequest, uid: Any) -> HttpResponse:
    facility = get_object_or_404(policy.visible_facilities(request.user), uid=uid)
    if not policy.can(request.user, "change", facility):
        raise PermissionDenied
    form = FacilityForm(request.POST or None, user=request.user, instance=facility)
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_facility(facility, by=request.user, values=form.changed_values())
        except ValidationError as exc:
            _apply_service_error(form, exc)
            facility.refresh_from_db()
        else:
            messages.success(request, "Facility saved." if changed else "Nothing changed.")
            return redirect("web:facility_detail", uid=facility.uid)
    return render(request, "web/facility_form.html", {"form": form, "facility": facility})


@allowed("create", "facility")
@require_http_methods(["GET", "POST"])
def facility_create(request: HttpRequest) -> HttpResponse:
    form = FacilityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            facility = services.create_facility(by=request.user, values=form.changed_values())
        except ValidationError as exc:
            _apply_service_error(form, exc)
        else:
            messages.success(request, f"Facility {facility.name} created.")
            return redirect("web:facility_detail", uid=facility.uid)
    return render(request, "web/facility_form.html", {"form": form, "facility": None})


@allowed("create", "sourcing_link")
@require_http_methods(["GET", "POST"])
def link_create(request: HttpRequest, uid: Any) -> HttpResponse:
    facility = get_object_or_404(policy.visible_facilities(request.user), uid=uid)
    form = LinkForm(request.POST or None, user=request.user, facility=facility)
    if request.method == "POST" and form.is_valid():
        values = form.link_values(_brand_for(request.user))
        try:
            services.create_link(by=request.user, values=values)
        except PermissionDenied:
            form.add_error(
                None,
                "You may not declare this link: suppliers declare the suppliers of their own facilities.",
            )
        except ValidationError as exc:
            _apply_service_error(form, exc)
        else:
            messages.success(request, "Sourcing link added.")
            return redirect("web:facility_detail", uid=facility.uid)
    return render(request, "web/link_form.html", {"form": form, "facility": facility})


@allowed("delete", "sourcing_link")
@require_POST
def link_delete(request: HttpRequest, pk: int) -> HttpResponse:
    link = get_object_or_404(policy.visible_links(request.user).select_related("buyer", "supplier"), pk=pk)
    # Back to the facility page the user came from (its uid travels in the form), else the buyer's page.
    back = request.POST.get("facility", "")
    ends = {str(f.uid): f for f in (link.buyer, link.supplier) if f is not None}
    target = ends.get(back) or link.buyer or link.supplier
    services.delete_link(link, by=request.user)
    messages.success(request, "Sourcing link deleted.")
    if target is not None:
        return redirect("web:facility_detail", uid=target.uid)
    return redirect("web:facility_list")


# --- Recruitment agents -------------------------------------------------------------------------------------


def _engagement(request: HttpRequest, uid: Any, pk: int) -> tuple[Facility, AgentEngagement]:
    facility = get_object_or_404(policy.visible_facilities(request.user), uid=uid)
    if not policy.can(request.user, "change", facility):
        raise PermissionDenied
    engagement = get_object_or_404(AgentEngagement.objects.select_related("agent"), pk=pk, facility=facility)
    return facility, engagement


@allowed("change", "facility")
@require_http_methods(["GET", "POST"])
def agent_add(request: HttpRequest, uid: Any) -> HttpResponse:
    facility = get_object_or_404(policy.visible_facilities(request.user), uid=uid)
    if not policy.can(request.user, "change", facility):
        raise PermissionDenied
    form = AgentEngagementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            engagement = services.add_agent_engagement(facility, by=request.user, values=form.cleaned_data)
        except ValidationError as exc:
            _apply_service_error(form, exc)
        else:
            messages.success(request, f"Recruitment agent {engagement.agent.name} added; it is screened against "
                                      "the restricted lists.")
            return redirect("web:facility_detail", uid=facility.uid)
    return render(request, "web/agent_form.html", {"form": form, "facility": facility, "engagement": None})


@allowed("change", "facility")
@require_http_methods(["GET", "POST"])
def agent_edit(request: HttpRequest, uid: Any, pk: int) -> HttpResponse:
    facility, engagement = _engagement(request, uid, pk)
    form = AgentEngagementForm(request.POST or None, initial=AgentEngagementForm.initial_for(engagement))
    if request.method == "POST" and form.is_valid():
        try:
            changed = services.update_agent_engagement(engagement, by=request.user, values=form.cleaned_data)
        except ValidationError as exc:
            _apply_service_error(form, exc)
        else:
            messages.success(request, "Recruitment agent saved." if changed else "Nothing changed.")
            return redirect("web:facility_detail", uid=facility.uid)
    return render(request, "web/agent_form.html", {"form": form, "facility": facility, "engagement": engagement})


@allowed("change", "facility")
@require_POST
def agent_remove(request: HttpRequest, uid: Any, pk: int) -> HttpResponse:
    facility, engagement = _engagement(request, uid, pk)
    name = engagement.agent.name
    services.remove_agent_engagement(engagement, by=request.user)
    messages.success(request, f"{facility.name} no longer recruits through {name} (on this corridor).")
    return redirect("web:facility_detail", uid=facility.uid)


# --- Export -------------------------------------------------------------------------------------------------

EXPORT_FORMATS = {"osh", "odsas"}
EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@allowed("run", "export")
def facility_export(request: HttpRequest) -> HttpResponse:
    fmt = request.GET.get("format", "osh").strip().lower()
    kind = request.GET.get("type", "csv").strip().lower()
    if fmt not in EXPORT_FORMATS or kind not in EXPORT_TYPES:
        return HttpResponseBadRequest(
            "Choose format=osh or odsas, and type=csv or xlsx.", content_type="text/plain; charset=utf-8"
        )
    # Tiers come as "tiers=1,2,unknown" or as repeated "publish" checkboxes from the list page's form.
    tokens = [t.strip().lower() for t in request.GET.get("tiers", "").split(",") if t.strip()]
    tokens += [t.strip().lower() for t in request.GET.getlist("publish") if t.strip()]
    tiers: set[int] | None = None
    include_unknown = True
    if request.GET.get("publish_form") and not tokens:
        return HttpResponseBadRequest(
            "Choose at least one tier to publish.", content_type="text/plain; charset=utf-8"
        )
    if tokens:
        if any(t != "unknown" and t not in {"1", "2", "3", "4"} for t in tokens):
            return HttpResponseBadRequest(
                "tiers must be a comma-separated list of 1, 2, 3, 4 and unknown, such as 1,2.",
                content_type="text/plain; charset=utf-8",
            )
        tiers = {int(t) for t in tokens if t != "unknown"}
        include_unknown = "unknown" in tokens
    # "type" names the file type here, so the list's facility-type filter travels as "facility_type".
    flt = FacilityFilter.from_params(request.GET, type_key="facility_type")
    qs = flt.apply(policy.visible_facilities(request.user))
    rows = exporting.export_facilities(qs, fmt, tiers, include_unknown)
    body = exporting.to_csv_bytes(rows) if kind == "csv" else exporting.to_xlsx_bytes(rows)
    response = HttpResponse(body, content_type=EXPORT_TYPES[kind])
    response["Content-Disposition"] = f'attachment; filename="facilities-{fmt}.{kind}"'
    return response
