"""The reference registry: importing an Open Supply Hub export and linking the brand's facilities to it."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from fairthread.audit.models import AuditEvent
from fairthread.matching import services
from fairthread.matching.engine import ENGINE_VERSION, Registry
from fairthread.matching.models import MatchCandidate, RegistryEdition, RegistryFacility
from fairthread.matching.services import MatchingError
from fairthread.supplychain.models import Facility
from tests.factories import make_facility
from tests.import_support import DATA

pytestmark = pytest.mark.django_db
OSH = DATA / "osh_facilities_subset.csv"  # 1,958 real Open Supply Hub facilities (see SOURCES.md)
HEADER = "os_id,name,address,country_code,country_name,lon,lat,is_closed\n"


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


def _registry(people):
    return services.import_registry(OSH.read_bytes(), filename=OSH.name, name="OSH subset", by=people.admin)


def test_import_registry_stores_every_facility_and_a_prepared_file(people):
    edition = _registry(people)
    assert edition.is_current and edition.row_count == 1958
    assert RegistryFacility.objects.filter(edition=edition).count() == 1958
    # First data row of the file: AR20190858G1BP6, DER WILL S.A., lon -58.62727150000001, lat -34.4938049.
    first = RegistryFacility.objects.get(edition=edition, os_id="AR20190858G1BP6")
    assert (first.name, first.country) == ("DER WILL S.A.", "AR")
    assert first.lng == pytest.approx(-58.6272715) and first.lat == pytest.approx(-34.4938049)
    assert edition.database_path and (services.registry_dir() / edition.database_path.rsplit("/", 1)[1]).exists()
    assert AuditEvent.objects.filter(action="registry.import", object_id=str(edition.pk)).exists()
    # A second edition becomes current; the first stays as history.
    second = _registry(people)
    assert list(RegistryEdition.objects.filter(is_current=True)) == [second]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEADER + "AR1,Der Will,Calle 1,AR,Argentina,-58.6,-34.4,\nAR2,Khamsin,Calle 2,Atlantis,,-58.5,-34.5,\n",
         "osh.csv row 3, column 'country_code': 'Atlantis' is not a known country"),
        (HEADER + "AR1,Der Will,Calle 1,AR,Argentina,west,-34.4,\n",
         "osh.csv row 2, column 'lon': 'west' is not a number"),
        (HEADER + "AR1,Der Will,Calle 1,AR,Argentina,,,\nAR1,Khamsin,Calle 2,AR,Argentina,,,\n",
         "osh.csv row 3, column 'os_id': 'AR1' already used on row 2"),
        (HEADER + ",Der Will,Calle 1,AR,Argentina,,,\n",
         "osh.csv row 2, column 'os_id': empty; every registry facility needs its OS ID"),
        ("id,name,address\n1,Der Will,Calle 1\n",
         "osh.csv row 1, column 'os_id': missing required column (columns found: id, name, address)"),
    ],
)
def test_a_bad_registry_file_is_refused_with_row_and_column_and_nothing_is_written(people, text, message):
    with pytest.raises(MatchingError) as caught:
        services.import_registry(text.encode(), filename="osh.csv", name="bad", by=people.admin)
    assert message in caught.value.problems
    assert RegistryEdition.objects.count() == 0 and RegistryFacility.objects.count() == 0
    assert list(services.registry_dir().iterdir()) == []


def test_only_brand_users_import_and_link_the_registry(people):
    for user in (people.ngo, people.supplier, people.outsider):
        with pytest.raises(PermissionDenied):
            services.import_registry(OSH.read_bytes(), filename=OSH.name, name="x", by=user)
        with pytest.raises(PermissionDenied):
            services.link_to_registry(by=user)


def test_linking_without_a_registry_says_so(people):
    with pytest.raises(MatchingError, match="No reference registry"):
        services.link_to_registry(by=people.admin)


def _osh_row(os_id: str) -> dict[str, str]:
    with OSH.open(encoding="utf-8") as fh:
        return next(r for r in csv.DictReader(fh) if r["os_id"] == os_id)


def test_linking_records_the_os_id_and_is_incremental(people):
    _registry(people)
    row = _osh_row("AR2019143JX59GM")  # Khamsin S.A., Florentino Ameghino 1280 Florida ...
    same = make_facility(row["name"], "AR", address=row["address"])
    elsewhere = make_facility("Nowhere Knitwear Cooperative", "AR", address="Ruta 40 km 3000, Ushuaia")
    summary = services.link_to_registry(by=people.analyst)
    same.refresh_from_db()
    elsewhere.refresh_from_db()
    assert same.os_id == "AR2019143JX59GM"
    assert elsewhere.os_id is None
    assert summary.matched == 1 and summary.matched + summary.review + summary.new == 2
    linked = MatchCandidate.objects.get(facility=same)
    assert linked.status == MatchCandidate.Status.CONFIRMED and linked.method == services.AUTOMATIC
    assert linked.registry_facility.os_id == "AR2019143JX59GM"
    # A second run links only what is not linked yet and proposes nothing again.
    total = MatchCandidate.objects.count()
    again = services.link_to_registry(by=people.analyst)
    assert again.matched == 0 and again.candidates == []
    assert MatchCandidate.objects.count() == total


def test_an_os_id_held_by_another_facility_goes_to_review_and_rejections_are_not_re_proposed(people):
    _registry(people)
    row = _osh_row("AR2019143JX59GM")
    make_facility("Khamsin (old record)", "AR", address="somewhere", os_id="AR2019143JX59GM")
    copy = make_facility(row["name"], "AR", address=row["address"])
    summary = services.link_to_registry(by=people.analyst, facility_ids=[copy.pk])
    copy.refresh_from_db()
    assert copy.os_id is None and summary.review == 1
    c = MatchCandidate.objects.get(facility=copy)
    assert c.status == MatchCandidate.Status.PENDING and c.registry_facility.os_id == "AR2019143JX59GM"
    assert c.evidence and c.model_version
    assert list(services.review_queue(people.analyst)) == [c]  # registry pairs are in the queue too
    with pytest.raises(MatchingError, match="recorded for 'Khamsin \\(old record\\)'"):
        services.decide_pair(c, "confirm", by=people.analyst)
    services.decide_pair(c, "reject", by=people.analyst, reason="not that one")
    again = services.link_to_registry(by=people.analyst, facility_ids=[copy.pk])
    assert again.candidates == [] and MatchCandidate.objects.filter(facility=copy).count() == 1


def test_confirming_a_registry_pair_records_the_os_id(people):
    edition = _registry(people)
    f = make_facility("Khamsin", "AR")
    entry = RegistryFacility.objects.get(edition=edition, os_id="AR2019143JX59GM")
    c = MatchCandidate.objects.create(facility=f, registry_facility=entry, score=0.7, model_version="t")
    assert c.pair_key == f"r:{f.pk}:AR2019143JX59GM"
    services.decide_pair(c, "confirm", by=people.analyst)
    assert Facility.objects.get(pk=f.pk).os_id == "AR2019143JX59GM"


def test_commands_import_and_link(people, capsys, tmp_path):
    row = _osh_row("AR2019143JX59GM")
    f = make_facility(row["name"], "AR", address=row["address"])
    call_command("importregistry", str(OSH), "--name", "OSH subset", "--licence", "CC BY-SA 4.0")
    assert "1,958 registry facilities imported" in capsys.readouterr().out
    call_command("linkregistry")
    assert "1 linked (OS ID recorded)" in capsys.readouterr().out
    assert Facility.objects.get(pk=f.pk).os_id == "AR2019143JX59GM"
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "AR1,Der Will,Calle 1,Atlantis,,,,\n")
    with pytest.raises(CommandError, match="1 problem found; nothing was imported"):
        call_command("importregistry", str(bad), "--name", "bad")
    assert "bad.csv row 2, column 'country_code': 'Atlantis' is not a known country" in capsys.readouterr().err


def test_a_rejection_for_a_merged_record_holds_for_the_facility_it_went_into(people):
    edition = _registry(people)
    row = _osh_row("AR2019143JX59GM")
    survivor = make_facility(row["name"], "AR", address=row["address"])
    merged = make_facility("Khamsin SA (old list)", "AR", address="Florida")
    entry = RegistryFacility.objects.get(edition=edition, os_id="AR2019143JX59GM")
    # a person said the old-list record is not that registry entry, then the two records were merged
    c = MatchCandidate.objects.create(facility=merged, registry_facility=entry, score=0.6, model_version="t")
    services.decide_pair(c, "reject", by=people.analyst, reason="a different Khamsin")
    services.merge_facilities(survivor, merged, by=people.analyst)
    # the model would link the survivor to the entry (same name and address: test above), but the
    # rejection belongs to the whole merged facility, so it is neither matched nor proposed
    summary = services.link_to_registry(by=people.analyst, facility_ids=[survivor.pk])
    survivor.refresh_from_db()
    assert survivor.os_id is None
    assert summary.candidates == [] and summary.matched == 0 and summary.review == 0
    assert not MatchCandidate.objects.filter(facility=survivor).exists()


def test_a_registry_file_from_another_engine_or_gone_is_prepared_again_from_the_stored_rows(people):
    edition = _registry(people)
    old = Path(edition.database_path)
    # As if an earlier engine had prepared the file: it records another engine version.
    con = duckdb.connect(str(old))
    con.execute("UPDATE registry_meta SET engine_version = '2.0'")
    con.close()
    row = _osh_row("AR2019143JX59GM")
    same = make_facility(row["name"], "AR", address=row["address"])
    summary = services.link_to_registry(by=people.analyst)
    same.refresh_from_db()
    edition.refresh_from_db()
    assert summary.matched == 1 and same.os_id == "AR2019143JX59GM"
    new = Path(edition.database_path)
    assert new != old and new.exists() and not old.exists()
    assert Registry.prepared_by(new) == (ENGINE_VERSION, services.matcher_model().version)
    event = AuditEvent.objects.get(action="registry.prepare")
    assert event.before["prepared_by"] == ["2.0", services.matcher_model().version]
    assert event.after["file"] == str(new)
    # The file deleted: prepared again too, and the link run finds the same facility (already linked: nothing).
    new.unlink()
    other = make_facility("Nowhere Knitwear Cooperative", "AR", address="Ruta 40 km 3000, Ushuaia")
    again = services.link_to_registry(by=people.analyst)
    edition.refresh_from_db()
    assert Path(edition.database_path).exists()
    assert AuditEvent.objects.filter(action="registry.prepare").count() == 2
    assert again.matched == 0 and again.matched + again.review + again.new == 1
    other.refresh_from_db()
    assert other.os_id is None


def test_one_link_run_per_edition_at_a_time(people):
    import threading

    edition = _registry(people)
    acquired = threading.Event()

    def second_run() -> None:
        with services.edition_lock(edition):
            acquired.set()

    with services.edition_lock(edition):
        other = threading.Thread(target=second_run)
        other.start()
        assert not acquired.wait(0.3)  # held by the first run: the second waits
    other.join(5)
    assert acquired.is_set()
