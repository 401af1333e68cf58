"""Text normalisation for facility names and addresses (plain Python; cached per distinct string).

Names: NFKC, casefold, transliterate non-Latin script (Han through pypinyin, others through rigour), strip
punctuation, then remove legal forms ("Co., Ltd.", "(Pvt) Ltd", "S.A.", "有限公司") with rigour's alias table
plus a few leftovers it keeps ("pvt", "private"). Addresses: the same cleaning, split into tokens with the
generic words ("road", "district", ...) left out, so that the shared tokens are the ones that say where.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from pypinyin import lazy_pinyin
from rigour.names import extract_org_types, remove_org_types
from rigour.text import ascii_text

# Latin letters that have no combining-mark decomposition.
_LATIN_EXTRA = str.maketrans({"ß": "ss", "ı": "i", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "þ": "th",
                              "ð": "d", "ħ": "h", "ŀ": "l", "ĸ": "k", "ŋ": "ng", "ſ": "s", "ƒ": "f"})
_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# Chinese legal forms (rigour's table covers Latin and Cyrillic forms, not Han ones).
_HAN_LEGAL = ("股份有限公司", "有限责任公司", "有限公司", "集团公司", "公司", "股份公司")
# Tokens rigour leaves behind after "(Pvt) Ltd", "Private Limited", "Pte Ltd", "Sdn Bhd", "Tbk".
_LEFTOVER_LEGAL = {"pvt", "private", "pte", "sdn", "bhd", "tbk", "pvtltd", "coltd", "co", "ltd", "limited", "inc"}
# Words of the trade that many different facilities carry in their names: never distinctive.
GENERIC_WORDS = frozenset(
    [
        "apparel", "apparels", "garment", "garments", "textile", "textiles", "industries", "industry", "industrial",
        "international", "company", "co", "ltd", "limited", "fashion", "fashions", "knit", "knitting", "knitwear",
        "wear", "mills", "mill", "exports", "export", "group", "factory", "manufacturing", "manufacture",
        "manufacturer", "mfg", "trading", "enterprises", "enterprise", "clothing", "clothes", "footwear", "shoes",
        "shoe", "leather", "dyeing", "printing", "sweater", "sweaters", "denim", "washing", "fabrics", "fabric",
        "spinning", "weaving", "the", "and", "of", "pvt", "private", "sa", "inc", "llc", "corp", "works", "products",
        "product", "global", "sportswear", "sports", "wear", "unit", "plant", "div", "division", "branch", "new", "de",
        "da", "e", "y", "et", "und"
    ]
)
ADDRESS_STOPWORDS = frozenset(
    [
        "no", "nos", "number", "road", "rd", "street", "st", "str", "avenue", "ave", "lane", "ln", "floor", "fl", "flr",
        "building", "bldg", "block", "blk", "room", "rm", "unit", "of", "the", "and", "de", "del", "la", "le", "des",
        "du", "da", "di", "do", "dos", "das", "el", "y", "e", "en", "at", "near", "opp", "opposite", "city", "district",
        "dist", "province", "prov", "county", "town", "village", "vill", "state", "region", "zone", "area", "sector",
        "phase", "p", "c", "pc", "po", "box", "postal", "code", "zip"
    ]
)


def is_latin(text: str) -> bool:
    return all(ord(c) < 0x250 or not c.isalpha() for c in text)


@functools.lru_cache(maxsize=1_000_000)
def transliterate(text: str) -> str:
    """Latin-script form: Han through pypinyin (one syllable per character), other scripts through rigour."""
    if not text:
        return ""
    if _HAN.search(text):
        text = " ".join(lazy_pinyin(text, errors="default"))
    # Latin letters with accents: dropping the marks is enough (and much faster than a full transliteration).
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    if not text.isascii():
        text = text.translate(_LATIN_EXTRA)
    return text if text.isascii() else ascii_text(text)


def clean(text: str | None) -> str:
    """Casefolded ASCII words separated by single spaces (punctuation and underscores become spaces)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    if not text.isascii():
        text = transliterate(text)
    return " ".join(_NON_WORD.sub(" ", text).replace("_", " ").split())


def _strip_han_legal(text: str) -> tuple[str, str]:
    for form in _HAN_LEGAL:
        if text.endswith(form) and len(text) > len(form):
            return text[: -len(form)], form
    return text, ""


@functools.lru_cache(maxsize=1_000_000)
def name_parts(name: str) -> tuple[str, str]:
    """(normalised name without legal form, the legal form text removed as written) — e.g.
    "Quanzhou Xinxing Footwear Co., Ltd." -> ("quanzhou xinxing footwear", "Co., Ltd.")."""
    raw = unicodedata.normalize("NFKC", name or "").strip()
    if not raw:
        return "", ""
    raw, han_form = _strip_han_legal(raw)
    found = [text for text, _canonical in extract_org_types(raw)]
    stripped = remove_org_types(raw, replacement=" ")
    words = clean(stripped).split()
    removed = list(found)
    # Leftovers such as "(Pvt)" or "Private": dropped at the end of the name only, never in the middle.
    while len(words) > 1 and words[-1] in _LEFTOVER_LEGAL:
        removed.insert(0, words.pop())
    while len(words) > 1 and words[0] in {"pt", "cv", "ooo", "oao", "zao"}:
        removed.append(words.pop(0))
    if not words:  # the whole name was a legal form: keep it rather than compare empty strings
        return clean(raw), ""
    if han_form:
        removed.append(han_form)
    legal = ", ".join(dict.fromkeys(r.strip(" .,()") and r.strip() for r in removed if r.strip(" .,()")))
    return " ".join(words), legal


def name_key(norm: str) -> str:
    """The normalised name without spaces: "m e r c u r y appar el" and "mercury apparel" agree."""
    return norm.replace(" ", "")


@functools.lru_cache(maxsize=1_000_000)
def address_tokens(address: str) -> tuple[str, ...]:
    words = clean(address).split()
    out = [w for w in words if w not in ADDRESS_STOPWORDS and (len(w) > 1 or w.isdigit())]
    return tuple(dict.fromkeys(out))
