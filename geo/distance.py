"""Great-circle distance, the one formula both stores agree on."""

from __future__ import annotations

from math import asin, cos, radians, sin, sqrt

# Mean Earth radius (IUGG), the sphere PostGIS uses for geography distances with
# use_spheroid=false, so in-process and SQL answers agree to the metre.
EARTH_RADIUS_KM = 6371.0088


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in kilometres between two WGS84 points."""
    phi1, phi2 = radians(lat1), radians(lat2)
    dphi, dlambda = phi2 - phi1, radians(lon2 - lon1)
    a = sin(dphi / 2) ** 2 + cos(phi1) * cos(phi2) * sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(a)))
