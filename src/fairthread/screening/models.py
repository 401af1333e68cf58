"""Restricted lists as versioned data, and the screening hits raised against facilities and recruitment agents."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fairthread.supplychain.models import Facility, RecruitmentAgent


class RestrictedList(models.Model):
    class ListType(models.TextChoices):
        UFLPA = "uflpa", "UFLPA Entity List"
        CBP_WRO = "cbp_wro", "CBP WRO / Finding"
        SANCTIONS = "sanctions", "Sanctions"
        BRAND_OWN = "brand_own", "The brand's own list"

    name = models.CharField(max_length=200, unique=True)
    list_type = models.CharField(max_length=20, choices=ListType.choices, default=ListType.BRAND_OWN)
    source = models.CharField(max_length=500, blank=True)
    licence = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def current_version(self) -> ListVersion | None:
        return self.versions.filter(is_current=True).first()


class ListVersion(models.Model):
    restricted_list = models.ForeignKey(RestrictedList, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    loaded_at = models.DateTimeField(auto_now_add=True)
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    loaded_label = models.CharField(max_length=150, blank=True)
    file_format = models.CharField(max_length=10)
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    entity_count = models.PositiveIntegerField(default=0)
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["restricted_list_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["restricted_list", "number"], name="screening_version_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.restricted_list.name} v{self.number}"


class ListEntity(models.Model):
    version = models.ForeignKey(ListVersion, on_delete=models.CASCADE, related_name="entities")
    entity_id = models.CharField(max_length=200)
    name = models.CharField(max_length=1000)
    aliases = models.JSONField(default=list, blank=True)
    country = models.CharField(max_length=2, blank=True)
    address = models.TextField(blank=True)
    effective_date = models.CharField(max_length=10, blank=True)  # ISO date as the list gives it, or ""
    list_label = models.CharField(max_length=200, blank=True)  # the engine Entity's list_name
    schema = models.CharField(max_length=50, default="Organization")
    source = models.CharField(max_length=500, blank=True)
    fingerprint = models.CharField(max_length=64)

    class Meta:
        ordering = ["version_id", "entity_id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "entity_id"], name="screening_entity_unique"),
        ]
        indexes = [models.Index(fields=["entity_id"])]

    def __str__(self) -> str:
        return f"{self.entity_id}: {self.name}"


class ScreeningHit(models.Model):
    class Subject(models.TextChoices):
        FACILITY = "facility", "Facility name"
        PARENT_COMPANY = "parent_company", "Parent company"
        RECRUITMENT_AGENT = "recruitment_agent", "Recruitment agent"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CONFIRMED = "confirmed", "Confirmed"
        DISMISSED = "dismissed", "Dismissed"

    # A hit is about a facility (its name, native name or parent company) or about a recruitment agent (subject
    # ``recruitment_agent``): exactly one of the two is set. An agent hit concerns every facility engaging it.
    facility = models.ForeignKey(Facility, null=True, blank=True, on_delete=models.CASCADE,
                                 related_name="screening_hits")
    agent = models.ForeignKey(RecruitmentAgent, null=True, blank=True, on_delete=models.CASCADE,
                              related_name="screening_hits")
    subject = models.CharField(max_length=20, choices=Subject.choices)
    screened_name = models.CharField(max_length=1000)
    restricted_list = models.ForeignKey(RestrictedList, on_delete=models.CASCADE, related_name="hits")
    list_entity = models.ForeignKey(ListEntity, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    entity_id = models.CharField(max_length=200)
    entity_name = models.CharField(max_length=1000)
    matched_name = models.CharField(max_length=1000, blank=True)
    entity_fingerprint = models.CharField(max_length=64)
    score = models.FloatField()
    decision = models.CharField(max_length=10)  # the engine's: hit | review
    engine_version = models.CharField(max_length=50)
    explanation = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-score", "id"]
        indexes = [
            models.Index(fields=["status"]),
            models.Index(fields=["facility", "restricted_list", "entity_id"]),
            models.Index(fields=["agent", "restricted_list", "entity_id"], name="screening_hit_agent_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(facility__isnull=False, agent__isnull=True)
                           | models.Q(facility__isnull=True, agent__isnull=False)),
                name="screening_hit_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.screened_name} ~ {self.entity_name} ({self.status})"

    @property
    def is_agent_hit(self) -> bool:
        return self.agent_id is not None

    @property
    def subject_name(self) -> str:
        """The facility's or the agent's name, as the record now has it."""
        target = self.agent if self.agent_id is not None else self.facility
        return target.name if target is not None else self.screened_name
