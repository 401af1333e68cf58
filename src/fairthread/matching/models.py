"""Facility matching, stored: the reference registry (Open Supply Hub editions), the pairs put to a person with
their decisions (the one decision store, consulted before the model), and merges that can be undone."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fairthread.supplychain.models import Facility, ImportBatch


class RegistryEdition(models.Model):
    """One imported Open Supply Hub facilities export; the current edition is what facilities are linked to."""

    name = models.CharField(max_length=200)
    source = models.TextField(blank=True, help_text="Where the file came from (URL, date of the export)")
    licence = models.CharField(max_length=200, blank=True)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    # The registry prepared once by the matching engine (a DuckDB file under FAIRTHREAD_DATA_DIR).
    database_path = models.CharField(max_length=500, blank=True)
    is_current = models.BooleanField(default=False, db_index=True)

    class Meta:
        ordering = ["-imported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.row_count} facilities)"


class RegistryFacility(models.Model):
    """A facility of the reference registry (not one of the brand's facilities)."""

    edition = models.ForeignKey(RegistryEdition, on_delete=models.CASCADE, related_name="facilities")
    os_id = models.CharField("Open Supply Hub ID", max_length=20, db_index=True)
    name = models.CharField(max_length=300)
    address = models.CharField(max_length=500, blank=True)
    country = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2")
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    sector = models.CharField(max_length=200, blank=True)
    facility_type = models.CharField(max_length=200, blank=True)
    parent_company = models.CharField(max_length=300, blank=True)
    native_name = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "registry facilities"
        constraints = [models.UniqueConstraint(fields=["edition", "os_id"], name="registry_facility_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.os_id})"


class MatchCandidate(models.Model):
    """A pair put to a person (or decided automatically), and its decision. Stored once per pair, in either order:
    ``pair_key`` is the ordered key ("f:<lower id>:<higher id>" or "r:<facility id>:<os_id>")."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CONFIRMED = "confirmed", "Confirmed"
        REJECTED = "rejected", "Rejected"
        UNSURE = "unsure", "Not sure"

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="match_candidates")
    other_facility = models.ForeignKey(Facility, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    registry_facility = models.ForeignKey(RegistryFacility, null=True, blank=True, on_delete=models.CASCADE,
                                          related_name="match_candidates")
    pair_key = models.CharField(max_length=80, unique=True, editable=False)
    score = models.FloatField()
    model_version = models.CharField(max_length=60, blank=True)
    method = models.CharField(max_length=30, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    # [{"field", "label", "for_match": True/False/None, "text"}], derived from the engine's explanation.
    evidence = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="match_candidates")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-score", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(other_facility__isnull=False, registry_facility__isnull=True)
                           | models.Q(other_facility__isnull=True, registry_facility__isnull=False)),
                name="match_candidate_one_other",
            ),
        ]
        indexes = [models.Index(fields=["status", "-score"], name="match_candidate_queue_idx")]

    def __str__(self) -> str:
        other = self.other_facility if self.other_facility_id else self.registry_facility
        return f"{self.facility} ~ {other} ({self.score:.2f})"

    def save(self, *args: object, **kwargs: object) -> None:
        if not self.pair_key:
            if self.other_facility_id is not None:
                self.pair_key = self.facility_pair_key(self.facility_id, self.other_facility_id)
            elif self.registry_facility_id is not None:
                self.pair_key = self.registry_pair_key(self.facility_id, self.registry_facility.os_id)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @staticmethod
    def facility_pair_key(a: int, b: int) -> str:
        low, high = sorted((int(a), int(b)))
        return f"f:{low}:{high}"

    @staticmethod
    def registry_pair_key(facility_id: int, os_id: str) -> str:
        return f"r:{int(facility_id)}:{os_id}"

    @property
    def is_registry_pair(self) -> bool:
        return self.registry_facility_id is not None

    @property
    def is_decided(self) -> bool:
        return self.status in {self.Status.CONFIRMED, self.Status.REJECTED}


class FacilityMerge(models.Model):
    """``merged`` was folded into ``survivor``; ``moved`` and ``snapshot`` say exactly how, so it can be undone."""

    survivor = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="merges_received")
    merged = models.ForeignKey(Facility, on_delete=models.PROTECT, related_name="merges_given")
    candidate = models.ForeignKey(MatchCandidate, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="merges")
    merged_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    merged_at = models.DateTimeField(auto_now_add=True)
    # Relation name -> ids of the rows moved from ``merged`` to ``survivor`` (undo moves exactly those back).
    moved = models.JSONField(default=dict, blank=True)
    # The merged record's fields before the merge (and the survivor's fields the merge filled in).
    snapshot = models.JSONField(default=dict, blank=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")

    class Meta:
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.merged} merged into {self.survivor}"

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
