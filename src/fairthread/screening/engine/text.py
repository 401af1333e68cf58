"""Name normalisation: Unicode forms, case, punctuation, legal forms, transliteration, abbreviations.

``analyse(name)`` turns one written name into one or more *variants* (token tuples) that the scorer compares:
a Latin/Cyrillic/... name gives one variant; a name with Chinese characters gives its pinyin reading and,
when it contains known words, an English reading ("新疆中泰化学" -> "xinjiang zhongtai huaxue" and
"xinjiang zhongtai chemical"). Legal forms are removed from the tokens and kept as types.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from pypinyin import lazy_pinyin
from rapidfuzz.distance import Levenshtein
from rigour.names import extract_org_types, replace_org_types_compare
from rigour.text.translit import ascii_text

from fairthread.screening.engine import vocabulary as V

_HAN = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAN_RUN = re.compile(f"[{_HAN}]+")
_HAS_HAN = re.compile(f"[{_HAN}]")
_DOTTED = re.compile(r"([a-z]{2,})\.")
_APOSTROPHE = re.compile(r"['’`´]")
_NON_WORD = re.compile(r"[^a-z0-9]+")
_TONE_NUMBERS = re.compile(r"^(?:[a-z]+[1-5]){2,}$")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")
_CHINESE = {chars: (english, legal) for chars, english, legal in V.CHINESE_WORDS}
_CHINESE_MAX = max(len(chars) for chars in _CHINESE)
_LONG_LEGAL: dict[str, list[str]] = {}
for _word in sorted(V.LEGAL_ANYWHERE):
    if len(_word) >= 7:
        _LONG_LEGAL.setdefault(_word[:2], []).append(_word)
# rigour's generic org-type targets that we then drop as legal forms
_RIGOUR_TYPES = {"llc": "limited company", "jsc": "limited company", "plc": "limited company",
                 "lp": "partnership", "llp": "partnership", "gp": "partnership", "coop": "cooperative",
                 "nonprofit": "nonprofit", "foundation": "foundation", "trust": "trust", "sole": "sole trader"}


@dataclass(frozen=True)
class Variant:
    tokens: tuple[str, ...]
    kind: str  # "as written" | "pinyin" | "English reading"
    note: str = ""  # e.g. "pinyin of 新疆中泰化学 is 'xinjiang zhongtai huaxue'"


@dataclass(frozen=True)
class Analysis:
    text: str
    variants: tuple[Variant, ...]
    legal_types: frozenset[str]
    legal_text: str  # the legal form as written, for explanations ("" if none)
    dotted: frozenset[str] = field(default_factory=frozenset)  # tokens written with a full stop ("chem.")
    abbreviations: tuple[tuple[str, str], ...] = ()  # (as written, read as)
    numbers: frozenset[str] = field(default_factory=frozenset)


def fold(text: str) -> str:
    """Unicode NFKC + casefold + whitespace squashing: the first step for every name."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _canonical(tokens: list[str], abbreviations: list[tuple[str, str]]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        canon, abbreviated = _canonical_token(token)
        out.extend(canon)
        abbreviations.extend(abbreviated)
    return out


@functools.lru_cache(maxsize=65536)
def _canonical_token(token: str) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """One token's canonical forms and the abbreviations read in it (cached: words repeat across names)."""
    # "xin1jiang1" -> "xinjiang"; "wang1" -> "wang 1"
    split = ([re.sub(r"[1-5]", "", token)] if _TONE_NUMBERS.match(token)
             else _LETTER_DIGIT.sub(" ", token).split())
    out: list[str] = []
    abbreviations: list[tuple[str, str]] = []
    for part in split:
        canon = V.ABBREVIATIONS.get(part)
        if canon is None:
            out.append(part)
            continue
        if canon != part:
            abbreviations.append((part, canon))
        out.extend(canon.split())
    return tuple(t for t in out if t not in V.STOPWORDS), tuple(abbreviations)


@functools.lru_cache(maxsize=65536)
def _legal_word(token: str) -> str | None:
    """The legal-form word this token is, allowing one typo in long ones ("corporatioon")."""
    if token in V.LEGAL_TOKENS:
        return token
    if len(token) >= 7:
        for word in _LONG_LEGAL.get(token[:2], ()):
            if abs(len(word) - len(token)) <= 1 and Levenshtein.distance(word, token, score_cutoff=1) <= 1:
                return word
    return None


def _strip_legal(tokens: list[str], legal: set[str]) -> list[str]:
    """Drop legal-form words: unambiguous ones anywhere, short ones ("sa", "pt") only at either end.

    Keeps them if nothing else would be left ("Company Limited" alone stays a name).
    """
    words = [_legal_word(t) for t in tokens]
    start, end = 0, len(tokens)
    while end > start and words[end - 1]:
        end -= 1
    while start < end and words[start]:
        start += 1
    kept = [t for t, w in zip(tokens[start:end], words[start:end], strict=True)
            if not (w and w in V.LEGAL_ANYWHERE)]
    if not kept:
        return tokens
    legal.update(V.LEGAL_TOKENS[w] for w in words if w)
    return kept


def _latin_tokens(text: str, legal: set[str], legal_text: list[str], dotted: set[str]) -> list[str]:
    """Tokens of a non-Han piece of text (any script rigour/normality can transliterate)."""
    found = extract_org_types(text, generic=True)
    if found:
        legal_text.extend(m for m, _ in found)
        text = replace_org_types_compare(text, generic=True)
    if not text.isascii():
        # Latin with accents needs no transliterator: drop the combining marks.
        stripped = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
        text = stripped if stripped.isascii() else ascii_text(text).casefold()
    dotted.update(_DOTTED.findall(text))
    text = _APOSTROPHE.sub("", text.replace("&", " and "))
    tokens = _NON_WORD.sub(" ", text).split()
    kept = []
    for token in tokens:
        if token in _RIGOUR_TYPES and found:
            legal.add(_RIGOUR_TYPES[token])
        else:
            kept.append(token)
    return kept


def _segment_han(run: str) -> list[tuple[str, str, str]]:
    """Greedy longest-match segmentation into (characters, English, legal type); unknown runs kept whole."""
    out: list[tuple[str, str, str]] = []
    unknown = ""
    i = 0
    while i < len(run):
        for size in range(min(_CHINESE_MAX, len(run) - i), 0, -1):
            word = run[i:i + size]
            if word in _CHINESE:
                if unknown:
                    out.append((unknown, "", ""))
                    unknown = ""
                english, legal = _CHINESE[word]
                out.append((word, english, legal))
                i += size
                break
        else:
            unknown += run[i]
            i += 1
    if unknown:
        out.append((unknown, "", ""))
    return out


@functools.lru_cache(maxsize=65536)
def analyse(name: str) -> Analysis:
    text = fold(name)
    legal: set[str] = set()
    legal_text: list[str] = []
    dotted: set[str] = set()
    abbreviations: list[tuple[str, str]] = []
    if not _HAS_HAN.search(text):
        tokens = _canonical(_latin_tokens(text, legal, legal_text, dotted), abbreviations)
        tokens = _strip_legal(tokens, legal)
        variants = (Variant(tuple(tokens), "as written"),)
    else:
        pinyin: list[str] = []
        english: list[str] = []
        han_shown: list[str] = []
        translated: list[str] = []
        pos = 0
        for match in _HAN_RUN.finditer(text):
            before = _latin_tokens(text[pos:match.start()], legal, legal_text, dotted)
            pinyin += before
            english += before
            for chars, meaning, legal_type in _segment_han(match.group()):
                if legal_type:
                    legal.add(legal_type)
                    legal_text.append(chars)
                    continue
                reading = "".join(lazy_pinyin(chars))
                pinyin.append(reading)
                han_shown.append(chars)
                if meaning:
                    english += meaning.split()
                    translated.append(f"{chars} = '{meaning}'")
                else:
                    english.append(reading)
            pos = match.end()
        after = _latin_tokens(text[pos:], legal, legal_text, dotted)
        pinyin = _strip_legal(_canonical(pinyin + after, abbreviations), legal)
        english = _strip_legal(_canonical(english + after, abbreviations), legal)
        han = "".join(han_shown)
        note = f"pinyin of {han} is '{' '.join(pinyin)}'"
        variants_list = [Variant(tuple(pinyin), "pinyin", note)]
        if english != pinyin:
            variants_list.append(Variant(tuple(english), "English reading", f"{note}; read as {', '.join(translated)}"))
        variants = tuple(variants_list)
    numbers = frozenset(t for v in variants for t in v.tokens if t.isdigit())
    return Analysis(
        text=name,
        variants=variants,
        legal_types=frozenset(legal),
        legal_text=" ".join(legal_text),
        dotted=frozenset(dotted),
        abbreviations=tuple(dict.fromkeys(abbreviations)),
        numbers=numbers,
    )


def place_tokens(text: str) -> frozenset[str]:
    """Xinjiang place words found in a free-text address or name (any script)."""
    if not text:
        return frozenset()
    found: set[str] = set()
    for variant in analyse(text).variants:
        found.update(t for t in variant.tokens if t in V.XINJIANG)
    if "新疆" in text:
        found.add("xinjiang")
    return frozenset(found)


def canonical_tokens(tokens: list[str]) -> list[str]:
    """Canonical forms of already-normalised tokens, legal-form words removed (used after splitting)."""
    return _strip_legal(_canonical(tokens, []), set())
