"""Lists that drop punctuation: words run together ("Ashulia,Savar" -> "ashuliasavar"), numbers run onto words
("Plot-12" -> "plot12", "Unit-2" -> "unit2") (docs/matching.md, "Method" 1)."""

from __future__ import annotations

from fairthread.matching.engine import MATCH, REVIEW, match_rows
from fairthread.matching.engine.areas import PlaceVocabulary
from fairthread.matching.engine.linking import adjusted_weight
from fairthread.matching.engine.text import (
    address_tokens,
    join_letter_numbers,
    name_parts,
    split_letters_digits,
    split_run_together,
)
from fairthread.matching.engine.variants import drop_punctuation


def test_letters_and_digits_are_split_after_ordinals():
    # a single letter with its number is one plot or shed number ("B12" / "C12" differ)
    assert split_letters_digits("plot12 no5 3rd road b12 13a 2589shebei") == "plot 12 no 5 3 road b12 13a 2589 shebei"
    # a lone letter written beside its number, with a space or a hyphen, is the same number
    assert join_letter_numbers("Shed B 12, Plot 12-A") == "Shed B12, Plot 12A"
    assert address_tokens("Shed B-12, Savar", "BD") == address_tokens("Shed B12, Savar", "BD") == ("shed", "b12",
                                                                                                  "savar")
    assert address_tokens("Shed C-12, Savar", "BD") == ("shed", "c12", "savar")
    # but not the Portuguese and Spanish "e" and "y" ("and"), nor across a comma
    assert join_letter_numbers("Rua 12 e 14") == "Rua 12 e 14"
    assert join_letter_numbers("Warehouse B, 1234 Rizal Avenue") == "Warehouse B, 1234 Rizal Avenue"


def test_a_run_together_word_is_split_into_known_words():
    places = frozenset({"ashulia", "savar", "dhaka", "road", "town", "jiangsu", "china", "and", "park"})
    assert split_run_together("ashuliasavar", places) == ["ashulia", "savar"]
    assert split_run_together("savardhaka", places) == ["savar", "dhaka"]
    # one piece that is not a known word, of four letters or more, next to known words of four letters or more
    assert split_run_together("roadfenghuang", places) == ["road", "fenghuang"]
    # the fewest letters outside known words: "zhangjiagang" alone is unknown
    assert split_run_together("townzhangjiagangjiangsuchina", places) == ["town", "zhangjiagang", "jiangsu",
                                                                           "china"]
    # three-letter known words only when every piece is known
    assert split_run_together("roadandpark", places) == ["road", "and", "park"]
    assert split_run_together("andheri", places) is None
    # an unknown piece only in a word of nine letters or more, and of five letters or more
    assert split_run_together("roadside", places) is None
    assert split_run_together("parkside", places) is None
    assert split_run_together("roadxyzw", places) is None


def test_words_that_are_not_run_together_stay_whole():
    places = frozenset({"ashulia", "savar", "road"})
    assert split_run_together("savar", places) is None  # known
    assert split_run_together("konabari", places) is None  # no known piece
    assert split_run_together("roadx", places) is None  # shorter than six letters
    assert split_run_together("road12", places) is None  # not letters only
    assert split_run_together("kashuliasav", places) is None  # two unknown pieces
    # five known pieces are too many, and a three-letter word cannot stand beside an unknown piece
    assert split_run_together("andandandandand", frozenset({"and"})) is None
    assert split_run_together("andandandand", frozenset({"and"})) == ["and", "and", "and", "and"]


def test_an_address_without_its_commas_gives_the_same_words():
    places = PlaceVocabulary({"BD": {"address": ["ashulia", "savar"], "names": []}})("BD")
    written = address_tokens("Plot-12, 3rd Road, Ashulia,Savar, Dhaka", "BD", places)
    assert written == ("12", "3", "ashulia", "savar", "dhaka")
    assert address_tokens(drop_punctuation("Plot-12, 3rd Road, Ashulia,Savar, Dhaka"), "BD", places) == written
    # the ISO 3166-2 district "Gazipur", the kind of place "road" and the country's own name are known words
    assert address_tokens("konabariroad gazipurbangladesh", "BD", places) == ("konabari", "gazipur")


def test_names_without_their_hyphens():
    # known words only: trade words run together are split, an unknown word is never cut off a trade word
    assert name_parts("printwear knitting")[0] == "print wear knitting"
    assert name_parts("knitconcern ltd")[0] == "knitconcern"
    assert name_parts("Modaline Tekstil")[0] == "modaline tekstil"  # not "moda" + "line"
    assert name_parts("Washington Apparel")[0] == "washington apparel"  # not "washing" + "ton"
    # a legal form is dropped only at the end: "PrivateLabel" keeps "private"
    assert name_parts("PrivateLabel Apparel")[0] == "privatelabel apparel"
    assert name_parts("garmentsltd")[0] == "garments"
    assert name_parts("lammim associates unit2")[0] == "lammim associates unit 2"
    assert name_parts("mercury apparelii")[0] == name_parts("Mercury Apparel-II")[0] == "mercury apparel 2"
    # a trade word with a plural "s" is one word, and a Roman numeral is split only after a trade word
    assert name_parts("Epyllion Knitwears")[0] == "epyllion knitwears"
    assert name_parts("Shii Fashions")[0] == "shii fashions"


def test_a_facility_written_without_punctuation_is_matched():
    registry = [
        {"id": "R1", "name": "Mercury Apparel-II Ltd", "address": "Plot-5, Zirabo,Konabari, Ashulia,Savar, Dhaka",
         "country": "BD"},
        {"id": "R2", "name": "Mercury Apparel-III Ltd", "address": "Plot-9, Baipail, Ashulia,Savar, Dhaka",
         "country": "BD"},
    ]
    upload = [{"id": "I1", "name": "mercury apparelii ltd", "address": "plot5 zirabokonabari ashuliasavar dhaka",
               "country": "BD"}]
    result = match_rows(upload, registry).results[0]
    assert (result.decision, result.matched_id) == (MATCH, "R1")


def test_a_four_digit_postcode_is_the_areas_not_the_sites():
    # Bangladesh and Switzerland have four-digit postcodes (Google's address metadata); Viet Nam five or six.
    # "Dhaka" and "Zürich" are ISO 3166-2 subdivisions, so known place names.
    bd, ch, vn, ph = (PlaceVocabulary({})(c) for c in ("BD", "CH", "VN", "PH"))
    assert address_tokens("Savar, Dhaka 1340", "BD", bd) == ("savar", "dhaka")
    assert address_tokens("Savar, Dhaka 1340, Bangladesh", "BD", bd) == ("savar", "dhaka")
    assert address_tokens("Seefeldstrasse 5, Zürich 8008", "CH", ch) == ("seefeldstrasse", "5", "zurich")
    assert address_tokens("Lot 225, Amata, 7100", "VN", vn) == ("225", "amata", "7100")
    # kept: after a numbering word, after a word that is not a known place, first, or not at the end
    assert address_tokens("House 1340, Road 7, Savar", "BD", bd) == ("1340", "7", "savar")
    assert address_tokens("Plot 1234, Mirpur Road, Dhaka", "BD", bd) == ("1234", "mirpur", "dhaka")
    assert address_tokens("Road 5, House 1234, Mirpur", "BD", bd) == ("5", "1234", "mirpur")
    assert address_tokens("Block A 1234, Mirpur", "BD", bd) == ("a1234", "mirpur")
    assert address_tokens("1234 Rizal Avenue, Manila", "PH", ph) == ("1234", "rizal", "manila")
    # (a lone letter is not an address word)
    assert address_tokens("Warehouse B, 1234 Rizal Avenue, Pasig City", "PH", ph) == (
        "warehouse", "1234", "rizal", "pasig")
    assert address_tokens("Dhaka 1340, Savar", "BD", bd) == ("dhaka", "1340", "savar")


def test_a_legal_form_or_roman_numeral_run_onto_a_name():
    assert name_parts("dbtexltd.")[0] == name_parts("DBTex Ltd.")[0] == "dbtex"
    assert name_parts("ltdapparelii")[0] == "ltd apparel 2"
    assert name_parts("masood textile mills ltdappareliii")[0] == "masood textile mills ltd apparel 3"
    assert name_parts("Tesco")[0] == "tesco" and name_parts("Zinc")[0] == "zinc"
    assert name_parts("Özsevinç Tekstil")[0] == "ozsevinc tekstil"  # "inc" at the end of a Turkish name


def test_a_roman_numeral_in_turkish_capitals():
    # "İİ" and "ıı" read as "II" (before: a crash)
    assert name_parts("DENİZ TEKSTİL İİ")[0] == name_parts("Deniz Tekstil II")[0] == "deniz tekstil 2"
    assert name_parts("Ali Tekstil ıı")[0] == "ali tekstil 2"


def test_a_very_long_run_of_letters_is_not_split():
    places = frozenset({"road", "savar"})
    assert split_run_together("road" + "q" * 3000, places) is None
    assert name_parts("q" * 3000)[0] == "q" * 3000
    assert name_parts("q" * 3000 + "ii")[0] == "q" * 3000 + "ii"  # the Roman-numeral path too


def test_a_unit_number_on_names_that_differ_is_not_counted():
    # weights in bits: the names say against (-3), the unit number for (+2): the unit number is dropped
    assert adjusted_weight({"weight": 5.0, "mw_name": -3.0, "mw_name_numbers": 2.0, "mw_address": 6.0}) == 3.0
    # names for (+4) and unit number for (+2): one piece of evidence, only the stronger counts
    assert adjusted_weight({"weight": 9.0, "mw_name": 4.0, "mw_name_numbers": 2.0, "mw_address": 3.0}) == 7.0
    registry = [{"id": "R1", "name": "Valle del Sol Confecciones 2", "address": "Zip Choloma, Edificio G, Choloma",
                 "country": "HN"}]
    result = match_rows([{"id": "I1", "name": "Hanes Choloma Sewing 2", "address": "Zip Choloma, Edificio G, Choloma",
                          "country": "HN"}], registry).results[0]
    assert result.decision != MATCH
    unit = next(e for e in result.evidence if e["field"] == "name_numbers")
    assert unit == {"field": "name_numbers", "label": "Unit number", "for_match": None,
                    "text": "same unit number in the names ('2'), which says nothing when the names differ"}


def test_names_that_share_only_trade_words_differ():
    address = "Ben Keo Industrial Zone, Long Thanh Nam Commune, Hoa Thanh District, Tay Ninh Province"
    registry = [{"id": "R1", "name": "Giang Stock Textile and Garment Co., Ltd.", "address": address,
                 "country": "VN"}]
    result = match_rows([{"id": "I1", "name": "Thanh Hoa Textile and Garment", "address": address, "country": "VN"}],
                        registry).results[0]
    assert result.decision != MATCH
    name = next(e for e in result.evidence if e["field"] == "name")
    assert name["for_match"] is False


def test_an_address_that_gives_only_the_town_goes_to_a_person():
    # "Gazipur" is a district of Bangladesh (ISO 3166-2:BD): an area word even in a registry of two
    registry = [
        {"id": "R2", "name": "Hamid Sweaters Ltd (Unit 2)", "address": "Plot 479, Industrial Estate, Gazipur",
         "country": "BD"},
        {"id": "R3", "name": "Hamid Sweaters Ltd (Unit 3)", "address": "Plot 487, Main Road, Narayanganj",
         "country": "BD"},
    ]
    result = match_rows([{"id": "I1", "name": "Hamid Sweaters Limited", "address": "Industrial Estate, Gazipur",
                          "country": "BD"}], registry).results[0]
    assert (result.decision, result.matched_id) == (REVIEW, "R2")
    address = next(e for e in result.evidence if e["field"] == "address")
    assert address["text"] == "one address gives only the other's town ('gazipur')"
