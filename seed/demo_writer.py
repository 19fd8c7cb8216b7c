"""Writes demo specs to the catalogue, in place.

Every demo row carries source="relais-demo", a stable source_id and the id derived from it, so
a second run finds the rows of the first and updates them (an unchanged row is not rewritten),
adds what is new and deletes the demo rows no longer generated. Rows from anywhere else are
never read for writing, nor deleted: a demo record that still holds one (a service someone
added to a demo organisation, say) is kept.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload, undefer

from directory.hours import WeeklyHours
from directory.models import (
    MODE_EN_PRESENTIEL,
    SUSPENDED,
    Location,
    Organisation,
    Service,
    ServiceAtLocation,
    ServiceZone,
)
from extensions import db
from seed.demo_places import CommuneInfo
from seed.demo_specs import (
    DEMO_SOURCE,
    LocationSpec,
    OrganisationSpec,
    ServiceSpec,
    demo_id,
    jitter,
    review_schedule,
)


@dataclass
class WriteResult:
    organisations: int = 0
    locations: int = 0
    services: int = 0
    deleted: int = 0
    # Stale demo records kept because rows from elsewhere still depend on them.
    kept: list[str] = field(default_factory=list)


@dataclass
class _Existing:
    organisations: dict[uuid.UUID, Organisation]
    locations: dict[uuid.UUID, Location]
    services: dict[uuid.UUID, Service]

    @classmethod
    def load(cls) -> _Existing:
        session = db.session
        return cls(
            organisations={
                row.id: row for row in session.scalars(
                    select(Organisation).where(Organisation.source == DEMO_SOURCE))
            },
            locations={
                row.id: row for row in session.scalars(
                    select(Location).where(Location.source == DEMO_SOURCE))
            },
            services={
                row.id: row for row in session.scalars(
                    select(Service)
                    .where(Service.source == DEMO_SOURCE)
                    .options(
                        undefer(Service.coverage_polygon),
                        selectinload(Service.term_links),
                        selectinload(Service.zones),
                        selectinload(Service.location_links),
                    ))
            },
        )


def write_catalogue(
    organisations: list[OrganisationSpec], communes: dict[str, CommuneInfo], today: date
) -> WriteResult:
    """Upsert `organisations` with their locations and services, delete the demo rows that
    are no longer generated, and flush (the caller commits)."""
    existing = _Existing.load()
    taken_sirets = _sirets_used_elsewhere([spec.siret for spec in organisations if spec.siret])
    demo_location_ids = set(existing.locations)
    result = WriteResult()
    wanted: set[uuid.UUID] = set()
    for spec in organisations:
        organisation = _upsert(Organisation, existing.organisations, spec.source_id)
        locations = {}
        for location_spec in spec.locations:
            source_id = spec.location_source_id(location_spec)
            location = _upsert(Location, existing.locations, source_id)
            location.organisation_id = organisation.id
            _fill_location(location, location_spec, communes[location_spec.commune_code],
                           source_id)
            locations[location_spec.key] = location
            demo_location_ids.add(location.id)
            wanted.add(location.id)
        _fill_organisation(organisation, spec, next(iter(locations.values()), None))
        if organisation.siret in taken_sirets:
            organisation.siret = None  # SIRETs are unique; the other row keeps its own
        wanted.add(organisation.id)
        for service_spec in spec.services:
            source_id = spec.service_source_id(service_spec)
            service = _upsert(Service, existing.services, source_id)
            service.organisation_id = organisation.id
            _fill_service(service, service_spec, spec, source_id, today)
            _set_locations(service, _service_locations(service_spec, locations),
                           demo_location_ids)
            wanted.add(service.id)
        result.organisations += 1
        result.locations += len(locations)
        result.services += len(spec.services)
    db.session.flush()
    _delete_stale(existing, wanted, result)
    db.session.flush()
    return result


def _sirets_used_elsewhere(sirets: list[str]) -> set[str]:
    """The made-up SIRETs that a non-demo organisation happens to hold already."""
    return set(db.session.scalars(
        select(Organisation.siret).where(Organisation.siret.in_(sirets), _not_demo(Organisation))
    ))


def _upsert(model, existing: dict, source_id: str):
    row_id = demo_id(source_id)
    row = existing.get(row_id)
    if row is None:
        row = model(id=row_id, source=DEMO_SOURCE, source_id=source_id)
        db.session.add(row)
    return row


def _hours(osm: str | None, converted: dict | None) -> dict | None:
    if converted is not None:
        return converted
    return WeeklyHours.from_osm(osm).to_json() if osm else None


def _fill_location(location: Location, spec: LocationSpec, commune: CommuneInfo,
                   source_id: str) -> None:
    latitude, longitude = spec.latitude, spec.longitude
    if latitude is None and commune.centre_lat is not None:
        latitude, longitude = jitter(source_id, commune.centre_lat, commune.centre_lon)
    location.name = spec.name
    location.description = spec.description
    location.address = spec.street
    location.postcode = spec.postcode or (commune.postal_codes[0] if commune.postal_codes
                                          else None)
    location.commune_code = spec.commune_code
    location.city = spec.city or commune.postal_city
    location.latitude = latitude
    location.longitude = longitude
    location.accessibility_details = spec.accessibility_details
    location.opening_hours = _hours(spec.hours, spec.hours_json)


def _fill_organisation(organisation: Organisation, spec: OrganisationSpec,
                       seat: Location | None) -> None:
    """The organisation's address is that of its first location (its seat)."""
    organisation.name = spec.name
    organisation.networks = list(spec.networks)
    organisation.description = spec.description
    organisation.siret = spec.siret
    organisation.email = spec.email
    organisation.phone = spec.phone
    organisation.website = spec.website
    organisation.accessibility_details = spec.accessibility_details
    organisation.opening_hours = _hours(spec.hours, spec.hours_json)
    for column in ("address", "postcode", "commune_code", "city", "latitude", "longitude"):
        setattr(organisation, column, getattr(seat, column) if seat is not None else None)


def _fill_service(service: Service, spec: ServiceSpec, organisation: OrganisationSpec,
                  source_id: str, today: date) -> None:
    review = review_schedule(source_id, today, frequency=spec.update_frequency,
                             overdue_share=spec.overdue_share)
    for column in (
        "name", "summary", "description", "type", "fees", "fees_details", "publics_details",
        "conditions", "mobilisation_details", "mobilisation_link", "duration_weeks",
        "hours_per_week", "contact_name", "contact_public", "status", "coverage_radius_km",
        "coverage_polygon",
    ):
        setattr(service, column, getattr(spec, column))
    service.languages = list(spec.languages)
    service.required_documents = list(spec.required_documents)
    service.contact_email = spec.contact_email or organisation.email
    service.contact_phone = spec.contact_phone or organisation.phone
    service.opening_hours = _hours(spec.hours, None)
    if service.eligibility != spec.eligibility:
        service.eligibility = spec.eligibility
        service.eligibility_revision = (service.eligibility_revision or 0) + 1
    service.suspended_until = (
        today + timedelta(days=spec.suspended_for_days)
        if spec.status == SUSPENDED and spec.suspended_for_days is not None
        else None
    )
    service.update_frequency = review.update_frequency
    service.last_verified_on = review.last_verified_on
    service.thematiques = spec.thematiques
    service.publics = spec.publics
    service.modes_accueil = spec.modes_accueil
    service.modes_mobilisation = spec.modes_mobilisation
    service.mobilisable_par = spec.mobilisable_par
    _set_zones(service, spec.zones, source_id)


def _set_zones(service: Service, zones: list[tuple[str, str | None]], source_id: str) -> None:
    """Keep the zones still wanted (same rows, same ids), add the new ones, drop the rest."""
    wanted = list(dict.fromkeys(zones))
    kept = [zone for zone in service.zones if (zone.kind, zone.code) in wanted]
    present = {(zone.kind, zone.code) for zone in kept}
    kept += [
        ServiceZone(id=demo_id(f"{source_id}/zone/{kind}/{code or ''}"), kind=kind, code=code)
        for kind, code in wanted
        if (kind, code) not in present
    ]
    if kept != list(service.zones):
        service.zones = kept


def _service_locations(spec: ServiceSpec, locations: dict[str, Location]) -> list[Location]:
    """The locations a service is delivered at: those it names, else every location of its
    organisation when it is delivered in person, else none."""
    if spec.location_keys is not None:
        return [locations[key] for key in spec.location_keys]
    return list(locations.values()) if MODE_EN_PRESENTIEL in spec.modes_accueil else []


def _set_locations(service: Service, locations: list[Location],
                   demo_location_ids: set[uuid.UUID]) -> None:
    """Links to demo locations follow the spec; links to other locations are left alone."""
    wanted = {location.id for location in locations}
    kept = [
        link for link in service.location_links
        if link.location_id in wanted or link.location_id not in demo_location_ids
    ]
    present = {link.location_id for link in kept}
    kept += [
        ServiceAtLocation(id=demo_id(f"{service.source_id}/at/{location.source_id}"),
                          location_id=location.id)
        for location in locations
        if location.id not in present
    ]
    if kept != list(service.location_links):
        service.location_links = kept


def _delete_stale(existing: _Existing, wanted: set[uuid.UUID], result: WriteResult) -> None:
    """Delete demo rows no longer generated, unless a non-demo row still depends on them."""
    session = db.session
    for service in existing.services.values():
        if service.id not in wanted:
            session.delete(service)
            result.deleted += 1
    session.flush()
    kept_organisations: set[uuid.UUID] = set()
    for location in existing.locations.values():
        if location.id in wanted:
            continue
        if _has_foreign(select(ServiceAtLocation.id)
                        .join(Service, Service.id == ServiceAtLocation.service_id)
                        .where(ServiceAtLocation.location_id == location.id, _not_demo(Service))):
            result.kept.append(location.source_id)
            kept_organisations.add(location.organisation_id)
            continue
        session.delete(location)
        result.deleted += 1
    session.flush()
    for organisation in existing.organisations.values():
        if organisation.id in wanted:
            continue
        if (
            organisation.id in kept_organisations
            or _has_foreign(select(Service.id).where(
                Service.organisation_id == organisation.id, _not_demo(Service)))
            or _has_foreign(select(Location.id).where(
                Location.organisation_id == organisation.id, _not_demo(Location)))
        ):
            result.kept.append(organisation.source_id)
            continue
        session.delete(organisation)
        result.deleted += 1


def _has_foreign(query) -> bool:
    return db.session.scalar(query.limit(1)) is not None


def _not_demo(model):
    return or_(model.source.is_(None), model.source != DEMO_SOURCE)
