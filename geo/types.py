"""A geometry column that works on both stores and always gives shapely objects to Python.

On PostgreSQL it is a real PostGIS `geometry(KIND, 4326)` column (GiST-indexable, usable in
SQL with ST_* functions). On SQLite, which cannot load SpatiaLite here, it is the same geometry
as WKB in a BLOB, and spatial questions are answered in-process by geo.spatial.
"""

from __future__ import annotations

from geoalchemy2 import Geometry
from geoalchemy2.elements import WKBElement
from geoalchemy2.shape import to_shape
from shapely import wkb
from shapely.geometry.base import BaseGeometry
from sqlalchemy.types import LargeBinary, TypeDecorator

SRID = 4326


class GeometryColumn(TypeDecorator):
    impl = LargeBinary
    cache_ok = True
    # GeoAlchemy2 inspects these on every geometry-looking column; we create GiST indexes
    # explicitly in migrations instead of relying on its DDL hooks.
    spatial_index = False
    use_N_D_index = False
    use_typmod = None

    def __init__(self, kind: str = "GEOMETRY"):
        super().__init__()
        self.kind = kind

    def load_dialect_impl(self, dialect):
        if dialect is not None and dialect.name == "postgresql":
            return Geometry(self.kind, srid=SRID, spatial_index=False)
        return LargeBinary()

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if not isinstance(value, BaseGeometry):
            raise TypeError(f"expected a shapely geometry, got {type(value).__name__}")
        if dialect.name == "postgresql":
            return wkb.dumps(value, hex=True, srid=SRID)
        return wkb.dumps(value)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if isinstance(value, WKBElement):
            return to_shape(value)
        if isinstance(value, str):
            return wkb.loads(value, hex=True)
        return wkb.loads(bytes(value))
