"""The one interface for spatial questions, with a PostGIS and an in-process implementation.

    get_backend().commune_at(lat, lon)            -> code of the commune/arrondissement there
    get_backend().services_covering(place, ...)   -> {service id: distance km or None}

PostGIS answers in SQL (GiST-indexed ST_Intersects, geography distances). SQLite cannot load
SpatiaLite here, so the in-process backend filters by zone codes in SQL and applies the pure
coverage rule (geo.coverage.covers) with Shapely: it is the specification, and the PostGIS
answer is tested against it.
"""

from __future__ import annotations

import threading
import uuid
from collections import defaultdict
from typing import Protocol

import sqlalchemy as sa
from shapely import STRtree
from shapely.geometry import Point

from extensions import db
from geo.coverage import Coverage, Zone, covers
from geo.models import ARRONDISSEMENT, COMMUNE, Commune
from geo.place import Place


class SpatialBackend(Protocol):
    name: str

    def commune_at(self, latitude: float, longitude: float) -> str | None:
        """Code of the commune (or Paris/Lyon/Marseille arrondissement) containing the point."""

    def services_covering(
        self, place: Place, *, default_radius_km: float, where: sa.ColumnElement | None = None
    ) -> dict[uuid.UUID, float | None]:
        """Services that cover the place (the rule in geo.coverage), with the distance in km
        from the place to their nearest location when known. `where` narrows the services
        (e.g. only active ones) with a clause on directory.models.Service."""


def get_backend() -> SpatialBackend:
    return POSTGIS if db.engine.dialect.name == "postgresql" else IN_PROCESS


def _zone_clause(place: Place):
    """SQL: one of the service's zones contains the place's commune (same on both stores)."""
    from directory.models import ServiceZone

    z = ServiceZone
    return sa.or_(
        sa.and_(z.kind == "commune", z.code.in_(place.commune_codes)),
        sa.and_(z.kind == "epci", z.code == place.epci_code) if place.epci_code else sa.false(),
        sa.and_(z.kind == "departement", z.code == place.departement_code),
        sa.and_(z.kind == "region", z.code == place.region_code),
        z.kind == "country",
    )


class PostgisBackend:
    name = "postgis"

    def commune_at(self, latitude: float, longitude: float) -> str | None:
        point = sa.func.ST_SetSRID(sa.func.ST_MakePoint(longitude, latitude), 4326)
        query = (
            sa.select(Commune.code)
            .where(Commune.kind.in_((COMMUNE, ARRONDISSEMENT)))
            .where(sa.func.ST_Intersects(Commune.__table__.c.geometry, point))
            .order_by((Commune.kind == ARRONDISSEMENT).desc(), Commune.code)
            .limit(1)
        )
        return db.session.scalar(query)

    def services_covering(self, place, *, default_radius_km, where=None):
        from directory.models import (
            MODE_A_DISTANCE,
            MODE_EN_PRESENTIEL,
            T_MODE_ACCUEIL,
            Location,
            Service,
            ServiceAtLocation,
            ServiceTerm,
            ServiceZone,
        )

        if not place.has_point:
            point = None
        else:
            point = sa.func.ST_SetSRID(sa.func.ST_MakePoint(place.longitude, place.latitude), 4326)
        polygon = Service.__table__.c.coverage_polygon

        def has_mode(code):
            return sa.exists().where(
                ServiceTerm.service_id == Service.id,
                ServiceTerm.taxonomy == T_MODE_ACCUEIL,
                ServiceTerm.code == code,
            )

        any_zone = sa.exists().where(ServiceZone.service_id == Service.id)
        in_area = sa.or_(
            sa.exists().where(ServiceZone.service_id == Service.id, _zone_clause(place)),
            sa.and_(polygon.is_not(None), sa.func.ST_Intersects(polygon, point))
            if point is not None else sa.false(),
            sa.and_(~any_zone, polygon.is_(None)),
        )
        if point is not None:
            distance = (
                sa.select(
                    sa.func.min(
                        sa.func.ST_Distance(
                            sa.func.geography(Location.__table__.c.point),
                            sa.func.geography(point),
                            False,  # on the sphere, as geo.distance does
                        )
                    ) / 1000.0
                )
                .join(ServiceAtLocation, ServiceAtLocation.location_id == Location.id)
                .where(ServiceAtLocation.service_id == Service.id,
                       Location.__table__.c.point.is_not(None))
                .scalar_subquery()
            )
        else:
            distance = sa.null()
        in_person_only = sa.and_(has_mode(MODE_EN_PRESENTIEL), ~has_mode(MODE_A_DISTANCE))
        radius = sa.func.coalesce(Service.coverage_radius_km, default_radius_km)
        inner = sa.select(
            Service.id.label("id"),
            distance.label("distance_km"),
            in_person_only.label("in_person_only"),
            radius.label("radius_km"),
        ).where(in_area)
        if where is not None:
            inner = inner.where(where)
        sub = inner.subquery()
        query = sa.select(sub.c.id, sub.c.distance_km).where(
            sa.or_(
                ~sub.c.in_person_only,
                sub.c.distance_km.is_(None),
                sub.c.distance_km <= sub.c.radius_km,
            )
        )
        return {row.id: row.distance_km for row in db.session.execute(query)}


class InProcessBackend:
    name = "in-process"

    def __init__(self):
        self._lock = threading.Lock()
        self._index: tuple[object, STRtree, list[tuple[str, str]]] | None = None

    def invalidate(self) -> None:
        with self._lock:
            self._index = None

    def _commune_index(self):
        """An STR-tree of commune and arrondissement polygons, rebuilt when the gazetteer
        changes (its row count is the cheap fingerprint; imports also call invalidate())."""
        count = db.session.scalar(sa.select(sa.func.count(Commune.code)))
        fingerprint = (str(db.engine.url), count)
        with self._lock:
            if self._index is None or self._index[0] != fingerprint:
                rows = db.session.execute(
                    sa.select(Commune.code, Commune.kind, Commune.__table__.c.geometry).where(
                        Commune.kind.in_((COMMUNE, ARRONDISSEMENT)),
                        Commune.__table__.c.geometry.is_not(None),
                    )
                ).all()
                tree = STRtree([row.geometry for row in rows])
                self._index = (fingerprint, tree, [(r.code, r.kind) for r in rows])
            return self._index

    def commune_at(self, latitude: float, longitude: float) -> str | None:
        _, tree, keys = self._commune_index()
        hits = [keys[i] for i in tree.query(Point(longitude, latitude), predicate="intersects")]
        if not hits:
            return None
        hits.sort(key=lambda hit: (hit[1] != ARRONDISSEMENT, hit[0]))
        return hits[0][0]

    def services_covering(self, place, *, default_radius_km, where=None):
        from directory.models import Service, ServiceZone

        polygon = Service.__table__.c.coverage_polygon
        any_zone = sa.exists().where(ServiceZone.service_id == Service.id)
        candidates = sa.select(Service.id).where(
            sa.or_(
                sa.exists().where(ServiceZone.service_id == Service.id, _zone_clause(place)),
                polygon.is_not(None),
                ~any_zone,
            )
        )
        if where is not None:
            candidates = candidates.where(where)
        ids = list(db.session.scalars(candidates))
        result = {}
        for service_id, coverage in load_coverages(ids).items():
            verdict = covers(coverage, place, default_radius_km)
            if verdict.covered:
                result[service_id] = verdict.distance_km
        return result


def load_coverages(service_ids: list[uuid.UUID]) -> dict[uuid.UUID, Coverage]:
    """The coverage of many services in a handful of queries (no per-service round trips)."""
    from directory.models import (
        MODE_A_DISTANCE,
        MODE_EN_PRESENTIEL,
        T_MODE_ACCUEIL,
        Location,
        Service,
        ServiceAtLocation,
        ServiceTerm,
        ServiceZone,
    )

    if not service_ids:
        return {}
    zones, modes, points = defaultdict(list), defaultdict(set), defaultdict(list)
    polygons, radii = {}, {}
    for chunk_start in range(0, len(service_ids), 500):
        chunk = service_ids[chunk_start:chunk_start + 500]
        for row in db.session.execute(
            sa.select(ServiceZone.service_id, ServiceZone.kind, ServiceZone.code)
            .where(ServiceZone.service_id.in_(chunk))
        ):
            zones[row.service_id].append(Zone(row.kind, row.code))
        for row in db.session.execute(
            sa.select(ServiceTerm.service_id, ServiceTerm.code).where(
                ServiceTerm.service_id.in_(chunk), ServiceTerm.taxonomy == T_MODE_ACCUEIL
            )
        ):
            modes[row.service_id].add(row.code)
        for row in db.session.execute(
            sa.select(ServiceAtLocation.service_id, Location.latitude, Location.longitude)
            .join(Location, Location.id == ServiceAtLocation.location_id)
            .where(ServiceAtLocation.service_id.in_(chunk), Location.latitude.is_not(None),
                   Location.longitude.is_not(None))
        ):
            points[row.service_id].append((row.latitude, row.longitude))
        for row in db.session.execute(
            sa.select(Service.id, Service.coverage_radius_km,
                      Service.__table__.c.coverage_polygon).where(Service.id.in_(chunk))
        ):
            radii[row.id] = row.coverage_radius_km
            polygons[row.id] = row.coverage_polygon
    return {
        sid: Coverage(
            zones=tuple(zones[sid]),
            polygon=polygons.get(sid),
            radius_km=radii.get(sid),
            in_person=MODE_EN_PRESENTIEL in modes[sid],
            remote=MODE_A_DISTANCE in modes[sid],
            points=tuple(points[sid]),
        )
        for sid in service_ids
        if sid in radii
    }


POSTGIS = PostgisBackend()
IN_PROCESS = InProcessBackend()


def invalidate_caches() -> None:
    """Call after the gazetteer changes (geo import does)."""
    IN_PROCESS.invalidate()
