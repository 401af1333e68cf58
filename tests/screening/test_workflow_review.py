"""The review queue: decisions are remembered per (facility, list entity); confirmed hits are state-imposed
forced-labour evidence that reaches the tier-1 facility; facility edits are screened."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fairthread.audit.models import AuditEvent
from fairthread.risk import services as risk
from fairthread.risk import tables
from fairthread.risk.models import FacilityAssessment
from fairthread.screening import services
from fairthread.screening.models import ScreeningHit
from fairthread.supplychain import services as supplychain
from tests.factories import make_facility, make_link

pytestmark = pytest.mark.django_db
HEADER = "id,name,aliases,country,address,list,effective_date\n"
ENTITY = "U1,Hoa Phat Spinning Company Limited,{aliases},VN,,Own list,\n"


def load(aliases: str = "", extra: str = ""):
    return services.load_list_version((HEADER + ENTITY.format(aliases=aliases) + extra).encode(), fmt="csv",
                                      name="Own list", by="test")


@pytest.fixture
def spinner():
    return make_facility("Hoa Phat Spinning Co., Ltd.", "VN")


def test_dismissal_needs_a_reason_and_the_review_right(people, spinner):
    load()
    hit = ScreeningHit.objects.get()
    with pytest.raises(ValidationError):
        services.dismiss_hit(hit, people.analyst, "  ")
    with pytest.raises(PermissionDenied):
        services.dismiss_hit(hit, people.ngo, "not them")
    with pytest.raises(PermissionDenied):
        services.confirm_hit(hit, people.supplier, "")
    assert ScreeningHit.objects.get().status == "open"


def test_a_dismissed_hit_is_not_raised_again_unless_the_entity_changed(people, spinner):
    load()
    hit = ScreeningHit.objects.get()
    services.dismiss_hit(hit, people.analyst, "Different company: other province, founded 2019")
    hit.refresh_from_db()
    assert hit.status == "dismissed" and hit.decided_by == people.analyst and hit.decided_at is not None
    event = AuditEvent.objects.get(action="screening.dismiss")
    assert event.actor == people.analyst and event.after["reason"].startswith("Different company")
    # Re-screening the facility (an edit), and a new version in which this entity did not change: no new hit.
    services.screen_facilities({spinner.pk})
    load(extra="U2,Unrelated Zipper Works,,TR,,Own list,\n")
    assert list(ScreeningHit.objects.values_list("status", flat=True)) == ["dismissed"]
    # The entity's data changed (a new alias): raised again, as a new open hit; the old decision is history.
    load(aliases="Hoa Phat Yarn")
    assert sorted(ScreeningHit.objects.filter(facility=spinner).values_list("status", flat=True)) == [
        "dismissed", "open"]


def test_a_confirmed_hit_is_remembered_too(people, spinner):
    load()
    services.confirm_hit(ScreeningHit.objects.get(), people.admin, "Same registration number")
    services.screen_facilities({spinner.pk})
    assert list(ScreeningHit.objects.values_list("status", flat=True)) == ["confirmed"]


def test_confirmed_and_open_hits_are_evidence_rows(people, spinner):
    other = make_facility("Hoa Phat Spinning Company", "VN")
    load()
    services.confirm_hit(ScreeningHit.objects.get(facility=spinner), people.analyst, "")
    rows = services.evidence_rows(None)
    assert rows == sorted([(spinner.pk, "screening_hit", "", "confirmed", 1),
                           (other.pk, "screening_hit", "", "open", 1)])
    assert services.evidence_rows({other.pk}) == [(other.pk, "screening_hit", "", "open", 1)]
    assert services.evidence_rows in tables.EVIDENCE_PROVIDERS


def test_a_confirmed_hit_on_a_tier_3_supplier_reaches_the_tier_1_facility(people, spinner):
    # brand <- tier 1 garment maker (BD) <- tier 2 fabric mill (BD) <- tier 3 spinner (VN): nothing in a
    # high-risk region, so before the confirmation no facility is state-imposed.
    garment = make_facility("Gazipur Garments", "BD", facility_type="final_product_assembly")
    fabric = make_facility("Narayanganj Fabrics", "BD", facility_type="textile_or_material_production")
    make_link(people.brand, garment, material="cotton", volume_share=100)
    make_link(garment, fabric, material="cotton", volume_share=100)
    make_link(fabric, spinner, material="cotton", volume_share=100)
    supplychain.recompute_tiers()
    spinner.refresh_from_db()
    assert spinner.tier == 3
    load()
    risk.run_assessment(by=people.analyst)
    before = {r.facility_id: r for r in FacilityAssessment.objects.filter(current=True)}
    assert not before[garment.pk].irremediable and not before[spinner.pk].irremediable

    services.confirm_hit(ScreeningHit.objects.get(facility=spinner), people.analyst, "Same company")

    after = {r.facility_id: r for r in FacilityAssessment.objects.filter(current=True)}
    assert set(after) == {garment.pk, fabric.pk, spinner.pk}
    for f in (spinner, fabric, garment):
        assert after[f.pk].irremediable, f.name
        assert after[f.pk].band == "critical", f.name
        assert after[f.pk].run_id != before[f.pk].run_id  # re-assessed by the confirmation
    assert before[garment.pk].band != "critical"
    assert after[garment.pk].severity > before[garment.pk].severity
    assert "state-imposed" in after[garment.pk].explanation


def test_an_edited_facility_is_screened_after_commit(people, django_capture_on_commit_callbacks):
    load()
    facility = make_facility("Saigon Knitwear", "VN")
    assert not ScreeningHit.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        supplychain.update_facility(facility, by=people.analyst,
                                    values={"parent_company": "Hoa Phat Spinning Company Ltd"})
    hit = ScreeningHit.objects.get()
    assert hit.facility == facility and hit.subject == "parent_company" and hit.entity_id == "U1"
    # Renamed away from the listed parent: the open (undecided) hit is withdrawn.
    with django_capture_on_commit_callbacks(execute=True):
        supplychain.update_facility(facility, by=people.analyst, values={"parent_company": "Mekong Holdings"})
    assert not ScreeningHit.objects.exists()
