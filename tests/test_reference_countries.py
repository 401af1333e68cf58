"""Country names, codes and variants as supplier lists write them -> ISO 3166 alpha-2 (reference/countries.py)."""

from __future__ import annotations

import pycountry
import pytest

from fairthread.reference.countries import resolve_country, suggest_country


@pytest.mark.parametrize(("written", "code"), [
    ("Bangladesh", "BD"), ("BGD", "BD"), ("bd", "BD"), ("  Bangladesh. ", "BD"),
    ("Viet Nam", "VN"), ("Türkiye", "TR"), ("Turkiye", "TR"),
    ("Korea, Republic of", "KR"), ("People's Republic of China", "CN"), ("Côte d'Ivoire", "CI"),
])
def test_names_codes_and_accents(written, code):
    assert resolve_country(written) == code


@pytest.mark.parametrize(("written", "code"), [
    # commas, apostrophes and hyphens dropped, as some lists and systems write them
    ("korea republic of", "KR"), ("Peoples Republic of China", "CN"), ("Cote dIvoire", "CI"),
    ("cote divoire", "CI"), ("Timorleste", "TL"), ("guineabissau", "GW"), ("Virgin Islands U.S.", "VI"),
    ("taiwan province of china", "TW"), ("iran islamic republic of", "IR"), ("lao peoples democratic republic", "LA"),
])
def test_names_without_their_punctuation(written, code):
    assert resolve_country(written) == code


def test_every_iso_name_resolves_with_its_punctuation_dropped():
    for country in pycountry.countries:
        for name in {country.name, getattr(country, "official_name", None), getattr(country, "common_name", None)}:
            if name:
                dropped = "".join(c for c in name if c not in ",'’-()").lower()
                assert resolve_country(dropped) == country.alpha_2, name


@pytest.mark.parametrize("written", ["N/A", "n/a", "N.A.", "S.A.", "C/O", "N/O", "N.I.", "P.R.", "S/L", "M.E."])
def test_placeholders_and_abbreviations_are_not_codes(written):
    # only names are read without their punctuation; codes are read as written
    assert resolve_country(written) is None


def test_near_names_are_not_confused_and_unknowns_stay_unknown():
    assert resolve_country("Niger") == "NE" and resolve_country("Nigeria") == "NG"
    assert resolve_country("Guinea") == "GN" and resolve_country("Guinea-Bissau") == "GW"
    assert resolve_country("Dominica") == "DM" and resolve_country("Dominican Republic") == "DO"
    assert resolve_country("Atlantis") is None and resolve_country("") is None
    assert suggest_country("Bangladeh") == "Bangladesh"
