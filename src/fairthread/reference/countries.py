"""Countries (ISO 3166 through pycountry): resolving what people type into an ISO alpha-2 code."""

from __future__ import annotations

import difflib
import functools
import unicodedata

import pycountry

# Common names and spellings that pycountry does not know by itself.
VARIANTS: dict[str, str] = {
    "turkey": "TR", "turkiye": "TR", "türkiye": "TR",
    "viet nam": "VN", "vietnam": "VN",
    "burma": "MM", "myanmar": "MM", "myanmar (burma)": "MM",
    "uk": "GB", "u.k.": "GB", "great britain": "GB", "britain": "GB", "england": "GB", "scotland": "GB",
    "wales": "GB", "northern ireland": "GB", "united kingdom": "GB",
    "usa": "US", "u.s.a.": "US", "u.s.": "US", "united states of america": "US", "america": "US",
    "south korea": "KR", "korea": "KR", "korea, republic of": "KR", "republic of korea": "KR",
    "north korea": "KP", "russia": "RU", "iran": "IR", "syria": "SY", "laos": "LA", "lao pdr": "LA",
    "taiwan": "TW", "taiwan, province of china": "TW", "hong kong": "HK", "hongkong": "HK",
    "macau": "MO", "macao": "MO", "china mainland": "CN", "mainland china": "CN", "prc": "CN",
    "p.r. china": "CN", "p.r.china": "CN", "pr china": "CN", "people's republic of china": "CN",
    "czech republic": "CZ", "czechia": "CZ", "moldova": "MD", "tanzania": "TZ", "bolivia": "BO",
    "venezuela": "VE", "ivory coast": "CI", "cote d'ivoire": "CI", "côte d'ivoire": "CI",
    "swaziland": "SZ", "eswatini": "SZ", "macedonia": "MK", "north macedonia": "MK",
    "democratic republic of the congo": "CD", "dr congo": "CD", "drc": "CD", "congo-kinshasa": "CD",
    "congo, democratic republic of the": "CD", "republic of the congo": "CG", "congo-brazzaville": "CG",
    "cape verde": "CV", "palestine": "PS", "vatican": "VA", "brunei": "BN", "uae": "AE",
    "u.a.e.": "AE", "kosovo": "XK", "the netherlands": "NL", "holland": "NL",
    "sri-lanka": "LK", "srilanka": "LK", "bangla desh": "BD", "kirgizstan": "KG", "kyrgyzstan": "KG",
}


def _key(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("`", "'")
    text = text.strip().strip(";,.").strip().lower()
    return " ".join(text.split())


def _ascii(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@functools.lru_cache(maxsize=1)
def _index() -> dict[str, str]:
    index: dict[str, str] = {}
    for c in pycountry.countries:
        for name in (c.alpha_2, c.alpha_3, c.name, getattr(c, "common_name", None),
                     getattr(c, "official_name", None)):
            if name:
                index[_key(name)] = c.alpha_2
                index[_key(_ascii(name))] = c.alpha_2
    index["xk"] = "XK"
    index["xkx"] = "XK"
    for variant, code in VARIANTS.items():
        index[_key(variant)] = code
    return index


def _compact(text: str) -> str:
    """Letters and digits only: "Korea, Republic of", "korea republic of" and "People's Republic of China",
    "Peoples Republic of China" agree (lists and systems drop commas, apostrophes and hyphens: "Timor-Leste",
    "timorleste")."""
    return "".join(c for c in _ascii(_key(text)) if c.isalnum())


@functools.lru_cache(maxsize=1)
def _compact_index() -> dict[str, str]:
    """The index of names (never codes: "N/A" is not Namibia, "S.A." not Saudi Arabia) by compact key, keys of
    four characters or more; a key two countries would share is left out."""
    names: list[tuple[str, str]] = []
    for c in pycountry.countries:
        for name in (c.name, getattr(c, "common_name", None), getattr(c, "official_name", None)):
            if name:
                names.append((name, c.alpha_2))
    names += [(variant, code) for variant, code in VARIANTS.items()]
    out: dict[str, str] = {}
    clashes: set[str] = set()
    for key, code in names:
        compact = _compact(key)
        if len(compact) < 4:
            continue
        if compact in out and out[compact] != code:
            clashes.add(compact)
        out.setdefault(compact, code)
    return {k: v for k, v in out.items() if k not in clashes}


@functools.lru_cache(maxsize=4096)
def resolve_country(text: str) -> str | None:
    """ISO alpha-2 code for a country name, ISO-2/ISO-3 code or common variant; None if unknown."""
    if not text:
        return None
    key = _key(text)
    index = _index()
    return index.get(key) or index.get(_key(_ascii(key))) or _compact_index().get(_compact(key))


def suggest_country(text: str) -> str | None:
    """The closest known country name, for a "did you mean" message."""
    key = _key(text)
    names = {_key(c.name): c.name for c in pycountry.countries}
    names.update({v: v.title() for v in VARIANTS})
    match = difflib.get_close_matches(key, list(names), n=1, cutoff=0.6)
    return names[match[0]] if match else None


def country_name(code: str) -> str:
    if code == "XK":
        return "Kosovo"
    c = pycountry.countries.get(alpha_2=code) if code else None
    if c is None:
        return code
    return getattr(c, "common_name", None) or c.name


def country_numeric(code: str) -> int | None:
    c = pycountry.countries.get(alpha_2=code) if code else None
    return int(c.numeric) if c else None


def all_countries() -> list[tuple[str, str]]:
    return sorted(((c.alpha_2, country_name(c.alpha_2)) for c in pycountry.countries), key=lambda x: x[1])
