"""Place names in the one form autocomplete compares: what a person types must meet what INSEE
wrote, whatever the accents, case, hyphens or the "St"/"Ste" abbreviations."""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD does not split into a base letter and a mark.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
_NOT_ALPHANUMERIC = re.compile(r"[^0-9a-z]+")
_ABBREVIATIONS = {"st": "saint", "ste": "sainte"}


def normalise(name: str) -> str:
    """Lower-case, accent-free, every run of punctuation (hyphens, apostrophes ' and ’, dots…)
    and spaces made one space, trimmed; "st"/"ste" expanded to "saint"/"sainte".

    The abbreviations are expanded only when another word follows them: a last word is what
    someone is still typing in an autocomplete box, and "st" there may be the start of
    "Strasbourg" rather than "Saint-…".

    >>> normalise("L'Île-Saint-Denis")
    'l ile saint denis'
    >>> normalise("St-Genis  Laval")
    'saint genis laval'
    """
    text = unicodedata.normalize("NFKD", name.lower().translate(_LIGATURES))
    text = "".join(char for char in text if not unicodedata.combining(char))
    words = _NOT_ALPHANUMERIC.sub(" ", text).split()
    return " ".join(
        _ABBREVIATIONS.get(word, word) if index < len(words) - 1 else word
        for index, word in enumerate(words)
    )
