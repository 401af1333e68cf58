"""Decisions on pairs, their transitive consistency, merges and undoing them (matching.services)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from fairthread.audit.models import AuditEvent
from fairthread.challenges.models import Challenge
from fairthread.matching import services
from fairthread.matching.models import FacilityMerge, MatchCandidate
from fairthread.matching.services import MatchingError
from fairthread.screening.models import RestrictedList, ScreeningHit
from fairthread.supplychain.models import AgentEngagement, Facility, FacilitySource, RecruitmentAgent, SourcingLink
from tests.factories import make_facility, make_link

pytestmark = pytest.mark.django_db


def pair(newcomer: Facility, existing: Facility, score: float = 0.7) -> MatchCandidate:
    return MatchCandidate.objects.create(
        facility=newcomer, other_facility=existing, score=score, model_version="test", method="model",
        explanation=["names similar ('a' / 'b') (for)", "same country"],
    )


def test_review_queue_is_pending_and_unsure_pairs_best_first_for_brand_users_only(people):
    a, b, c = (make_facility(n, "BD") for n in ("Alpha Knit", "Alpha Knitting", "Alfa Knit"))
    low, high = pair(b, a, 0.6), pair(c, a, 0.8)
    done = pair(c, b, 0.9)
    done.status = MatchCandidate.Status.REJECTED
    done.save()
    unsure = pair(make_facility("Alpha Knits", "BD"), a, 0.55)
    unsure.status = MatchCandidate.Status.UNSURE
    unsure.save()
    assert list(services.review_queue(people.analyst)) == [high, low, unsure]
    assert list(services.review_queue(people.ngo)) == [high, low, unsure]  # the critical friend reads
    assert list(services.review_queue(people.supplier)) == []
    assert list(services.review_queue(people.outsider)) == []


def test_a_pair_is_stored_once_in_either_order():
    a, b = make_facility("Alpha Knit", "BD"), make_facility("Alpha Knitting", "BD")
    pair(b, a)
    with pytest.raises(IntegrityError), transaction.atomic():
        pair(a, b)


def test_confirm_merges_the_record_under_review_into_the_other(people):
    existing = make_facility("Mercury Apparel", "LK", address="Seethawaka EPZ")
    newcomer = make_facility("M E R C U R Y APPAR EL", "LK", address="Seethawaka", workers_count=900,
                             os_id="LK2020ABCDEF123")
    c = services.decide_pair(pair(newcomer, existing), "confirm", by=people.analyst, reason="same mill")
    assert c.status == MatchCandidate.Status.CONFIRMED
    assert c.decided_by == people.analyst and c.decided_at is not None
    newcomer.refresh_from_db()
    existing.refresh_from_db()
    assert newcomer.status == Facility.Status.MERGED and newcomer.merged_into_id == existing.pk
    # Blanks of the survivor are filled, its own spelling stays, the OS ID moves (it is unique).
    assert (existing.name, existing.address) == ("Mercury Apparel", "Seethawaka EPZ")
    assert existing.workers_count == 900
    assert existing.os_id == "LK2020ABCDEF123" and newcomer.os_id is None
    merge = FacilityMerge.objects.get(candidate=c)
    assert (merge.survivor_id, merge.merged_id) == (existing.pk, newcomer.pk)
    assert list(services.merges_for(existing)) == [merge] == list(services.merges_for(newcomer))
    assert not Facility.objects.filter(pk=newcomer.pk).exists()  # hidden from every list
    assert AuditEvent.objects.filter(action="match.confirm", object_id=str(c.pk)).exists()
    assert AuditEvent.objects.filter(action="facility.merge", object_id=str(existing.pk)).exists()


def test_a_decided_pair_is_not_decided_again(people):
    a, b = make_facility("Alpha Knit", "BD"), make_facility("Alpha Knitting", "BD")
    c = services.decide_pair(pair(b, a), "reject", by=people.analyst, reason="different plots")
    with pytest.raises(MatchingError, match="already rejected by analyst"):
        services.decide_pair(c, "confirm", by=people.admin)
    # "Not sure" keeps it in the queue; it can be decided later.
    d = services.decide_pair(pair(make_facility("Alfa Knit", "BD"), a), "unsure", by=people.analyst)
    assert d in services.review_queue(people.analyst)
    assert services.decide_pair(d, "reject", by=people.admin).status == MatchCandidate.Status.REJECTED
    with pytest.raises(MatchingError, match="Unknown decision"):
        services.decide_pair(pair(make_facility("Alfa Knits", "BD"), a), "maybe", by=people.admin)


def test_only_brand_users_decide(people):
    a, b = make_facility("Alpha Knit", "BD"), make_facility("Alpha Knitting", "BD")
    c = pair(b, a)
    for user in (people.ngo, people.supplier, people.outsider):
        with pytest.raises(PermissionDenied):
            services.decide_pair(c, "confirm", by=user)
    assert MatchCandidate.objects.get(pk=c.pk).status == MatchCandidate.Status.PENDING


def test_transitivity_confirmations_join_into_one_survivor(people):
    a = make_facility("Alpha Knit", "BD")
    b = make_facility("Alpha Knitting", "BD")
    c = make_facility("Alfa Knit", "BD")
    services.decide_pair(pair(b, a), "confirm", by=people.analyst)  # A = B: B merged into A
    services.decide_pair(pair(c, b), "confirm", by=people.analyst)  # B = C: so C = A
    c.refresh_from_db()
    assert c.merged_into_id == a.pk  # into the same survivor, not into the merged record B
    assert services.root_id(b.pk) == services.root_id(c.pk) == a.pk
    # A third pair inside the cluster is agreement, not another merge; rejecting it contradicts.
    assert services.decide_pair(pair(c, a), "confirm", by=people.analyst).status == "confirmed"
    assert FacilityMerge.objects.count() == 2
    d = make_facility("Alpha Knit Ltd", "BD")
    services.decide_pair(pair(d, a), "confirm", by=people.analyst)
    with pytest.raises(MatchingError, match="already one record"):
        services.decide_pair(pair(d, c), "reject", by=people.analyst)  # D = A = C


def test_transitivity_a_rejection_blocks_a_confirmation_that_would_imply_the_opposite(people):
    a = make_facility("Alpha Knit", "BD")
    b = make_facility("Alpha Knitting", "BD")
    c = make_facility("Alfa Knit", "BD")
    services.decide_pair(pair(b, a), "confirm", by=people.analyst)  # A = B
    services.decide_pair(pair(c, a), "reject", by=people.analyst, reason="other plot")  # A ≠ C
    bc = pair(c, b)
    with pytest.raises(MatchingError, match="decided to be different"):
        services.decide_pair(bc, "confirm", by=people.admin)  # B = C would make A = C
    bc.refresh_from_db()
    c.refresh_from_db()
    assert bc.status == MatchCandidate.Status.PENDING and c.status == Facility.Status.ACTIVE
    assert services.decide_pair(bc, "reject", by=people.admin).status == MatchCandidate.Status.REJECTED


def test_undo_restores_both_records_with_everything_linked(people):
    brand = people.brand
    survivor = make_facility("Mercury Apparel", "LK", address="Seethawaka EPZ")
    merged = make_facility("Mercury Apparels Pvt", "LK", address="Seethawaka", workers_count=900,
                           brand_ref="NW-77", parent_company="Hirdaramani")
    spinner = make_facility("Lanka Spinning", "LK")
    buyer = make_facility("Colombo Garments", "LK")
    to_brand = make_link(brand, merged, material="garments")  # merged → brand (merged is the supplier)
    from_spinner = make_link(merged, spinner, material="yarn")  # spinner → merged (merged is the buyer)
    to_buyer = make_link(buyer, merged, material="fabric")
    same_as_survivor = make_link(brand, survivor, material="garments")
    duplicate = SourcingLink.objects.get(pk=to_brand.pk)  # after the merge survivor → brand exists twice
    self_link = make_link(survivor, merged, material="trims")  # would join the survivor to itself
    source = FacilitySource.objects.create(facility=merged, row_number=4, values={"name": merged.name})
    agent = RecruitmentAgent.objects.create(name="Lanka Manpower", country="LK", identity_key="x")
    engagement = AgentEngagement.objects.create(agent=agent, facility=merged, origin_country="NP")
    lst = RestrictedList.objects.create(name="Own list")
    hit = ScreeningHit.objects.create(
        facility=merged, subject="facility", screened_name=merged.name, restricted_list=lst, entity_id="E1",
        entity_name="Mercury", entity_fingerprint="f", score=0.8, decision="review", engine_version="t",
        explanation="x")
    challenge = Challenge.objects.create(
        content_type=ContentType.objects.get_for_model(Facility), object_id=str(merged.pk), subject_repr="x",
        title="Who owns it?", text="?", due_date=datetime.date(2030, 1, 1), raised_by=people.ngo)

    c = services.decide_pair(pair(merged, survivor), "confirm", by=people.analyst)
    merge = FacilityMerge.objects.get(candidate=c)
    survivor.refresh_from_db()
    assert (survivor.workers_count, survivor.brand_ref, survivor.parent_company) == (900, "NW-77", "Hirdaramani")
    assert SourcingLink.objects.get(pk=from_spinner.pk).buyer_id == survivor.pk
    assert SourcingLink.objects.get(pk=to_buyer.pk).supplier_id == survivor.pk
    assert not SourcingLink.objects.filter(pk__in=[duplicate.pk, self_link.pk]).exists()
    assert SourcingLink.objects.filter(brand=brand, supplier=survivor).count() == 1
    assert FacilitySource.objects.get(pk=source.pk).facility_id == survivor.pk
    assert AgentEngagement.objects.get(pk=engagement.pk).facility_id == survivor.pk
    assert ScreeningHit.objects.get(pk=hit.pk).facility_id == survivor.pk
    assert Challenge.objects.get(pk=challenge.pk).object_id == str(survivor.pk)

    with pytest.raises(PermissionDenied):
        services.undo_merge(merge, by=people.ngo)
    services.undo_merge(merge, by=people.admin)
    survivor.refresh_from_db()
    merged.refresh_from_db()
    assert merged.status == Facility.Status.ACTIVE and merged.merged_into_id is None
    assert (merged.brand_ref, merged.workers_count) == ("NW-77", 900)
    assert (survivor.workers_count, survivor.brand_ref, survivor.parent_company) == (None, None, "")
    assert SourcingLink.objects.get(pk=from_spinner.pk).buyer_id == merged.pk
    assert SourcingLink.objects.get(pk=to_buyer.pk).supplier_id == merged.pk
    assert SourcingLink.objects.get(pk=to_brand.pk).supplier_id == merged.pk  # re-created
    assert SourcingLink.objects.get(pk=self_link.pk).supplier_id == merged.pk
    assert SourcingLink.objects.get(pk=same_as_survivor.pk).supplier_id == survivor.pk
    assert FacilitySource.objects.get(pk=source.pk).facility_id == merged.pk
    assert AgentEngagement.objects.get(pk=engagement.pk).facility_id == merged.pk
    assert ScreeningHit.objects.get(pk=hit.pk).facility_id == merged.pk
    assert Challenge.objects.get(pk=challenge.pk).object_id == str(merged.pk)
    merge.refresh_from_db()
    assert merge.is_undone and merge.undone_by == people.admin
    # The pair is now known to be two facilities: never merged again, automatically or by a person.
    c.refresh_from_db()
    assert c.status == MatchCandidate.Status.REJECTED
    assert AuditEvent.objects.filter(action="facility.merge_undo", object_id=str(survivor.pk)).exists()
    with pytest.raises(MatchingError, match="undone already"):
        services.undo_merge(merge, by=people.admin)


def test_undo_is_refused_while_a_later_merge_depends_on_it(people):
    a, b, c = (make_facility(n, "BD") for n in ("Alpha Knit", "Alpha Knitting", "Alfa Knit"))
    first = services.merge_facilities(b, c, by=people.analyst)  # C into B
    second = services.merge_facilities(a, b, by=people.analyst)  # then B (with C) into A
    with pytest.raises(MatchingError, match="undo that merge first"):
        services.undo_merge(first, by=people.analyst)
    services.undo_merge(second, by=people.analyst)
    services.undo_merge(first, by=people.analyst)
    assert Facility.objects.filter(pk__in=[a.pk, b.pk, c.pk]).count() == 3
