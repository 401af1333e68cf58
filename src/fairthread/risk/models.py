"""Risk assessment: methodology versions, assessment runs, per-facility results and critical areas.

A full run assesses every facility; an incremental run re-assesses the facilities an edit touched and what
lies downstream of them. ``FacilityAssessment.current`` marks each facility's latest result, so "the
current picture" is one indexed filter, whatever mix of full and incremental runs produced it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from fairthread.supplychain.models import Facility


class MethodologyVersion(models.Model):
    """The risk method as a document: factors, weights, thresholds and bands, with who changed what and why."""

    version = models.CharField(max_length=40, unique=True)
    author = models.CharField(max_length=200)
    change_note = models.TextField(blank=True)
    description = models.TextField(blank=True, help_text="The method in plain language")
    body = models.JSONField(help_text="The whole method, as the engine reads it")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    is_default = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Methodology {self.version}"


class AssessmentRun(models.Model):
    class Kind(models.TextChoices):
        FULL = "full", "Full"
        INCREMENTAL = "incremental", "Incremental"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    methodology = models.ForeignKey(MethodologyVersion, on_delete=models.PROTECT, related_name="runs")
    method_version = models.CharField(max_length=40)
    engine_version = models.CharField(max_length=40, blank=True)
    editions = models.JSONField(default=dict, help_text="Reference dataset → edition used")
    inputs_digest = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, default=Kind.FULL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    triggered_label = models.CharField(max_length=150, blank=True, help_text="Who or what started the run")
    facility_count = models.PositiveIntegerField(default=0)
    changed_facilities = models.JSONField(default=list, blank=True,
                                          help_text="Incremental runs: the edited facilities (ids)")
    # Facilities per band, top critical areas, timings.
    summary = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["kind", "status"])]

    def __str__(self) -> str:
        return f"Assessment run #{self.pk} ({self.kind}, method {self.method_version})"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class FacilityAssessment(models.Model):
    """One facility's result in one run, with the inputs it was assessed on (country, tier, materials)."""

    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="results")
    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="assessments")
    facility_ref = models.CharField(max_length=100)
    country = models.CharField(max_length=2)
    tier = models.PositiveSmallIntegerField(null=True, blank=True)
    materials = models.CharField(max_length=300, blank=True, help_text="'|'-separated materials it supplies")
    workers_count = models.PositiveIntegerField(null=True, blank=True)
    severity = models.FloatField()
    likelihood = models.FloatField()
    band = models.CharField(max_length=10)
    exposure = models.FloatField()
    irremediable = models.BooleanField(default=False)
    high_risk = models.BooleanField(default=False)
    state_imposed_exposure = models.FloatField(default=0.0)
    # What an incremental run passes back to the engine about a supplier outside the re-assessed subset.
    state_imposed_source = models.BooleanField(default=False)
    state_imposed_region = models.CharField(max_length=200, blank=True)
    state_imposed_depth = models.PositiveSmallIntegerField(null=True, blank=True)
    state_imposed_material = models.CharField(max_length=60, blank=True)
    scale = models.PositiveSmallIntegerField(default=0)
    scope = models.PositiveSmallIntegerField(default=0)
    irremediability = models.PositiveSmallIntegerField(default=0)
    priority_rank = models.PositiveIntegerField(help_text="Rank within its run (1 = most urgent)")
    contributions = models.JSONField(default=list)
    explanation = models.TextField(blank=True)
    uncertainty = models.JSONField(default=list)
    current = models.BooleanField(default=True, help_text="The facility's latest result")

    class Meta:
        indexes = [
            models.Index(fields=["run", "priority_rank"], name="risk_fa_run_rank_idx"),
            models.Index(fields=["current", "-severity", "-likelihood", "facility_ref"],
                         name="risk_fa_current_priority_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["facility"], condition=models.Q(current=True),
                                    name="risk_one_current_per_facility"),
            # Also the index of a facility's history (facility first).
            models.UniqueConstraint(fields=["facility", "run"], name="risk_one_result_per_run"),
        ]

    def __str__(self) -> str:
        return f"{self.facility_ref}: {self.band} (run #{self.run_id})"


class CriticalArea(models.Model):
    """Country × tier × material, ranked severity first, then likelihood, then workers potentially affected."""

    run = models.ForeignKey(AssessmentRun, on_delete=models.CASCADE, related_name="critical_areas")
    rank = models.PositiveIntegerField()
    country = models.CharField(max_length=2)
    tier = models.PositiveSmallIntegerField(null=True, blank=True)
    material = models.CharField(max_length=60, blank=True)
    facilities = models.PositiveIntegerField()
    workers_potentially_affected = models.PositiveIntegerField()
    highest_severity = models.FloatField()
    likelihood = models.FloatField()
    exposure = models.FloatField()

    class Meta:
        ordering = ["run", "rank"]
        indexes = [models.Index(fields=["run", "rank"], name="risk_area_run_rank_idx")]

    def __str__(self) -> str:
        return f"{self.country} tier {self.tier or '?'} {self.material or 'any material'} (#{self.rank})"
