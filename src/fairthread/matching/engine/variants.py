"""Realistic variation of real facility records, for training pairs and the generated benchmark set.

A brand's list, a supplier's disclosure and the registry write the same mill differently: legal-form variants,
abbreviations, spacing and letter noise, transliteration (Chinese names in Han characters), other word order,
missing or partial addresses, rough or missing coordinates. A *hard negative* is a different facility in the
same industrial park: same (or next-door) address, the generic words of the name kept, the distinctive word
replaced by one from another real facility of the same country.
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Mapping, Sequence
from typing import Any

from fairthread.matching.engine.text import GENERIC_WORDS

LEGAL_FORMS = [
    "Ltd", "Ltd.", "Limited", "Co., Ltd.", "Co. Ltd", "Company Limited", "Co.,Ltd", "(Pvt) Ltd", "Pvt. Ltd.",
    "Private Limited", "Inc.", "S.A.", "SRL", "LLC", "GmbH", "JSC",
]
_LEGAL_RE = re.compile(
    r"[\s,]*(co\.?,?\s*ltd\.?|company limited|\(?pvt\.?\)?\s*ltd\.?|private limited|limited|ltd\.?|inc\.?|"
    r"s\.a\.?|srl|llc|gmbh|jsc|pt\.?)\s*$",
    re.IGNORECASE,
)
ABBREVIATIONS = {
    "industries": "inds", "industry": "ind", "industrial": "indl", "international": "intl",
    "garments": "gmts", "garment": "gmt", "textiles": "tex", "textile": "tex", "company": "co",
    "manufacturing": "mfg", "corporation": "corp", "apparels": "app", "apparel": "app",
    "knitting": "knit", "fashions": "fash", "fashion": "fash", "trading": "trdg", "enterprises": "ent",
    "mills": "mill", "exports": "exp", "export": "exp", "group": "grp", "factory": "fty",
    "road": "rd", "street": "st", "building": "bldg", "industrial area": "ind area", "district": "dist",
    "limited": "ltd", "number": "no",
}
# Han renderings of common industry words, for Chinese names written in Han characters.
_HAN_WORDS = {
    "garment": "服装", "garments": "服装", "clothing": "服装", "apparel": "服饰", "footwear": "鞋业",
    "shoes": "鞋业", "shoe": "鞋业", "textile": "纺织", "textiles": "纺织", "knitting": "针织",
    "knitwear": "针织", "industrial": "实业", "industry": "工业", "trading": "贸易", "leather": "皮革",
    "printing": "印花", "dyeing": "印染", "weaving": "织造", "factory": "厂", "group": "集团",
    "fashion": "时装", "products": "制品", "toys": "玩具", "bags": "箱包", "silk": "丝绸",
}
_HAN_LEGAL = {"co ltd", "company limited", "co", "ltd", "limited", "coltd"}
KEYBOARD_NEIGHBOURS = "qwertyuiopasdfghjklzxcvbnm"


@functools.cache
def _syllable_chars() -> dict[str, str]:
    """Toneless pinyin syllable -> one common Han character that reads only that way."""
    from pypinyin import Style, pinyin
    from pypinyin.pinyin_dict import pinyin_dict

    table: dict[str, str] = {}
    for code in range(0x4E00, 0x9FA6):
        if code not in pinyin_dict or "," in pinyin_dict[code]:
            continue
        char = chr(code)
        syllable = pinyin(char, style=Style.NORMAL)[0][0]
        table.setdefault(syllable, char)
    return table


def _segment_pinyin(word: str) -> list[str] | None:
    table = _syllable_chars()
    out: list[str] = []
    i = 0
    while i < len(word):
        for size in range(min(6, len(word) - i), 0, -1):
            if word[i : i + size] in table:
                out.append(word[i : i + size])
                i += size
                break
        else:
            return None
    return out


def han_name(name: str) -> str | None:
    """"Quanzhou Xinxing Footwear Co., Ltd." -> "泉州新兴鞋业有限公司"-like text, or None when a word is neither
    pinyin nor a known industry word."""
    base = _LEGAL_RE.sub("", name).strip()
    legal = base != name.strip()
    words = re.findall(r"[a-z]+", base.lower())
    if not words:
        return None
    table = _syllable_chars()
    out = []
    for word in words:
        if word in _HAN_WORDS:
            out.append(_HAN_WORDS[word])
            continue
        syllables = _segment_pinyin(word)
        if syllables is None:
            return None
        out.append("".join(table[s] for s in syllables))
    return "".join(out) + ("有限公司" if legal else "")


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(("drop", "swap", "sub", "double"))
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "swap":
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind == "double":
        return word[:i] + word[i] + word[i:]
    repl = rng.choice(KEYBOARD_NEIGHBOURS)
    return word[:i] + (repl.upper() if word[i].isupper() else repl) + word[i + 1 :]


def _swap_legal(name: str, rng: random.Random) -> str:
    base = _LEGAL_RE.sub("", name).strip(" ,")
    choice = rng.random()
    if choice < 0.3:
        return base
    return f"{base} {rng.choice(LEGAL_FORMS)}"


def _abbreviate(text: str, rng: random.Random) -> str:
    words = text.split()
    spots = [i for i, w in enumerate(words) if w.lower().strip(",.") in ABBREVIATIONS]
    if not spots:
        return text
    i = rng.choice(spots)
    abbr = ABBREVIATIONS[words[i].lower().strip(",.")]
    words[i] = abbr.upper() if words[i].isupper() else abbr.title()
    return " ".join(words)


def _spacing(text: str, rng: random.Random) -> str:
    words = text.split()
    if not words:
        return text
    i = rng.randrange(len(words))
    w = words[i]
    kind = rng.random()
    if kind < 0.3 and len(w) > 3:
        words[i] = " ".join(w)  # "M E R C U R Y"
    elif kind < 0.7 and len(w) > 4:
        cut = rng.randrange(2, len(w) - 1)
        words[i] = w[:cut] + " " + w[cut:]  # "APPAR EL"
    elif len(words) > 1 and i + 1 < len(words):
        words[i : i + 2] = [w + words[i + 1]]
    return " ".join(words)


def _word_order(text: str, rng: random.Random) -> str:
    words = _LEGAL_RE.sub("", text).split()
    if len(words) < 2:
        return text
    i = rng.randrange(len(words) - 1)
    words[i], words[i + 1] = words[i + 1], words[i]
    return " ".join(words)


def vary_name(name: str, country: str, rng: random.Random) -> tuple[str, str]:
    """(name, native_name) as another list might write them."""
    if country in {"CN", "TW", "HK", "MO"} and rng.random() < 0.25:
        han = han_name(name)
        if han:
            # Either the Han name alone in the name column, or both.
            return (han, "") if rng.random() < 0.5 else (_swap_legal(name, rng), han)
    out = name
    steps = [_swap_legal, _abbreviate, _spacing, _word_order, "typo", "case"]
    for step in rng.sample(steps, k=rng.choice((1, 2, 2, 3))):
        if step == "typo":
            words = out.split()
            if words:
                j = rng.randrange(len(words))
                words[j] = _typo(words[j], rng)
                out = " ".join(words)
        elif step == "case":
            out = out.upper() if rng.random() < 0.5 else out.title()
        else:
            out = step(out, rng)  # type: ignore[operator]
    return out, ""


def vary_address(address: str, rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.1:
        return ""
    parts = [p.strip() for p in address.split(",") if p.strip()]
    if roll < 0.35 and len(parts) > 2:
        keep = sorted(rng.sample(range(len(parts)), k=max(1, len(parts) // 2)))
        parts = [parts[i] for i in keep]  # partial address
    out = ", ".join(parts)
    if rng.random() < 0.4:
        out = _abbreviate(out, rng)
    if rng.random() < 0.3:
        words = out.split()
        if words:
            j = rng.randrange(len(words))
            words[j] = _typo(words[j], rng)
            out = " ".join(words)
    if rng.random() < 0.3:
        out = out.upper()
    return out


def vary_coordinates(lat: str, lng: str, rng: random.Random) -> tuple[str, str]:
    if not lat or not lng:
        return "", ""
    roll = rng.random()
    if roll < 0.4:
        return "", ""
    if roll < 0.55:
        return f"{float(lat):.2f}", f"{float(lng):.2f}"  # city-level: too rough to compare
    # Another geocoder: tens of metres away.
    return f"{float(lat) + rng.uniform(-4e-4, 4e-4):.6f}", f"{float(lng) + rng.uniform(-4e-4, 4e-4):.6f}"


def variant(record: Mapping[str, Any], new_id: str, rng: random.Random) -> dict[str, str]:
    """The same facility as another list writes it."""
    name, native = vary_name(str(record["name"]), str(record["country"]), rng)
    lat, lng = vary_coordinates(str(record.get("lat") or ""), str(record.get("lng") or ""), rng)
    return {
        "id": new_id, "name": name, "native_name": native,
        "address": vary_address(str(record.get("address") or ""), rng),
        "country": str(record["country"]), "lat": lat, "lng": lng, "os_id": "",
        "parent_company": str(record.get("parent_company") or ""),
    }


def distinctive_words(name: str) -> list[str]:
    base = _LEGAL_RE.sub("", name)
    return [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", base) if w.lower() not in GENERIC_WORDS and len(w) > 2]


def _next_door(address: str, rng: random.Random) -> str:
    numbers = list(re.finditer(r"\d+", address))
    if numbers:
        m = rng.choice(numbers)
        value = int(m.group()) + rng.choice((1, 2, 3, 5, 10))
        return address[: m.start()] + str(value) + address[m.end() :]
    return address


def hard_negative(
    record: Mapping[str, Any], same_country: Sequence[Mapping[str, Any]], new_id: str, rng: random.Random
) -> dict[str, str] | None:
    """A different facility in the same industrial park (None when no other name to borrow from)."""
    own = distinctive_words(str(record["name"]))
    donors = [w for other in same_country if other is not record for w in distinctive_words(str(other["name"]))]
    donors = [w for w in donors if w.lower() not in {o.lower() for o in own}]
    if not own or not donors:
        return None
    name = str(record["name"])
    # A neighbour shares the generic words ("Sportswear Ltd"), not the distinctive ones.
    for word in own:
        name = re.sub(rf"\b{re.escape(word)}\b", rng.choice(donors), name, count=1)
    address = str(record.get("address") or "")
    if rng.random() < 0.6:
        address = _next_door(address, rng)
    lat, lng = str(record.get("lat") or ""), str(record.get("lng") or "")
    if lat and lng and rng.random() < 0.5:
        lat, lng = f"{float(lat) + rng.uniform(-2e-3, 2e-3):.6f}", f"{float(lng) + rng.uniform(-2e-3, 2e-3):.6f}"
    else:
        lat, lng = "", ""
    return {
        "id": new_id, "name": name, "native_name": "", "address": address, "country": str(record["country"]),
        "lat": lat, "lng": lng, "os_id": "", "parent_company": "",
    }


# -- how real contributor lists differ (training pairs) ----------------------------------------------------------
#
# Comparing real lists of one facility (Open Supply Hub against brand lists) shows variation the edits above do
# not make: an address written with or without its street, district, city, postcode, province or country, in
# another order, with "Rd." for "Road" or "Ind. Area" for "Industrial Area", "II" for "2"; a name with or
# without its group's name in front ("Hirdaramani Mercury" / "Mercury Apparel"), with a plant or unit ("Unit 2",
# "(Factory 2)", "- Katunayake"), without its trade word ("Garments"), with the city in front ("Dongguan ...")
# or in brackets, all in capitals or all in lower case, letters spaced out.
ADDRESS_ABBREVIATIONS = {
    "road": "Rd.", "street": "St.", "industrial": "Ind.", "avenue": "Ave.", "district": "Dist.",
    "building": "Bldg.", "number": "No.", "village": "Vill.", "export processing zone": "EPZ",
    "industrial area": "Ind. Area", "industrial estate": "Ind. Estate", "industrial zone": "Ind. Zone",
    "ii": "2", "iii": "3",
}
ADDRESS_EXPANSIONS = {"rd": "Road", "rd.": "Road", "st.": "Street", "ind.": "Industrial", "no.": "Number",
                      "dist.": "District", "epz": "Export Processing Zone"}
UNIT_FORMS = ("Unit {n}", "(Unit-{n})", "Plant {n}", "(Factory {n})", "Factory-0{n}", "- Unit {roman}", "Branch {n}")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def _address_parts(address: str) -> list[str]:
    return [p.strip() for p in re.split(r"[,;]", address) if p.strip()]


def _place_words(address: str) -> list[str]:
    """Capitalised single words of the address's later parts (towns, districts): candidates for a city name."""
    parts = _address_parts(address)
    words = [w for p in parts[1:] or parts for w in re.findall(r"[A-Za-z]{4,}", p)]
    return [w for w in words if w.lower() not in {"road", "street", "district", "province", "city", "town",
                                                   "village", "industrial", "zone", "area", "park", "estate"}]


def real_name(name: str, address: str, rng: random.Random, pool: Sequence[str]) -> str:
    words = name.split()
    places = _place_words(address)
    edits = rng.sample(("group", "unit", "drop_trade", "place", "legal", "abbreviate", "spacing", "typo"),
                       k=rng.choice((1, 2, 2, 3)))
    out = name
    for edit in edits:
        if edit == "group" and pool:
            out = f"{rng.choice(pool)} {out}"
        elif edit == "unit" and not re.search(r"\d|\b(?:I|II|III|IV)\b", out):
            # A unit or plant the other list leaves out; a name that already has a number keeps it.
            n = rng.randint(1, 4)
            out = f"{_LEGAL_RE.sub('', out).strip(' ,')} {rng.choice(UNIT_FORMS).format(n=n, roman=ROMAN[n])}"
        elif edit == "drop_trade":
            words = out.split()
            trade = [i for i, w in enumerate(words) if w.lower().strip(",.()") in GENERIC_WORDS]
            if trade and len(words) - 1 >= 2:
                del words[rng.choice(trade)]
                out = " ".join(words)
        elif edit == "place" and places:
            place = rng.choice(places)
            if place.lower() not in out.lower():
                out = f"{place} {out}" if rng.random() < 0.5 else f"{_LEGAL_RE.sub('', out).strip(' ,')} ({place})"
        elif edit == "legal":
            out = _swap_legal(out, rng)
        elif edit == "abbreviate":
            out = _abbreviate(out, rng)
        elif edit == "spacing":
            out = _spacing(out, rng)
        else:
            words = out.split()
            if words:
                j = rng.randrange(len(words))
                words[j] = _typo(words[j], rng)
                out = " ".join(words)
    roll = rng.random()
    if roll < 0.35:
        out = out.upper()
    elif roll < 0.55:
        out = out.lower()
    return out


def _abbreviate_address(text: str, rng: random.Random) -> str:
    lowered = text.lower()
    found = [k for k in ADDRESS_ABBREVIATIONS if re.search(rf"\b{re.escape(k)}\b", lowered)]
    found += [k for k in ADDRESS_EXPANSIONS if re.search(rf"(?<!\w){re.escape(k)}(?!\w)", lowered)]
    for key in rng.sample(found, k=min(len(found), rng.choice((1, 2)))):
        repl = ADDRESS_ABBREVIATIONS.get(key) or ADDRESS_EXPANSIONS[key]
        text = re.sub(rf"(?<!\w){re.escape(key)}(?!\w)", repl, text, count=1, flags=re.IGNORECASE)
    return text


def real_address(address: str, country_name: str, rng: random.Random) -> str:
    parts = _address_parts(address)
    if not parts or rng.random() < 0.08:
        return ""
    roll = rng.random()
    if roll < 0.2 and len(parts) > 1:
        parts = parts[-rng.randint(1, min(2, len(parts) - 1)):]  # only the town / district
    elif roll < 0.45 and len(parts) > 2:
        parts = parts[: rng.randint(1, len(parts) - 1)]  # street only, no town or province
    elif roll < 0.6 and len(parts) > 2:
        keep = sorted(rng.sample(range(len(parts)), k=rng.randint(2, len(parts) - 1)))
        parts = [parts[i] for i in keep]
    extras = []
    if rng.random() < 0.25:
        extras.append(str(rng.randint(10000, 999999)))  # a postcode the other list did not give
    if rng.random() < 0.3 and country_name:
        extras.append(country_name)
    if rng.random() < 0.15:
        extras.insert(0, rng.choice(("Industrial Area", "Export Processing Zone", "Industrial Park", "Zone 2")))
    separator = rng.choice((", ", ",", " ", " - "))
    out = separator.join(parts + extras)
    if rng.random() < 0.5:
        out = _abbreviate_address(out, rng)
    if rng.random() < 0.2:
        words = out.split()
        j = rng.randrange(len(words))
        words[j] = _typo(words[j], rng)
        out = " ".join(words)
    roll = rng.random()
    if roll < 0.3:
        out = out.upper()
    elif roll < 0.5:
        out = out.lower()
    return out


# The share of real-list variants written by a system that drops punctuation before storing or matching a list
# (Open Supply Hub's matcher does so): "Ashulia,Savar" becomes "ashuliasavar", "Plot-12" "plot12".
PUNCTUATION_DROPPED_SHARE = 0.2


def drop_punctuation(text: str) -> str:
    """Commas, hyphens and apostrophes dropped (the words on either side run together), slashes, colons and
    line breaks as spaces, lower case."""
    text = re.sub(r"[\n/:]", " ", text)
    return " ".join(re.sub(r"[-',\u2019\uff0c]", "", text).split()).lower()


def real_variant(record: Mapping[str, Any], new_id: str, rng: random.Random, pool: Sequence[str] = (),
                 country_name: str = "") -> dict[str, str]:
    """The same facility as a real contributor's list writes it (see the notes above); ``pool``: words another
    facility's group could be called, ``country_name``: the country as a list might append it."""
    name = real_name(str(record["name"]), str(record.get("address") or ""), rng, pool)
    lat, lng = vary_coordinates(str(record.get("lat") or ""), str(record.get("lng") or ""), rng)
    address = real_address(str(record.get("address") or ""), country_name, rng)
    # Drawn from its own generator so that the other variants stay as they were.
    if random.Random(f"{new_id}/punctuation").random() < PUNCTUATION_DROPPED_SHARE:
        name, address = drop_punctuation(name), drop_punctuation(address)
    return {
        "id": new_id, "name": name, "native_name": "",
        "address": address,
        "country": str(record["country"]), "lat": lat, "lng": lng, "os_id": "",
        "parent_company": str(record.get("parent_company") or ""),
    }
