"""What the search index holds of each service: its document, read from the database with a
few bulk queries (no ORM objects: a full rebuild reads every public service), and the facts
stored in it for the coverage step.

Coverage terms: a service's document lists its zones as terms ("commune:69123", "epci:…",
"departement:69", "region:84", "country"), "polygon" when it has a custom polygon, and
"nozone" when it has neither; a place asks for its own terms plus "country", "nozone" and
"polygon", so the index hands over every service that may cover it, and the exact rule
(geo.coverage) decides.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Session

from directory.models import (
    MODE_A_DISTANCE,
    MODE_EN_PRESENTIEL,
    MODERATION_APPROVED,
    PUBLISHED,
    SUSPENDED,
    T_MODE_ACCUEIL,
    T_PUBLIC,
    T_THEMATIQUE,
    Location,
    Organisation,
    Service,
    ServiceAtLocation,
    ServiceTerm,
    ServiceZone,
    TaxonomyTerm,
)
from directory.taxonomy import category_of
from geo.coverage import Coverage, Zone

NO_ZONE, HAS_POLYGON = "nozone", "polygon"


@dataclass(frozen=True)
class StoredFacts:
    """What a search needs of a service besides its relevance, kept in its index document so
    that answering needs no SQL: its name and status, and its coverage (geo.coverage) except
    a custom polygon, which only `has_polygon` tells (geo.spatial checks those few)."""

    name: str
    status: str
    suspended_until: date | None
    radius_km: float | None
    in_person: bool
    remote: bool
    zones: tuple[tuple[str, str | None], ...]
    points: tuple[tuple[float, float], ...]
    has_polygon: bool

    def stored(self) -> tuple:
        return (self.name, self.status,
                self.suspended_until.toordinal() if self.suspended_until else None,
                self.radius_km, self.in_person, self.remote, self.zones, self.points,
                self.has_polygon)

    @classmethod
    def from_stored(cls, value: tuple) -> StoredFacts:
        name, status, until, radius, in_person, remote, zones, points, polygon = value
        return cls(name, status, date.fromordinal(until) if until else None, radius,
                   in_person, remote, tuple(map(tuple, zones)), tuple(map(tuple, points)),
                   polygon)

    def is_active(self, today: date) -> bool:
        """Twin of catalogue.active_clause (the index holds approved organisations only)."""
        return self.status == PUBLISHED or (
            self.status == SUSPENDED and self.suspended_until is not None
            and self.suspended_until < today)

    @functools.cached_property
    def coverage(self) -> Coverage:
        """The coverage rule's input, without the polygon (see has_polygon); built once
        per process for each indexed document (the facts are cached per segment)."""
        return Coverage(zones=tuple(Zone(kind, code) for kind, code in self.zones),
                        radius_km=self.radius_km, in_person=self.in_person,
                        remote=self.remote, points=self.points)


def coverage_terms_of_place(place) -> list[str]:
    """The zone terms any service covering `place` has at least one of."""
    terms = [f"commune:{code}" for code in place.commune_codes]
    if place.epci_code:
        terms.append(f"epci:{place.epci_code}")
    terms += [f"departement:{place.departement_code}", f"region:{place.region_code}",
              "country", NO_ZONE, HAS_POLYGON]
    return terms


def coverage_terms(zones: Iterable[tuple[str, str | None]], has_polygon: bool) -> list[str]:
    terms = [kind if code is None else f"{kind}:{code}" for kind, code in zones]
    if has_polygon:
        terms.append(HAS_POLYGON)
    if not terms:
        terms.append(NO_ZONE)
    return terms


def indexable_clause():
    """Services the index holds: public ones (published, or suspended: a suspension ends by
    the calendar, not by a change) of approved organisations."""
    approved = sa.select(Organisation.id).where(
        Organisation.moderation_status == MODERATION_APPROVED
    )
    return sa.and_(Service.status.in_((PUBLISHED, SUSPENDED)),
                   Service.organisation_id.in_(approved))


@dataclass
class NeedWords:
    """Labels of every thématique and category in both languages, read once per batch."""

    labels: dict[str, str]

    @classmethod
    def load(cls, session: Session) -> NeedWords:
        rows = session.execute(
            sa.select(TaxonomyTerm.code, TaxonomyTerm.label_fr, TaxonomyTerm.label_en)
            .where(TaxonomyTerm.taxonomy == T_THEMATIQUE)
        )
        return cls({code: f"{fr} {en}" for code, fr, en in rows})

    def of(self, codes: Iterable[str]) -> str:
        return " ".join(self.labels.get(code, "") for code in codes)


_INDEXED_TERMS = (T_THEMATIQUE, T_PUBLIC, T_MODE_ACCUEIL)


def documents(session: Session, ids: list[uuid.UUID], words: NeedWords) -> Iterator[dict]:
    """The index documents of these services (ids in one batch: a few queries in all)."""
    s, o = Service.__table__.c, Organisation.__table__.c
    rows = session.execute(
        sa.select(s.id, s.name, s.summary, s.description, s.conditions, s.publics_details,
                  s.status, s.suspended_until, s.fees, s.type, s.coverage_radius_km,
                  s.coverage_polygon.is_not(None).label("polygon"),
                  o.name.label("organisation"))
        .join(Organisation.__table__, o.id == s.organisation_id)
        .where(s.id.in_(ids))
    ).all()
    terms: dict[tuple[uuid.UUID, str], list[str]] = defaultdict(list)
    for service_id, taxonomy, code in session.execute(
        sa.select(ServiceTerm.service_id, ServiceTerm.taxonomy, ServiceTerm.code)
        .where(ServiceTerm.service_id.in_(ids), ServiceTerm.taxonomy.in_(_INDEXED_TERMS))
        .order_by(ServiceTerm.code)
    ):
        terms[(service_id, taxonomy)].append(code)
    zones: dict[uuid.UUID, list[tuple[str, str | None]]] = defaultdict(list)
    for service_id, kind, code in session.execute(
        sa.select(ServiceZone.service_id, ServiceZone.kind, ServiceZone.code)
        .where(ServiceZone.service_id.in_(ids))
        .order_by(ServiceZone.kind, ServiceZone.code)
    ):
        zones[service_id].append((kind, code))
    points: dict[uuid.UUID, list[tuple[float, float]]] = defaultdict(list)
    for service_id, latitude, longitude in session.execute(
        sa.select(ServiceAtLocation.service_id, Location.latitude, Location.longitude)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(ServiceAtLocation.service_id.in_(ids), Location.latitude.is_not(None),
               Location.longitude.is_not(None))
        .order_by(Location.latitude, Location.longitude)
    ):
        points[service_id].append((latitude, longitude))
    for row in rows:
        yield _document(row, terms, tuple(zones[row.id]), tuple(points[row.id]), words)


def _document(row, terms, zones, points, words: NeedWords) -> dict:
    thematiques = terms[(row.id, T_THEMATIQUE)]
    modes = terms[(row.id, T_MODE_ACCUEIL)]
    needs = sorted(set(thematiques) | {category_of(code) for code in thematiques})
    until = row.suspended_until
    document = {
        "id": str(row.id),
        "name": row.name,
        "needs_text": words.of(needs),
        "text": " ".join(filter(None, (row.summary, row.description, row.conditions,
                                       row.publics_details))),
        "organisation": row.organisation,
        "thematiques": ",".join(needs),
        "publics": ",".join(terms[(row.id, T_PUBLIC)]),
        "modes": ",".join(modes),
        "zones": ",".join(coverage_terms(zones, bool(row.polygon))),
        "facts": StoredFacts(
            name=row.name, status=row.status, suspended_until=until,
            radius_km=row.coverage_radius_km, in_person=MODE_EN_PRESENTIEL in modes,
            remote=MODE_A_DISTANCE in modes, zones=zones, points=points,
            has_polygon=bool(row.polygon),
        ).stored(),
    }
    if row.fees:
        document["fees"] = row.fees
    if row.type:
        document["type"] = row.type
    return document
