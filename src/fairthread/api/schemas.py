"""Request and response schemas of the JSON API."""

from __future__ import annotations

import datetime
import uuid
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from fairthread.reference.countries import country_name


class Error(Schema):
    detail: str


class ValidationErrorItem(Schema):
    type: str
    loc: list[str | int]
    msg: str


class ValidationErrors(Schema):
    detail: list[ValidationErrorItem]


# --- facilities -------------------------------------------------------------------------------------------

class OrganisationRef(Schema):
    id: int
    name: str


class FacilityRef(Schema):
    uid: uuid.UUID
    name: str
    country: str
    tier: int | None


class FacilityOut(Schema):
    uid: uuid.UUID
    brand_ref: str | None
    os_id: str | None
    name: str
    name_native: str
    address: str
    country: str = Field(description="ISO 3166-1 alpha-2")
    country_name: str
    region: str
    lat: float | None
    lng: float | None
    coordinate_precision: str
    sector: str
    facility_type: str
    processing_type: str
    product_type: str
    parent_company: str
    organisation: OrganisationRef | None
    workers_count: int | None
    pct_female: float | None
    pct_migrant: float | None
    pct_agency: float | None
    dormitory: bool | None
    recruitment_agents: bool | None
    status: str
    declared_tier: int | None
    tier: int | None = Field(description="Derived from the sourcing links")
    in_cycle: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_country_name(obj: Any) -> str:
        return country_name(obj.country)


class FacilityPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[FacilityOut]


class _FacilityFields(Schema):
    brand_ref: str | None = None
    os_id: str | None = None
    name_native: str | None = None
    address: str | None = None
    region: str | None = None
    lat: float | None = None
    lng: float | None = None
    coordinate_precision: str | None = None
    sector: str | None = None
    facility_type: str | None = Field(None, description="Open Supply Hub vocabulary; aliases accepted")
    processing_type: str | None = None
    product_type: str | None = None
    parent_company: str | None = None
    organisation: str | None = Field(None, description="Name of the supplier organisation running it")
    workers_count: int | None = None
    pct_female: Decimal | None = None
    pct_migrant: Decimal | None = None
    pct_agency: Decimal | None = None
    dormitory: bool | None = None
    recruitment_agents: bool | None = None
    status: str | None = None
    declared_tier: int | None = None


class FacilityIn(_FacilityFields):
    name: str
    country: str = Field(description="Country name or ISO code")


class FacilityPatch(_FacilityFields):
    name: str | None = None
    country: str | None = Field(None, description="Country name or ISO code")


# --- links ------------------------------------------------------------------------------------------------

class LinkOut(Schema):
    id: int
    buyer_brand: OrganisationRef | None = Field(description="Set when the buyer is the brand (tier-1 link)")
    buyer: FacilityRef | None
    supplier: FacilityRef | None
    material: str
    volume_share: float | None
    origin_country: str
    origin_country_name: str
    origin_region: str
    valid_from: datetime.date | None
    valid_to: datetime.date | None

    @staticmethod
    def resolve_buyer_brand(obj: Any) -> dict[str, Any] | None:
        return {"id": obj.brand.pk, "name": obj.brand.name} if obj.brand_id else None

    @staticmethod
    def resolve_origin_country_name(obj: Any) -> str:
        return country_name(obj.origin_country) if obj.origin_country else ""


class LinkPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[LinkOut]


class LinkIn(Schema):
    buyer: str = Field(description='"brand", or the uid of the buying facility')
    supplier: str | None = Field(None, description="uid of the supplying facility, if known")
    origin_country: str | None = Field(None, description="Declared origin when the supplier is unknown")
    origin_region: str | None = None
    material: str = ""
    volume_share: Decimal | None = None
    valid_from: datetime.date | None = None
    valid_to: datetime.date | None = None


# --- imports ----------------------------------------------------------------------------------------------

class ImportBatchOut(Schema):
    id: int
    filename: str
    file_format: str
    organisation: OrganisationRef | None
    uploaded_by: str | None
    dry_run: bool
    status: str
    progress_percent: int
    rows_total: int
    rows_done: int
    created: int
    updated: int
    unchanged: int
    links_created: int
    errors: list[Any]
    warnings: list[Any]
    created_at: datetime.datetime
    finished_at: datetime.datetime | None

    @staticmethod
    def resolve_uploaded_by(obj: Any) -> str | None:
        return obj.uploaded_by.get_username() if obj.uploaded_by_id else None


class ImportBatchPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ImportBatchOut]


class ImportResultOut(Schema):
    ok: bool
    batch_id: int | None
    file_format: str
    dry_run: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    links_created: int
    warnings: list[Any]


class ImportErrors(Schema):
    detail: str
    batch_id: int | None
    errors: list[Any]
    warnings: list[Any]


# --- challenges -------------------------------------------------------------------------------------------

class ChallengeAnswerOut(Schema):
    id: int
    author: str
    text: str
    created_at: datetime.datetime

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return obj.author.get_username()


class ChallengeOut(Schema):
    id: int
    subject_type: str
    subject_id: str
    subject_repr: str
    facility_uid: uuid.UUID | None = Field(description="Set when the challenge is about a facility")
    title: str
    text: str
    due_date: datetime.date
    status: str
    overdue: bool
    raised_by: str
    created_at: datetime.datetime
    closed_at: datetime.datetime | None
    answers: list[ChallengeAnswerOut]

    @staticmethod
    def resolve_subject_type(obj: Any) -> str:
        return obj.content_type.model

    @staticmethod
    def resolve_subject_id(obj: Any) -> str:
        return obj.object_id

    @staticmethod
    def resolve_facility_uid(obj: Any) -> uuid.UUID | None:
        return getattr(obj, "facility_uid", None)

    @staticmethod
    def resolve_overdue(obj: Any) -> bool:
        return obj.is_overdue

    @staticmethod
    def resolve_raised_by(obj: Any) -> str:
        return obj.raised_by.get_username()

    @staticmethod
    def resolve_answers(obj: Any) -> list[Any]:
        return list(obj.responses.all())


class ChallengePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ChallengeOut]


class ChallengeIn(Schema):
    facility: str = Field(description="uid of the facility challenged")
    title: str
    text: str
    due_date: datetime.date


class AnswerIn(Schema):
    text: str


class CloseIn(Schema):
    note: str = ""


# --- tokens -----------------------------------------------------------------------------------------------

class TokenOut(Schema):
    id: int
    name: str
    key_prefix: str
    created_at: datetime.datetime
    last_used_at: datetime.datetime | None
    revoked_at: datetime.datetime | None


class TokenCreated(TokenOut):
    key: str = Field(description="The token itself: shown this once, never stored")


class TokenIn(Schema):
    name: str
