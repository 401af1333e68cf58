"""Forms for the map pages. They validate input only; every change goes through ``supplychain.services``."""

from __future__ import annotations

import contextlib
import uuid
from typing import Any

from django import forms
from django.db.models import Q
from django.forms.models import fields_for_model

from fairthread.accounts import policy
from fairthread.accounts.models import Organisation
from fairthread.reference.countries import all_countries
from fairthread.supplychain import services
from fairthread.supplychain.models import Facility
from fairthread.supplychain.vocabulary import FACILITY_TYPES, MATERIALS, SECTORS

# Form order: identity, place, what it does, workforce.
FACILITY_FIELDS = [
    "name",
    "name_native",
    "brand_ref",
    "os_id",
    "organisation",
    "parent_company",
    "address",
    "country",
    "region",
    "lat",
    "lng",
    "coordinate_precision",
    "sector",
    "facility_type",
    "processing_type",
    "product_type",
    "status",
    "declared_tier",
    "workers_count",
    "pct_female",
    "pct_migrant",
    "pct_agency",
    "dormitory",
    "recruitment_agents",
]
_OPTIONAL_BOOL = [("", "Not known"), ("true", "Yes"), ("false", "No")]


def _choices(values: list[str] | tuple[str, ...], blank: str = "—") -> list[tuple[str, str]]:
    return [("", blank)] + [(v, v[:1].upper() + v[1:]) for v in values]


def country_choices(blank: str = "Choose a country") -> list[tuple[str, str]]:
    return [("", blank)] + [(code, f"{name} ({code})") for code, name in all_countries()]


def facility_type_choices(current: str = "", blank: str = "—") -> list[tuple[str, str]]:
    values = list(FACILITY_TYPES)
    if current and current not in values:
        values.append(current)  # keep a stored value the vocabulary does not know
    return _choices(values, blank)


def material_choices(blank: str = "—") -> list[tuple[str, str]]:
    return _choices(list(MATERIALS), blank)


class FacilityForm(forms.Form):
    """Create or edit a facility; supplier users get only the fields they may change."""

    def __init__(self, *args: Any, user: Any, instance: Facility | None = None, **kwargs: Any) -> None:
        self.user = user
        self.instance = instance
        is_supplier = policy.role_of(user) == "supplier_user"
        allowed = services.SUPPLIER_EDITABLE if is_supplier else services.EDITABLE
        names = [n for n in FACILITY_FIELDS if n in allowed]
        if instance is not None:
            kwargs.setdefault("initial", {n: getattr(instance, n) for n in names})
        super().__init__(*args, **kwargs)
        self.fields.update(fields_for_model(Facility, fields=names))
        # A plain form does not run model validators (ranges of percentages, coordinates): add them here.
        for name in names:
            for validator in Facility._meta.get_field(name).validators:
                if validator not in self.fields[name].validators:
                    self.fields[name].validators.append(validator)
        self.order_fields(names)
        if "country" in self.fields:
            self.fields["country"] = forms.ChoiceField(choices=country_choices(), label="Country")
        if "organisation" in self.fields:
            self.fields["organisation"].queryset = Organisation.objects.filter(
                kind=Organisation.Kind.SUPPLIER
            )
            self.fields["organisation"].label = "Supplier organisation"
            self.fields["organisation"].help_text = "Its supplier users see and update this facility."
        current_type = instance.facility_type if instance else ""
        self.fields["facility_type"] = forms.ChoiceField(
            choices=facility_type_choices(current_type), required=False, label="Facility type"
        )
        current_sector = instance.sector if instance else ""
        sectors = list(SECTORS) + (
            [current_sector] if current_sector and current_sector not in SECTORS else []
        )
        self.fields["sector"] = forms.ChoiceField(
            choices=[("", "—")] + [(s, s) for s in sectors], required=False, label="Sector"
        )
        if "declared_tier" in self.fields:
            self.fields["declared_tier"] = forms.TypedChoiceField(
                choices=[("", "Not declared")] + [(str(t), f"Tier {t}") for t in range(1, 5)],
                coerce=int,
                empty_value=None,
                required=False,
                label="Declared tier",
                help_text="Used only while no sourcing link places the facility in the chain.",
            )
        for name in ("dormitory", "recruitment_agents"):
            label = self.fields[name].label
            self.fields[name] = forms.TypedChoiceField(
                choices=_OPTIONAL_BOOL,
                required=False,
                label=label,
                empty_value=None,
                coerce=lambda v: {"true": True, "false": False}.get(v),
            )
            if instance is not None and getattr(instance, name) is not None:
                self.initial[name] = "true" if getattr(instance, name) else "false"
        self.order_fields(names)

    def clean_brand_ref(self) -> str | None:
        value = (self.cleaned_data.get("brand_ref") or "").strip() or None
        if (
            value
            and Facility.objects.filter(brand_ref=value)
            .exclude(pk=getattr(self.instance, "pk", None))
            .exists()
        ):
            raise forms.ValidationError("Another facility already has this brand reference.")
        return value

    def clean_os_id(self) -> str | None:
        value = (self.cleaned_data.get("os_id") or "").strip().upper() or None
        if (
            value
            and Facility.objects.filter(os_id=value).exclude(pk=getattr(self.instance, "pk", None)).exists()
        ):
            raise forms.ValidationError("Another facility already has this Open Supply Hub ID.")
        return value

    def changed_values(self) -> dict[str, Any]:
        """The cleaned values that differ from the instance (all given values for a new facility)."""
        values: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if self.instance is None:
                if value not in (None, ""):
                    values[name] = value
            elif getattr(self.instance, name) != value:
                values[name] = value
        return values


class LinkForm(forms.Form):
    """Declare a sourcing link from a facility's page."""

    UPSTREAM = "upstream"
    DOWNSTREAM = "downstream"
    BRAND = "brand"

    relation = forms.ChoiceField(label="Relation", widget=forms.RadioSelect)
    other = forms.CharField(
        label="Other facility",
        required=False,
        max_length=100,
        help_text="Its brand reference, Open Supply Hub ID or fairthread id. Leave empty to declare only "
        "the origin of an input (country and region below).",
    )
    material = forms.ChoiceField(choices=material_choices(), required=False, label="Material")
    volume_share = forms.DecimalField(
        label="Share of the buyer's volume of this material (%)",
        required=False,
        min_value=0,
        max_value=100,
        decimal_places=2,
        max_digits=5,
    )
    origin_country = forms.ChoiceField(
        choices=country_choices("—"), required=False, label="Declared origin country"
    )
    origin_region = forms.CharField(label="Declared origin region", required=False, max_length=120)
    valid_from = forms.DateField(
        required=False, label="Valid from", widget=forms.DateInput(attrs={"type": "date"})
    )
    valid_to = forms.DateField(
        required=False, label="Valid to", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, user: Any, facility: Facility, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.facility = facility
        choices = [(self.UPSTREAM, "A supplier of this facility (or a declared origin of its input)")]
        # Only brand roles may place a facility downstream or directly under the brand.
        if policy.role_of(user) != "supplier_user":
            choices += [
                (self.DOWNSTREAM, "A buyer this facility supplies"),
                (self.BRAND, "This facility supplies the brand directly (tier 1)"),
            ]
        self.fields["relation"].choices = choices
        self.fields["relation"].initial = self.UPSTREAM
        self.other_facility: Facility | None = None

    def _find(self, ref: str) -> Facility | None:
        # The public Open Supply Hub ID finds any facility; other references only what the user can see.
        visible = policy.visible_facilities(self.user)
        q = Q(brand_ref=ref) | Q(os_id=ref.upper())
        with contextlib.suppress(ValueError):
            q |= Q(uid=uuid.UUID(ref))
        found = visible.filter(q).first()
        if found is None:
            found = Facility.objects.filter(os_id=ref.upper()).first()
        return found

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        relation = data.get("relation")
        ref = (data.get("other") or "").strip()
        if ref:
            self.other_facility = self._find(ref)
            if self.other_facility is None:
                self.add_error("other", f"No facility found with the reference {ref!r}.")
            elif self.other_facility.pk == self.facility.pk:
                self.add_error("other", "A facility cannot supply itself.")
        if relation == self.UPSTREAM and not ref and not data.get("origin_country"):
            self.add_error("other", "Name the supplying facility, or give the declared origin country.")
        if relation == self.DOWNSTREAM and not ref:
            self.add_error("other", "Name the buyer this facility supplies.")
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", "The end date is before the start date.")
        return data

    def link_values(self, brand: Organisation | None) -> dict[str, Any]:
        data = self.cleaned_data
        values: dict[str, Any] = {
            "material": data.get("material") or "",
            "volume_share": data.get("volume_share"),
            "valid_from": data.get("valid_from"),
            "valid_to": data.get("valid_to"),
        }
        relation = data["relation"]
        if relation == self.UPSTREAM:
            values.update(buyer=self.facility, supplier=self.other_facility)
            if self.other_facility is None:
                values.update(
                    origin_country=data.get("origin_country") or "",
                    origin_region=(data.get("origin_region") or "").strip(),
                )
        elif relation == self.DOWNSTREAM:
            values.update(buyer=self.other_facility, supplier=self.facility)
        else:
            values.update(brand=brand, supplier=self.facility)
        return values


class AgentEngagementForm(forms.Form):
    """Name a recruitment agent a facility recruits workers through, and the corridor (from the facility's page)."""

    name = forms.CharField(label="Agent name", max_length=300)
    name_native = forms.CharField(label="Name in native script", max_length=300, required=False)
    country = forms.ChoiceField(choices=country_choices("—"), required=False, label="Based in")
    address = forms.CharField(label="Address", max_length=500, required=False)
    licence_number = forms.CharField(label="Licence number", max_length=100, required=False)
    origin_country = forms.ChoiceField(
        choices=country_choices("—"), required=False, label="Workers recruited in",
        help_text="The corridor's origin; the workers come to this facility's country.",
    )

    @classmethod
    def initial_for(cls, engagement: Any) -> dict[str, str]:
        agent = engagement.agent
        return {"name": agent.name, "name_native": agent.name_native, "country": agent.country,
                "address": agent.address, "licence_number": agent.licence_number,
                "origin_country": engagement.origin_country}
