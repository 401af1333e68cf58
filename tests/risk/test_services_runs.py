"""Assessment runs through the risk services, on the real engine, reference tables and database."""

from __future__ import annotations

import copy
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from fairthread.audit.models import AuditEvent
from fairthread.reference import tables as reference
from fairthread.risk import engine, methodology, services
from fairthread.risk.models import AssessmentRun, FacilityAssessment
from fairthread.supplychain import services as supplychain
from fairthread.supplychain.models import SourcingLink
from tests.risk.services_support import make_chain, results_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(people):
    return make_chain(people)


def test_a_full_run_stores_every_facility_with_method_editions_and_digest(people, chain):
    run = services.run_assessment(by=people.analyst)
    assert run.kind == "full" and run.status == "succeeded"
    assert run.method_version == engine.DEFAULT_METHODOLOGY["version"]
    assert run.methodology.is_default
    # Every reference edition the engine used is recorded, e.g. the GSI edition.
    for dataset, edition in reference.current_editions().items():
        if dataset in run.editions:
            assert run.editions[dataset] == edition
    assert run.editions
    assert len(run.inputs_digest) == 64 and int(run.inputs_digest, 16) >= 0
    results = FacilityAssessment.objects.filter(run=run)
    assert results.count() == 6 == run.facility_count
    assert sorted(results.values_list("priority_rank", flat=True)) == [1, 2, 3, 4, 5, 6]
    assert all(results.values_list("current", flat=True))
    assert sum(run.summary["facilities_per_band"].values()) == 6
    assert AuditEvent.objects.filter(action="risk.run", object_id=str(run.pk), actor=people.analyst).exists()


def test_state_imposed_cotton_makes_the_chain_to_the_brand_irremediable(people, chain):
    run = services.run_assessment(by=people.admin)
    by_id = {r.facility_id: r for r in FacilityAssessment.objects.filter(run=run)}
    # Xinjiang cotton reaches Jiangsu Yarn, then Gazipur and Dhaka (standards §3.3: avoid/exit).
    for f in (chain.jiangsu, chain.gazipur, chain.dhaka):
        assert by_id[f.pk].irremediable, f.name
        assert by_id[f.pk].band == "critical", f.name
    for f in (chain.porto, chain.braga):
        assert not by_id[f.pk].irremediable
    # Severity first: every irremediable facility ranks above the Portuguese chain.
    worst_portugal = min(by_id[f.pk].priority_rank for f in (chain.porto, chain.braga))
    assert max(by_id[f.pk].priority_rank for f in (chain.jiangsu, chain.gazipur, chain.dhaka)) < worst_portugal


def test_identical_re_run_gives_identical_results_and_digest(people, chain):
    first = services.run_assessment(by=people.analyst)
    second = services.run_assessment(by=people.analyst)
    assert first.inputs_digest == second.inputs_digest
    assert first.editions == second.editions
    a = {k: v[1:] for k, v in results_of(FacilityAssessment.objects.filter(run=first)).items()}
    b = {k: v[1:] for k, v in results_of(FacilityAssessment.objects.filter(run=second)).items()}
    assert a == b
    ranks = lambda run: dict(FacilityAssessment.objects.filter(run=run).values_list("facility_id", "priority_rank"))  # noqa: E731
    assert ranks(first) == ranks(second)
    # Only the newest run is the current picture.
    assert not FacilityAssessment.objects.filter(run=first, current=True).exists()
    assert FacilityAssessment.objects.filter(current=True).count() == 6
    comparison = services.compare_runs(first, second)
    assert comparison.identical and comparison.total_changed == 0 and not comparison.digest_changed


def test_the_digest_changes_when_an_input_changes(people, chain):
    first = services.run_assessment(by=people.analyst)
    SourcingLink.objects.filter(buyer=chain.porto).update(volume_share=Decimal("90"))
    second = services.run_assessment(by=people.analyst)
    assert first.inputs_digest != second.inputs_digest


def test_editing_a_facility_reassesses_it_and_its_downstream_only(people, chain, django_capture_on_commit_callbacks):
    full = services.run_assessment(by=people.analyst)
    before = results_of(FacilityAssessment.objects.filter(run=full))
    with django_capture_on_commit_callbacks(execute=True):
        supplychain.update_facility(chain.tiruppur, by=people.analyst,
                                    values={"pct_migrant": Decimal("95"), "pct_agency": Decimal("40")})
    incremental = AssessmentRun.objects.exclude(pk=full.pk).get()
    assert incremental.kind == "incremental" and incremental.status == "succeeded"
    assert incremental.changed_facilities == [chain.tiruppur.pk]
    reassessed = set(FacilityAssessment.objects.filter(run=incremental).values_list("facility_id", flat=True))
    # Tiruppur supplies Gazipur, which supplies Dhaka: exactly these three, not Jiangsu nor Portugal.
    assert reassessed == {chain.tiruppur.pk, chain.gazipur.pk, chain.dhaka.pk}
    current = results_of(services.current_results())
    assert current[chain.tiruppur.pk][2] > before[chain.tiruppur.pk][2]  # likelihood rose with the edit
    for pk in chain.portugal_side | {chain.jiangsu.pk}:
        assert current[pk] == before[pk]
    # The summary describes the whole current picture, not only the three re-assessed facilities.
    bands = {b: services.current_results().filter(band=b).count() for b in ("critical", "high", "medium", "low")}
    assert incremental.summary["facilities_per_band"] == bands and sum(bands.values()) == 6
    assert incremental.summary["irremediable"] == services.current_results().filter(irremediable=True).count()
    assert sum(incremental.summary["reassessed_per_band"].values()) == 3 == incremental.facility_count
    # The current picture equals what a full run over the same data gives.
    again = services.run_assessment(by=people.analyst)
    assert results_of(FacilityAssessment.objects.filter(run=again)) == current


def test_deleting_a_link_reassesses_the_buyer(people, chain, django_capture_on_commit_callbacks):
    services.run_assessment(by=people.analyst)
    link = SourcingLink.objects.get(buyer=chain.gazipur, supplier=chain.jiangsu)
    with django_capture_on_commit_callbacks(execute=True):
        supplychain.delete_link(link, by=people.analyst)
    incremental = AssessmentRun.objects.filter(kind="incremental").get()
    reassessed = set(FacilityAssessment.objects.filter(run=incremental).values_list("facility_id", flat=True))
    assert {chain.gazipur.pk, chain.dhaka.pk} <= reassessed
    current = dict(services.current_results().values_list("facility_id", "irremediable"))
    # Without the Xinjiang-sourcing yarn supplier, the fabric mill and the CMT unit are no longer state-imposed.
    assert current[chain.gazipur.pk] is False and current[chain.dhaka.pk] is False
    again = services.run_assessment(by=people.analyst)
    assert results_of(FacilityAssessment.objects.filter(run=again)) == results_of(services.current_results())


def test_no_incremental_run_before_a_full_run(people, chain, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        supplychain.update_facility(chain.braga, by=people.analyst, values={"workers_count": 95})
    assert not AssessmentRun.objects.exists()
    assert services.reassess_downstream({chain.braga.pk}) is None


def test_downstream_walks_buyer_ward_through_every_tier(chain):
    assert services.downstream_of({chain.jiangsu.pk}) == {chain.jiangsu.pk, chain.gazipur.pk, chain.dhaka.pk}
    assert services.downstream_of({chain.braga.pk}) == {chain.braga.pk, chain.porto.pk}


def _heavier_workforce(base: dict) -> dict:
    body = copy.deepcopy(base)
    workforce = body["factors"]["workforce"]
    workforce["migrant_points"] = base["factors"]["workforce"]["migrant_points"] * 2
    workforce["cap"] = base["factors"]["workforce"]["cap"] * 2  # so that the doubling is not capped away
    return body


def test_a_new_methodology_version_shows_in_compare_runs(people, chain):
    first = services.run_assessment(by=people.analyst)
    base = methodology.latest()
    new = services.create_methodology_version(by=people.admin, body=_heavier_workforce(base.body),
                                              change_note="Migrant share weighs double (NGO challenge #1).")
    assert new.version == "1.1" and new.author == "admin" and not new.is_default
    assert methodology.get("1.0") is not None  # the old version stays
    second = services.run_assessment(by=people.analyst, methodology_version="1.1")
    assert second.method_version == "1.1"
    comparison = services.compare_runs(first, second)
    old = base.body["factors"]["workforce"]["migrant_points"]
    assert ("factors.workforce.migrant_points", old, 2 * old) in comparison.methodology_changes
    assert not comparison.digest_changed  # same data; only the method moved
    changed = {c.facility_id: c for c in comparison.changes}
    # Tiruppur (70 % migrant) moves, and the reason given is the workforce factor.
    tiruppur = changed[chain.tiruppur.pk]
    assert tiruppur.after["likelihood"] > tiruppur.before["likelihood"]
    assert [f for f, _, _ in tiruppur.factors] == ["workforce"]
    assert AuditEvent.objects.filter(action="methodology.create", object_id=str(new.pk)).exists()


def test_methodology_versions_are_validated_and_only_admins_make_them(people, chain):
    base = methodology.latest()
    with pytest.raises(PermissionDenied):
        services.create_methodology_version(by=people.analyst, body=_heavier_workforce(base.body), change_note="x")
    with pytest.raises(PermissionDenied):
        services.create_methodology_version(by=people.ngo, body=_heavier_workforce(base.body), change_note="x")
    broken = copy.deepcopy(base.body)
    del broken["bands"]
    with pytest.raises(ValidationError) as exc:
        services.create_methodology_version(by=people.admin, body=broken, change_note="no bands")
    assert exc.value.message_dict["body"]
    with pytest.raises(ValidationError) as exc:
        services.create_methodology_version(by=people.admin, body=copy.deepcopy(base.body), change_note="same")
    assert "Nothing in the method changed" in str(exc.value)
    with pytest.raises(ValidationError):
        services.create_methodology_version(by=people.admin, body=_heavier_workforce(base.body), change_note=" ")
    for bad in ("new", "1/2", "1.0"):  # a page name, a path, an existing version
        with pytest.raises(ValidationError):
            services.create_methodology_version(by=people.admin, body=_heavier_workforce(base.body),
                                                change_note="x", version=bad)
    assert methodology.all_versions() == ["1.0"]


def test_unknown_methodology_version_names_the_known_ones(people, chain):
    with pytest.raises(services.UnknownMethodology) as exc:
        services.run_assessment(by=people.analyst, methodology_version="9.9")
    assert exc.value.known == ["1.0"]
    assert not AssessmentRun.objects.exists()


def test_only_brand_users_run_assessments(people, chain):
    for user in (people.ngo, people.supplier, people.outsider):
        with pytest.raises(PermissionDenied):
            services.run_assessment(by=user)
    assert not AssessmentRun.objects.exists()


def test_critical_areas_rank_severity_first(people, chain):
    run = services.run_assessment(by=people.analyst)
    areas = services.critical_areas(run)
    assert [a.rank for a in areas] == list(range(1, len(areas) + 1))
    keys = [(-a.highest_severity, -a.likelihood, -a.workers_potentially_affected) for a in areas]
    assert keys == sorted(keys)
    # The Xinjiang-exposed Bangladeshi tiers come before anything in Portugal.
    first_pt = min(a.rank for a in areas if a.country == "PT")
    assert all(a.rank < first_pt for a in areas if a.country == "BD")


def test_critical_areas_of_an_incremental_run_cover_the_whole_picture(people, chain,
                                                                       django_capture_on_commit_callbacks):
    full = services.run_assessment(by=people.analyst)
    with django_capture_on_commit_callbacks(execute=True):
        supplychain.update_facility(chain.braga, by=people.analyst, values={"workers_count": 95})
    incremental = AssessmentRun.objects.get(kind="incremental")
    areas = services.critical_areas(incremental)
    full_areas = services.critical_areas(full)
    # Same facilities per country and tier as the full run (only Braga's head count changed).
    count = lambda xs: sorted((a.country, a.tier, a.facilities) for a in xs)  # noqa: E731
    assert count(areas) == count(full_areas)
    braga_area = next(a for a in areas if a.country == "PT" and a.tier == 2)
    assert braga_area.workers_potentially_affected == 95
