"""French administrative geography keyed by official codes (INSEE for communes, départements
and régions; SIREN for EPCI)."""

from __future__ import annotations

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from geo.types import GeometryColumn

# Commune kinds in the Code officiel géographique.
COMMUNE = "COM"
ARRONDISSEMENT = "ARM"  # municipal district of Paris, Lyon, Marseille
DELEGATED = "COMD"  # commune déléguée, inside a commune nouvelle
ASSOCIATED = "COMA"  # commune associée
COMMUNE_KINDS = (COMMUNE, ARRONDISSEMENT, DELEGATED, ASSOCIATED)


class Region(db.Model):
    __tablename__ = "geo_region"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class Departement(db.Model):
    __tablename__ = "geo_departement"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    region_code: Mapped[str] = mapped_column(ForeignKey("geo_region.code"), index=True)

    region: Mapped[Region] = relationship(lazy="joined")


class Epci(db.Model):
    __tablename__ = "geo_epci"

    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(4))  # CC, CA, CU, ME


class Commune(db.Model):
    """A commune, or a part of one (arrondissement, delegated or associated commune).

    Parts carry `parent_code` and inherit their parent's département and EPCI at import, so a
    person resolved to "Lyon 3e" is also in Lyon, the Métropole de Lyon, the Rhône and
    Auvergne-Rhône-Alpes.
    """

    __tablename__ = "geo_commune"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    kind: Mapped[str] = mapped_column(String(4))
    name: Mapped[str] = mapped_column(String(200))
    # Lower-case, accent-free, punctuation as spaces: what autocomplete compares against.
    search_name: Mapped[str] = mapped_column(String(200), index=True)
    population: Mapped[int] = mapped_column(Integer, default=0)
    departement_code: Mapped[str] = mapped_column(ForeignKey("geo_departement.code"), index=True)
    epci_code: Mapped[str | None] = mapped_column(ForeignKey("geo_epci.code"), index=True)
    parent_code: Mapped[str | None] = mapped_column(String(5), index=True)
    postal_codes: Mapped[str] = mapped_column(String(200), default="")  # space-separated
    centre_lat: Mapped[float | None] = mapped_column(Float)
    centre_lon: Mapped[float | None] = mapped_column(Float)
    # Bounding box, so the in-process backend can skip most polygons cheaply.
    min_lon: Mapped[float | None] = mapped_column(Float)
    min_lat: Mapped[float | None] = mapped_column(Float)
    max_lon: Mapped[float | None] = mapped_column(Float)
    max_lat: Mapped[float | None] = mapped_column(Float)
    geometry = mapped_column(GeometryColumn("MULTIPOLYGON"), nullable=True, deferred=True)

    departement: Mapped[Departement] = relationship(lazy="joined")
    epci: Mapped[Epci | None] = relationship(lazy="joined")

    @property
    def is_part(self) -> bool:
        return self.kind != COMMUNE and self.parent_code is not None

    @property
    def main_code(self) -> str:
        """The code of the commune this place belongs to (itself for a commune)."""
        return self.parent_code if self.is_part else self.code


class CommunePostcode(db.Model):
    """Postcode → commune. A postcode can serve many communes and a commune many postcodes."""

    __tablename__ = "geo_commune_postcode"

    postcode: Mapped[str] = mapped_column(String(5), primary_key=True)
    commune_code: Mapped[str] = mapped_column(
        ForeignKey("geo_commune.code", ondelete="CASCADE"), primary_key=True, index=True
    )


class CommuneName(db.Model):
    """Another name a commune answers to: a delegated commune that kept its commune nouvelle's
    code (Bellegarde-sur-Valserine in Valserhône, both 01033), so cannot have a row of its own
    but must still be found by the name people use."""

    __tablename__ = "geo_commune_name"

    commune_code: Mapped[str] = mapped_column(
        ForeignKey("geo_commune.code", ondelete="CASCADE"), primary_key=True
    )
    search_name: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)
    name: Mapped[str] = mapped_column(String(200))
    population: Mapped[int] = mapped_column(Integer, default=0)


Index("ix_geo_commune_kind_dep", Commune.kind, Commune.departement_code)
