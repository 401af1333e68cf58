"""The supply-chain map: facilities, sourcing links between them, imports and where each value came from."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from fairthread.accounts.models import Organisation

PERCENT = [MinValueValidator(0), MaxValueValidator(100)]


class CurrentFacilityManager(models.Manager["Facility"]):
    """Facilities that are records of their own: a facility merged into another is history, not a record."""

    def get_queryset(self) -> models.QuerySet[Facility]:
        return super().get_queryset().exclude(status=Facility.Status.MERGED)


class Facility(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        CLOSED = "closed", "Closed"
        # Merged into another facility (matching); kept so the merge can be undone.
        MERGED = "merged", "Merged"

    class CoordinatePrecision(models.TextChoices):
        EXACT = "exact", "Exact (building)"
        STREET = "street", "Street"
        CITY = "city", "City or town"
        REGION = "region", "Region"
        COUNTRY = "country", "Country"

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The supplier organisation that runs this facility; its supplier users see and edit it.
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="facilities"
    )
    brand_ref = models.CharField("brand reference", max_length=100, null=True, blank=True, unique=True)
    os_id = models.CharField("Open Supply Hub ID", max_length=20, null=True, blank=True, unique=True)
    name = models.CharField(max_length=300)
    name_native = models.CharField("name in native script", max_length=300, blank=True)
    address = models.CharField(max_length=500, blank=True)
    country = models.CharField(max_length=2, db_index=True, help_text="ISO 3166-1 alpha-2")
    region = models.CharField("state / province", max_length=120, blank=True, db_index=True)
    lat = models.FloatField(null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lng = models.FloatField(null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)])
    coordinate_precision = models.CharField(max_length=10, choices=CoordinatePrecision.choices, blank=True)
    sector = models.CharField(max_length=60, blank=True)
    facility_type = models.CharField(max_length=60, blank=True, db_index=True)
    processing_type = models.CharField(max_length=200, blank=True)
    product_type = models.CharField(max_length=200, blank=True)
    parent_company = models.CharField(max_length=300, blank=True)
    workers_count = models.PositiveIntegerField("number of workers", null=True, blank=True)
    pct_female = models.DecimalField("% female", max_digits=5, decimal_places=2, null=True, blank=True,
                                     validators=PERCENT)
    pct_migrant = models.DecimalField("% migrant", max_digits=5, decimal_places=2, null=True, blank=True,
                                      validators=PERCENT)
    pct_agency = models.DecimalField("% agency / temporary", max_digits=5, decimal_places=2, null=True,
                                     blank=True, validators=PERCENT)
    dormitory = models.BooleanField("dormitory on site", null=True, blank=True)
    recruitment_agents = models.BooleanField("recruitment through agents", null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE, db_index=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_records",
        help_text="The facility this record was merged into (status 'merged').",
    )
    declared_tier = models.PositiveSmallIntegerField(null=True, blank=True)
    # Derived from the link graph by ``supplychain.tiers``; never edited directly.
    tier = models.PositiveSmallIntegerField(null=True, blank=True, db_index=True)
    in_cycle = models.BooleanField(default=False)
    # Normalised name + address + country: how a re-import finds a facility without ids.
    identity_key = models.CharField(max_length=64, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # `objects` hides merged records everywhere (lists, exports, risk, screening); `all_objects` sees them
    # (matching, undo, lookups by brand reference or OS ID). Related access uses `all_objects`.
    all_objects = models.Manager()
    objects = CurrentFacilityManager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "facilities"
        base_manager_name = "all_objects"
        default_manager_name = "objects"
        indexes = [
            models.Index(fields=["country", "tier"]),
            models.Index(fields=["tier", "name"]),
            # The facility list's sorts and filters at 100,000 facilities (migration 0002).
            models.Index(fields=["name"], name="facility_name_idx"),
            models.Index(fields=["updated_at"], name="facility_updated_idx"),
            models.Index(fields=["workers_count"], name="facility_workers_idx"),
            models.Index(fields=["country", "name"], name="facility_country_name_idx"),
            models.Index(fields=["facility_type", "name"], name="facility_type_name_idx"),
            models.Index(fields=["organisation", "name"], name="facility_org_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def reference(self) -> str:
        """The brand's reference where there is one, else fairthread's stable identifier."""
        return self.brand_ref or str(self.uid)


class SourcingLink(models.Model):
    """Buyer (the brand, or a facility) ← supplier facility, for one material.

    Where the upstream facility is not known yet, ``supplier`` is empty and the declared origin of the
    material (country, optional region) says where it comes from.
    """

    brand = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="direct_links",
        help_text="Set when the buyer is the brand itself (a tier-1 relationship).",
    )
    buyer = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.CASCADE, related_name="supplier_links"
    )
    supplier = models.ForeignKey(
        Facility, null=True, blank=True, on_delete=models.CASCADE, related_name="buyer_links"
    )
    material = models.CharField(max_length=60, blank=True, db_index=True)
    volume_share = models.DecimalField(
        "share of the buyer's volume of this material (%)", max_digits=5, decimal_places=2, null=True,
        blank=True, validators=PERCENT,
    )
    origin_country = models.CharField("declared origin country", max_length=2, blank=True)
    origin_region = models.CharField("declared origin region", max_length=120, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(brand__isnull=False, buyer__isnull=True)
                           | models.Q(brand__isnull=True, buyer__isnull=False)),
                name="link_has_one_buyer",
            ),
            models.CheckConstraint(
                condition=models.Q(supplier__isnull=False) | ~models.Q(origin_country=""),
                name="link_has_supplier_or_origin",
            ),
        ]
        indexes = [
            models.Index(fields=["supplier", "buyer"]),
            models.Index(fields=["material", "supplier"], name="link_material_supplier_idx"),
        ]

    def __str__(self) -> str:
        buyer = self.brand.name if self.brand_id else str(self.buyer)
        supplier = str(self.supplier) if self.supplier_id else f"origin {self.origin_country} {self.origin_region}"
        return f"{supplier} → {buyer} ({self.material or 'any material'})"


class ImportBatch(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed (nothing written)"

    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    filename = models.CharField(max_length=255)
    file_format = models.CharField(max_length=16, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    stored_path = models.CharField(max_length=500, blank=True)
    dry_run = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    links_created = models.PositiveIntegerField(default=0)
    # Facility matching (issue 5): rows that turned out to be a facility already stored under another spelling,
    # and new facilities sent to the matching review queue.
    matched_existing = models.PositiveIntegerField(default=0)
    sent_to_review = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        if not self.rows_total:
            return 100 if self.status in {self.Status.SUCCEEDED, self.Status.FAILED} else 0
        return min(100, round(100 * self.rows_done / self.rows_total))


class FacilitySource(models.Model):
    """Provenance: one import row that supplied values for a facility."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="sources")
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="facility_sources")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.SET_NULL)
    row_number = models.PositiveIntegerField(null=True, blank=True)
    # Field name -> value as supplied by this source (only the fields it supplied).
    values = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.facility} from import row {self.row_number}"

    @property
    def fields(self) -> list[str]:
        return sorted(self.values)


class RecruitmentAgent(models.Model):
    """A labour recruiter or agency that supplies workers to facilities; screened like facilities."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="recruitment_agents"
    )
    name = models.CharField(max_length=300)
    name_native = models.CharField("name in native script", max_length=300, blank=True)
    country = models.CharField(max_length=2, blank=True, help_text="Where the agent is based (ISO 3166-1 alpha-2)")
    address = models.CharField(max_length=500, blank=True)
    licence_number = models.CharField("licence number", max_length=100, blank=True)
    # Normalised name + country (identity.agent_identity_key): how an import or the facility page finds the agent.
    identity_key = models.CharField(max_length=64, db_index=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class AgentEngagement(models.Model):
    """A facility recruits workers through an agent, along a corridor (origin country → the facility's country)."""

    agent = models.ForeignKey(RecruitmentAgent, on_delete=models.CASCADE, related_name="engagements")
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="agent_engagements")
    origin_country = models.CharField(
        "workers recruited in", max_length=2, blank=True, help_text="ISO 3166-1 alpha-2; empty when unknown"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agent__name"]
        constraints = [
            models.UniqueConstraint(fields=["agent", "facility", "origin_country"], name="agent_engagement_unique"),
        ]

    def __str__(self) -> str:
        corridor = f"{self.origin_country or '?'} → {self.facility.country}"
        return f"{self.agent} for {self.facility} ({corridor})"
