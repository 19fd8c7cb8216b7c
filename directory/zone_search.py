"""Coverage areas by name, for the autocomplete of the service form: régions, départements,
EPCI and communes whose name (or code) starts with what was typed, each as the (kind, code)
a service zone stores. A delegated commune is offered as its commune nouvelle, which is what
the coverage rule knows."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from directory.models import ZONE_COMMUNE, ZONE_COUNTRY, ZONE_DEPARTEMENT, ZONE_EPCI, ZONE_REGION
from extensions import db
from geo import places
from geo.models import ARRONDISSEMENT, Departement, Epci, Region
from geo.names import normalise

MIN_LENGTH = 2
MAX_RESULTS = 20


@dataclass(frozen=True)
class ZoneMatch:
    kind: str
    code: str | None
    label: str  # what the list shows: "Rhône (département 69)"
    name: str  # the area's own name: "Rhône"


def _matches(name: str, words: str) -> int | None:
    """0 when the name starts with the words, 1 when one of its words does, else None."""
    normalised = normalise(name)
    if normalised.startswith(words):
        return 0
    if f" {words}" in f" {normalised}":
        return 1
    return None


def search_zones(text: str, limit: int = 10) -> list[ZoneMatch]:
    """Areas for what was typed: those whose name starts with it first, then those with a word
    starting with it; within each, the larger areas first (région, département, EPCI,
    commune). Fewer than two characters give nothing; a département code ("69", "2A") finds
    its département first."""
    text = " ".join((text or "").split())
    limit = max(1, min(limit, MAX_RESULTS))
    words = normalise(text)
    if len(words) < MIN_LENGTH and text.upper() not in ("2A", "2B"):
        return []
    found: list[tuple[int, int, str, ZoneMatch]] = []

    def add(rank: int | None, order: int, name: str, match: ZoneMatch) -> None:
        if rank is not None:
            found.append((rank, order, normalise(name), match))

    if words in ("france", "country", "pays", "toute la france"):
        add(0, 0, "", ZoneMatch(ZONE_COUNTRY, None, _("All of France"), _("All of France")))
    for region in db.session.scalars(sa.select(Region)):
        label = _("%(name)s (région)", name=region.name)
        add(
            _matches(region.name, words),
            1,
            region.name,
            ZoneMatch(ZONE_REGION, region.code, label, region.name),
        )
    for departement in db.session.scalars(sa.select(Departement)):
        label = _("%(name)s (département %(code)s)", name=departement.name, code=departement.code)
        rank = -1 if departement.code == text.upper() else _matches(departement.name, words)
        add(
            rank,
            2,
            departement.name,
            ZoneMatch(ZONE_DEPARTEMENT, departement.code, label, departement.name),
        )
    if not words.isdigit():
        for code, name in db.session.execute(sa.select(Epci.code, Epci.name)):
            label = _("%(name)s (intercommunality)", name=name)
            add(_matches(name, words), 3, name, ZoneMatch(ZONE_EPCI, code, label, name))
    seen: set[str] = set()
    for match in places.search_communes(text, limit=places.MAX_MATCHES):
        # A delegated commune is covered as its commune nouvelle; an arrondissement is itself.
        delegated = match.kind != ARRONDISSEMENT and match.parent_code
        code = match.parent_code if delegated else match.code
        if code in seen:
            continue
        seen.add(code)
        rank = _matches(match.name, words)
        add(
            1 if rank is None else rank,
            4,
            match.name,
            ZoneMatch(
                ZONE_COMMUNE, code, match.label, (delegated and match.parent_name) or match.name
            ),
        )
    found.sort(key=lambda item: item[:2])
    return [match for _rank, _order, _name, match in found[:limit]]
