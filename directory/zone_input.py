"""The area a service covers, as members type it: zones of the gazetteer (communes, EPCI,
départements, régions) or the whole country, read from the form's text box (one per line) or
from lists, checked against the gazetteer and stored as the coverage rule expects them."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext as _

from directory.models import (
    ZONE_COMMUNE,
    ZONE_COUNTRY,
    ZONE_DEPARTEMENT,
    ZONE_EPCI,
    ZONE_KINDS,
    ZONE_REGION,
)
from extensions import db
from geo.models import ARRONDISSEMENT, Commune, Departement, Epci, Region
from geo.names import normalise

MAX_ZONES = 200
_COMMUNE_CODE = re.compile(r"[0-9][0-9AB][0-9]{3}")
_EPCI_CODE = re.compile(r"[0-9]{9}")
_DEPARTEMENT_CODE = re.compile(r"[0-9]{2}|2[AB]|97[0-9]")
_REGION_CODE = re.compile(r"[0-9]{2}")
# What people may write before a code in the zones box (accents and case do not matter).
_KIND_WORDS = {
    "commune": ZONE_COMMUNE,
    "ville": ZONE_COMMUNE,
    "city": ZONE_COMMUNE,
    "epci": ZONE_EPCI,
    "interco": ZONE_EPCI,
    "intercommunalite": ZONE_EPCI,
    "departement": ZONE_DEPARTEMENT,
    "department": ZONE_DEPARTEMENT,
    "dept": ZONE_DEPARTEMENT,
    "region": ZONE_REGION,
    "country": ZONE_COUNTRY,
    "france": ZONE_COUNTRY,
    "pays": ZONE_COUNTRY,
}


@dataclass(frozen=True)
class ZoneChoice:
    kind: str
    code: str | None


def parse_zone_lines(text: str) -> tuple[list[ZoneChoice], list[str]]:
    """Zones typed one per line: a kind and a code ("departement 69", "epci 200046977",
    "region 84", "commune 69123", "country"), or a bare code when it cannot be mistaken
    (5 characters: a commune; 9 digits: an EPCI; 2 or 3: a département). Whatever follows the
    code is a reminder of the name ("departement 69 (Rhône)") and is ignored. Returns the
    zones and the messages for lines that are not zones; existence is checked later."""
    zones: list[ZoneChoice] = []
    problems: list[str] = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        words = line.replace(":", " ").split()
        if not words:
            continue
        kind = _KIND_WORDS.get(normalise(words[0]))
        if kind == ZONE_COUNTRY:
            zones.append(ZoneChoice(ZONE_COUNTRY, None))
            continue
        if kind is not None:
            if len(words) < 2:
                problems.append(
                    _("Line %(line)s: give the code after “%(kind)s”.", line=number, kind=words[0])
                )
                continue
            zones.append(ZoneChoice(kind, words[1].upper()))
            continue
        code = words[0].upper()
        guessed = (
            ZONE_COMMUNE
            if _COMMUNE_CODE.fullmatch(code)
            else ZONE_EPCI
            if _EPCI_CODE.fullmatch(code)
            else ZONE_DEPARTEMENT
            if _DEPARTEMENT_CODE.fullmatch(code)
            else None
        )
        if guessed is None:
            problems.append(
                _(
                    "Line %(line)s: “%(text)s” is not an area. Write a kind and a code, for "
                    "example “departement 69”.",
                    line=number,
                    text=line.strip()[:60],
                )
            )
            continue
        zones.append(ZoneChoice(guessed, code))
    return zones, problems


def _zone_items(value: Any, problems: list[str]) -> list[ZoneChoice] | None:
    if value is None:
        return []
    if isinstance(value, str):
        zones, wrong = parse_zone_lines(value)
        problems += wrong
        return None if wrong else zones
    if not isinstance(value, list | tuple):
        problems.append(_("This must be a list of areas."))
        return None
    zones: list[ZoneChoice] = []
    for item in value:
        if isinstance(item, ZoneChoice):
            zones.append(item)
        elif isinstance(item, Mapping) and isinstance(item.get("kind"), str):
            zones.append(ZoneChoice(item["kind"], item.get("code")))
        elif isinstance(item, list | tuple) and len(item) == 2 and isinstance(item[0], str):
            zones.append(ZoneChoice(item[0], item[1]))
        elif isinstance(item, str):
            parsed, wrong = parse_zone_lines(item)
            problems += wrong
            zones += parsed
        else:
            problems.append(_("This must be a list of areas."))
            return None
    return zones


def clean_zones(value: Any) -> tuple[list[ZoneChoice] | None, list[str]]:
    """Zones that exist in the gazetteer, each once, or None and the messages saying what is
    wrong. `value` is the text of the zones box, or a list of ZoneChoice, (kind, code) pairs,
    {"kind", "code"} mappings or lines. A delegated or associated commune is
    stored as its commune nouvelle, which is what the coverage rule knows; an arrondissement
    of Paris, Lyon or Marseille stays itself (it covers only its own district)."""
    problems: list[str] = []
    items = _zone_items(value, problems)
    if items is None:
        return None, problems
    kept: list[ZoneChoice] = []
    for zone in items:
        kind = zone.kind
        code = zone.code.strip().upper() if isinstance(zone.code, str) else zone.code
        if kind not in ZONE_KINDS:
            problems.append(_("“%(kind)s” is not a kind of area.", kind=str(kind)[:40]))
            continue
        if kind == ZONE_COUNTRY:
            kept.append(ZoneChoice(kind, None))
            continue
        if not isinstance(code, str) or not code:
            problems.append(_("Give the code of each area."))
            continue
        stored = _existing_zone_code(kind, code)
        if stored is None:
            problems.append(_zone_unknown(kind, code))
            continue
        kept.append(ZoneChoice(kind, stored))
    if problems:
        return None, problems
    kept = list(dict.fromkeys(kept))
    if ZoneChoice(ZONE_COUNTRY, None) in kept and len(kept) > 1:
        problems.append(
            _(
                "The whole country already includes the other areas: remove "
                "them, or untick “the whole country”."
            ),
        )
        return None, problems
    if len(kept) > MAX_ZONES:
        problems.append(_("List at most %(max)s areas.", max=MAX_ZONES))
        return None, problems
    return kept, problems


def _existing_zone_code(kind: str, code: str) -> str | None:
    if kind == ZONE_COMMUNE:
        if not _COMMUNE_CODE.fullmatch(code):
            return None
        row = db.session.get(Commune, code)
        return None if row is None else row.code if row.kind == ARRONDISSEMENT else row.main_code
    model, pattern = {
        ZONE_EPCI: (Epci, _EPCI_CODE),
        ZONE_DEPARTEMENT: (Departement, _DEPARTEMENT_CODE),
        ZONE_REGION: (Region, _REGION_CODE),
    }[kind]
    if not pattern.fullmatch(code):
        return None
    return code if db.session.get(model, code) is not None else None


def _zone_unknown(kind: str, code: str) -> str:
    code = code[:20]
    if kind == ZONE_COMMUNE:
        return _("No commune has the code %(code)s.", code=code)
    if kind == ZONE_EPCI:
        return _("No EPCI has the code %(code)s.", code=code)
    if kind == ZONE_DEPARTEMENT:
        return _("No département has the code %(code)s.", code=code)
    return _("No région has the code %(code)s.", code=code)


def zone_lines(zones: Iterable) -> str:
    """The zones box's text for stored zones (the inverse of parse_zone_lines)."""
    return "\n".join(z.kind if z.code is None else f"{z.kind} {z.code}" for z in zones)
