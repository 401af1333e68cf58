"""Facilities: list/filter, read, create, update, and their direct sourcing links both ways."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from fairthread.accounts import policy
from fairthread.accounts.models import Organisation
from fairthread.api.common import country_code, get_visible, guard, page, path_uid, user_of
from fairthread.api.schemas import (
    Error,
    FacilityIn,
    FacilityOut,
    FacilityPage,
    FacilityPatch,
    LinkOut,
    ValidationErrors,
)
from fairthread.supplychain import services
from fairthread.supplychain.models import Facility, SourcingLink
from fairthread.supplychain.vocabulary import canonical_facility_type, canonical_material

router = Router(tags=["facilities"])

# Text fields that are stored as "" rather than NULL; unique ids (brand_ref, os_id) are NULL when empty.
_BLANK_TEXT = {
    "name_native", "address", "region", "coordinate_precision", "sector", "facility_type", "processing_type",
    "product_type", "parent_company",
}
_UNIQUE_IDS = {"brand_ref", "os_id"}


class FacilityFilters(Schema):
    q: str | None = None
    country: str | None = None
    tier: int | None = None
    facility_type: str | None = None
    material: str | None = None
    status: str | None = None
    limit: int = 50
    offset: int = 0


def _facility_values(data: dict[str, Any]) -> dict[str, Any]:
    """API input → model values: countries and organisations resolved, vocabularies canonicalised."""
    values: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, str):
            value = value.strip()
        if name == "country":
            if not value:
                raise ValidationError({"country": "A facility needs a country."})
            value = country_code(value, "country")
        elif name == "name" and not value:
            raise ValidationError({"name": "A facility needs a name."})
        elif name == "organisation":
            if value:
                org = Organisation.objects.filter(name__iexact=value).first()
                if org is None or org.kind != Organisation.Kind.SUPPLIER:
                    raise ValidationError({"organisation": f"No supplier organisation called {value!r}."})
                value = org
            else:
                value = None
        elif name == "facility_type" and value:
            value = canonical_facility_type(value) or value
        elif name in _BLANK_TEXT and value is None:
            value = ""
        elif name in _UNIQUE_IDS and not value:
            value = None
        values[name] = value
    return values


def filtered_facilities(user: Any, f: FacilityFilters) -> QuerySet:
    qs = policy.visible_facilities(user).select_related("organisation")
    if f.q:
        text = f.q.strip()
        qs = qs.filter(Q(name__icontains=text) | Q(name_native__icontains=text) | Q(brand_ref__iexact=text)
                       | Q(os_id__iexact=text))
    if f.country:
        qs = qs.filter(country=country_code(f.country, "country"))
    if f.tier is not None:
        qs = qs.filter(tier=f.tier)
    if f.facility_type:
        qs = qs.filter(facility_type=canonical_facility_type(f.facility_type) or f.facility_type.strip())
    if f.material:
        material = canonical_material(f.material) or f.material.strip().lower()
        # Facilities that supply this material to someone (a subquery keeps the rows distinct).
        qs = qs.filter(pk__in=SourcingLink.objects.filter(material=material, supplier__isnull=False)
                       .values("supplier_id"))
    if f.status:
        qs = qs.filter(status=f.status.strip().lower())
    return qs.order_by("name", "id")


def _links(user: Any) -> QuerySet:
    return policy.visible_links(user).select_related("brand", "buyer", "supplier").order_by("id")


@router.get("/facilities", response=FacilityPage, operation_id="list_facilities",
            **guard("view", "facility"), summary="List and filter facilities")
def list_facilities(request: HttpRequest, filters: Query[FacilityFilters]) -> dict[str, Any]:
    user = user_of(request)
    count, items = page(filtered_facilities(user, filters), filters.limit, filters.offset)
    return {"count": count, "limit": filters.limit, "offset": filters.offset, "items": items}


@router.get("/facilities/{uid}", response={200: FacilityOut, 404: Error}, operation_id="get_facility",
            **guard("view", "facility"), summary="Read one facility")
def get_facility(request: HttpRequest, uid: str) -> Facility:
    user = user_of(request)
    return get_visible(policy.visible_facilities(user).select_related("organisation"),
                       uid=path_uid(uid))


@router.post("/facilities", response={201: FacilityOut, 422: ValidationErrors},
             operation_id="create_facility", **guard("create", "facility"),
             summary="Create a facility")
def create_facility(request: HttpRequest, payload: FacilityIn) -> Status:
    user = user_of(request)
    facility = services.create_facility(by=user, values=_facility_values(payload.dict(exclude_unset=True)))
    return Status(201, facility)


@router.patch("/facilities/{uid}", response={200: FacilityOut, 404: Error, 422: ValidationErrors},
              operation_id="update_facility", **guard("change", "facility"),
              summary="Update some fields of a facility")
def update_facility(request: HttpRequest, uid: str, payload: FacilityPatch) -> Facility:
    user = user_of(request)
    facility = get_visible(policy.visible_facilities(user), uid=path_uid(uid))
    services.update_facility(facility, by=user, values=_facility_values(payload.dict(exclude_unset=True)))
    return Facility.objects.select_related("organisation").get(pk=facility.pk)


@router.get("/facilities/{uid}/upstream", response={200: list[LinkOut], 404: Error},
            operation_id="facility_upstream", **guard("view", "sourcing_link"),
            summary="The facility's direct suppliers and declared origins")
def list_facility_upstream(request: HttpRequest, uid: str) -> QuerySet:
    user = user_of(request)
    facility = get_visible(policy.visible_facilities(user), uid=path_uid(uid))
    return _links(user).filter(buyer=facility)


@router.get("/facilities/{uid}/downstream", response={200: list[LinkOut], 404: Error},
            operation_id="facility_downstream", **guard("view", "sourcing_link"),
            summary="Who the facility supplies directly (facilities or the brand)")
def list_facility_downstream(request: HttpRequest, uid: str) -> QuerySet:
    user = user_of(request)
    facility = get_visible(policy.visible_facilities(user), uid=path_uid(uid))
    return _links(user).filter(supplier=facility)
