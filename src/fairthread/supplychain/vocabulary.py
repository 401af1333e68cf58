"""Controlled vocabularies for facilities and sourcing links.

Facility and processing types follow Open Supply Hub's vocabulary for apparel; materials are the
ones fairthread maps to forced-labour risk. Values are stored in their canonical (first) form.
"""

from __future__ import annotations

# canonical value -> typical tier, aliases (lower-case) accepted on import
FACILITY_TYPES: dict[str, tuple[int | None, tuple[str, ...]]] = {
    "final product assembly": (1, ("cmt", "cut make trim", "cut-make-trim", "garment factory", "assembly",
                                   "final product assembly/cmt", "sewing", "garment manufacturing", "factory")),
    "finishing": (1, ("finishing", "packing", "garment finishing")),
    "printing": (2, ("printing", "printer", "screen printing")),
    "embroidery": (2, ("embroidery",)),
    "washing": (2, ("washing", "laundry", "washing/laundry", "garment wash", "wash")),
    "dyeing": (2, ("dyeing", "dye house", "dyehouse", "dyeing mill")),
    "fabric mill": (2, ("fabric mill", "weaving", "knitting", "textile mill", "mill", "fabric", "weaving mill",
                        "knitting mill")),
    "tannery": (2, ("tannery", "leather tannery")),
    "trims": (2, ("trims", "accessories", "trim supplier")),
    "spinning": (3, ("spinning", "spinning mill", "yarn", "yarn spinning", "yarn mill")),
    "fibre production": (3, ("fibre production", "fiber production", "man-made fibre", "viscose plant",
                             "polymer", "fibre")),
    "ginning": (4, ("ginning", "gin", "cotton gin")),
    "farm": (4, ("farm", "cotton farm", "raw material", "raw materials", "plantation", "ranch")),
    "slaughterhouse": (4, ("slaughterhouse", "abattoir")),
    "warehouse": (None, ("warehouse", "distribution centre", "distribution center")),
    "office": (None, ("office", "head office", "trading office", "agent")),
}

MATERIALS: dict[str, tuple[str, ...]] = {
    "cotton": ("cotton", "organic cotton", "recycled cotton", "cotton yarn", "cotton fabric", "cotton lint"),
    "polyester": ("polyester", "recycled polyester", "rpet"),
    "viscose": ("viscose", "rayon", "lyocell", "modal", "man-made cellulosic"),
    "wool": ("wool", "merino", "cashmere"),
    "leather": ("leather", "hides", "cattle hides"),
    "silk": ("silk",),
    "nylon": ("nylon", "polyamide"),
    "elastane": ("elastane", "spandex", "lycra"),
    "linen": ("linen", "flax"),
    "down": ("down", "feathers"),
    "rubber": ("rubber",),
    "garments": ("garments", "apparel", "clothing"),
    "footwear": ("footwear", "shoes"),
    "yarn": ("yarn",),
    "fabric": ("fabric", "textiles", "textile"),
}

SECTORS = ("Apparel", "Footwear", "Textiles", "Accessories", "Leather", "Agriculture", "Chemicals")

COORDINATE_PRECISIONS = ("exact", "street", "city", "region", "country")


def _alias_map(vocab: dict[str, tuple]) -> dict[str, str]:
    out: dict[str, str] = {}
    for canonical, entry in vocab.items():
        aliases = entry[1] if isinstance(entry[0], (int, type(None))) else entry
        out[canonical] = canonical
        for alias in aliases:
            out[alias] = canonical
    return out


_FACILITY_TYPE_ALIASES = _alias_map(FACILITY_TYPES)
_MATERIAL_ALIASES = _alias_map(MATERIALS)


def _key(text: str) -> str:
    return " ".join(text.strip().lower().replace("_", " ").split())


def canonical_facility_type(text: str) -> str | None:
    return _FACILITY_TYPE_ALIASES.get(_key(text))


def canonical_material(text: str) -> str | None:
    return _MATERIAL_ALIASES.get(_key(text))


def typical_tier(facility_type: str) -> int | None:
    entry = FACILITY_TYPES.get(facility_type)
    return entry[0] if entry else None
