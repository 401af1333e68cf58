"""List versions in the database: loading, idempotence, diffs, and re-screening only what changed."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from fairthread.audit.models import AuditEvent
from fairthread.screening import services
from fairthread.screening.lists import ListError
from fairthread.screening.models import ListVersion, RestrictedList, ScreeningHit
from tests.factories import make_facility

pytestmark = pytest.mark.django_db
HEADER = "id,name,aliases,country,address,list,effective_date\n"
V1 = HEADER + (
    "E1,Hoa Phat Spinning Company Limited,,VN,,Test list,2024-01-01\n"
    "E2,Golden Lotus Weaving Co. Ltd.,,VN,,Test list,\n"
    "E3,Kestrel Dyeing Works,,PK,,Test list,\n"
)
# E1 unchanged, E2 changed (an alias), E3 removed, E4 added.
V2 = HEADER + (
    "E1,Hoa Phat Spinning Company Limited,,VN,,Test list,2024-01-01\n"
    "E2,Golden Lotus Weaving Co. Ltd.,Golden Lotus Textiles,VN,,Test list,\n"
    "E4,Marigold Button Factory,,IN,,Test list,\n"
)
FILLER = ["Saigon Knitwear", "Dhaka Denim Mills", "Porto Shirts", "Braga Socks", "Chittagong Sweaters",
          "Lahore Towels", "Karachi Terry", "Tirupur Tees", "Izmir Jeans", "Hanoi Jackets", "Penang Gloves",
          "Colombo Lingerie", "Phnom Penh Knits", "Yangon Outerwear", "Cairo Cotton Goods"]


def load(text: str, name: str = "Test list"):
    return services.load_list_version(text.encode(), fmt="csv", name=name, by="test")


@pytest.fixture
def facilities():
    made = {name: make_facility(name, "BD") for name in FILLER}
    made["hoa"] = make_facility("Hoa Phat Spinning Co., Ltd.", "VN")
    made["lotus"] = make_facility("Golden Lotus Weaving Company Limited", "VN")
    made["marigold"] = make_facility("Marigold Button Factory Pvt Ltd", "IN")
    return made


def test_loading_stores_a_version_and_an_identical_file_adds_none(facilities):
    result, stats = load(V1)
    assert result.created and result.version.number == 1 and result.version.is_current
    assert result.version.entity_count == 3 == result.version.entities.count()
    e1 = result.version.entities.get(entity_id="E1")
    assert e1.country == "VN" and e1.effective_date == "2024-01-01" and len(e1.fingerprint) == 32
    assert AuditEvent.objects.filter(action="screening.load_list").count() == 1
    again, stats_again = load(V1)
    assert not again.created and stats_again is None
    assert again.version.pk == result.version.pk
    assert ListVersion.objects.count() == 1


def test_a_new_version_is_diffed_by_entity_id_and_fingerprint(facilities):
    v1 = load(V1)[0].version
    v2 = load(V2)[0].version
    assert v2.number == 2 and v2.is_current
    assert not ListVersion.objects.get(pk=v1.pk).is_current
    diff = services.diff_versions(v1, v2)
    assert [e.entity_id for e in diff["added"]] == ["E4"]
    assert [e.entity_id for e in diff["removed"]] == ["E3"]
    assert [e.entity_id for e in diff["changed"]] == ["E2"]


def test_the_first_version_screens_every_facility_it_could_match(facilities):
    _, stats = load(V1)
    hits = ScreeningHit.objects.filter(status="open")
    assert sorted(hits.values_list("facility__name", "entity_id")) == [
        ("Golden Lotus Weaving Company Limited", "E2"), ("Hoa Phat Spinning Co., Ltd.", "E1")]
    hit = hits.get(entity_id="E1")
    assert hit.score >= 0.85 and hit.decision == "hit" and hit.subject == "facility"
    assert hit.engine_version.startswith("fairthread-screening/")
    assert "legal form" in hit.explanation
    assert stats.raised == 2


def test_a_new_version_re_screens_only_what_changed(facilities):
    load(V1)
    first = {h.entity_id: (h.pk, h.updated_at) for h in ScreeningHit.objects.all()}
    _, stats = load(V2)
    # 18 facilities exist; only the ones the facility-name index links to E2 or E4 are screened (one name
    # each here), never the whole set.
    assert 1 <= stats.queries <= 3
    assert stats.raised == 1  # Marigold, on the new entity E4
    assert ScreeningHit.objects.get(entity_id="E4").facility == facilities["marigold"]
    # E1 did not change: its hit was not touched.
    e1 = ScreeningHit.objects.get(entity_id="E1")
    assert (e1.pk, e1.updated_at) == first["E1"]


def test_a_removed_entity_withdraws_its_open_hits(facilities):
    kestrel = make_facility("Kestrel Dyeing Works", "PK")
    load(V1)
    assert ScreeningHit.objects.filter(entity_id="E3").count() == 1
    _, stats = load(V2)
    assert not ScreeningHit.objects.filter(entity_id="E3").exists()
    assert kestrel.pk in stats.facilities


def test_a_bad_file_stores_nothing():
    with pytest.raises(ListError) as info:
        load(HEADER + ",No id here,,VN,,,\n")
    assert info.value.problems
    assert not RestrictedList.objects.exists()


def test_loadlist_command_exit_codes(tmp_path, capsys, facilities):
    good = tmp_path / "list.csv"
    good.write_text(V1, encoding="utf-8")
    call_command("loadlist", str(good), "--format", "csv", "--name", "Own list")
    out = capsys.readouterr().out
    assert "version 1 stored with 3 entities" in out
    call_command("loadlist", str(good), "--format", "csv", "--name", "Own list")
    assert "identical to version 1" in capsys.readouterr().out
    assert RestrictedList.objects.get(name="Own list").versions.count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + ",,,,,,\nX1,,,ZZZ,,,\n", encoding="utf-8")
    with pytest.raises(CommandError) as info:
        call_command("loadlist", str(bad), "--format", "csv", "--name", "Own list")
    assert info.value.returncode == 1
    with pytest.raises(CommandError) as info:
        call_command("loadlist", str(good), "--format", "csv", "--name", "  ")
    assert info.value.returncode == 2


def test_loadlist_cbp_sample(capsys):
    from pathlib import Path

    import fairthread.screening as screening_pkg

    sample = Path(screening_pkg.__file__).parent / "data" / "cbp_wro_findings_active.csv"
    call_command("loadlist", str(sample), "--format", "cbp", "--name", "CBP WRO")
    rl = RestrictedList.objects.get(name="CBP WRO")
    assert rl.list_type == "cbp_wro"
    assert rl.versions.get().entity_count > 10
