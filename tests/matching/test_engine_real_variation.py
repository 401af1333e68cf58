"""How real contributor lists write one facility differently, and the real pairs the model is trained on.

Expected values come from the rules in docs/matching.md (Method), worked by hand.
"""

from __future__ import annotations

import random

import duckdb
import pytest

from fairthread.matching import engine
from fairthread.matching.engine import MATCH, Registry, match_rows
from fairthread.matching.engine.mining import mine_pairs, read_real_pairs
from fairthread.matching.engine.records import name_numbers
from fairthread.matching.engine.text import address_tokens, name_parts
from fairthread.matching.engine.variants import real_variant

LANKA = [
    {"id": "L1", "name": "Mercury Apparel (Pvt) Ltd", "address": "Seethawaka Export Processing Zone, Avissawella",
     "country": "LK"},
    {"id": "L2", "name": "Lanka Stretch Fabrics (Pvt) Ltd", "address": "Biyagama EPZ, Walgama, Malwana",
     "country": "LK"},
    {"id": "L3", "name": "Pungkook Saigon III Co Ltd", "address": "Lot 12, Katunayake EPZ, Katunayake",
     "country": "LK"},
]


def test_spaced_out_and_split_letters_are_rejoined():
    # "M E R C U R Y" is one word spaced out; "APPAR EL" is the trade word "apparel" split by a stray space.
    assert name_parts("M E R C U R Y APPAR EL SEETHAWAKA") == ("mercury apparel seethawaka", "")


def test_roman_unit_numbers_are_numbers_not_legal_forms():
    assert name_parts("Masood Apparel-II Crescent Unit")[0] == "masood apparel 2 crescent unit"
    assert name_numbers(name_parts("Pungkook Saigon ll")[0].split()) == ["2"]  # "ll" typed for "II"
    assert name_numbers(name_parts("Metro Knitting (Factory-02)")[0].split()) == ["2"]
    assert name_numbers(name_parts("Brandix Unit I")[0].split()) == ["1"]
    assert name_numbers(name_parts("Orient Denim Mills")[0].split()) == []


def test_address_abbreviations_generic_places_and_country_are_normalised():
    # "Ind." -> industrial and "Area" are generic, "II" is 2, "China" repeats the country.
    assert address_tokens("No.5 Ind. Area, Song Than II, Shenzhen, China", "CN") == (
        "5", "song", "than", "2", "shenzhen")
    assert address_tokens("Plot 7, Rd. 3, Gazipur, Bangladesh", "BD") == ("7", "3", "gazipur")


def test_letter_spaced_name_with_a_partial_address_matches():
    run = match_rows([{"id": "I1", "name": "M E R C U R Y APPAR EL SEETHAWAKA",
                       "address": "Seethawaka EPZ, Avissawella", "country": "LK"}], LANKA)
    assert (run.results[0].decision, run.results[0].matched_id) == (MATCH, "L1")


def test_another_unit_of_the_same_group_is_not_auto_matched_and_says_why():
    # Unit II on another lot of the same export processing zone as unit III.
    run = match_rows([{"id": "I1", "name": "Pungkook Saigon II Co Ltd", "address": "Lot 40, Katunayake EPZ",
                       "country": "LK"}], LANKA)
    result = run.results[0]
    assert result.decision != MATCH
    units = [e for e in result.evidence if e["field"] == "name_numbers"]
    assert units == [{"field": "name_numbers", "label": "Unit number", "for_match": False,
                      "text": "different unit numbers in the names ('2' / '3')"}]


def test_a_shared_place_name_is_not_a_distinctive_word():
    # Both names start with their city; the words that tell them apart (Luyang / Wanpeng) differ.
    registry = [{"id": "C1", "name": "Dongguan Luyang Shoes Co., Ltd.", "address": "Hou Jie Town, Dongguan",
                 "country": "CN"}]
    run = match_rows([{"id": "I1", "name": "Dongguan Wanpeng Shoes Co., Ltd", "address": "Nancheng, Dongguan",
                       "country": "CN"}], registry)
    result = run.results[0]
    assert result.decision != MATCH
    name = next(e for e in result.evidence if e["field"] == "name")
    assert name["for_match"] is False
    assert name["text"] == "no distinctive name word in common ('wanpeng' / 'luyang')"


def test_evidence_lists_each_field_with_its_direction():
    run = match_rows([{"id": "I1", "name": "Mercury Apparel Private Limited",
                       "address": "Seethawaka EPZ, Avissawella", "country": "LK"}], LANKA)
    result = run.results[0]
    assert (result.decision, result.matched_id, result.method) == (MATCH, "L1", "model")
    by_field = {e["field"]: e for e in result.evidence}
    assert set(by_field) >= {"name", "address", "country"}
    assert all(set(e) == {"field", "label", "for_match", "text"} for e in result.evidence)
    assert by_field["name"]["for_match"] is True and by_field["address"]["for_match"] is True
    assert by_field["country"] == {"field": "country", "label": "Country", "for_match": None, "text": "same country"}
    # The explanation is the same evidence in phrases.
    assert "address shares 'seethawaka', 'avissawella' (for)" in result.explanation


def test_deterministic_match_carries_evidence_too():
    run = match_rows([{"id": "I1", "name": "Mercury Apparel (Pvt) Ltd",
                       "address": "Seethawaka Export Processing Zone, Avissawella", "country": "LK"}], LANKA)
    assert run.results[0].method == "exact"
    assert run.results[0].evidence == [{"field": "name_address", "label": "Name and address", "for_match": True,
                                        "text": "same name, address and country after normalising"}]


def _rec(rid: str, source: str, name: str, address: str, country: str = "CN") -> dict[str, str]:
    return {"id": rid, "source": source, "name": name, "address": address, "country": country}


def test_mining_keeps_confident_cross_source_pairs_only():
    records = [
        # Same name, written differently, in two sources: a pair (rule 1).
        _rec("a1", "osh", "Nantong Foremost Headwears Co Ltd.", "No.18 Foremost Road Nantong"),
        _rec("b1", "oar4", "Nantong Foremost Headwears Co. Ltd.", "No. 18 Foremost Road, Gangzha District, Nantong"),
        # The same two names again in ONE source: never a pair.
        _rec("a2", "oar8", "Jiangsu Bonas Knitting Co Ltd", "6 Yiwu Rd, Shuyang"),
        _rec("b2", "oar8", "Jiangsu Bonas Knitting Co., Ltd.", "6 Yiwu Road, Shuyang"),
        # Two units of one group (different unit numbers): not a pair.
        _rec("a3", "osh", "Sunvim Group Mill 3", "No. 1 Fuyuan Street, Gaomi"),
        _rec("b3", "oar15", "Sunvim Group Mill 2", "No. 1 Furi Street, Gaomi"),
        # One name, two places with no address word in common: not a pair.
        _rec("a4", "osh", "Xiamen Ming Ho Brothers Mfg", "#505 Xinmin Rd, Tongan"),
        _rec("b4", "oar15", "Xiamen Ming Ho Brothers Mfg", "Haicang Avenue 8, Haicang"),
    ]
    pairs = mine_pairs(records)
    assert [(p.left["id"], p.right["id"], p.rule) for p in pairs] == [("a1", "b1", "same name")]


def test_a_record_pairing_with_two_records_of_one_source_is_ambiguous():
    records = [
        _rec("a", "osh", "Regina Miracle Intimate Apparel", "No. 5 Cengyao Industrial Estate, Shenzhen"),
        _rec("b", "oar3", "Regina Miracle Intimate Apparel", "No. 5 Cengyao, Gongming, Shenzhen"),
        _rec("c", "oar3", "Regina Miracle Intimate Apparel Ltd", "Cengyao Estate, Yulu, Shenzhen"),
    ]
    assert mine_pairs(records) == []


def test_real_pairs_file_problems_name_row_and_column(tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text("pair,part,left_id,left_name,left_address,left_country,right_id,right_name,right_address,"
                    "right_country\nrp1,train,a,Mill A,Road 1,BD,b,Mill A Ltd,Road 1,BD\n"
                    "rp2,dev,c,Mill C,Road 2,BD,d,Mill C,Road 2,BD\nrp3,train,e,,Road 3,BD,f,Mill E,Road 3,BD\n",
                    encoding="utf-8")
    with pytest.raises(ValueError, match=r"row 4, column 'left_name': a value is required"):
        read_real_pairs(path)
    path.write_text("left_id,left_name\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing column"):
        read_real_pairs(path)


def test_real_pairs_file_reads_only_its_training_part(tmp_path):
    path = tmp_path / "pairs.csv"
    path.write_text("pair,part,left_id,left_name,left_address,left_country,right_id,right_name,right_address,"
                    "right_country\nrp1,train,a,Mill A,Road 1,BD,b,Mill A Ltd,Road 1,BD\n"
                    "rp2,dev,c,Mill C,Road 2,BD,d,Mill C,Road 2,BD\n", encoding="utf-8")
    pairs = read_real_pairs(path)
    assert [(left["id"], right["id"]) for left, right in pairs] == [("a", "b")]


def test_real_variant_is_reproducible_and_stays_in_its_country():
    record = {"id": "R1", "name": "Mercury Apparel (Pvt) Ltd", "address": "Plot 5, Ashulia, Savar, Dhaka",
              "country": "BD"}
    first = real_variant(record, "v1", random.Random(3), ["Hirdaramani"], "Bangladesh")
    again = real_variant(record, "v1", random.Random(3), ["Hirdaramani"], "Bangladesh")
    assert first == again
    assert first["country"] == "BD" and first["id"] == "v1" and first["os_id"] == ""


def test_registry_prepared_by_an_older_engine_is_refused(tmp_path):
    database = tmp_path / "old.duckdb"
    con = duckdb.connect(str(database))
    con.execute("CREATE TABLE registry (unique_id VARCHAR)")
    con.execute("CREATE TABLE reg_country_n (country VARCHAR, n BIGINT)")
    con.close()
    with pytest.raises(engine.ModelError, match="prepare the registry again"):
        Registry.open(database)


def test_a_prepared_registry_says_which_engine_and_model_prepared_it(tmp_path):
    database = tmp_path / "reg.duckdb"
    Registry([{"id": "R1", "name": "Mercury Apparel", "address": "Plot 5, Ashulia", "country": "BD"}],
             database=database).close()
    assert Registry.prepared_by(database) == (engine.ENGINE_VERSION, engine.load_model().version)
    assert Registry.prepared_by(tmp_path / "absent.duckdb") is None
    con = duckdb.connect(str(database))
    con.execute("UPDATE registry_meta SET engine_version = '1.0'")
    con.close()
    with pytest.raises(engine.ModelError, match="prepare the registry again"):
        Registry.open(database)
