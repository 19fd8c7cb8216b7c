"""What people type in the public pages' GET forms, read into plain values.

The location box takes a postcode or a commune name (the autocomplete may add the commune code
it offered); the need filter takes a thématique or a whole category. These functions turn the
query string into places and needs, and say in words what is wrong when they cannot.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from flask_babel import gettext as _

from directory import taxonomy
from directory.models import Service
from errors import Invalid, NotFound
from geo import places
from geo.place import Place

POSTCODE = re.compile(r"\d{5}")
DIGITS = re.compile(r"\d+")
# Longer than any French commune name with its département; longer text is not a place.
MAX_PLACE_TEXT = 100
MAX_CHOICES = 20

# Query-string names of the location box and of the commune code the autocomplete adds.
PLACE_TEXT = "q"
PLACE_CODE = "commune"


@dataclass(frozen=True)
class PlaceChoice:
    """One place a person may have meant: `code` is the area page's key (a commune, or a
    Paris/Lyon/Marseille arrondissement, or a delegated commune)."""

    code: str
    label: str


@dataclass(frozen=True)
class PlaceAnswer:
    """What the location box said: nothing asked, one place, several to choose from, or an
    error message to show next to the field (with the text kept, so it can be corrected)."""

    asked: bool = False
    text: str = ""
    code: str | None = None
    choices: tuple[PlaceChoice, ...] = ()
    error: str | None = None


def _place_code(place: Place) -> str:
    return place.arrondissement_code or place.commune_code


def place_choices(text: str) -> list[PlaceChoice]:
    """The places someone may mean by what they typed: the communes of a 5-digit postcode, or
    the communes whose name matches. Raises Invalid (field `q`) with a message saying what to
    type when the text cannot be looked up or matches nothing, so pages can show it next to
    the field instead of an error page."""
    text = " ".join(text.split())
    if not text:
        raise _invalid(_("Enter a postcode or a commune name."))
    if len(text) > MAX_PLACE_TEXT:
        raise _invalid(_("Enter a postcode (5 digits) or the name of a commune."))
    if POSTCODE.fullmatch(text):
        try:
            found = places.places_for_postcode(text)
        except NotFound:
            found = []
        if not found:
            raise _invalid(
                _(
                    "No commune has the postcode %(postcode)s. Check it, or enter the commune's "
                    "name.",
                    postcode=text,
                )
            )
        choices = [PlaceChoice(_place_code(p), f"{p.label} ({text})") for p in found]
    elif DIGITS.fullmatch(text):
        raise _invalid(_("A postcode has 5 digits, for example 69003."))
    else:
        matches = places.search_communes(text, limit=MAX_CHOICES)
        if not matches:
            raise _invalid(
                _(
                    "No commune matches “%(text)s”. Check the spelling, or enter a postcode.",
                    text=text,
                )
            )
        choices = [PlaceChoice(m.code, m.label) for m in matches]
    return list({choice.code: choice for choice in choices}.values())


def read_place(args: Mapping[str, str]) -> PlaceAnswer:
    """Read the location box of a GET form. The commune code the autocomplete adds wins when it
    names a known place; otherwise the typed text is looked up with place_choices."""
    code = (args.get(PLACE_CODE) or "").strip()
    text = args.get(PLACE_TEXT)
    if code:
        try:
            places.place_for_commune(code)
        except (NotFound, Invalid):
            pass  # a stale or edited code: fall back to the text, which the person can see
        else:
            return PlaceAnswer(asked=True, text=text or "", code=code)
    if text is None:
        return PlaceAnswer()
    try:
        choices = place_choices(text)
    except Invalid as error:
        return PlaceAnswer(asked=True, text=text, error=error.message)
    if len(choices) == 1:
        return PlaceAnswer(asked=True, text=text, code=choices[0].code)
    return PlaceAnswer(asked=True, text=text, choices=tuple(choices))


def _invalid(message: str) -> Invalid:
    return Invalid(message, {PLACE_TEXT: [message]})


@dataclass(frozen=True)
class NeedFilter:
    """A need chosen in a filter: one thématique, or a category standing for all its needs."""

    code: str
    label: str
    thematiques: frozenset[str]

    def matches(self, service: Service) -> bool:
        return not self.thematiques.isdisjoint(service.thematiques)


def need_filter(code: str | None, locale: str) -> NeedFilter | None:
    """The need a `need=` parameter names (a thématique or a category code), or None when it
    names nothing known: an old or mistyped link then shows every need rather than nothing."""
    if not code:
        return None
    for category in taxonomy.categories():
        if category.code == code:
            codes = {need.code for need in category.needs} | {category.code}
            return NeedFilter(code, category.label(locale), frozenset(codes))
        for need in category.needs:
            if need.code == code:
                return NeedFilter(code, need.label(locale), frozenset({code}))
    return None
