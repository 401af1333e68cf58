"""Sourcing links: list/filter, read, create (buyer = the brand or a facility), delete."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status

from fairthread.accounts import policy
from fairthread.accounts.models import Organisation
from fairthread.api.common import country_code, get_visible, guard, page, parse_uid, user_of
from fairthread.api.schemas import Error, LinkIn, LinkOut, LinkPage, ValidationErrors
from fairthread.supplychain import services
from fairthread.supplychain.models import SourcingLink
from fairthread.supplychain.vocabulary import canonical_material

router = Router(tags=["links"])


class LinkFilters(Schema):
    facility: str | None = None
    material: str | None = None
    limit: int = 50
    offset: int = 0


def _links(user: Any) -> QuerySet:
    return policy.visible_links(user).select_related("brand", "buyer", "supplier").order_by("id")


def _brand_for(user: Any) -> Organisation:
    """The brand a "brand" buyer means: the user's own brand, else the one brand on this installation."""
    org = user.organisation
    if org is not None and org.kind == Organisation.Kind.BRAND:
        return org
    brands = list(Organisation.objects.filter(kind=Organisation.Kind.BRAND)[:2])
    if len(brands) != 1:
        raise ValidationError({"buyer": "Cannot tell which brand is meant; give a buyer facility uid."})
    return brands[0]


def _link_values(user: Any, payload: LinkIn) -> dict[str, Any]:
    visible = policy.visible_facilities(user)
    values: dict[str, Any] = {}
    buyer = payload.buyer.strip()
    if buyer.lower() == "brand":
        values["brand"] = _brand_for(user)
    else:
        facility = visible.filter(uid=parse_uid(buyer, "buyer")).first()
        if facility is None:
            raise ValidationError({"buyer": f"No facility {buyer!r}."})
        values["buyer"] = facility
    if payload.supplier:
        supplier = visible.filter(uid=parse_uid(payload.supplier.strip(), "supplier")).first()
        if supplier is None:
            raise ValidationError({"supplier": f"No facility {payload.supplier!r}."})
        values["supplier"] = supplier
    if payload.origin_country and payload.origin_country.strip():
        values["origin_country"] = country_code(payload.origin_country.strip(), "origin_country")
    elif "supplier" not in values:
        raise ValidationError({"supplier": "Give the supplying facility, or the declared origin_country."})
    values["origin_region"] = (payload.origin_region or "").strip()
    material = (payload.material or "").strip()
    values["material"] = canonical_material(material) or material.lower()
    values["volume_share"] = payload.volume_share
    values["valid_from"] = payload.valid_from
    values["valid_to"] = payload.valid_to
    if payload.valid_from and payload.valid_to and payload.valid_to < payload.valid_from:
        raise ValidationError({"valid_to": "valid_to cannot be before valid_from."})
    return values


@router.get("/links", response=LinkPage, operation_id="list_links",
            **guard("view", "sourcing_link"),
            summary="List sourcing links (filter by facility uid, material)")
def list_links(request: HttpRequest, filters: Query[LinkFilters]) -> dict[str, Any]:
    user = user_of(request)
    qs = _links(user)
    if filters.facility:
        uid = parse_uid(filters.facility.strip(), "facility")
        qs = qs.filter(Q(buyer__uid=uid) | Q(supplier__uid=uid))
    if filters.material:
        material = filters.material.strip()
        qs = qs.filter(material=canonical_material(material) or material.lower())
    count, items = page(qs, filters.limit, filters.offset)
    return {"count": count, "limit": filters.limit, "offset": filters.offset, "items": items}


@router.get("/links/{link_id}", response={200: LinkOut, 404: Error}, operation_id="get_link",
            **guard("view", "sourcing_link"), summary="Read one sourcing link")
def get_link(request: HttpRequest, link_id: int) -> SourcingLink:
    user = user_of(request)
    return get_visible(_links(user), pk=link_id)


@router.post("/links", response={201: LinkOut, 422: ValidationErrors}, operation_id="create_link",
             **guard("create", "sourcing_link"), summary="Create a sourcing link")
def create_link(request: HttpRequest, payload: LinkIn) -> Status:
    user = user_of(request)
    link = services.create_link(by=user, values=_link_values(user, payload))
    return Status(201, _links(user).get(pk=link.pk))


@router.delete("/links/{link_id}", response={204: None, 404: Error}, operation_id="delete_link",
               **guard("delete", "sourcing_link", gate="view"),
               summary="Delete a sourcing link")
def delete_link(request: HttpRequest, link_id: int) -> HttpResponse:
    user = user_of(request)
    services.delete_link(get_visible(_links(user), pk=link_id), by=user)
    return HttpResponse(status=204)
