"""Recognising the same person across organisations without comparing identities in clear.

Each record keeps a keyed hash (HMAC-SHA256 with a server secret) of its normalised identity
— last name, first name, birth date, with case, accents, hyphens and spaces folded — so two
organisations' records of "Lefèvre, Jean-Marc, 1990-04-02" and "LEFEVRE, jean marc" meet
exactly. Typing slips ("Lefevbre") are caught by a fuzzy comparison of names among records
with the same birth date.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from datetime import date
from difflib import SequenceMatcher

from flask import current_app

FUZZY_THRESHOLD = 0.85


def normalise(text: str | None) -> str:
    """Lower case, no accents, letters and single spaces only."""
    folded = unicodedata.normalize("NFKD", text or "")
    letters = "".join(ch for ch in folded if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z]+", " ", letters).strip()


def _secret() -> bytes:
    configured = current_app.config.get("RELAIS_IDENTITY_SECRET")
    base = configured or current_app.config["SECRET_KEY"]
    # A key of its own, derived, so the session-signing key is never used directly here.
    return hmac.new(str(base).encode(), b"relais identity key v1", hashlib.sha256).digest()


def identity_key(last_name: str, first_name: str, birth_date: date | None) -> str:
    material = "|".join((normalise(last_name), normalise(first_name),
                         birth_date.isoformat() if birth_date else ""))
    return hmac.new(_secret(), material.encode(), hashlib.sha256).hexdigest()


def similar_names(a: tuple[str, str], b: tuple[str, str]) -> bool:
    """Whether two (last, first) names are probably the same person's, allowing a slip or
    swapped order."""
    first = " ".join(normalise(p) for p in a)
    second = " ".join(normalise(p) for p in b)
    swapped = " ".join(normalise(p) for p in reversed(b))
    ratio = max(SequenceMatcher(None, first, second).ratio(),
                SequenceMatcher(None, first, swapped).ratio())
    return ratio >= FUZZY_THRESHOLD
