"""Restricted-entity screening: quality on a frozen labelled set, throughput, and OpenSanctions' logic-v2 beside us.

Usage: ``uv run --frozen python benchmarks/screening.py [--skip-logic-v2] [--skip-throughput] [--throughput-only]``.

Data (all under benchmarks/data/, built ONCE with a fixed seed and then frozen; regenerated only if missing):
- ``screening_facility_names.csv`` — real facility names copied once from the project's shared data
  (``../shared/data/facilities/``: Open Supply Hub subset, CC BY-SA 4.0; Open Apparel Registry lists, MIT).
  Building it needs ../shared; when ../shared is absent and the file is missing, that part is skipped with a
  message. ../shared/data/eval/ is never read.
- ``screening_list.csv`` — the list screened against (simple list format): the CBP WRO/Findings sample in the
  repo plus UFLPA Entity List entries (see ``UFLPA`` below).
- ``screening_labelled.csv`` — the labelled cases, split into ``dev`` (for tuning) and ``test`` (reported).

Every figure is printed as ``BENCH <name> <value> <unit>``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _common  # noqa: E402

ROOT = _common.ROOT
sys.path.insert(0, str(ROOT / "src"))
DATA = ROOT / "benchmarks" / "data"
NAMES_FILE = DATA / "screening_facility_names.csv"
LIST_FILE = DATA / "screening_list.csv"
LABELLED_FILE = DATA / "screening_labelled.csv"
SHARED = ROOT.parent / "shared" / "data" / "facilities"
SEED = 20260401
NK_ENV = ROOT / "benchmarks" / ".envs" / "nomenklatura"

# UFLPA Entity List (US DHS, https://www.dhs.gov/uflpa-entity-list; Federal Register notices 2022-2023).
# English names as on the list; Chinese names only where the company's Chinese registered name is well known.
# Three entries are stored in Chinese only, to simulate a list compiled from Chinese-language sources and
# test the reverse direction (pinyin/English query against a Chinese list name).
UFLPA: list[dict[str, str]] = [
    {"id": "uflpa-xpcc", "name": "Xinjiang Production and Construction Corps", "aliases": "XPCC", "country": "CN"},
    {"id": "uflpa-hoshine", "name": "Hoshine Silicon Industry Co., Ltd.", "aliases": "", "country": "CN"},
    {"id": "uflpa-gcl", "name": "Xinjiang GCL New Energy Material Technology Co., Ltd.", "aliases": "",
     "country": "CN"},
    {"id": "uflpa-ninestar", "name": "Ninestar Corporation", "aliases": "", "country": "CN"},
    {"id": "uflpa-chenguang", "name": "Chenguang Biotech Group Co., Ltd.", "aliases": "", "country": "CN"},
    {"id": "uflpa-huafu", "name": "Aksu Huafu Textiles Co., Ltd.", "aliases": "", "country": "CN"},
    {"id": "uflpa-zhongtai", "name": "新疆中泰化学股份有限公司", "aliases": "", "country": "CN"},
    {"id": "uflpa-daqo", "name": "新疆大全新能源股份有限公司", "aliases": "", "country": "CN"},
    {"id": "uflpa-easthope", "name": "新疆东方希望有色金属有限公司", "aliases": "", "country": "CN"},
]
# Chinese-character forms of English list names, for cross-script queries (Chinese query vs English list).
# Those marked "transcription" are written for this benchmark from the pinyin of the English name (the
# characters are chosen so that their pinyin gives the listed romanisation); the others are registered names.
CHINESE_QUERIES: dict[str, list[str]] = {
    "Xinjiang Production and Construction Corps": ["新疆生产建设兵团"],
    "Xinjiang Junggar Cotton and Linen Co., Ltd.": ["新疆准噶尔棉麻有限公司"],  # transcription
    "Hetian Taida Apparel Co., Ltd.": ["和田泰达服饰有限公司"],  # transcription
    "Hetian Haolin Hair Accessories Co., Ltd.": ["和田浩林发饰有限公司"],  # transcription
    "Lop County Meixin Hair Products Co., Ltd.": ["洛浦县美欣发制品有限公司"],  # transcription
    "Yili Zhuowan Garment Manufacturing Co., Ltd.": ["伊犁卓万服装制造有限公司"],  # transcription
    "Shenyang Xinsheng Rubber Factory": ["沈阳新生橡胶厂"],  # transcription
    "Hongchang Fruits & Vegetable Products Co., Ltd.": ["宏昌果蔬制品有限公司"],  # transcription
    "Xiang-Yang Machinery Plant": ["襄阳机械厂"],  # transcription
}
# Romanised queries for the Chinese-only list entries (reverse direction): pinyin and pinyin-based English.
REVERSE_QUERIES: dict[str, list[str]] = {
    "uflpa-zhongtai": ["Xinjiang Zhongtai Chemical Co., Ltd.", "XINJIANG ZHONGTAI CHEMICAL COMPANY LIMITED"],
    "uflpa-daqo": ["Xinjiang Daquan New Energy Co., Ltd."],
    "uflpa-easthope": ["Xinjiang Dongfang Xiwang Nonferrous Metals Co., Ltd."],
}
# Real companies in Xinjiang that are not on these lists (hard negatives by design).
XINJIANG_NEGATIVES = [
    ("Xinjiang Tianshan Wool Textile Co., Ltd.", "CN"), ("新疆天山毛纺织股份有限公司", "CN"),
    ("Xinjiang Goldwind Science & Technology Co., Ltd.", "CN"), ("Xinjiang Tianye Co., Ltd.", "CN"),
    ("Xinjiang Guannong Fruit & Antler Co., Ltd.", "CN"), ("Xinjiang Xuefeng Sci-Tech Group Co., Ltd.", "CN"),
]
LEGAL_VARIANTS = ["Co., Ltd.", "Company Limited", "Co Ltd", "CO., LTD", "Co.,Ltd.", "Limited", "Ltd.", "LLC",
                  "Corp.", "Co.", ""]
ABBREVIATE = {"Chemical": "Chem.", "International": "Intl", "Textiles": "Tex.", "Textile": "Tex.",
              "Manufacturing": "Mfg.", "Industry": "Ind.", "Industrial": "Ind.", "Technology": "Tech.",
              "Products": "Prods.", "Machinery": "Mach.", "Company": "Co.", "Corporation": "Corp.",
              "Agriculture": "Agri.", "Garment": "Gmt."}
DESCRIPTORS = ["Factory", "Branch", "(Group)", "Trading", "- Main Plant", "Holdings", "Import & Export"]
XINJIANG_ADDRESSES = ["Urumqi, Xinjiang", "Aksu City, Xinjiang Uygur Autonomous Region", "Kashgar, Xinjiang",
                      "Hotan Prefecture, Xinjiang", "新疆乌鲁木齐市"]
LEGAL_END = ("Co., Ltd.", "CO. Ltd.", "Co.", "Corporation", "Bhd", "Berhad", "Ltd.", "D.O.O.")


def figure(name: str, value: float, unit: str) -> None:
    """Like _common.figure, with three decimals for fractions (precision 0.962 must not print as 1.0)."""
    if unit:
        _common.figure(name, value, unit)
    else:
        print(f"BENCH {name} {value:.3f} ratio", flush=True)


# -- frozen data -------------------------------------------------------------------------------------------
def ensure_facility_names() -> list[dict[str, str]] | None:
    if not NAMES_FILE.exists():
        if not SHARED.is_dir():
            print(f"note: {NAMES_FILE.name} is missing and ../shared/data/facilities is absent: the real "
                  "facility names (hard negatives, throughput names) cannot be built; skipping those parts.")
            return None
        rows: list[dict[str, str]] = []
        with open(SHARED / "osh_facilities_subset.csv", encoding="utf-8") as fh:
            for r in csv.DictReader(fh):
                rows.append({"name": r["name"], "country": r["country_code"], "source": "Open Supply Hub"})
        for path in sorted((SHARED / "oar_lists").glob("*.csv")):
            with open(path, encoding="utf-8", errors="replace") as fh:
                for r in csv.DictReader(fh):
                    if r.get("name"):
                        rows.append({"name": r["name"].strip(), "country": (r.get("country") or "").strip(),
                                     "source": f"Open Apparel Registry list {path.stem}"})
        DATA.mkdir(parents=True, exist_ok=True)
        with open(NAMES_FILE, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=["name", "country", "source"], lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
        print(f"built {NAMES_FILE.relative_to(ROOT)} ({len(rows)} real facility names)")
    with open(NAMES_FILE, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def ensure_list() -> None:
    if LIST_FILE.exists():
        return
    from fairthread.screening.lists import load_list

    cbp = load_list(ROOT / "src/fairthread/screening/data/cbp_wro_findings_active.csv", "cbp")
    with open(LIST_FILE, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["id", "name", "aliases", "country", "address", "list", "effective_date"])
        for e in cbp:
            w.writerow([e.id, e.name, "|".join(e.aliases), e.country, "", e.list_name, e.effective_date])
        for e in UFLPA:
            w.writerow([e["id"], e["name"], e["aliases"], e["country"], "", "UFLPA Entity List", ""])
    print(f"built {LIST_FILE.relative_to(ROOT)}")


def _typo(rng: random.Random, name: str) -> str:
    words = name.split()
    longest = max(range(len(words)), key=lambda i: (len(words[i]) if words[i][:1].isalpha() else 0, -i))
    word = words[longest]
    if len(word) < 5:
        return name
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["swap", "drop", "double", "replace"])
    if kind == "swap":
        word = word[:i] + word[i + 1] + word[i] + word[i + 2:]
    elif kind == "drop":
        word = word[:i] + word[i + 1:]
    elif kind == "double":
        word = word[:i] + word[i] + word[i:]
    else:
        word = word[:i] + rng.choice("aeioun") + word[i + 1:]
    words[longest] = word
    return " ".join(words)


def _split_legal(name: str) -> tuple[str, str]:
    for end in LEGAL_END:
        if name.endswith(end):
            return name[: -len(end)].rstrip(" ,"), end
    return name, ""


def _variants(rng: random.Random, name: str) -> list[tuple[str, str]]:
    """(kind, query) variants of one list name."""
    core, legal = _split_legal(name)
    out: list[tuple[str, str]] = []
    if legal or len(core.split()) >= 2:
        other = rng.choice([v for v in LEGAL_VARIANTS if v != legal])
        out.append(("legal form", f"{core} {other}".strip()))
    abbreviated = " ".join(ABBREVIATE.get(w, w) for w in core.split())
    if abbreviated != core:
        out.append(("abbreviation", f"{abbreviated} {legal}".strip()))
    words = core.split()
    if len(words) >= 3:
        i = rng.randrange(len(words) - 1)
        swapped = words[:i] + [words[i + 1], words[i]] + words[i + 2:]
        out.append(("word order", " ".join(swapped) + (f" {legal}" if legal else "")))
    out.append(("typo", _typo(rng, name)))
    if len(words) >= 2:
        i = rng.randrange(len(words) - 1)
        joined = words[:i] + [words[i] + words[i + 1]] + words[i + 2:]
        out.append(("missing space", " ".join(joined) + (f" {legal}" if legal else "")))
    out.append(("extra descriptor", f"{core} {rng.choice(DESCRIPTORS)} {legal}".strip()))
    out.append(("case", name.upper() if rng.random() < 0.5 else name.lower()))
    return [(k, q) for k, q in out if q.strip() and q != name or k == "case"]


def ensure_labelled(names: list[dict[str, str]] | None) -> None:
    if LABELLED_FILE.exists():
        return
    if names is None:
        _common.fail(f"{LABELLED_FILE.name} is missing and cannot be built without the facility names")
    from pypinyin import Style, lazy_pinyin

    from fairthread.screening.engine import analyse
    from fairthread.screening.lists import load_list

    rng = random.Random(SEED)
    entities = load_list(LIST_FILE, "csv")
    by_name: dict[str, list[str]] = {}
    for e in entities:
        by_name.setdefault(e.name, []).append(e.id)
    cases: list[dict[str, str]] = []

    def add(kind: str, query: str, country: str, expected: str, group: str, cross: bool = False,
            address: str = "") -> None:
        cases.append({"kind": kind, "query_name": query, "query_country": country, "query_address": address,
                      "expected_entity_ids": expected, "cross_script": "yes" if cross else "", "group": group})

    done: set[str] = set()
    for e in entities:
        if e.name in done or len(e.name.split()) > 12 or not e.name.isascii():
            continue  # sentences describing goods ("All Turkmenistan cotton ...") are not names
        done.add(e.name)
        expected = "|".join(by_name[e.name])
        xinjiang = any(w in e.name for w in ("Xinjiang", "Hetian", "Lop County", "Yili", "Aksu"))
        for kind, query in _variants(rng, e.name):
            country = e.country if rng.random() < 0.8 else ""
            address = rng.choice(XINJIANG_ADDRESSES) if xinjiang and rng.random() < 0.4 else ""
            add(kind, query, country, expected, e.id, address=address)
        for alias in e.aliases[:2]:
            if alias.isascii() and len(alias.split()) >= 2:
                kind, query = rng.choice(_variants(rng, alias))
                add(f"alias {kind}", query, e.country, expected, e.id)
        for chinese in CHINESE_QUERIES.get(e.name, []):
            add("Chinese characters for an English list name", chinese, "CN", expected, e.id, cross=True)
            core = chinese.removesuffix("有限公司")
            if core != chinese:
                add("Chinese characters, other legal form", core + "股份有限公司", "", expected, e.id, cross=True)
    for entity_id, queries in REVERSE_QUERIES.items():
        chinese = next(e.name for e in entities if e.id == entity_id)
        core = chinese.replace("股份有限公司", "").replace("有限公司", "")
        syllables = lazy_pinyin(core)
        tones = lazy_pinyin(core, style=Style.TONE)
        add("pinyin for a Chinese list name", " ".join(syllables).title(), "CN", entity_id, entity_id, cross=True)
        add("pinyin without spaces", "".join(syllables), "", entity_id, entity_id, cross=True)
        add("pinyin with tone marks", " ".join(tones) + " Youxian Gongsi", "CN", entity_id, entity_id, cross=True)
        for query in queries:
            add("English for a Chinese list name", query, "CN", entity_id, entity_id, cross=True)
            add("English abbreviation for a Chinese list name",
                " ".join(ABBREVIATE.get(w, w) for w in query.split()), "", entity_id, entity_id, cross=True)

    # Hard negatives: real facility names that share a word with a list name.
    list_tokens: set[str] = set()
    for e in entities:
        for n in e.names:
            for v in analyse(n).variants:
                list_tokens.update(t for t in v.tokens if len(t) >= 3 and not t.isdigit())
    sharing = []
    for row in names:
        tokens = {t for v in analyse(row["name"]).variants for t in v.tokens}
        if tokens & list_tokens:
            sharing.append(row)
    rng.shuffle(sharing)
    for row in sharing[:450]:
        add("real facility sharing a word", row["name"], row["country"][:2] if len(row["country"]) == 2 else "",
            "", "neg")
    # Constructed hard negatives: a real Chinese facility's trade name placed in Xinjiang, in a listed industry.
    trade_names = sorted({row["name"].split()[1].title() for row in names
                          if row["country"] in ("CN", "CHINA") and len(row["name"].split()) >= 3
                          and row["name"].split()[1].isalpha() and len(row["name"].split()[1]) >= 5})
    industries = ["Cotton and Linen", "Apparel", "Hair Products", "Hair Accessories", "Garment Manufacturing",
                  "Chemical", "Silicon Industry", "New Energy", "Textiles"]
    places = ["Xinjiang", "Hetian", "Lop County", "Yili", "Aksu", "Kashgar"]
    for trade in rng.sample(trade_names, min(60, len(trade_names))):
        query = f"{rng.choice(places)} {trade} {rng.choice(industries)} Co., Ltd."
        add("constructed Xinjiang name, other trade name", query, rng.choice(["CN", ""]), "", "neg")
    for query, country in XINJIANG_NEGATIVES:
        add("real Xinjiang company not on the lists", query, country, "", "neg", cross=not query.isascii())
    # Sister names: same trade name, different place and industry (designed as non-matches, as in logic-v2).
    for query in ["Zhejiang Zhongtai Textile Co., Ltd.", "Guangdong Taida Footwear Co., Ltd.",
                  "Jiangsu Meixin Garment Co., Ltd.", "Fujian Haolin Shoes Co., Ltd.", "浙江中泰纺织有限公司"]:
        add("sister name: same trade name, other place and industry", query, "CN", "", "neg",
            cross=not query.isascii())

    # Split: positives by entity group, negatives one by one; 40% dev (tuning), 60% test (reported).
    for number, case in enumerate(cases, start=1):
        key = case["group"] if case["group"] != "neg" else f"neg{number}"
        bucket = int(hashlib.sha1(f"{SEED}:{key}".encode(), usedforsecurity=False).hexdigest(), 16) % 10
        case["split"] = "dev" if bucket < 4 else "test"
        case["case_id"] = f"c{number:04d}"
    columns = ["case_id", "split", "kind", "cross_script", "query_name", "query_country", "query_address",
               "expected_entity_ids"]
    with open(LABELLED_FILE, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(cases)
    print(f"built and froze {LABELLED_FILE.relative_to(ROOT)} ({len(cases)} cases)")


# -- evaluation ---------------------------------------------------------------------------------------------
def metrics(cases: list[dict[str, str]], decisions: dict[str, tuple[bool, str]]) -> dict[str, float]:
    tp = fp = fn = tn = 0
    cross_tp = cross_n = 0
    for case in cases:
        flagged, entity = decisions[case["case_id"]]
        expected = set(filter(None, case["expected_entity_ids"].split("|")))
        if expected:
            ok = flagged and entity in expected
            tp += ok
            fn += not ok
            fp += flagged and not ok
            if case["cross_script"]:
                cross_n += 1
                cross_tp += ok
        else:
            fp += flagged
            tn += not flagged
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "cross_recall": cross_tp / cross_n if cross_n else 0.0, "cross_n": cross_n}


def run_ours(cases: list[dict[str, str]], show_errors: bool) -> tuple[dict[str, tuple[bool, str]], float]:
    from fairthread.reference.countries import resolve_country
    from fairthread.screening.engine import Query, Screener
    from fairthread.screening.lists import load_list

    screener = Screener(load_list(LIST_FILE, "csv"))
    queries = [Query(c["case_id"], c["query_name"], resolve_country(c["query_country"]) or "", c["query_address"])
               for c in cases]
    start = time.perf_counter()
    hits = screener.screen(queries)
    elapsed = time.perf_counter() - start
    out = {h.query_id: (h.decision != "clear", h.entity_id) for h in hits}
    if show_errors:
        for case, hit in zip(cases, hits, strict=True):
            expected = set(filter(None, case["expected_entity_ids"].split("|")))
            wrong = (hit.decision != "clear" and hit.entity_id not in expected) or (
                expected and (hit.decision == "clear" or hit.entity_id not in expected))
            if wrong:
                print(f"  {case['split']} {case['kind']}: {case['query_name']!r} -> {hit.decision} {hit.score} "
                      f"{hit.entity_id} [{hit.matched_name}] expected {case['expected_entity_ids'] or '-'}: "
                      f"{hit.explanation}")
    return out, elapsed


LOGIC_V2_SCRIPT = r'''
import json, sys, time
from followthemoney import model
from nomenklatura.matching import get_algorithm
from nomenklatura.matching.types import ScoringConfig

data = json.load(open(sys.argv[1]))
algorithm = get_algorithm("logic-v2")
config = ScoringConfig.defaults()

def make(eid, names, country):
    e = model.make_entity("Company")
    e.id = eid
    for n in names:
        e.add("name", n)
    if country:
        e.add("country", country.lower())
    return e

entities = [make(x["id"], x["names"], x["country"]) for x in data["entities"]]
out = {}
comparisons = 0
start = time.perf_counter()
for case in data["cases"]:
    # Each query needs its own id: nomenklatura caches name analysis per entity id.
    query = make("query-" + case["id"], [case["name"]], case["country"])
    best, best_id = 0.0, ""
    for index in case["candidates"]:
        score = algorithm.compare(query, entities[index], config).score
        comparisons += 1
        if score > best:
            best, best_id = score, entities[index].id
    out[case["id"]] = [best >= 0.7, best_id, best]
elapsed = time.perf_counter() - start
json.dump({"results": out, "seconds": elapsed, "comparisons": comparisons}, open(sys.argv[2], "w"))
'''


def ensure_nomenklatura() -> Path | None:
    python = NK_ENV / "bin" / "python"
    if python.exists():
        return python
    print("creating the separate nomenklatura environment in benchmarks/.envs/nomenklatura (uv) ...")
    try:
        subprocess.run(["uv", "venv", "-q", "--python", "3.11", str(NK_ENV)], check=True)
        subprocess.run(["uv", "pip", "install", "-q", "--python", str(python), "nomenklatura"], check=True)
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"note: could not create the nomenklatura environment ({exc}); logic-v2 is skipped")
        return None
    return python


def run_logic_v2(cases: list[dict[str, str]]) -> tuple[dict[str, tuple[bool, str]], float] | None:
    python = ensure_nomenklatura()
    if python is None:
        return None
    from rapidfuzz import fuzz, process
    from rigour.text.translit import ascii_text

    from fairthread.reference.countries import resolve_country
    from fairthread.screening.lists import load_list

    listed = load_list(LIST_FILE, "csv")
    entities = [{"id": e.id, "names": list(e.names), "country": e.country} for e in listed]
    # Candidate retrieval stands in for yente's search index (not our blocking): the 10 entities whose
    # ASCII-folded names are most similar by token-set ratio. logic-v2 then scores each candidate.
    keys = [" ".join(ascii_text(n) for n in e.names).lower() for e in listed]

    def candidates(name: str) -> list[int]:
        found = process.extract(ascii_text(name).lower(), keys, scorer=fuzz.token_set_ratio, limit=10)
        return [index for _, _, index in found]

    payload = {"entities": entities,
               "cases": [{"id": c["case_id"], "name": c["query_name"], "candidates": candidates(c["query_name"]),
                          "country": resolve_country(c["query_country"]) or ""} for c in cases]}
    with tempfile.TemporaryDirectory() as tmp:
        script, cases_file, out_file = Path(tmp, "logic_v2.py"), Path(tmp, "in.json"), Path(tmp, "out.json")
        script.write_text(LOGIC_V2_SCRIPT)
        cases_file.write_text(json.dumps(payload, ensure_ascii=False))
        env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
        subprocess.run([str(python), str(script), str(cases_file), str(out_file)], check=True, env=env)
        result = json.loads(out_file.read_text())
    return {k: (v[0], v[1]) for k, v in result["results"].items()}, result["seconds"]


# -- throughput ---------------------------------------------------------------------------------------------
def synthetic(names: list[dict[str, str]], entities: int, queries: int) -> tuple[list, list]:
    from fairthread.screening.engine import Entity, Query

    rng = random.Random(SEED + 1)
    words: list[str] = []
    for row in names:
        for w in row["name"].replace(",", " ").replace(".", " ").split():
            if w.isalpha() and len(w) >= 4 and w.upper() not in {"LTD", "LIMITED", "COMPANY", "CORP"}:
                words.append(w.title())
    words = sorted(set(words))
    places = ["Xinjiang", "Hetian", "Aksu", "Kashgar", "Guangdong", "Zhejiang", "Jiangsu", "Dhaka", "Tirupur",
              "Istanbul", "Hanoi", "Shandong", "Fujian", "Karachi", "Lahore", "Phnom Penh"]
    kinds = ["Textile", "Garment", "Apparel", "Knitting", "Cotton", "Dyeing", "Trading", "Industrial", "Fashion",
             "Spinning", "Weaving", "Leather", "Footwear", "Accessories", "Chemical", "Machinery"]
    legal = ["Co., Ltd.", "Limited", "Ltd.", "Company", "Pvt. Ltd.", "Inc.", "S.A.", "Corp.", ""]
    han = ("安宝昌诚达大德东发丰福富光广海豪恒宏华辉佳嘉建金锦晶聚凯康乐力利隆"
           "美明南鹏平齐祺庆荣瑞盛胜泰天通伟祥新鑫兴信雅扬怡益永裕元源远悦泽振正志中卓")
    list_entities = []
    for i in range(entities):
        trade = " ".join(rng.sample(words, rng.choice([1, 1, 2])))
        name = f"{rng.choice(places)} {trade} {rng.choice(kinds)} {rng.choice(legal)}".strip()
        aliases = [f"{trade} {rng.choice(kinds)}", name.upper().replace("COMPANY", "CO.")]
        if rng.random() < 0.2:
            aliases.append("新疆" + "".join(rng.sample(han, 2)) + "纺织有限公司")
        list_entities.append(Entity(id=f"s{i}", name=name, aliases=tuple(aliases), country="CN"))
    query_list = []
    for i in range(queries):
        if i % 100 == 0:
            e = list_entities[rng.randrange(entities)]
            query_list.append(Query(f"q{i}", _typo(rng, e.name), "CN"))
            continue
        row = names[rng.randrange(len(names))]
        extra = rng.choice(words)
        query_list.append(Query(f"q{i}", f"{row['name']} {extra} {rng.choice(kinds)}", ""))
    return list_entities, query_list


def _cpu_seconds() -> float:
    import resource

    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def throughput(names: list[dict[str, str]]) -> None:
    from fairthread.screening.engine import Screener

    entities, queries = synthetic(names, 5000, 100_000)
    unique = len({q.name for q in queries})
    start = time.perf_counter()
    screener = Screener(entities)
    built = time.perf_counter() - start
    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    hits = screener.screen(queries, workers=2)
    elapsed = time.perf_counter() - start
    cpu = _cpu_seconds() - cpu_before
    flagged = sum(h.decision != "clear" for h in hits)
    print(f"throughput: {len(queries):,} names ({unique:,} distinct) against {len(entities):,} entities "
          f"({sum(len(e.names) for e in entities):,} names with aliases), 2 worker processes; {flagged:,} flagged")
    _common.figure("screening_index_build_seconds", built, "s")
    _common.figure("screening_100k_names_seconds", elapsed, "s")
    _common.figure("screening_names_per_s", len(queries) / elapsed, "names/s")
    # Wall time depends on what else the machine runs; CPU time does not. CPU / 2 is the wall time on two
    # otherwise idle cores (the work splits evenly across the two worker processes).
    _common.figure("screening_100k_names_cpu_seconds", cpu, "s")
    _common.figure("screening_100k_names_idle_2core_estimate_seconds", cpu / 2, "s")
    print(f"load average during the run: {os.getloadavg()[0]:.1f} (2 cores)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--skip-logic-v2", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--throughput-only", action="store_true",
                        help="only the 100k-names throughput figure (no labelled set, no logic-v2)")
    parser.add_argument("--errors", choices=["dev", "test", "all", "none"], default="dev",
                        help="print the misclassified cases of this split (default: dev, the tuning split)")
    args = parser.parse_args()
    print(_common.machine())
    names = ensure_facility_names()
    if args.throughput_only:
        if names is None:
            _common.fail("throughput needs the real facility names (benchmarks/data/screening_facility_names.csv)")
        throughput(names)
        _common.figure("screening_peak_rss_mb", _common.peak_rss_mb(), "MB")
        return
    ensure_list()
    ensure_labelled(names)
    with open(LABELLED_FILE, encoding="utf-8") as fh:
        cases = list(csv.DictReader(fh))
    for split in ("dev", "test"):
        part = [c for c in cases if c["split"] == split]
        shown = args.errors in (split, "all")
        if shown:
            print(f"misclassified {split} cases:")
        ours, seconds = run_ours(part, show_errors=shown)
        m = metrics(part, ours)
        positives = sum(bool(c["expected_entity_ids"]) for c in part)
        print(f"{split}: {len(part)} cases ({positives} positive, {len(part) - positives} negative, "
              f"{m['cross_n']} cross-script); TP {m['tp']} FP {m['fp']} FN {m['fn']} TN {m['tn']}")
        prefix = "screening" if split == "test" else "screening_dev"
        figure(f"{prefix}_precision", m["precision"], "")
        figure(f"{prefix}_recall", m["recall"], "")
        figure(f"{prefix}_f1", m["f1"], "")
        figure(f"{prefix}_cross_script_recall", m["cross_recall"], "")
        figure(f"{prefix}_labelled_names_per_s", len(part) / seconds, "names/s")
        if not args.skip_logic_v2:
            result = run_logic_v2(part)
            if result is not None:
                theirs, their_seconds = result
                t = metrics(part, theirs)
                print(f"{split} logic-v2: TP {t['tp']} FP {t['fp']} FN {t['fn']} TN {t['tn']}")
                figure(f"{prefix}_logic_v2_precision", t["precision"], "")
                figure(f"{prefix}_logic_v2_recall", t["recall"], "")
                figure(f"{prefix}_logic_v2_f1", t["f1"], "")
                figure(f"{prefix}_logic_v2_cross_script_recall", t["cross_recall"], "")
                figure(f"{prefix}_logic_v2_names_per_s", len(part) / their_seconds, "names/s")
    if not args.skip_throughput:
        if names is None:
            print("note: throughput skipped (no real facility names to build synthetic names from)")
        else:
            throughput(names)
    _common.figure("screening_peak_rss_mb", _common.peak_rss_mb(), "MB")


if __name__ == "__main__":
    main()
