"""Reading the publishers' reference files (plain Python, no database).

The real files are those shipped in src/fairthread/reference/data/ (origin and licence in SOURCES.md there).
Expected values were read from the files by hand (grep): e.g. `India,"  1,380,004,000 ",Asia and the
Pacific,8.0,"11,050,000"`; the DOL CSV has 468 lines = header + 467 rows, the XML 467 <Country> records in
169 <Good> elements.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from fairthread.reference import parsers

DATA = Path(parsers.__file__).parent / "data"
GSI = (DATA / "gsi_2023_prevalence.csv").read_bytes()
DOL_CSV = (DATA / "dol_tvpra_goods_2022.csv").read_bytes()
DOL_XML = (DATA / "dol_tvpra_goods_2022_source.xml").read_bytes()
PREVALENCE_HEADER = "Estimated prevalence of modern slavery per 1,000 population"


def by_country(rows):
    return {r["country"]: r for r in rows}


# --- Global Slavery Index -----------------------------------------------------------------------------
def test_gsi_real_file_values():
    parsed = parsers.parse_gsi(GSI)
    assert parsed.ok, parsed.errors
    assert len(parsed.rows) == 180
    rows = by_country(parsed.rows)
    assert rows["IN"]["prevalence_per_1000"] == 8.0
    assert rows["IN"]["population"] == 1_380_004_000
    assert rows["IN"]["estimated_number"] == 11_050_000
    assert rows["GB"]["prevalence_per_1000"] == 1.8
    assert rows["BD"]["prevalence_per_1000"] == 7.1
    assert rows["BD"]["estimated_number"] == 1_162_000
    assert rows["AF"] == {"country": "AF", "country_name": "Afghanistan", "region": "Asia and the Pacific",
                          "prevalence_per_1000": 13.0, "population": 38_928_000, "estimated_number": 505_000}
    # 20 countries have no estimate (e.g. Antigua and Barbuda): stored without one, with a warning.
    assert sum(1 for r in parsed.rows if r["prevalence_per_1000"] is None) == 20
    assert rows["AG"]["prevalence_per_1000"] is None and rows["AG"]["population"] == 98_000
    assert parsed.warnings == ["20 countries have no prevalence estimate; stored without one"]
    # The DRC is written "Democratic Republic of the Congo".
    assert rows["CD"]["country_name"] == "Democratic Republic of the Congo"


def _gsi_with(changes: dict[int, str]) -> bytes:
    """The real GSI file with some lines replaced (file line index; line 0 is the header)."""
    lines = GSI.decode("utf-8").splitlines()
    for index, text in changes.items():
        lines[index] = text
    return ("\n".join(lines) + "\n").encode("utf-8")


def test_gsi_bad_number_and_unknown_country_give_row_and_column_and_no_rows():
    # File line 1 = data row 1 (Afghanistan); line 3 = data row 3 (Algeria).
    data = _gsi_with({1: 'Afghanistan,"  38,928,000 ",Asia and the Pacific,thirteen,"505,000"',
                      3: 'Atlantis,"  1,000 ",Africa,1.9,"84,000"'})
    parsed = parsers.parse_gsi(data)
    assert parsed.errors == [
        f"row 1, column '{PREVALENCE_HEADER}': 'thirteen' is not a number",
        "row 3, column 'Country': unknown country 'Atlantis' — did you mean 'Albania'?",
    ]
    assert parsed.rows == []


def test_gsi_prevalence_out_of_range_and_duplicate_country():
    data = _gsi_with({2: 'India,"  2,878,000 ",Europe and Central Asia,1200,"34,000"'})  # row 2 (was Albania)
    parsed = parsers.parse_gsi(data)
    assert f"row 2, column '{PREVALENCE_HEADER}': must be between 0 and 1000, got 1200" in parsed.errors
    # India also appears at data row 72 (file line 73).
    assert "row 72, column 'Country': 'India' is the same country (IN) as row 2" in parsed.errors
    assert not parsed.ok and parsed.rows == []


def test_gsi_missing_column_names_what_the_header_has():
    parsed = parsers.parse_gsi(b"Country,Population\nIndia,100\n")
    assert parsed.errors == ["Missing column 'prevalence_per_1000'; the header has: 'Country', 'Population'."]


def test_gsi_header_found_below_a_title_and_semicolons():
    data = b"Global Slavery Index\n\nCountry;Region;Prevalence per 1000\nPortugal;Europe;3,8\n"
    parsed = parsers.parse_gsi(data)
    # "3,8" is a decimal comma (a spreadsheet in a European locale); "1,162,000" has thousands separators.
    assert parsed.ok and parsed.rows[0]["country"] == "PT" and parsed.rows[0]["prevalence_per_1000"] == 3.8


def test_not_a_text_file():
    parsed = parsers.parse_gsi(b"\x00\x01\x02binary")
    assert parsed.errors == ["The file contains binary data (NUL characters); expected a text file."]


# --- DOL list -------------------------------------------------------------------------------------------
def test_dol_csv_real_file():
    parsed = parsers.parse_dol_csv(DOL_CSV)
    assert parsed.ok, parsed.errors
    assert len(parsed.rows) == 467
    pairs = {(r["good"], r["country"]): r for r in parsed.rows}
    cotton_cn = pairs[("Cotton", "CN")]
    assert cotton_cn["forced_labour"] is True and cotton_cn["child_labour"] is True
    assert cotton_cn["forced_child_labour"] is True
    garments_bd = pairs[("Garments", "BD")]
    assert (garments_bd["child_labour"], garments_bd["forced_labour"], garments_bd["forced_child_labour"]) == (
        True, True, False)
    assert garments_bd["sector"] == "Manufacturing"
    # Publisher spellings: "Turkey (Türkiye)", "Burma", "Kyrgyz Republic", "Congo, Democratic Republic of the".
    assert pairs[("Cotton", "TR")]["country_name"] == "Turkey (Türkiye)"
    assert pairs[("Garments", "MM")]["country_name"] == "Burma"
    assert pairs[("Cotton", "KG")]["country_name"] == "Kyrgyz Republic"
    assert pairs[("Cotton", "TM")]["forced_labour"] is True
    assert pairs[("Cotton", "IN")]["forced_labour"] is False and pairs[("Cotton", "IN")]["child_labour"] is True
    # A derived good: lithium-ion batteries from China, made with DRC cobalt.
    batteries = pairs[("Lithium-Ion Batteries", "CN")]
    assert batteries["derived_labour_exploitation"] is True and batteries["derived_country"] == "CD"
    assert len({r["good"] for r in parsed.rows}) == 169


def test_dol_xml_gives_the_same_rows_as_the_csv():
    xml = parsers.parse_dol_xml(DOL_XML)
    assert xml.ok, xml.errors
    assert len(xml.rows) == 467
    # The XML spells "Açaí" with combining accents; both are normalised to the same text.
    assert xml.rows == parsers.parse_dol_csv(DOL_CSV).rows


def test_dol_csv_errors_name_row_and_column():
    data = (b"good,sector,country,region,child_labor,forced_labor\n"
            b"Cotton,Agriculture,China,Asia,Yes,Maybe\n"
            b"Garments,Manufacturing,Narnia,Asia,Yes,No\n"
            b",Manufacturing,India,Asia,,No\n")
    parsed = parsers.parse_dol_csv(data)
    assert parsed.errors == [
        "row 1, column 'forced_labor': 'Maybe' is not Yes or No",
        "row 2, column 'country': unknown country 'Narnia' — did you mean 'Armenia'?",
        "row 3, column 'good': the good is empty",
        "row 3, column 'child_labor': empty; expected Yes or No",
    ]
    assert parsed.rows == []


def test_dol_csv_contradicting_duplicate_is_an_error_identical_one_a_warning():
    head = b"good,country,child_labor,forced_labor\n"
    same = parsers.parse_dol_csv(head + b"Cotton,China,Yes,Yes\nCotton,China,Yes,Yes\n")
    assert same.ok and len(same.rows) == 1
    assert same.warnings == ["row 2: Cotton – China repeats row 1; kept once"]
    clash = parsers.parse_dol_csv(head + b"Cotton,China,Yes,Yes\nCotton,China,Yes,No\n")
    assert clash.errors == ["row 2, column 'good': Cotton – China is listed again with different findings "
                            "(first at row 1)"]


def test_dol_xml_errors_name_the_record_and_element():
    xml = (b"<Goods><Good><Good_Name>Cotton</Good_Name><Good_Sector>Agriculture</Good_Sector><Countries>"
           b"<Country><Country_Name>China</Country_Name><Child_Labor>Yes</Child_Labor>"
           b"<Forced_Labor>Yes</Forced_Labor></Country>"
           b"<Country><Country_Name>Uzbekistan</Country_Name><Child_Labor>Perhaps</Child_Labor>"
           b"<Forced_Labor>No</Forced_Labor></Country></Countries></Good></Goods>")
    parsed = parsers.parse_dol_xml(xml)
    assert parsed.errors == ["row 2, element 'Child_Labor': 'Perhaps' is not Yes or No"]


def test_dol_xml_malformed_and_entities_refused():
    assert parsers.parse_dol_xml(b"<Goods><Good>").errors == [
        "The file is not well-formed XML: line 1, column 13."]
    bomb = b'<?xml version="1.0"?><!DOCTYPE Goods [<!ENTITY a "aaaa">]><Goods>&a;</Goods>'
    assert parsers.parse_dol_xml(bomb).errors == ["The XML declares a DOCTYPE or entities, which are not accepted."]
    assert parsers.parse_dol_xml(b"<Other/>").errors == ["Expected the DOL <Goods> document, found <Other>."]


@pytest.mark.parametrize(("name", "code"), [
    ("Turkey (Türkiye)", "TR"), ("Burma", "MM"), ("Kyrgyz Republic", "KG"), ("West Bank", "PS"),
    ("Congo, Democratic Republic of the", "CD"), ("Democratic Republic of the Congo", "CD"),
    ("Côte d'Ivoire", "CI"), ("Korea, Republic of", "KR"), ("Atlantis", None),
])
def test_publisher_country_names(name, code):
    assert parsers.resolve_publisher_country(name) == code


# --- fairthread's own files ---------------------------------------------------------------------------
def test_ilo_yaml_shipped_file():
    parsed = parsers.parse_ilo_yaml((DATA / "ilo_indicators.yaml").read_bytes())
    assert parsed.ok, parsed.errors
    codes = [r["code"] for r in parsed.rows]
    assert codes == ["VulnerabilityAbuse", "Deception", "MovementRestriction", "Isolation", "Violence",
                     "ThreatIntimidation", "DocumentRetention", "WageWithholding", "DebtBondage",
                     "WorkLiveConditions", "ExcessiveOvertime"]
    rows = {r["code"]: r for r in parsed.rows}
    # Gradings derived in docs/data-sources.md from the 2012 guidelines (standards §1.2).
    assert {c for c, r in rows.items() if r["strength"] == "medium"} == {"VulnerabilityAbuse", "Isolation"}
    assert rows["DocumentRetention"]["dimension"] == "menace_of_penalty"
    assert rows["DebtBondage"]["dimension"] == "impossibility_of_leaving"
    assert rows["Deception"]["dimension"] == "unfree_recruitment"
    assert all(r["definition"] and r["grading_basis"] for r in parsed.rows)
    assert parsed.meta["edition"] == "2026-11"


def test_ilo_yaml_errors():
    data = b"""indicators:
  - {code: Deception, name: Deception, definition: Lies, dimension: unfree_recruitment, strength: high}
  - {code: Deception, name: Again, definition: x, dimension: elsewhere, strength: strong}
  - {name: No code, definition: x, dimension: work_under_duress, strength: medium}
"""
    parsed = parsers.parse_ilo_yaml(data)
    assert parsed.errors == [
        "indicator 1 (Deception), field 'strength': 'high' is not strong or medium",
        "indicator 2 (Deception), field 'code': 'Deception' repeats indicator 1",
        "indicator 2 (Deception), field 'dimension': 'elsewhere' is not one of unfree_recruitment, "
        "work_under_duress, impossibility_of_leaving, menace_of_penalty",
        "indicator 3, field 'code': missing",
    ]
    assert parsers.parse_ilo_yaml(b"indicators: [unclosed").errors[0].startswith("The file is not valid YAML at line")


def test_high_risk_regions_shipped_file():
    parsed = parsers.parse_high_risk_regions((DATA / "high_risk_regions.csv").read_bytes())
    assert parsed.ok, parsed.errors
    rows = {r["region_id"]: r for r in parsed.rows}
    xj = rows["CN-XJ"]
    assert xj["country"] == "CN" and xj["status"] == "active" and xj["materials"] == ""
    names = xj["region_names"].split("|")
    for name in ("xinjiang", "xinjiang uyghur autonomous region", "xuar", "新疆"):
        assert name in names
    assert "UFLPA" in xj["basis"] and "XPCC" in xj["basis"]
    tm = rows["TM"]
    assert tm["country"] == "TM" and tm["region_names"] == "" and "cotton" in tm["materials"].split("|")
    assert "May 2018" in tm["basis"]
    assert rows["CN-XZ"]["status"] == "watch" and "tibet" in rows["CN-XZ"]["region_names"].split("|")


def test_high_risk_regions_errors():
    data = (b"region_id,label,country,region_names,materials,status,basis\n"
            b"X1,Somewhere,Narnia,a,cotton,active,because\n"
            b"X2,Elsewhere,CN,B|b| c ,unobtainium,maybe,\n")
    parsed = parsers.parse_high_risk_regions(data)
    assert parsed.errors == [
        "row 1, column 'country': unknown country 'Narnia' — did you mean 'Armenia'?",
        "row 2, column 'basis': missing",
        "row 2, column 'materials': unknown material 'unobtainium'; use one of cotton, polyester, viscose, wool, "
        "leather, silk, nylon, elastane, linen, down, rubber, garments, footwear, yarn, fabric",
        "row 2, column 'status': 'maybe' is not active or watch",
    ]


def test_good_mapping_shipped_file_names_only_goods_on_the_dol_list():
    parsed = parsers.parse_good_mapping((DATA / "good_mapping.csv").read_bytes())
    assert parsed.ok, parsed.errors
    dol_goods = {r["good"] for r in parsers.parse_dol_csv(DOL_CSV).rows}
    assert {r["good"] for r in parsed.rows} <= dol_goods
    pairs = {(r["term"], r["term_kind"], r["good"]) for r in parsed.rows}
    # cottonseed is seed farming: mapped from every cotton input it would list Indian cotton for forced labour
    assert ("cotton", "material", "Cottonseed (hybrid)") not in pairs
    for expected in [("cotton", "material", "Cotton"),
                     ("final product assembly", "facility_type", "Garments"),
                     ("fabric mill", "facility_type", "Textiles"), ("spinning", "facility_type", "Thread/Yarn"),
                     ("embroidery", "facility_type", "Embellished Textiles"), ("footwear", "material", "Footwear"),
                     ("tannery", "facility_type", "Leather"), ("silk", "material", "Silk Cocoons")]:
        assert expected in pairs


def test_good_mapping_errors_and_aliases():
    data = (b"term,term_kind,good\n"
            b"CMT,facility_type,Garments\n"          # an alias: stored as the canonical type
            b"unobtainium,material,Gold\n"
            b"cotton,colour,Cotton\n")
    parsed = parsers.parse_good_mapping(data)
    assert parsed.errors[0].startswith("row 2, column 'term': unknown material 'unobtainium'")
    assert parsed.errors[1] == "row 3, column 'term_kind': 'colour' is not material or facility_type"
    ok = parsers.parse_good_mapping(b"term,term_kind,good\nCMT,facility_type,Garments\n")
    assert ok.rows == [{"term": "final product assembly", "term_kind": "facility_type", "good": "Garments",
                        "note": ""}]
