"""The name-matching engine: the issue's examples, legal forms, transliteration, blocking, adjustments."""

from __future__ import annotations

import pytest

from fairthread.screening.engine import ENGINE_VERSION, Entity, Query, Screener, Thresholds, analyse
from fairthread.screening.engine import screener as engine

ZHONGTAI = Entity(id="zt", name="Xinjiang Zhongtai Chemical Co., Ltd.", country="CN", list_name="UFLPA Entity List")
JUNGGAR = Entity(id="jg", name="Xinjiang Junggar Cotton and Linen Co., Ltd.", country="CN", list_name="CBP WRO")
HOSHINE = Entity(id="hs", name="Hoshine Silicon Industry Co., Ltd.", country="CN", list_name="UFLPA Entity List")
TAIDA = Entity(id="td", name="Hetian Taida Apparel Co., Ltd.", country="CN", list_name="CBP WRO")
SMALL_LIST = [ZHONGTAI, JUNGGAR, HOSHINE, TAIDA]


@pytest.fixture(scope="module")
def screener() -> Screener:
    return Screener(SMALL_LIST)


@pytest.mark.parametrize("name", ["Xinjiang Zhongtai Chemical Co., Ltd.", "新疆中泰化学股份有限公司", "Zhongtai Chem."])
def test_the_issue_examples_all_match_the_same_entity(screener, name):
    hit = screener.screen_one(name)
    assert hit.entity_id == "zt"
    assert hit.decision in {"hit", "review"}
    assert hit.engine_version == ENGINE_VERSION
    assert hit.explanation


def test_chinese_name_explains_its_pinyin(screener):
    hit = screener.screen_one("新疆中泰化学股份有限公司")
    # English reading of 化学 = chemical gives the same tokens as the list name: 1.0, a hit.
    assert (hit.decision, hit.score) == ("hit", 1.0)
    assert "pinyin of 新疆中泰化学 is 'xinjiang zhongtai huaxue'" in hit.explanation
    assert "化学 = 'chemical'" in hit.explanation


@pytest.mark.parametrize("name", ["Hoshine Silicon Industry Company Limited", "HOSHINE SILICON INDUSTRY CO LTD",
                                  "Hoshine Silicon Industry Co.,Ltd", "Hoshine Silicon Industry Ltd."])
def test_legal_forms_compare_as_types(screener, name):
    hit = screener.screen_one(Query("q", name, "CN"))
    assert (hit.entity_id, hit.decision, hit.score) == ("hs", "hit", 1.0)
    assert "same name after removing legal form" in hit.explanation
    assert "are the same type" in hit.explanation


def test_chinese_and_english_legal_forms_are_the_same_type():
    english, chinese = analyse("Acme Co., Ltd."), analyse("新疆中泰化学股份有限公司")
    assert english.legal_types == chinese.legal_types == {"limited company"}
    assert analyse("ООО Ромашка").legal_types == {"limited company"}


@pytest.mark.parametrize("name", ["Xinjiang Zhongtai Huaxue", "xinjiangzhongtaihuaxue",
                                  "Xīnjiāng Zhōngtài Huàxué Gǔfèn Yǒuxiàn Gōngsī", "xin1jiang1 zhong1tai4 hua4xue2"])
def test_pinyin_matches_a_list_name_in_chinese_characters(name):
    screener = Screener([Entity(id="zt-cn", name="新疆中泰化学股份有限公司", country="CN"), JUNGGAR])
    hit = screener.screen_one(name)
    assert (hit.entity_id, hit.decision) == ("zt-cn", "hit")


def test_chinese_characters_match_a_pinyin_list_name(screener):
    hit = screener.screen_one("和田泰达服饰有限公司")  # Hetian Taida Apparel: 服饰 = apparel
    assert (hit.entity_id, hit.decision, hit.score) == ("td", "hit", 1.0)


def test_cyrillic_is_transliterated():
    screener = Screener([Entity(id="r", name="ООО Ромашка", country="RU")])
    hit = screener.screen_one("Romashka LLC")
    assert (hit.entity_id, hit.decision, hit.score) == ("r", "hit", 1.0)


def test_abbreviations_read_as_words():
    assert analyse("Intl Tex. Mfg. Corp").variants[0].tokens == ("international", "textile", "manufacturing")
    assert analyse("Zhongtai Chem.").variants[0].tokens == ("zhongtai", "chemical")


def test_a_different_xinjiang_company_stays_clear(screener):
    # Shares only "xinjiang" (a place word, weight x0.45) and generic words with the listed Xinjiang names;
    # with Junggar's rare "zhungeer" unmatched the score is at most 0.45 / 1.45 < 0.32: clear (review is 0.70).
    hit = screener.screen_one(Query("q", "Xinjiang Tianshan Wool Textile Co., Ltd.", "CN", "Urumqi, Xinjiang"))
    assert hit.decision == "clear"
    assert hit.score < 0.32


def test_country_mismatch_lowers_the_score_by_the_documented_penalty(screener):
    same = screener.screen_one(Query("q", "Hoshine Silicon Industry Co., Ltd.", "CN"))
    other = screener.screen_one(Query("q", "Hoshine Silicon Industry Co., Ltd.", "VN"))
    assert same.score == 1.0
    assert other.score == pytest.approx(1.0 - engine.COUNTRY_MISMATCH_PENALTY)
    assert "country differs (VN vs CN)" in other.explanation


def test_xinjiang_address_supports_a_xinjiang_entity(screener):
    plain = screener.screen_one(Query("q", "Zhongtai Chem.", ""))
    located = screener.screen_one(Query("q", "Zhongtai Chem.", "", "Midong District, Urumqi"))
    assert located.score == pytest.approx(plain.score + engine.XINJIANG_SUPPORT, abs=1e-4)
    assert "address in Xinjiang supports a Xinjiang entity" in located.explanation


def test_thresholds_are_configurable_and_checked():
    assert Thresholds().decide(0.85) == "hit"
    assert Thresholds().decide(0.7) == "review"
    assert Thresholds().decide(0.69) == "clear"
    assert Thresholds(hit=0.95, review=0.9).decide(0.92) == "review"
    with pytest.raises(ValueError):
        Thresholds(hit=0.5, review=0.8)


def test_no_candidate_gives_score_zero_and_no_entity(screener):
    hit = screener.screen_one("Acme Buttons")
    assert (hit.decision, hit.score, hit.entity_id) == ("clear", 0.0, "")


def test_blocking_scores_a_handful_of_names_not_the_whole_list():
    syllables = ["ba", "ke", "lu", "mo", "ni", "po", "ra", "si", "tu", "ve"]
    entities = [Entity(id=f"e{i}", name=f"{syllables[i // 100]}{syllables[i // 10 % 10]}{syllables[i % 10]} "
                       f"Textile Co., Ltd.", country="CN") for i in range(1000)]
    screener = Screener(entities)
    hit = screener.screen_one("Kelumo Textile Co., Ltd.")  # e123
    assert (hit.entity_id, hit.decision) == ("e123", "hit")
    assert screener.stats.queries == 1
    assert 1 <= screener.stats.comparisons <= engine.MAX_CANDIDATES + 1  # +1: the winner re-scored with words


def test_fingerprint_changes_only_with_the_data():
    a = Entity(id="x", name="Acme", aliases=("A1", "A2"), country="CN")
    assert a.fingerprint == Entity(id="x", name="Acme", aliases=("A2", "A1"), country="CN").fingerprint
    assert a.fingerprint != Entity(id="x", name="Acme", aliases=("A1",), country="CN").fingerprint
    hit = Screener([a]).screen_one("Acme")
    assert hit.entity_fingerprint == a.fingerprint


def test_parallel_screening_gives_the_same_results(screener):
    names = [f"Zhongtai Chem. {i}" if i % 2 else "Hoshine Silicon Industry Co Ltd" for i in range(2400)]
    assert screener.screen(names, workers=2) == screener.screen(names)
