"""List parsers: the CBP sample, the simple list CSV, FollowTheMoney JSON lines, and their error messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import fairthread.screening
from fairthread.screening.lists import ListError, cbp_names, load_list, parse_list

CBP_SAMPLE = Path(fairthread.screening.__file__).parent / "data" / "cbp_wro_findings_active.csv"


def test_cbp_sample_gives_one_entity_per_data_row():
    entities = load_list(CBP_SAMPLE, "cbp")
    assert len(entities) == 54  # the file has 55 lines: the header and 54 orders
    assert len({e.id for e in entities}) == 54  # repeated texts (a WRO, later a Finding) keep distinct ids
    by_name = {e.name: e for e in entities}
    assert by_name["Hoshine Silicon Industry Co., Ltd."].country == "CN"
    assert by_name["Hoshine Silicon Industry Co., Ltd."].effective_date == "2021-06-24"
    assert by_name["Hoshine Silicon Industry Co., Ltd."].list_name == "CBP WRO"
    assert by_name["Paakumsuk Industrial Co."].country == "KP"


def test_cbp_ids_are_stable_across_versions():
    first = load_list(CBP_SAMPLE, "cbp")
    lines = CBP_SAMPLE.read_text(encoding="utf-8").splitlines()
    reordered = "\n".join([lines[0], *reversed(lines[1:])]) + "\n"
    second = parse_list(reordered, "cbp")
    assert {e.id for e in first} == {e.id for e in second}


def test_cbp_aliases_are_parsed_out_of_the_text():
    name, aliases = cbp_names("Yunnan Machinery, a/k/a Golden Horse (JinMa) Diesel Factory, a/k/a Yunnan 1st Prison")
    assert name == "Yunnan Machinery"
    assert "Golden Horse Diesel Factory" in aliases and "Yunnan 1st Prison" in aliases
    assert cbp_names("British American Tobacco Malawi (BAT Malawi)") == ("British American Tobacco Malawi",
                                                                         ("BAT Malawi",))
    assert cbp_names("Fuchu Prison; Union Kogyo Co., Ltd.") == ("Fuchu Prison", ("Union Kogyo Co., Ltd.",))
    assert cbp_names("Yili Zhuowan Garment Manufacturing Co., Ltd. and Baoding LYSZD Trade and Business Co., Ltd.") \
        == ("Yili Zhuowan Garment Manufacturing Co., Ltd.", ("Baoding LYSZD Trade and Business Co., Ltd.",))
    name, aliases = cbp_names("Qiqihar (Tsitsihar) Labor Reform 204 Farm, a/k/a Shuanghe Farm")
    assert name == "Qiqihar Labor Reform 204 Farm"
    assert aliases == ("Tsitsihar Labor Reform 204 Farm", "Shuanghe Farm")
    assert cbp_names("Fishing Vessel: Da Wang 1") == ("Da Wang 1", ())


def test_simple_csv():
    text = ("id,name,aliases,country,address,list,effective_date\n"
            "zt,Xinjiang Zhongtai Chemical Co. Ltd.,新疆中泰化学股份有限公司|Zhongtai Chemical,"
            "China,,UFLPA,2023-06-12\n"
            "\n"
            "x2,Acme,,,,,\n")
    entities = parse_list(text.encode("utf-8"), "csv")
    assert [e.id for e in entities] == ["zt", "x2"]
    assert entities[0].aliases == ("新疆中泰化学股份有限公司", "Zhongtai Chemical")
    assert (entities[0].country, entities[0].list_name, entities[0].effective_date) == ("CN", "UFLPA", "2023-06-12")
    assert (entities[1].country, entities[1].aliases) == ("", ())


def test_simple_csv_bad_rows_are_reported_by_row_and_column():
    text = ("id,name,aliases,country,address,list,effective_date\n"
            "a,Acme,,Qqqq,,,\n"
            ",Beta,,CN,,,\n"
            "a,,,,,,12/01/2024\n")
    with pytest.raises(ListError) as exc:
        parse_list(text, "csv")
    assert exc.value.problems == [
        "row 1, column 'country': unknown country 'Qqqq'",
        "row 2, column 'id': empty (every entity needs an id)",
        "row 3, column 'id': 'a' is already used on row 1",
        "row 3, column 'name': empty (every entity needs a name)",
        "row 3, column 'effective_date': '12/01/2024' is not a date (expected YYYY-MM-DD)",
    ]


def test_simple_csv_bad_header():
    with pytest.raises(ListError) as exc:
        parse_list("id,alias\nx,y\n", "csv")
    assert exc.value.problems == [
        "missing column 'name' (the header must include: id, name)",
        "column 'alias' is not part of this format (columns: id, name, aliases, country, address, list, "
        "effective_date)",
    ]
    with pytest.raises(ListError, match="not UTF-8"):
        parse_list(b"id,name\n1,\xff\n", "csv")


def test_ftm_json_lines():
    lines = [
        {"id": "os-1", "schema": "Company", "datasets": ["us_dhs_uflpa"], "first_seen": "2023-06-12T00:00:00",
         "properties": {"name": ["Xinjiang Zhongtai Chemical Co., Ltd."], "alias": ["新疆中泰化学股份有限公司"],
                        "country": ["cn"], "address": ["Urumqi, Xinjiang"]}},
        {"id": "os-2", "schema": "Sanction", "properties": {"entity": ["os-1"]}},
        {"id": "os-3", "schema": "Person", "properties": {"name": ["Ivan Petrov", "Иван Петров"]}},
    ]
    entities = parse_list("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), "ftm")
    assert [e.id for e in entities] == ["os-1", "os-3"]  # the Sanction record names nobody
    first = entities[0]
    assert (first.country, first.address, first.list_name, first.effective_date) == (
        "CN", "Urumqi, Xinjiang", "us_dhs_uflpa", "2023-06-12")
    assert first.aliases == ("新疆中泰化学股份有限公司",)
    assert entities[1].aliases == ("Иван Петров",)


def test_ftm_errors_name_the_line():
    text = "\n".join([
        json.dumps({"id": "a", "schema": "Company", "properties": {"name": ["A"]}}),
        "{not json",
        json.dumps({"id": "b", "schema": "Company", "properties": {"alias": ["B"]}}),
        json.dumps({"schema": "Company", "properties": {"name": ["C"]}}),
        json.dumps({"id": "d", "schema": "Company", "properties": {"name": "D"}}),
    ])
    with pytest.raises(ListError) as exc:
        parse_list(text, "ftm")
    problems = exc.value.problems
    assert len(problems) == 3
    assert problems[0].startswith("line 2: not valid JSON")
    assert problems[1] == "line 3: entity 'b' has no 'name' property"
    assert problems[2] == "line 4: 'id' is missing or not a string"
