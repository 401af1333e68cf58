"""Storing reference editions: the shipped defaults, idempotence, new editions, bad files, the engine tables
and the loadreference command. Files are those shipped in src/fairthread/reference/data/ (see SOURCES.md)."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError

from fairthread.audit.models import AuditEvent
from fairthread.reference import loaders, tables
from fairthread.reference.models import (
    CountryPrevalence,
    ForcedLabourIndicator,
    GoodMapping,
    HighRiskRegion,
    ListedGood,
    ReferenceDataset,
)
from fairthread.risk.engine import schema

pytestmark = pytest.mark.django_db

DATA = loaders.DATA_DIR
GSI = (DATA / "gsi_2023_prevalence.csv").read_bytes()
K = ReferenceDataset.Kind


def counts() -> tuple[int, ...]:
    return (ReferenceDataset.objects.count(), CountryPrevalence.objects.count(), ListedGood.objects.count(),
            ForcedLabourIndicator.objects.count(), HighRiskRegion.objects.count(), GoodMapping.objects.count(),
            AuditEvent.objects.count())


def current(kind: str) -> ReferenceDataset:
    return ReferenceDataset.objects.get(kind=kind, is_current=True)


def test_a_fresh_database_has_the_shipped_datasets():
    # Loaded by the data migration reference/0002.
    assert {ds.kind: (ds.name, ds.edition, ds.row_count) for ds in ReferenceDataset.objects.all()} == {
        K.COUNTRY_PREVALENCE: ("Global Slavery Index", "2023", 180),
        K.LISTED_GOODS: ("US DOL TVPRA list", "2022", 467),
        K.ILO_INDICATORS: ("ILO forced-labour indicators (fairthread definitions)", "2026-11", 11),
        K.HIGH_RISK_REGIONS: ("fairthread high-risk regions", "2026-11", 4),
        K.GOOD_MAPPING: ("fairthread goods mapping", "2026-11", 24),
    }
    assert ReferenceDataset.objects.filter(is_current=True).count() == 5
    gsi = current(K.COUNTRY_PREVALENCE)
    assert gsi.attribution == "Walk Free, Global Slavery Index 2023"
    assert "Walk Free" in gsi.licence and gsi.source
    dol = current(K.LISTED_GOODS)
    assert dol.licence == "US federal government work: public domain"
    assert dol.attribution.startswith("US Department of Labor, ILAB")
    assert all(ds.source and ds.licence for ds in ReferenceDataset.objects.all())
    assert CountryPrevalence.objects.get(dataset=gsi, country="IN").prevalence_per_1000 == 8.0
    assert ListedGood.objects.get(dataset=dol, good="Cotton", country="CN").forced_labour is True
    assert ForcedLabourIndicator.objects.filter(dataset=current(K.ILO_INDICATORS)).count() == 11


def test_loading_the_identical_file_again_changes_nothing():
    before = counts()
    result = loaders.load_file("gsi", GSI, filename="gsi_2023_prevalence.csv", edition="2023")
    assert result.ok and result.unchanged and not result.created
    assert (result.name, result.edition, result.rows) == ("Global Slavery Index", "2023", 180)
    # Even with another edition label: the file is the same (sha256).
    assert loaders.load_file("gsi", GSI, filename="x.csv", edition="2099").unchanged
    assert [r.unchanged for r in loaders.load_defaults()] == [True] * 5
    assert counts() == before


def test_a_new_edition_becomes_current_and_the_old_one_stays(people):
    old = current(K.COUNTRY_PREVALENCE)
    newer = GSI.replace(b"Asia and the Pacific,8.0,", b"Asia and the Pacific,9.5,")  # India only
    assert newer != GSI
    result = loaders.load_file("gsi", newer, filename="gsi_2024.csv", by=people.admin)
    assert result.ok and result.created and result.edition == "2024"  # the year in the file name
    assert result.replaced == "2023"
    new = current(K.COUNTRY_PREVALENCE)
    assert new.pk == result.dataset_id and new.edition == "2024"
    assert new.attribution == "Walk Free, Global Slavery Index 2024"
    assert new.loaded_by == people.admin and new.loaded_by_label == people.admin.get_username()
    old.refresh_from_db()
    assert not old.is_current and old.row_count == 180
    assert CountryPrevalence.objects.get(dataset=old, country="IN").prevalence_per_1000 == 8.0
    event = AuditEvent.objects.get(action="reference.load", object_id=str(new.pk))
    assert event.actor == people.admin and event.after["edition"] == "2024"
    # The engine now reads the new edition.
    t = tables.reference_tables()["country_prevalence"].to_pylist()
    india = [r for r in t if r["country"] == "IN"]
    assert india == [{"country": "IN", "prevalence_per_1000": 9.5, "dataset": "Global Slavery Index",
                      "edition": "2024"}]
    assert tables.current_editions()["Global Slavery Index"] == "2024"
    # Loading the shipped defaults again does not bring 2023 back as current.
    loaders.load_defaults()
    assert current(K.COUNTRY_PREVALENCE).edition == "2024"


def test_dol_xml_loads_the_same_rows_as_the_csv():
    csv_ds = current(K.LISTED_GOODS)
    xml = (DATA / "dol_tvpra_goods_2022_source.xml").read_bytes()
    result = loaders.load_file("dol-xml", xml, filename="goods.xml", edition="2022-xml")
    assert result.ok and result.created and result.rows == 467
    fields = ("good", "sector", "country", "child_labour", "forced_labour", "forced_child_labour",
              "derived_labour_exploitation", "derived_country")
    rows = lambda ds_id: sorted(ListedGood.objects.filter(dataset_id=ds_id).values_list(*fields))  # noqa: E731
    assert rows(result.dataset_id) == rows(csv_ds.pk)


def test_a_bad_file_writes_nothing_and_says_where(people):
    before = counts()
    bad = GSI.replace(b"Bangladesh,\"  164,689,000 \",Asia and the Pacific,7.1,",
                      b"Bangladesh,\"  164,689,000 \",Asia and the Pacific,seven,")
    result = loaders.load_file("gsi", bad, filename="gsi_2024.csv", by=people.admin)
    assert not result.ok and not result.created
    # Bangladesh is on file line 14: data row 13.
    assert result.errors == ["row 13, column 'Estimated prevalence of modern slavery per 1,000 population': "
                             "'seven' is not a number"]
    assert counts() == before
    assert current(K.COUNTRY_PREVALENCE).edition == "2023"


def test_only_those_who_may_change_the_method_load_reference_data(people):
    with pytest.raises(PermissionDenied):
        loaders.load_file("gsi", GSI.replace(b"8.0", b"8.1"), filename="g2024.csv", by=people.ngo)
    with pytest.raises(PermissionDenied):
        loaders.load_file("gsi", GSI.replace(b"8.0", b"8.1"), filename="g2024.csv", by=people.analyst)


def test_no_edition_anywhere_is_a_usage_problem():
    with pytest.raises(loaders.UsageProblem, match="give it with --edition"):
        loaders.load_file("good-mapping", b"term,term_kind,good\ncotton,material,Cotton\n", filename="map.csv")


def test_reference_tables_have_exactly_the_engine_columns():
    t = tables.reference_tables()
    expected = {
        "country_prevalence": schema.COUNTRY_PREVALENCE,
        "listed_goods": schema.LISTED_GOODS,
        "good_mapping": schema.GOOD_MAPPING,
        "high_risk_regions": schema.HIGH_RISK_REGIONS,
        "ilo_indicators": schema.ILO_INDICATORS,
    }
    assert set(t) == set(expected)
    duck = {"string": "VARCHAR", "double": "DOUBLE", "bool": "BOOLEAN", "int64": "BIGINT", "int32": "INTEGER"}
    for name, columns in expected.items():
        assert t[name].schema.names == list(columns), name
        assert [duck[str(f.type)] for f in t[name].schema] == list(columns.values()), name
    assert t["country_prevalence"].num_rows == 180
    assert t["listed_goods"].num_rows == 467
    assert t["ilo_indicators"].num_rows == 11
    assert t["good_mapping"].num_rows == 24
    cotton_cn = [r for r in t["listed_goods"].to_pylist() if (r["good"], r["country"]) == ("Cotton", "CN")]
    assert cotton_cn == [{"good": "Cotton", "country": "CN", "child_labour": True, "forced_labour": True,
                          "dataset": "US DOL TVPRA list", "edition": "2022"}]
    strength = {r["code"]: r["strength"] for r in t["ilo_indicators"].to_pylist()}
    assert strength["DocumentRetention"] == "strong" and strength["Isolation"] == "medium"


def test_high_risk_regions_for_matching_and_watch_entries_left_out():
    regions = {r["region_id"]: r for r in tables.reference_tables()["high_risk_regions"].to_pylist()}
    assert set(regions) == {"CN-XJ", "TM"}  # Tibet and Uzbekistan are 'watch' only: shown, not scored
    xj = regions["CN-XJ"]
    assert xj["country"] == "CN" and xj["materials"] == ""
    assert "xinjiang" in xj["region_names"].split("|")
    assert xj["dataset"] == "fairthread high-risk regions" and xj["edition"] == "2026-11"
    assert regions["TM"]["region_names"] == "" and "cotton" in regions["TM"]["materials"].split("|")
    assert HighRiskRegion.objects.get(region_id="CN-XZ").status == "watch"


def test_current_editions_names_every_current_dataset():
    assert tables.current_editions() == {
        "Global Slavery Index": "2023",
        "US DOL TVPRA list": "2022",
        "ILO forced-labour indicators (fairthread definitions)": "2026-11",
        "fairthread high-risk regions": "2026-11",
        "fairthread goods mapping": "2026-11",
    }


def test_tables_reload_the_defaults_when_a_kind_has_no_current_edition():
    # e.g. after a transactional test flushed the tables loaded by the migration
    ReferenceDataset.objects.filter(kind=K.GOOD_MAPPING).delete()
    assert tables.reference_tables()["good_mapping"].num_rows == 24
    assert current(K.GOOD_MAPPING).row_count == 24


# --- the command --------------------------------------------------------------------------------------
def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("loadreference", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_defaults_are_idempotent():
    before = counts()
    out, _ = run("--defaults")
    assert out.count("Unchanged:") == 5
    assert "gsi_2023_prevalence.csv is already stored as Global Slavery Index 2023 (180 rows, current)" in out
    assert counts() == before


def test_command_loads_a_new_edition_and_prints_counts(tmp_path: Path):
    path = tmp_path / "goods.csv"
    path.write_text("good,country,child_labor,forced_labor\nGarments,Mauritius,No,Yes\nCotton,China,Yes,Yes\n",
                    encoding="utf-8")
    out, _ = run("dol", str(path), "--edition", "2024")
    assert out == ("Loaded US DOL TVPRA list 2024 from goods.csv: 2 rows (current; replaces edition 2022).\n")
    assert ListedGood.objects.get(dataset=current(K.LISTED_GOODS), country="MU").forced_labour is True


def test_command_invalid_file_exits_1_and_writes_nothing(tmp_path: Path):
    path = tmp_path / "regions.csv"
    path.write_text("region_id,label,country,basis\nX,Somewhere,Atlantis,because\n", encoding="utf-8")
    before = counts()
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("loadreference", "high-risk-regions", str(path), "--edition", "1", stdout=out, stderr=err)
    assert exc.value.returncode == 1
    assert "row 1, column 'country': unknown country 'Atlantis'" in err.getvalue()
    assert str(exc.value) == "1 problem found in regions.csv; nothing was loaded."
    assert counts() == before


def test_command_wrong_usage_exits_2(tmp_path: Path):
    for args in ((), ("gsi",), ("--defaults", "gsi", "x.csv")):
        with pytest.raises(CommandError) as exc:
            run(*args)
        assert exc.value.returncode == 2, args
    path = tmp_path / "map.csv"
    path.write_text("term,term_kind,good\ncotton,material,Cotton\n", encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        run("good-mapping", str(path))  # no edition in the file, its name or --edition
    assert exc.value.returncode == 2
