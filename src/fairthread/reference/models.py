"""Reference datasets, kept edition by edition with their source and licence.

A dataset is one loaded file of one kind (e.g. the Global Slavery Index 2023 country table). Loading a new
edition makes it the current one for its kind; older editions stay for provenance (an assessment run
records which editions it used). Loading the identical file again (same sha256) changes nothing.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ReferenceDataset(models.Model):
    class Kind(models.TextChoices):
        COUNTRY_PREVALENCE = "country_prevalence", "Country prevalence of modern slavery"
        LISTED_GOODS = "listed_goods", "Goods produced with child or forced labour"
        ILO_INDICATORS = "ilo_indicators", "ILO forced-labour indicators"
        HIGH_RISK_REGIONS = "high_risk_regions", "High-risk regions (state-imposed forced labour)"
        GOOD_MAPPING = "good_mapping", "Mapping of materials and processes to listed goods"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    name = models.CharField(max_length=200)  # e.g. "Global Slavery Index"
    edition = models.CharField(max_length=40)  # e.g. "2023"
    source = models.TextField()  # URL or citation
    licence = models.TextField()
    attribution = models.CharField(max_length=300)  # shown wherever the data is used
    file_name = models.CharField(max_length=255, blank=True)
    file_format = models.CharField(max_length=32, blank=True)  # the loader used: gsi, dol, dol-xml, ...
    sha256 = models.CharField(max_length=64)
    row_count = models.PositiveIntegerField(default=0)
    loaded_at = models.DateTimeField(default=timezone.now)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    loaded_by_label = models.CharField(max_length=200, blank=True)  # "system" for the shipped defaults
    is_current = models.BooleanField(default=False)

    class Meta:
        ordering = ["kind", "-loaded_at", "-id"]
        constraints = [
            # The same file is loaded once per kind: reloading it is a no-op.
            models.UniqueConstraint(fields=["kind", "sha256"], name="reference_dataset_unique_file"),
            models.UniqueConstraint(
                fields=["kind"], condition=models.Q(is_current=True), name="reference_dataset_one_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.edition}"


class CountryPrevalence(models.Model):
    dataset = models.ForeignKey(ReferenceDataset, on_delete=models.CASCADE, related_name="country_prevalence")
    country = models.CharField(max_length=2)  # ISO 3166-1 alpha-2
    country_name = models.CharField(max_length=120, blank=True)  # as the publisher wrote it
    prevalence_per_1000 = models.FloatField(null=True, blank=True)  # None: the publisher gives no estimate
    estimated_number = models.BigIntegerField(null=True, blank=True)
    population = models.BigIntegerField(null=True, blank=True)
    region = models.CharField(max_length=120, blank=True)  # the publisher's region

    class Meta:
        ordering = ["country"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "country"], name="reference_prevalence_unique_country")
        ]

    def __str__(self) -> str:
        return f"{self.country}: {self.prevalence_per_1000}"


class ListedGood(models.Model):
    dataset = models.ForeignKey(ReferenceDataset, on_delete=models.CASCADE, related_name="listed_goods")
    good = models.CharField(max_length=120)
    sector = models.CharField(max_length=60, blank=True)
    country = models.CharField(max_length=2)
    country_name = models.CharField(max_length=120, blank=True)
    region = models.CharField(max_length=120, blank=True)
    child_labour = models.BooleanField(default=False)
    forced_labour = models.BooleanField(default=False)
    forced_child_labour = models.BooleanField(default=False)
    # DOL's "derived" goods: made from an input produced with exploitation in another (or the same) country.
    derived_labour_exploitation = models.BooleanField(default=False)
    derived_country = models.CharField(max_length=2, blank=True)

    class Meta:
        ordering = ["good", "country"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "good", "country"], name="reference_good_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.good} – {self.country}"


class ForcedLabourIndicator(models.Model):
    class Dimension(models.TextChoices):
        UNFREE_RECRUITMENT = "unfree_recruitment", "Unfree recruitment"
        WORK_UNDER_DURESS = "work_under_duress", "Work and life under duress"
        IMPOSSIBILITY_OF_LEAVING = "impossibility_of_leaving", "Impossibility of leaving the employer"
        MENACE_OF_PENALTY = "menace_of_penalty", "Menace of penalty"

    class Strength(models.TextChoices):
        STRONG = "strong", "Strong"
        MEDIUM = "medium", "Medium"

    dataset = models.ForeignKey(ReferenceDataset, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(max_length=40)
    number = models.PositiveSmallIntegerField(default=0)  # the ILO booklet's order, 1–11
    name = models.CharField(max_length=120)
    definition = models.TextField()  # fairthread's own words
    dimension = models.CharField(max_length=32, choices=Dimension.choices)
    strength = models.CharField(max_length=8, choices=Strength.choices)
    grading_basis = models.TextField(blank=True)  # why this dimension and strength

    class Meta:
        ordering = ["number", "code"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "code"], name="reference_indicator_unique_code")
        ]

    def __str__(self) -> str:
        return self.name


class HighRiskRegion(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", "Active (used in scoring)"
        WATCH = "watch", "Watch (shown, not scored)"

    dataset = models.ForeignKey(ReferenceDataset, on_delete=models.CASCADE, related_name="high_risk_regions")
    region_id = models.CharField(max_length=20)  # e.g. 'CN-XJ'
    label = models.CharField(max_length=200)
    country = models.CharField(max_length=2)
    region_names = models.TextField(blank=True)  # '|'-separated lower-case names; '' = the whole country
    materials = models.TextField(blank=True)  # '|'-separated canonical materials; '' = every material
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    basis = models.TextField()
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["region_id"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "region_id"], name="reference_region_unique_id")
        ]

    def __str__(self) -> str:
        return self.label

    def names(self) -> list[str]:
        return [n for n in self.region_names.split("|") if n]


class GoodMapping(models.Model):
    class TermKind(models.TextChoices):
        MATERIAL = "material", "Material"
        FACILITY_TYPE = "facility_type", "Facility type"

    dataset = models.ForeignKey(ReferenceDataset, on_delete=models.CASCADE, related_name="good_mappings")
    term = models.CharField(max_length=80)  # a canonical fairthread material or facility type
    term_kind = models.CharField(max_length=16, choices=TermKind.choices)
    good = models.CharField(max_length=120)  # a good as the DOL list names it
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["term_kind", "term", "good"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "term", "term_kind", "good"],
                                    name="reference_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.term} → {self.good}"


ROW_MODELS: dict[str, type[models.Model]] = {
    ReferenceDataset.Kind.COUNTRY_PREVALENCE: CountryPrevalence,
    ReferenceDataset.Kind.LISTED_GOODS: ListedGood,
    ReferenceDataset.Kind.ILO_INDICATORS: ForcedLabourIndicator,
    ReferenceDataset.Kind.HIGH_RISK_REGIONS: HighRiskRegion,
    ReferenceDataset.Kind.GOOD_MAPPING: GoodMapping,
}
