"""The catalogue: organisations (structures), their locations, services and coverage.

Field names follow the data·inclusion schema v1 in meaning and Open Referral HSDS 3.0 in shape
(service, organization, location, service_at_location, service_area, schedule, taxonomy_term),
so both exchanges are mappings rather than reinterpretations.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from shapely.geometry import Point
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from geo.types import GeometryColumn


def utcnow() -> datetime:
    return datetime.now(UTC)


# Service lifecycle.
DRAFT, PUBLISHED, SUSPENDED, ARCHIVED = "draft", "published", "suspended", "archived"
SERVICE_STATUSES = (DRAFT, PUBLISHED, SUSPENDED, ARCHIVED)

# Coverage zone kinds (data·inclusion zone_eligibilite; DORA diffusion zone types).
ZONE_COMMUNE, ZONE_EPCI, ZONE_DEPARTEMENT, ZONE_REGION, ZONE_COUNTRY = (
    "commune",
    "epci",
    "departement",
    "region",
    "country",
)
ZONE_KINDS = (ZONE_COMMUNE, ZONE_EPCI, ZONE_DEPARTEMENT, ZONE_REGION, ZONE_COUNTRY)

# Taxonomies a service links to through service_term (multi-valued).
T_THEMATIQUE = "thematique"
T_PUBLIC = "public"
T_MODE_ACCUEIL = "mode-accueil"
T_MODE_MOBILISATION = "mode-mobilisation"
T_PERSONNE_MOBILISATRICE = "personne-mobilisatrice"
# Single-valued taxonomies, stored as codes on the service and validated against the terms.
T_TYPE_SERVICE = "type-service"
T_FRAIS = "frais"
T_RESEAU_PORTEUR = "reseau-porteur"

# Organisations created on Relais are checked before their listings go public.
MODERATION_PENDING, MODERATION_APPROVED, MODERATION_REFUSED = "pending", "approved", "refused"

MODE_EN_PRESENTIEL = "en-presentiel"
MODE_A_DISTANCE = "a-distance"


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )


class SourceMixin:
    """Where a record came from, so re-imports update instead of duplicating."""

    source: Mapped[str | None] = mapped_column(String(100))
    source_id: Mapped[str | None] = mapped_column(String(200))


class AddressMixin:
    address: Mapped[str | None] = mapped_column(String(300))
    address_complement: Mapped[str | None] = mapped_column(String(300))
    postcode: Mapped[str | None] = mapped_column(String(5))
    commune_code: Mapped[str | None] = mapped_column(String(5), index=True)
    city: Mapped[str | None] = mapped_column(String(200))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class TaxonomyTerm(db.Model):
    """A term of one of the national enumerations. Thématiques hang under their category
    (parent_code), as HSDS taxonomy terms do."""

    __tablename__ = "taxonomy_term"

    taxonomy: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(120), primary_key=True)
    label_fr: Mapped[str] = mapped_column(String(300))
    label_en: Mapped[str] = mapped_column(String(300))
    description_fr: Mapped[str | None] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(String(120))
    position: Mapped[int] = mapped_column(Integer, default=0)

    def label(self, locale: str) -> str:
        return self.label_en if locale.startswith("en") else self.label_fr


class Organisation(TimestampMixin, SourceMixin, AddressMixin, db.Model):
    __tablename__ = "organisation"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(150))
    siret: Mapped[str | None] = mapped_column(String(14), unique=True)
    networks: Mapped[list[str]] = mapped_column(JSON, default=list)  # reseau-porteur codes
    description: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    website: Mapped[str | None] = mapped_column(String(2083))
    accessibility_url: Mapped[str | None] = mapped_column(String(2083))  # acceslibre page
    accessibility_details: Mapped[str | None] = mapped_column(Text)
    opening_hours: Mapped[dict | None] = mapped_column(JSON)  # directory.hours.WeeklyHours
    moderation_status: Mapped[str] = mapped_column(
        String(20), default=MODERATION_APPROVED, server_default=MODERATION_APPROVED
    )

    locations: Mapped[list[Location]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Location.name"
    )
    services: Mapped[list[Service]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Service.name"
    )


class Location(TimestampMixin, SourceMixin, AddressMixin, db.Model):
    """A physical place where services are delivered (HSDS location)."""

    __tablename__ = "location"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(150))
    description: Mapped[str | None] = mapped_column(Text)
    accessibility_url: Mapped[str | None] = mapped_column(String(2083))
    accessibility_details: Mapped[str | None] = mapped_column(Text)
    opening_hours: Mapped[dict | None] = mapped_column(JSON)
    # Derived from latitude/longitude on flush; indexed with GiST on PostGIS.
    point = mapped_column(GeometryColumn("POINT"), nullable=True)

    organisation: Mapped[Organisation] = relationship(back_populates="locations")
    service_links: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="location", cascade="all, delete-orphan"
    )


@event.listens_for(Location, "before_insert")
@event.listens_for(Location, "before_update")
def _location_point_follows_coordinates(mapper, connection, location: Location) -> None:
    location.point = (
        Point(location.longitude, location.latitude) if location.has_coordinates else None
    )


class Service(TimestampMixin, SourceMixin, db.Model):
    __tablename__ = "service"
    __table_args__ = (UniqueConstraint("source", "source_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(150))
    summary: Mapped[str | None] = mapped_column(String(280))
    description: Mapped[str | None] = mapped_column(Text)
    type: Mapped[str | None] = mapped_column(String(40))  # type-service code
    fees: Mapped[str | None] = mapped_column(String(20))  # frais code
    fees_details: Mapped[str | None] = mapped_column(Text)
    publics_details: Mapped[str | None] = mapped_column(Text)
    conditions: Mapped[str | None] = mapped_column(Text)  # free-text access conditions
    # Structured eligibility (directory.eligibility, docs/eligibility.md); None: open to all
    # who cover the need. `eligibility_revision` counts its changes; the history keeps each one.
    eligibility: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    eligibility_revision: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    mobilisation_details: Mapped[str | None] = mapped_column(Text)
    mobilisation_link: Mapped[str | None] = mapped_column(String(2083))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO 639-1 codes
    required_documents: Mapped[list[str]] = mapped_column(JSON, default=list)
    duration_weeks: Mapped[int | None] = mapped_column(Integer)
    hours_per_week: Mapped[float | None] = mapped_column(Float)
    contact_name: Mapped[str | None] = mapped_column(String(150))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(30))
    # False: the contact is shown to professionals only.
    contact_public: Mapped[bool] = mapped_column(Boolean, default=False)
    opening_hours: Mapped[dict | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=DRAFT, index=True)
    suspended_until: Mapped[date | None] = mapped_column(Date)
    update_frequency: Mapped[str] = mapped_column(String(30), default="tous-les-6-mois")
    last_verified_on: Mapped[date | None] = mapped_column(Date)
    # When its editors were last reminded to check it (`flask listings remind`).
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Coverage: zones (ServiceZone), an optional radius for in-person access, an optional polygon.
    coverage_radius_km: Mapped[float | None] = mapped_column(Float)
    coverage_polygon = mapped_column(GeometryColumn("MULTIPOLYGON"), nullable=True, deferred=True)

    organisation: Mapped[Organisation] = relationship(back_populates="services")
    zones: Mapped[list[ServiceZone]] = relationship(
        back_populates="service", cascade="all, delete-orphan", order_by="ServiceZone.kind"
    )
    term_links: Mapped[list[ServiceTerm]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    location_links: Mapped[list[ServiceAtLocation]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )

    # Multi-valued taxonomy codes, read and written as plain lists.
    def codes(self, taxonomy: str) -> list[str]:
        return sorted(link.code for link in self.term_links if link.taxonomy == taxonomy)

    def set_codes(self, taxonomy: str, codes: list[str]) -> None:
        wanted = list(dict.fromkeys(codes))
        keep = [
            link for link in self.term_links
            if link.taxonomy != taxonomy or link.code in wanted
        ]
        present = {link.code for link in keep if link.taxonomy == taxonomy}
        keep += [ServiceTerm(taxonomy=taxonomy, code=c) for c in wanted if c not in present]
        self.term_links = keep

    thematiques = property(lambda self: self.codes(T_THEMATIQUE),
                           lambda self, v: self.set_codes(T_THEMATIQUE, v))
    publics = property(lambda self: self.codes(T_PUBLIC),
                       lambda self, v: self.set_codes(T_PUBLIC, v))
    modes_accueil = property(lambda self: self.codes(T_MODE_ACCUEIL),
                             lambda self, v: self.set_codes(T_MODE_ACCUEIL, v))
    modes_mobilisation = property(lambda self: self.codes(T_MODE_MOBILISATION),
                                  lambda self, v: self.set_codes(T_MODE_MOBILISATION, v))
    mobilisable_par = property(lambda self: self.codes(T_PERSONNE_MOBILISATRICE),
                               lambda self, v: self.set_codes(T_PERSONNE_MOBILISATRICE, v))

    @property
    def locations(self) -> list[Location]:
        return [link.location for link in self.location_links]

    @property
    def in_person(self) -> bool:
        return MODE_EN_PRESENTIEL in self.modes_accueil

    @property
    def remote(self) -> bool:
        return MODE_A_DISTANCE in self.modes_accueil

    def is_active(self, today: date) -> bool:
        """Shown in listings today: published, or suspended with the suspension over."""
        if self.status == PUBLISHED:
            return True
        return self.status == SUSPENDED and (
            self.suspended_until is not None and self.suspended_until < today
        )

    def is_public(self) -> bool:
        """Has a public page: published or suspended (the page says until when)."""
        return self.status in (PUBLISHED, SUSPENDED)


class ServiceTerm(db.Model):
    __tablename__ = "service_term"
    __table_args__ = (
        ForeignKeyConstraint(
            ["taxonomy", "code"], ["taxonomy_term.taxonomy", "taxonomy_term.code"],
            name="fk_service_term_taxonomy_term",
        ),
    )

    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), primary_key=True
    )
    taxonomy: Mapped[str] = mapped_column(String(40), primary_key=True)
    code: Mapped[str] = mapped_column(String(120), primary_key=True, index=True)

    service: Mapped[Service] = relationship(back_populates="term_links")


class ServiceZone(db.Model):
    """One zone of a service's coverage: a commune, EPCI, département, région, or the country."""

    __tablename__ = "service_zone"
    __table_args__ = (UniqueConstraint("service_id", "kind", "code"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    code: Mapped[str | None] = mapped_column(String(9))  # None for the whole country

    service: Mapped[Service] = relationship(back_populates="zones")


class ServiceAtLocation(db.Model):
    __tablename__ = "service_at_location"
    __table_args__ = (UniqueConstraint("service_id", "location_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    service_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )

    service: Mapped[Service] = relationship(back_populates="location_links")
    location: Mapped[Location] = relationship(back_populates="service_links", lazy="joined")


db.Index("ix_service_zone_kind_code", ServiceZone.kind, ServiceZone.code)
