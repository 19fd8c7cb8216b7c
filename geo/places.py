"""Where is this person? A postcode, a commune code or coordinates resolved to a Place (the
commune, EPCI, département and région that contain it), and commune autocomplete.

Paris, Lyon and Marseille arrondissements resolve to their city with the arrondissement kept
(Lyon 3e → Lyon + 69383), so a service covering Lyon covers each of its arrondissements; a
delegated or associated commune resolves to the commune nouvelle it now belongs to.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

import sqlalchemy as sa
from flask_babel import gettext as _

from errors import Invalid, NotFound
from extensions import db
from geo.models import (
    ARRONDISSEMENT,
    COMMUNE,
    DELEGATED,
    Commune,
    CommuneName,
    CommunePostcode,
    Departement,
    Epci,
)
from geo.names import normalise
from geo.place import Place
from geo.spatial import get_backend

COMMUNE_CODE = re.compile(r"[0-9][0-9AB][0-9]{3}")
POSTCODE = re.compile(r"[0-9]{5}")
POSTCODE_PREFIX = re.compile(r"[0-9]{2,5}")
MAX_MATCHES = 50


class UnknownPlace(NotFound):
    """Well-formed, but no commune we know is there."""


@dataclass(frozen=True)
class CommuneMatch:
    """One autocomplete suggestion. `code` is the commune's own code (an arrondissement's or
    delegated commune's); `place_for_commune(code)` turns the choice into a Place."""

    code: str
    name: str
    label: str  # "Villeurbanne (69)", "Cordieux (Montluel, 01)"
    departement_code: str
    kind: str = COMMUNE
    postcodes: list[str] = field(default_factory=list)
    parent_code: str | None = None  # set for delegated and associated communes
    parent_name: str | None = None


@dataclass(frozen=True)
class AreaNames:
    """Names of the areas a Place lies in, for display."""

    departement_name: str
    region_name: str
    epci_name: str | None = None


def place_for_commune(code: str) -> Place:
    """The Place of a commune, arrondissement or delegated/associated commune, at its centre."""
    code = (code or "").strip().upper()
    if not COMMUNE_CODE.fullmatch(code):
        message = _("A commune code has 5 characters, like 69123 or 2A004.")
        raise Invalid(message, {"commune": [message]})
    row = db.session.get(Commune, code)
    if row is None:
        raise UnknownPlace(_("No commune has the code %(code)s.", code=code))
    return _place(row, _parents([row]).get(row.parent_code))


def places_for_postcode(postcode: str) -> list[Place]:
    """Every commune (or arrondissement) the postcode serves, most populous first: 01400 serves
    about ten villages, and the person picks theirs."""
    postcode = (postcode or "").strip()
    if not POSTCODE.fullmatch(postcode):
        message = _("A postcode has 5 digits.")
        raise Invalid(message, {"postcode": [message]})
    rows = db.session.scalars(
        sa.select(Commune)
        .join(CommunePostcode, CommunePostcode.commune_code == Commune.code)
        .where(CommunePostcode.postcode == postcode)
        .order_by(Commune.population.desc(), Commune.name, Commune.code)
    ).all()
    if not rows:
        raise UnknownPlace(_("No commune has the postcode %(postcode)s.", postcode=postcode))
    parents = _parents(rows)
    places, seen = [], set()
    for row in rows:
        place = _place(row, parents.get(row.parent_code))
        # A commune reached through two of its parts is one candidate, not two.
        if (place.commune_code, place.arrondissement_code) not in seen:
            seen.add((place.commune_code, place.arrondissement_code))
            places.append(place)
    return places


def place_at(latitude: float, longitude: float) -> Place:
    """The Place containing a point (e.g. from the browser's geolocation), keeping the point."""
    errors = {}
    if not _is_number(latitude) or not -90 <= latitude <= 90:
        errors["lat"] = [_("The latitude must be a number between -90 and 90.")]
    if not _is_number(longitude) or not -180 <= longitude <= 180:
        errors["lon"] = [_("The longitude must be a number between -180 and 180.")]
    if errors:
        raise Invalid(_("These coordinates are not valid."), errors)
    code = get_backend().commune_at(latitude, longitude)
    if code is None:
        raise UnknownPlace(_("This point is not in a French commune we know."))
    return replace(place_for_commune(code), latitude=latitude, longitude=longitude, precise=True)


def search_communes(text: str, limit: int = 10) -> list[CommuneMatch]:
    """Autocomplete: communes whose name starts with `text`, then those with a word starting
    with it, most populous first; or, for 2 to 5 digits, those whose postcode starts with them.

    Accents, case, hyphens and "St"/"Ste" do not matter. Fewer than 2 characters give nothing
    (too many answers to be useful).
    """
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_MATCHES:
        message = _("The limit must be a whole number from 1 to %(max)d.", max=MAX_MATCHES)
        raise Invalid(message, {"limit": [message]})
    text = (text or "").strip()
    query = sa.select(Commune).limit(limit)
    if POSTCODE_PREFIX.fullmatch(text):
        served = sa.select(CommunePostcode.commune_code).where(
            CommunePostcode.postcode.like(f"{text}%")
        )
        query = query.where(Commune.code.in_(served)).order_by(
            Commune.population.desc(), Commune.name, Commune.code
        )
    else:
        words = normalise(text)
        if len(words) < 2 or words.isdigit():
            return []
        pattern = _escape_like(words) + "%"
        starts = Commune.search_name.like(pattern, escape="\\")
        query = query.where(
            sa.or_(starts, Commune.search_name.like("% " + pattern, escape="\\"))
        ).order_by(
            sa.case((starts, 0), else_=1), Commune.population.desc(), Commune.name, Commune.code
        )
    rows = db.session.scalars(query).all()
    parents = _parents(rows)
    district_postcodes = _district_postcodes(
        [row.code for row in rows if row.kind == COMMUNE and not row.postal_codes]
    )
    matches = [_match(row, parents.get(row.parent_code), district_postcodes) for row in rows]
    if not POSTCODE_PREFIX.fullmatch(text):
        population = {row.code: row.population for row in rows}
        matches = _with_other_names(matches, population, normalise(text), limit)
    return matches


def _with_other_names(
    matches: list[CommuneMatch], population: dict[str, int], words: str, limit: int
) -> list[CommuneMatch]:
    """Add delegated communes known only as another name of their commune nouvelle (same
    code), ranked with the rest: name-prefix matches first, then by population."""
    pattern = _escape_like(words) + "%"
    starts = CommuneName.search_name.like(pattern, escape="\\")
    rows = db.session.execute(
        sa.select(CommuneName, Commune, sa.case((starts, 0), else_=1).label("rank"))
        .join(Commune, Commune.code == CommuneName.commune_code)
        .where(sa.or_(starts, CommuneName.search_name.like("% " + pattern, escape="\\")))
        .order_by("rank", CommuneName.population.desc(), CommuneName.name)
        .limit(limit)
    ).all()
    if not rows:
        return matches
    ranked = [
        ((0 if normalise(m.name).startswith(words) else 1), -population[m.code], m.name, m)
        for m in matches
    ]
    for other, commune, rank in rows:
        label = _("%(name)s (%(parent)s, %(departement)s)", name=other.name,
                  parent=commune.name, departement=commune.departement_code)
        match = CommuneMatch(
            code=commune.code, name=other.name, label=label,
            departement_code=commune.departement_code, kind=DELEGATED,
            postcodes=commune.postal_codes.split(), parent_code=commune.code,
            parent_name=commune.name,
        )
        ranked.append((rank, -other.population, other.name, match))
    ranked.sort(key=lambda item: item[:3])
    return [item[3] for item in ranked[:limit]]


def resolve(
    *,
    postcode: str | None = None,
    commune: str | None = None,
    lat: float | str | None = None,
    lon: float | str | None = None,
) -> list[Place]:
    """The one entry point for forms and the API: exactly one of a postcode, a commune code or
    coordinates (both lat and lon, numbers or strings like "45,76") gives candidate Places —
    several for a postcode, one otherwise."""
    given = {
        "postcode": _given(postcode),
        "commune": _given(commune),
        "coordinates": _given(lat) or _given(lon),
    }
    ways = [way for way, present in given.items() if present]
    if not ways:
        raise Invalid(_("Give a postcode, a commune or coordinates."))
    if len(ways) > 1:
        raise Invalid(_("Give only one of a postcode, a commune or coordinates."))
    if ways == ["postcode"]:
        return places_for_postcode(str(postcode))
    if ways == ["commune"]:
        return [place_for_commune(str(commune))]
    latitude, longitude = _coordinate(lat, "lat"), _coordinate(lon, "lon")
    return [place_at(latitude, longitude)]


def area_names(place: Place) -> AreaNames:
    """The names of the EPCI, département and région of a place."""
    departement = db.session.get(Departement, place.departement_code)
    epci = db.session.get(Epci, place.epci_code) if place.epci_code else None
    return AreaNames(
        departement_name=departement.name if departement else "",
        region_name=departement.region.name if departement else "",
        epci_name=epci.name if epci else None,
    )


def _place(row: Commune, parent: Commune | None) -> Place:
    # A part's own centre is nearer the person than its city's, so distances use it.
    centre = row if row.centre_lat is not None or parent is None else parent
    main = parent if row.is_part and parent is not None else row
    district = row.kind == ARRONDISSEMENT and main is not row
    return Place(
        commune_code=main.code,
        commune_name=main.name,
        departement_code=row.departement_code,
        region_code=row.departement.region_code,
        epci_code=row.epci_code,
        arrondissement_code=row.code if district else None,
        arrondissement_name=row.name if district else None,
        latitude=centre.centre_lat,
        longitude=centre.centre_lon,
        precise=False,
    )


def _parents(rows: list[Commune]) -> dict[str, Commune]:
    codes = {row.parent_code for row in rows if row.is_part}
    if not codes:
        return {}
    return {
        parent.code: parent
        for parent in db.session.scalars(sa.select(Commune).where(Commune.code.in_(codes)))
    }


def _district_postcodes(city_codes: list[str]) -> dict[str, list[str]]:
    """Paris, Lyon and Marseille have no postcode of their own: their arrondissements do."""
    if not city_codes:
        return {}
    found: dict[str, set[str]] = {}
    for parent_code, postcodes in db.session.execute(
        sa.select(Commune.parent_code, Commune.postal_codes).where(
            Commune.parent_code.in_(city_codes), Commune.kind == ARRONDISSEMENT
        )
    ):
        found.setdefault(parent_code, set()).update(postcodes.split())
    return {code: sorted(postcodes) for code, postcodes in found.items()}


def _match(row: Commune, parent: Commune | None, district_postcodes) -> CommuneMatch:
    delegated = row.is_part and row.kind != ARRONDISSEMENT and parent is not None
    if delegated:
        label = _(
            "%(name)s (%(parent)s, %(departement)s)",
            name=row.name,
            parent=parent.name,
            departement=row.departement_code,
        )
        postcodes = parent.postal_codes.split()  # a delegated commune has none of its own
    else:
        label = _("%(name)s (%(departement)s)", name=row.name, departement=row.departement_code)
        postcodes = row.postal_codes.split() or district_postcodes.get(row.code, [])
    return CommuneMatch(
        code=row.code,
        name=row.name,
        label=label,
        departement_code=row.departement_code,
        kind=row.kind,
        postcodes=postcodes,
        parent_code=parent.code if delegated else None,
        parent_name=parent.name if delegated else None,
    )


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _given(value) -> bool:
    return value is not None and str(value).strip() != ""


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _coordinate(value, name: str) -> float:
    """A float from a number or a string; French decimal commas are accepted."""
    if not _given(value):
        message = _("Give the latitude too.") if name == "lat" else _("Give the longitude too.")
        raise Invalid(message, {name: [message]})
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        message = (
            _("The latitude must be a number, like 45.76.")
            if name == "lat"
            else _("The longitude must be a number, like 4.85.")
        )
        raise Invalid(message, {name: [message]})
    return number
