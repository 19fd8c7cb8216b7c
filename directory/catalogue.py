"""Reading the public catalogue: what pages and APIs show, under the publication rules."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from directory.models import (
    MODERATION_APPROVED,
    PUBLISHED,
    SUSPENDED,
    Organisation,
    Service,
    ServiceAtLocation,
    ServiceZone,
)
from errors import NotFound
from extensions import db
from geo.coverage import Coverage, Verdict, Zone, covers
from geo.models import Commune, Departement, Epci, Region
from geo.place import Place
from geo.spatial import get_backend


@dataclass(frozen=True)
class CoveredService:
    service: Service
    distance_km: float | None


def approved_organisation_clause() -> sa.ColumnElement[bool]:
    """The service's organisation has passed moderation: one created on Relais stays off the
    public pages until a territory manager or platform administrator approves it."""
    return Service.organisation_id.in_(
        sa.select(Organisation.id).where(Organisation.moderation_status == MODERATION_APPROVED)
    )


def active_clause(today: date) -> sa.ColumnElement[bool]:
    """SQL twin of Service.is_active, for services of approved organisations only: published,
    or suspended with the suspension over."""
    return sa.and_(
        sa.or_(
            Service.status == PUBLISHED,
            sa.and_(Service.status == SUSPENDED, Service.suspended_until < today),
        ),
        approved_organisation_clause(),
    )


def default_radius_km() -> float:
    return float(current_app.config["RELAIS_DEFAULT_RADIUS_KM"])


def _parse_id(value: str | uuid.UUID) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotFound(_("This page does not exist, or is no longer published.")) from None


def public_service(service_id: str | uuid.UUID) -> Service:
    """A service that has a public page (published or suspended, of an approved
    organisation), else NotFound."""
    service = db.session.get(Service, _parse_id(service_id))
    if (
        service is None
        or not service.is_public()
        or service.organisation.moderation_status != MODERATION_APPROVED
    ):
        raise NotFound(_("This service does not exist, or is no longer published."))
    return service


def public_organisation(organisation_id: str | uuid.UUID) -> Organisation:
    """An organisation that passed moderation, else NotFound."""
    organisation = db.session.get(Organisation, _parse_id(organisation_id))
    if organisation is None or organisation.moderation_status != MODERATION_APPROVED:
        raise NotFound(_("This organisation does not exist."))
    return organisation


def public_services_of(organisation: Organisation) -> list[Service]:
    return [s for s in organisation.services if s.is_public()]


def services_covering(place: Place, today: date) -> list[CoveredService]:
    """Active services that cover the place: nearest first, remote ones after, then by name."""
    found = get_backend().services_covering(
        place, default_radius_km=default_radius_km(), where=active_clause(today)
    )
    if not found:
        return []
    services = db.session.scalars(
        sa.select(Service)
        .where(Service.id.in_(list(found)))
        .options(
            selectinload(Service.term_links),
            selectinload(Service.organisation),
            selectinload(Service.location_links).selectinload(ServiceAtLocation.location),
        )
    ).all()
    hits = [CoveredService(s, found[s.id]) for s in services]
    hits.sort(key=lambda h: (h.distance_km is None, h.distance_km or 0.0, h.service.name.lower()))
    return hits


def coverage_of(service: Service) -> Coverage:
    return Coverage(
        zones=tuple(Zone(z.kind, z.code) for z in service.zones),
        polygon=service.coverage_polygon,
        radius_km=service.coverage_radius_km,
        in_person=service.in_person,
        remote=service.remote,
        points=tuple(
            (loc.latitude, loc.longitude) for loc in service.locations if loc.has_coordinates
        ),
    )


def distance_limit_km(service: Service) -> float | None:
    """How far from its locations an in-person-only service reaches; None when no limit
    applies (remote or hybrid services, or no geolocated location to measure from)."""
    coverage = coverage_of(service)
    if not (coverage.in_person_only and coverage.points):
        return None
    return coverage.radius_km if coverage.radius_km is not None else default_radius_km()


def service_covers(service: Service, place: Place) -> Verdict:
    """The coverage verdict for one service, with its reason (for "is this for me?")."""
    return covers(coverage_of(service), place, default_radius_km())


@dataclass(frozen=True)
class ZoneLabel:
    kind: str
    code: str | None
    name: str


def zone_labels(zones: list[ServiceZone] | list[Zone]) -> list[ZoneLabel]:
    """Names of a service's zones from the gazetteer, in one query per kind."""
    models = {"commune": Commune, "epci": Epci, "departement": Departement, "region": Region}
    names: dict[tuple[str, str], str] = {}
    for kind, model in models.items():
        codes = [z.code for z in zones if z.kind == kind and z.code]
        if codes:
            for code, name in db.session.execute(
                sa.select(model.code, model.name).where(model.code.in_(codes))
            ):
                names[(kind, code)] = name
    labels = []
    for z in zones:
        if z.kind == "country":
            labels.append(ZoneLabel(z.kind, None, _("All of France")))
        else:
            labels.append(ZoneLabel(z.kind, z.code, names.get((z.kind, z.code), z.code or "")))
    return labels
