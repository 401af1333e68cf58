"""The speed-ups must not change decisions: the per-candidate bound is a true upper bound, and the parallel
path returns what the serial one does."""

from __future__ import annotations

import gc

from hypothesis import given, settings
from hypothesis import strategies as st

from fairthread.screening.engine import Entity, Query, Screener
from fairthread.screening.engine import screener as engine

# Words chosen to relate to each other in every way the alignment knows: equal, typo (zhongtai/zhongtal),
# abbreviation (chem/chemical, tex/textile), spacing (da wang/dawang), numbers, and unrelated words.
WORDS = ["xinjiang", "zhongtai", "zhongtal", "chemical", "chem", "textile", "tex", "hetian", "taida", "apparel",
         "cotton", "linen", "junggar", "jungar", "da", "wang", "dawang", "silicon", "hoshine", "hosine",
         "industry", "group", "1", "2"]
names = st.lists(st.sampled_from(WORDS), min_size=1, max_size=5).map(" ".join)


@settings(max_examples=150, deadline=None)
@given(listed=st.lists(names, min_size=1, max_size=6), query=st.lists(st.sampled_from(WORDS), min_size=1,
                                                                       max_size=6).map(" ".join))
def test_a_candidate_cut_by_the_bound_could_not_reach_the_review_floor(listed, query):
    screener = Screener([Entity(id=f"e{n}", name=name) for n, name in enumerate(listed)])
    variants = engine.analyse(query).variants
    for probe, variant in zip(screener._probes(variants), variants, strict=True):
        if not probe.q:
            continue
        for form in screener._forms:
            cut = screener._cannot_reach(probe, form)
            if cut is None:
                continue
            # notes=[] forces the full alignment (the bound inside _align applies only without notes)
            matched, unmatched = screener._align(variant.tokens, probe.qw, frozenset(), form, [])
            full = matched / (form.total + engine.UNMATCHED_QUERY_FACTOR * unmatched)
            cut_score = cut[0] / (form.total + engine.UNMATCHED_QUERY_FACTOR * cut[1])
            assert full < screener._floor
            assert cut_score <= full + 1e-12


def test_two_worker_processes_return_what_one_process_does():
    entities = [Entity(id="zt", name="Xinjiang Zhongtai Chemical Co., Ltd.", country="CN"),
                Entity(id="hs", name="Hoshine Silicon Industry Co., Ltd.", country="CN"),
                Entity(id="td", name="Hetian Taida Apparel Co., Ltd.", country="CN")]
    screener = Screener(entities)
    base = ["Xinjiang Zhongtai Chem. Co Ltd", "Hoshine Silicon", "Zhejiang Zhongtai Textile Co., Ltd.",
            "Hetian Taida Apparel", "Acme Garments"]
    # 2,000 names or more take the parallel path
    queries = [Query(id=f"q{i}", name=base[i % len(base)], country="CN") for i in range(2500)]
    serial = screener.screen(queries, workers=1)
    parallel = screener.screen(queries, workers=2)
    assert [h.query_id for h in parallel] == [f"q{i}" for i in range(2500)]
    assert parallel == serial
    assert {h.entity_id for h in serial if h.decision != "clear"} == {"zt", "hs", "td"}
    # The garbage collector is left as it was found (the parallel path freezes it only around the fork).
    assert gc.get_freeze_count() == 0 and gc.isenabled()
