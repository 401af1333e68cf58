"""Where a facility is: area words, partial addresses, sister plants, short numbers, postcodes, kinds of work
(docs/matching.md, "Method" 2 and 7)."""

from __future__ import annotations

from fairthread.matching.engine import MATCH, REVIEW, Registry, Thresholds, match_rows
from fairthread.matching.engine.areas import area_rows, background_area_words, subdivision_words


def test_subdivision_names_are_area_words():
    words, whole = subdivision_words("BD")
    # ISO 3166-2:BD districts
    assert {"gazipur", "dhaka", "narayanganj"} <= words
    words, whole = subdivision_words("CN")
    # "Guangdong Sheng", "Zhejiang Sheng": the kind of subdivision ("Sheng", province) is not a place
    assert {"guangdong", "zhejiang"} <= whole and "sheng" not in words
    words, whole = subdivision_words("VN")
    # "Bình Dương": both syllables are area words in addresses, only the whole name is a place in names
    assert {"binh", "duong", "binhduong"} <= words
    assert "binhduong" in whole and "binh" not in whole


def test_background_area_words_need_five_facilities_and_two_percent():
    rows = [{"name": f"Factory {n}", "address": f"Plot {n}, Konabari, Savar" if n < 5 else f"Plot {n}, Savar",
             "country": "BD"} for n in range(10)]
    rows[0]["address"] = "Plot 0, Tongi"  # Savar in 9, Konabari in 4
    for n in range(6):
        rows[n]["name"] = f"Rahman Knit {n}"  # "rahman" in 6 names...
    for n in range(5):
        rows[n]["address"] += ", Rahman Road"  # ... and in 5 addresses
    background = background_area_words(rows)["BD"]
    assert background["address"] == ["rahman", "savar"]  # konabari: 4 facilities, fewer than 5
    assert background["names"] == ["savar"]  # "rahman" is used in names more often than in addresses
    flags = {(word, in_names) for country, word, in_names in area_rows({"BD": background}, ["BD"])
             if word in {"rahman", "savar", "gazipur"}}
    assert flags == {("rahman", False), ("savar", True), ("gazipur", True)}


def test_same_name_at_another_place_is_not_merged_automatically():
    registry = [{"id": "R1", "name": "Hamid Fabrics Ltd", "address": "Shilmandi, Pachdona, Narsingdi Sadar, Narsingdi",
                 "country": "BD"}]
    sister = {"id": "I1", "name": "Hamid Fabrics Ltd.", "address": "Narsingdi Road, Bhulta, Rupganj, Narayanganj",
              "country": "BD"}
    assert match_rows([sister], registry).results[0].decision != MATCH
    # Even with a match threshold so low that the score alone would merge them, a person decides.
    eager = match_rows([sister], registry, thresholds=Thresholds(0.01, 0.005, 3)).results[0]
    assert eager.decision == REVIEW
    assert "both give an address and nothing in them says it is the same site: a person decides" in eager.explanation
    partial = match_rows([{"id": "I2", "name": "Hamid Fabrics Limited", "address": "Shilmandi, Narsingdi",
                           "country": "BD"}], registry).results[0]
    assert (partial.decision, partial.matched_id) == (MATCH, "R1")


def test_a_lone_short_number_in_common_is_weak():
    registry = [{"id": "R1", "name": "Ascolite AG", "address": "Gebenlo Strasse 15, 9552 Bronschhofen",
                 "country": "CH"}]
    result = match_rows([{"id": "I1", "name": "Ascolite AG", "address": "Schwöntenmos 15, 8126 Zumikon",
                          "country": "CH"}], registry).results[0]
    assert result.decision != MATCH
    assert "the addresses share only a short number ('15'), which says little" in {
        e["text"] for e in result.evidence}


def test_postcodes_and_zero_groups_are_not_site_numbers():
    index = Registry([
        {"id": "R1", "name": "Tianhai Garments", "address": "No. 8 Tianhai Road, Rugao 226542", "country": "CN"},
        {"id": "R2", "name": "Ranee Confeccoes", "address": "Av. Santa Catarina, 766, 89885-000", "country": "BR"},
    ])
    try:
        rows = dict(index.con.execute(
            "SELECT unique_id, [addr_core, addr_core_numbers] FROM registry ORDER BY unique_id").fetchall())
    finally:
        index.close()
    assert "226542" not in rows["R1"][0] and rows["R1"][1] == ["8"]
    assert rows["R2"][1] == ["766"]


def test_names_that_say_different_kinds_of_work_go_to_a_person():
    address = "Bahadurpur, Bhawal Mirzapur, Gazipur"
    registry = [{"id": "R1", "name": "Epyllion Knitwears Ltd", "address": address, "country": "BD"}]
    washing = match_rows([{"id": "I1", "name": "Epyllion Washing Ltd", "address": address, "country": "BD"}],
                         registry).results[0]
    assert washing.decision == REVIEW and washing.score >= 0.4  # the score alone would have merged them
    assert ("the names say different kinds of work (washing / knitting): two units of one group? A person decides"
            in washing.explanation)
    same = match_rows([{"id": "I2", "name": "Epyllion Knitwear Limited", "address": address, "country": "BD"}],
                      registry).results[0]
    assert (same.decision, same.matched_id) == (MATCH, "R1")


def test_different_unit_numbers_in_the_names_go_to_a_person():
    address = "Road 3, Bien Hoa Industrial Zone 1, Bien Hoa, Dong Nai"
    registry = [{"id": "R1", "name": "Fashion Garments Ltd. (Unit 2)", "address": address, "country": "VN"}]
    unit1 = {"id": "I1", "name": "Fashion Garments Ltd., Unit 1", "address": address, "country": "VN"}
    eager = match_rows([unit1], registry, thresholds=Thresholds(0.01, 0.005, 3)).results[0]
    assert eager.decision == REVIEW
    assert "the names carry different unit numbers: two units of one group? A person decides" in eager.explanation
    same_unit = {"id": "I2", "name": "Fashion Garments Limited - Unit 2", "address": address, "country": "VN"}
    assert match_rows([same_unit], registry).results[0].decision == MATCH


def test_trade_and_legal_words_of_other_languages_are_not_distinctive():
    from fairthread.matching.engine.text import name_parts

    # "Tekstil San. ve Tic. Ltd. Şti." is "Textile Industry and Trade Ltd." in Turkish; "Công ty TNHH May" is
    # "Garment Co., Ltd." in Vietnamese; "Youxian Gongsi" is "Co., Ltd." in pinyin.
    assert name_parts("Bozdağ Beyaz Tekstil San. ve Tic. Ltd. Şti.")[0] == "bozdag beyaz tekstil san ve tic"
    assert name_parts("Cong ty TNHH May Tien Tien") == ("may tien tien", "cong ty tnhh")
    assert name_parts("Jiangsu Guotai Huasheng Fuzhuang Youxian Gongsi")[0] == "jiangsu guotai huasheng fuzhuang"
    # Two Brazilian clothing makers at one address share only the words every such name has.
    address = "Av. Alvaro Ramos, 2366, Bairro Agua Rasa, Sao Paulo"
    registry = [{"id": "R1", "name": "Lurick Confecções Ltda. ME", "address": address, "country": "BR"}]
    other = match_rows([{"id": "I1", "name": "Buddemeyer Indústria e Comércio de Confecções Ltda", "address": address,
                         "country": "BR"}], registry).results[0]
    assert other.decision != MATCH
    assert any(e.startswith("no distinctive name word in common") for e in other.explanation)
