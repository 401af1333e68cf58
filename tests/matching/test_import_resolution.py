"""Facility matching on every import: no duplicate facilities, decisions remembered, never asked twice."""

from __future__ import annotations

import csv

import pytest

from fairthread.matching import services
from fairthread.matching.models import FacilityMerge, MatchCandidate
from fairthread.supplychain.importing import import_file
from fairthread.supplychain.models import Facility, FacilitySource, ImportBatch
from tests.import_support import DATA, OAR_LISTS

pytestmark = pytest.mark.django_db
LIST_8 = DATA / "oar_lists" / "8.csv"
RESPELT = DATA / "oar_list_8_respelt.csv"  # ten facilities of 8.csv spelt differently (see SOURCES.md)


def _import(path, by=None):
    result = import_file(path, filename=path.name, by=by)
    assert result.ok, result.errors[:5]
    return result


def test_importing_real_lists_twice_yields_no_duplicates_and_asks_nothing_again():
    lists = [p for p in OAR_LISTS if p.stem in {"2", "3", "4", "5", "7", "8", "9"}]
    first = [_import(p) for p in lists]
    # Several of these lists name the same facilities: some were matched or sent to review the first time.
    assert sum(r.matched_existing + r.sent_to_review for r in first) > 0
    counts = (Facility.objects.count(), Facility.all_objects.count(), MatchCandidate.objects.count(),
              FacilitySource.objects.count())
    for path in lists:
        again = _import(path)
        assert (again.created, again.updated, again.matched_existing, again.sent_to_review) == (0, 0, 0, 0)
    assert (Facility.objects.count(), Facility.all_objects.count(), MatchCandidate.objects.count(),
            FacilitySource.objects.count()) == counts


def test_the_same_facilities_spelt_differently_are_matched_or_put_to_review_never_silently_duplicated():
    _import(LIST_8)
    with LIST_8.open(encoding="utf-8") as fh:
        originals = {r["name"]: r for r in csv.DictReader(fh)}
    before = set(Facility.objects.values_list("pk", flat=True))
    result = _import(RESPELT)
    assert result.created == 0  # nothing new without a person being asked
    assert result.matched_existing + result.sent_to_review == 10
    batch = ImportBatch.objects.get(pk=result.batch.pk)
    assert (batch.matched_existing, batch.sent_to_review) == (result.matched_existing, result.sent_to_review)
    # Every row of the re-spelt list is a record paired with the facility of 8.csv it re-spells.
    with RESPELT.open(encoding="utf-8") as fh:
        respelt = [r["name"] for r in csv.DictReader(fh)]
    expected = [name for name in originals if _same_facility(name, respelt)]
    assert len(expected) == 10
    pairs = MatchCandidate.objects.filter(batch=result.batch).select_related("facility", "other_facility")
    assert sorted(p.other_facility.name for p in pairs) == sorted(expected)
    assert sorted(p.facility.name for p in pairs) == sorted(respelt)
    for p in pairs:
        assert p.model_version and 0 <= p.score <= 1 and p.explanation and p.evidence
        if p.status == MatchCandidate.Status.CONFIRMED:
            assert p.method == services.AUTOMATIC and p.decided_by is None
            assert p.facility.merged_into_id == p.other_facility_id  # the newcomer joined the stored record
            assert FacilityMerge.objects.filter(candidate=p).exists()
        else:
            assert p.status == MatchCandidate.Status.PENDING
    # Current facilities: the originals plus only those put to review.
    assert Facility.objects.count() == len(before) + result.sent_to_review
    # A matched facility keeps its own spelling; the row is still its provenance.
    for p in pairs.filter(status=MatchCandidate.Status.CONFIRMED):
        survivor = Facility.objects.get(pk=p.other_facility_id)
        assert survivor.name in originals
        assert FacilitySource.objects.filter(facility=survivor, batch=result.batch).count() == 1


# Row i of the re-spelt file re-spells the facility of 8.csv with this name (by hand, see SOURCES.md).
RESPELT_OF = {
    "Supreme Embellishment Ltd.": "Supreme Embellishment Limited",
    "One Composite Mills LTD.": "ONE COMPOSITE MILLS",
    "Shine Embroidery Ltd.": "Shine Embroidery Ltd",
    "Jung Myung Textile (Shaowu) Co. Ltd.": "Jung Myung Textile Shaowu Company Limited",
    "Suzhou Jinyuda Textile Co. Ltd": "Suzhou Jin Yu Da Textile Co Ltd",
    "Changshu Jieliang Knitting Co. Ltd": "Changshu Jieliang Knitting Company Limited",
    "Huai An Yuan Tong Headwear Mfg. Co. Ltd.": "Huaian Yuantong Headwear Mfg Co.",
    "Industrias Merlet S.A. de C.V.": "Industrias Merlet SA de CV",
    "Texsun S.A.": "Texsun Sociedad Anonima",
    "Impress Printing & Embroidery": "Impress Embroidery & Printing",
}


def _same_facility(original: str, respelt: list[str]) -> bool:
    return RESPELT_OF.get(original) in respelt


def test_pairs_are_between_the_right_facilities():
    _import(LIST_8)
    result = _import(RESPELT)
    for p in MatchCandidate.objects.filter(batch=result.batch).select_related("facility", "other_facility"):
        assert RESPELT_OF[p.other_facility.name] == p.facility.name


def test_rejected_and_undone_pairs_are_never_proposed_again(people):
    _import(LIST_8)
    result = _import(RESPELT)
    pairs = list(MatchCandidate.objects.filter(batch=result.batch))
    for p in pairs:
        if p.status == MatchCandidate.Status.PENDING:
            services.decide_pair(p, "reject", by=people.analyst, reason="test")
        else:
            services.undo_merge(FacilityMerge.objects.get(candidate=p), by=people.analyst)
    assert all(MatchCandidate.objects.get(pk=p.pk).status == MatchCandidate.Status.REJECTED for p in pairs)
    assert Facility.objects.count() == Facility.all_objects.count()  # nothing merged any more
    total = MatchCandidate.objects.count()
    again = _import(RESPELT)
    assert (again.created, again.matched_existing, again.sent_to_review) == (0, 0, 0)
    summary = services.resolve_facilities(Facility.objects.values_list("pk", flat=True), by=people.analyst)
    assert summary.candidates == [] and summary.matched == 0 and summary.review == 0
    assert MatchCandidate.objects.count() == total
    assert Facility.objects.count() == Facility.all_objects.count()


def test_a_dry_run_reports_matches_and_writes_nothing():
    _import(LIST_8)
    counts = (Facility.all_objects.count(), MatchCandidate.objects.count())
    result = import_file(RESPELT, filename=RESPELT.name, by=None, dry_run=True)
    assert result.ok and result.matched_existing + result.sent_to_review == 10
    assert (Facility.all_objects.count(), MatchCandidate.objects.count()) == counts


def test_resolve_facilities_finds_duplicates_already_stored(people):
    # Two lists imported into an empty database the other way round: the re-spelt one first finds nothing.
    _import(RESPELT)
    ids_before = set(Facility.objects.values_list("pk", flat=True))
    MatchCandidate.objects.all().delete()
    # Stored duplicates made without matching (as if entered by hand): resolve them on demand.
    from tests.factories import make_facility

    dup = make_facility("Industrias Merlet S.A. de C.V.", "SV",
                        address="Calle Circunvalacion,Pol. A No.3 Urb. Industrial La Laguna,Antigua Cuscatlan")
    summary = services.resolve_facilities([dup.pk], by=people.analyst)
    assert summary.matched + summary.review == 1 and summary.new == 0
    c = MatchCandidate.objects.get(pk=summary.candidates[0])
    assert c.facility_id == dup.pk
    assert Facility.all_objects.get(pk=c.other_facility_id).name == "Industrias Merlet SA de CV"
    assert c.other_facility_id in ids_before
    # Asked once only.
    again = services.resolve_facilities([dup.pk], by=people.analyst)
    assert again.candidates == []


def test_a_pair_sent_to_review_and_rejected_is_not_proposed_again(people):
    _import(LIST_8)
    # The stored Texsun has an OS ID; a list names it again with another OS ID: not one facility without a
    # person's word (two OS IDs), so the row becomes a new facility and a pending pair.
    Facility.objects.filter(name="Texsun S.A.").update(os_id="GT2020000TEXSUN")
    data = b'country,name,address,os_id\nGuatemala,Texsun SA,"17 Ave 40-76 Zona 12, Guatemala",GT2021000OTHER1\n'
    first = import_file(data, filename="texsun.csv", by=None)
    assert first.ok and (first.created, first.sent_to_review, first.matched_existing) == (1, 1, 0)
    pending = MatchCandidate.objects.get(batch=first.batch)
    assert pending.status == MatchCandidate.Status.PENDING
    assert (pending.facility.os_id, pending.other_facility.os_id) == ("GT2021000OTHER1", "GT2020000TEXSUN")
    services.decide_pair(pending, "reject", by=people.analyst, reason="two OS IDs: two facilities")
    total = MatchCandidate.objects.count()
    again = import_file(data, filename="texsun.csv", by=None)
    assert again.ok and (again.created, again.sent_to_review, again.matched_existing) == (0, 0, 0)
    # The model still proposes the stored Texsun for the new record; the stored rejection is what stops it.
    newcomer = Facility.objects.get(pk=pending.facility_id)
    results = services.link_against_facilities([services.engine_row(newcomer.__dict__, newcomer.pk)],
                                               exclude=[newcomer.pk])
    assert [int(other) for other, *_ in services.proposals(results[0])][:1] == [pending.other_facility_id]
    summary = services.resolve_facilities([pending.facility_id], by=people.analyst)
    assert summary.candidates == []
    assert MatchCandidate.objects.count() == total


def test_stored_pairs_carry_the_engines_per_field_evidence():
    _import(LIST_8)
    result = _import(RESPELT)
    pairs = list(MatchCandidate.objects.filter(batch=result.batch))
    assert len(pairs) == 10
    for p in pairs:
        # docs/matching.md: evidence is [{"field", "label", "for_match", "text"}], one entry per compared field,
        # ending with the country (a hard block, so always the same country)
        assert all(set(e) == {"field", "label", "for_match", "text"} for e in p.evidence)
        assert p.evidence[-1] == {"field": "country", "label": "Country", "for_match": None, "text": "same country"}
        # every pair here is a re-spelling of the same facility: the name speaks for the match
        name = next(e for e in p.evidence if e["field"] == "name")
        assert name["for_match"] is True, (p.facility.name, p.other_facility.name, p.evidence)
        # the explanation is the same evidence as phrases
        assert len(p.explanation) == len(p.evidence)


def test_thresholds_set_in_the_settings_send_every_match_to_a_person(settings):
    # FAIRTHREAD_MATCH_AUTO_THRESHOLD=1 (docs/operations.md): nothing is merged automatically; the rows the model
    # would have matched wait in the review queue instead (the review threshold stays the model's)
    settings.MATCH_AUTO_THRESHOLD = "1"
    _import(LIST_8)
    result = _import(RESPELT)
    # a row sent to review is created as a facility of its own, with a pending pair (docs/matching.md)
    assert (result.created, result.matched_existing, result.sent_to_review) == (10, 0, 10)
    assert not FacilityMerge.objects.exists()
    assert MatchCandidate.objects.filter(status=MatchCandidate.Status.PENDING).count() == 10


def test_thresholds_that_make_no_sense_are_refused_with_their_name(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.MATCH_REVIEW_THRESHOLD = "high"
    with pytest.raises(ImproperlyConfigured, match="FAIRTHREAD_MATCH_REVIEW_THRESHOLD must be a number"):
        services.thresholds()
    settings.MATCH_REVIEW_THRESHOLD = "0.99"
    settings.MATCH_AUTO_THRESHOLD = "0.5"
    with pytest.raises(ImproperlyConfigured, match="review ≤ match"):
        services.thresholds()


def test_fairthread_check_reports_bad_thresholds(settings):
    from fairthread.matching.checks import matching_thresholds

    assert matching_thresholds() == []
    settings.MATCH_MARGIN = "-1"
    errors = matching_thresholds()
    assert [e.id for e in errors] == ["fairthread.matching.E001"]
    assert "margin must not be negative" in errors[0].msg
