"""Words that name an area (a province, a district, a city most facilities of a country share), per country.

Two facilities that share only such words are in the same area, not at the same site; a name word that is an
area ("Dongguan ... Garment", "... (Gazipur)") is shared by neighbours and says nothing about which facility it is.
The registry's own statistics find these words when the registry is large (``model.COMMON_ADDRESS_SHARE``),
but a small registry — a brand's first hundred facilities — cannot: there "Gazipur" is in three addresses out of
ten and looks rare. So area words are known before any registry is seen, from two sources:

- the names of the country's subdivisions in ISO 3166-2 (pycountry: provinces, states, divisions, districts);
- *background* statistics of a large real facility list (the model's training registry): address words used by
  at least ``BACKGROUND_SHARE`` of the country's facilities there (and at least ``BACKGROUND_MIN`` of them).
  They are computed when the model is trained and saved in the model file.

In addresses every such word is an area word. In names fewer are: "Thanh Cong" is a name even though "thanh"
and "cong" are pieces of Vietnamese place names. A name word counts as a place only when it is a whole
subdivision name ("Gazipur", "Guangdong", "Binhduong") or a background word that the background list uses in
addresses at least as often as in names ("Dongguan", "Katunayake").
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from fairthread.matching.engine.text import ADDRESS_CANON, ADDRESS_STOPWORDS, address_tokens, clean, country_words

BACKGROUND_SHARE = 0.02
# The registry's own rule (model.COMMON_ADDRESS_SHARE, at least 5 facilities): fewer is chance in a sample.
BACKGROUND_MIN = 5
# Words of subdivision names that say what kind of subdivision it is, not where.
_SUBDIVISION_KINDS = frozenset({
    "sheng", "shi", "zizhiqu", "zhuangzu", "huizu", "weiwuer", "uygur", "sar", "tebie", "xingzhengqu",
    "province", "provincia", "region", "state", "territory", "district", "division", "governorate", "county",
    "prefecture", "municipality", "capital", "federal", "autonomous", "special", "administrative", "city",
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central", "upper", "lower",
    "new", "greater", "island", "islands", "nord", "sud", "est", "ouest", "centre", "norte", "sur", "oeste",
    "este", "san", "santa", "saint",
})


@functools.cache
def subdivision_words(country: str) -> tuple[frozenset[str], frozenset[str]]:
    """(every word of the country's ISO 3166-2 subdivision names, the whole names as one word): for Viet Nam
    ({"binh", "duong", "binhduong", ...}, {"binhduong", ...}); for Bangladesh both hold "gazipur"."""
    import pycountry

    subdivisions = pycountry.subdivisions.get(country_code=(country or "").upper()) or []
    words: set[str] = set()
    whole: set[str] = set()
    for subdivision in subdivisions:
        tokens = [w for w in clean(str(subdivision.name)).split()
                  if w not in _SUBDIVISION_KINDS and w not in ADDRESS_STOPWORDS]
        if not tokens:
            continue
        words.update(w for w in tokens if len(w) >= 3 and not w.isdigit())
        joined = "".join(tokens)  # "Binh Duong" is also written "Binhduong"
        if len(joined) >= 4 and not joined.isdigit():
            words.add(joined)
            whole.add(joined)
    return frozenset(words), frozenset(whole)


def background_area_words(rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, list[str]]]:
    """Per country, ``{"address": [...], "names": [...]}``: the address words at least ``BACKGROUND_SHARE`` of
    the rows' facilities use (and at least ``BACKGROUND_MIN``), and those of them the rows use in addresses at
    least as often as in names. Numbers are left out (a postcode is kept by the registry's own statistics)."""
    from fairthread.matching.engine.text import name_parts

    addr_df: dict[str, Counter[str]] = defaultdict(Counter)
    name_df: dict[str, Counter[str]] = defaultdict(Counter)
    n: Counter[str] = Counter()
    for row in rows:
        country = str(row.get("country") or "").upper()
        if not country:
            continue
        n[country] += 1
        addr_df[country].update(t for t in address_tokens(str(row.get("address") or ""), country)
                                if not any(ch.isdigit() for ch in t) and len(t) >= 3)
        name_df[country].update(set(name_parts(str(row.get("name") or ""))[0].split()))
    out: dict[str, dict[str, list[str]]] = {}
    for country in sorted(addr_df):
        common = sorted(t for t, count in addr_df[country].items()
                        if count >= max(BACKGROUND_MIN, BACKGROUND_SHARE * n[country]))
        if common:
            out[country] = {"address": common,
                            "names": [t for t in common if addr_df[country][t] >= name_df[country][t]]}
    return out


def area_rows(background: Mapping[str, Mapping[str, Iterable[str]]], countries: Iterable[str]
              ) -> list[tuple[str, str, bool]]:
    """(country, word, also a place in names) rows for the given countries: subdivision words plus the
    background ones."""
    out: dict[tuple[str, str], bool] = {}
    for country in {str(c or "").upper() for c in countries if c}:
        words, whole = subdivision_words(country)
        known = background.get(country) or {}
        in_names = set(whole) | {str(w) for w in known.get("names", ())}
        for word in set(words) | {str(w) for w in known.get("address", ())}:
            out[(country, word)] = word in in_names
    return [(country, word, flag) for (country, word), flag in sorted(out.items())]


class PlaceVocabulary:
    """Per country, the words a run-together address word is split into ("ashuliasavar" -> "ashulia", "savar";
    a list that drops commas writes "Ashulia,Savar" so): the area words (subdivisions and background), the
    kinds of place ("road", "industrial") and the country's own name — words of three letters or more."""

    def __init__(self, background: Mapping[str, Mapping[str, Iterable[str]]]) -> None:
        self.background = background
        self._by_country: dict[str, frozenset[str]] = {}

    def __call__(self, country: str) -> frozenset[str]:
        country = (country or "").upper()
        if country not in self._by_country:
            words = set(subdivision_words(country)[0]) if country else set()
            words |= {str(w) for w in (self.background.get(country) or {}).get("address", ())}
            words |= set(ADDRESS_STOPWORDS) | set(country_words(country))
            # abbreviations of kinds of place ("rd", "indl"), not numbers written as words ("first", "iii")
            words |= {k for k, v in ADDRESS_CANON.items() if not v.isdigit()}
            vocabulary = frozenset(w for w in words if len(w) >= 3 and w.isalpha())
            # One object per distinct vocabulary: text.address_tokens caches on it, and an identical object is
            # found without comparing the sets word by word.
            if len(_INTERNED) > 4096:  # new models in one process (tests, retraining): keep it bounded
                _INTERNED.clear()
            self._by_country[country] = _INTERNED.setdefault(vocabulary, vocabulary)
        return self._by_country[country]


_INTERNED: dict[frozenset[str], frozenset[str]] = {}
