"""How fairthread recognises the same facility again without ids: exact normalised name + address + country."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_PUNCT = re.compile(r"[^\w\s]", re.UNICODE)


def normalise_text(text: str | None) -> str:
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = _PUNCT.sub(" ", text)
    return " ".join(text.split())


def identity_key(name: str, address: str, country: str) -> str:
    raw = "\x1f".join([normalise_text(name), normalise_text(address), (country or "").upper()])
    return hashlib.sha256(raw.encode()).hexdigest()


def agent_identity_key(name: str, country: str) -> str:
    """A recruitment agent is the same agent by name and country: lists rarely give an agent's address, and an
    agent's address written differently must not make a second agent."""
    return identity_key(name, "", country)
