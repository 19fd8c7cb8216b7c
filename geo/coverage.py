"""The coverage rule: does a service cover a place? Pure functions, no database.

A service covers a place when
  1. its area contains the place: one of its zones (commune, EPCI, département, région, or the
     whole country) contains the commune, or its custom polygon contains the point; a service
     with neither zones nor polygon has no geographic restriction (data·inclusion: an empty
     zone_eligibilite means "no restriction");
  2. and, when it is offered in person only, the place is within its radius (default 50 km) of
     one of its locations, measured from the given coordinates or else the commune centre.
     Remote services (including those offered both ways) have no distance limit; an in-person
     service with no geolocated location cannot be measured, so only its area applies.

geo.spatial answers the same question for many services at once in SQL; the test suite checks
that both agree on real communes.
"""

from __future__ import annotations

from dataclasses import dataclass

from shapely.geometry import Point
from shapely.geometry.base import BaseGeometry

from geo.distance import distance_km
from geo.place import Place

COMMUNE, EPCI, DEPARTEMENT, REGION, COUNTRY = "commune", "epci", "departement", "region", "country"

# Verdict reasons (stable codes; pages turn them into sentences).
IN_ZONE = "in-zone"
IN_POLYGON = "in-polygon"
UNRESTRICTED = "unrestricted"
OUTSIDE_AREA = "outside-area"
TOO_FAR = "too-far"


@dataclass(frozen=True)
class Zone:
    kind: str
    code: str | None = None


@dataclass(frozen=True)
class Coverage:
    zones: tuple[Zone, ...] = ()
    polygon: BaseGeometry | None = None
    radius_km: float | None = None
    in_person: bool = False
    remote: bool = False
    points: tuple[tuple[float, float], ...] = ()  # (latitude, longitude) of its locations

    @property
    def in_person_only(self) -> bool:
        return self.in_person and not self.remote


@dataclass(frozen=True)
class Verdict:
    covered: bool
    reason: str
    zone: Zone | None = None
    distance_km: float | None = None  # to the nearest location, when measurable
    radius_km: float | None = None  # the limit that applied, for in-person-only services


def zone_contains(zone: Zone, place: Place) -> bool:
    """Whether an administrative zone contains the place's commune."""
    if zone.kind == COUNTRY:
        return True
    if zone.kind == COMMUNE:
        return zone.code in place.commune_codes
    if zone.kind == EPCI:
        return zone.code is not None and zone.code == place.epci_code
    if zone.kind == DEPARTEMENT:
        return zone.code == place.departement_code
    if zone.kind == REGION:
        return zone.code == place.region_code
    raise ValueError(f"unknown zone kind {zone.kind!r}")


def nearest_distance_km(coverage: Coverage, place: Place) -> float | None:
    if not place.has_point or not coverage.points:
        return None
    return min(
        distance_km(place.latitude, place.longitude, lat, lon) for lat, lon in coverage.points
    )


def covers(coverage: Coverage, place: Place, default_radius_km: float = 50.0) -> Verdict:
    """Apply the coverage rule, and say why."""
    distance = nearest_distance_km(coverage, place)
    matched = next((z for z in coverage.zones if zone_contains(z, place)), None)
    if matched is not None:
        reason = IN_ZONE
    elif (
        coverage.polygon is not None
        and place.has_point
        and coverage.polygon.intersects(Point(place.longitude, place.latitude))
    ):
        reason = IN_POLYGON
    elif not coverage.zones and coverage.polygon is None:
        reason = UNRESTRICTED
    else:
        return Verdict(False, OUTSIDE_AREA, distance_km=distance)

    if coverage.in_person_only:
        radius = coverage.radius_km if coverage.radius_km is not None else default_radius_km
        if distance is not None and distance > radius:
            return Verdict(False, TOO_FAR, matched, distance, radius)
        return Verdict(True, reason, matched, distance, radius)
    return Verdict(True, reason, matched, distance)
