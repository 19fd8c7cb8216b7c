"""Migrations build exactly the schema the models describe, on both stores, and roll back."""

import importlib

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from extensions import db
from tests.conftest import build_app, drop_database

SPATIAL_INDEXES = importlib.import_module(
    "migrations.versions.0001_catalogue_and_geography"
).SPATIAL_INDEXES


def _not_postgis_own(obj, name, type_, reflected, compare_to):
    """PostGIS's spatial_ref_sys table and our GiST indexes (created by the migration on
    PostGIS only, checked below) are not in the models."""
    spatial_indexes = {index for index, _table, _column in SPATIAL_INDEXES}
    return not (name == "spatial_ref_sys" or (type_ == "index" and name in spatial_indexes))


def _schema_drift():
    with db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": False, "include_object": _not_postgis_own}
        )
        return compare_metadata(context, db.metadata)


def test_migrated_schema_matches_the_models(app_ctx):
    assert _schema_drift() == []


def test_postgis_store_has_spatial_columns_and_gist_indexes(app_ctx, store):
    if store != "postgis":
        assert db.engine.dialect.name == "sqlite"
        return
    columns = db.session.execute(sa.text(
        "SELECT f_table_name, f_geometry_column, type, srid FROM geometry_columns "
        "ORDER BY f_table_name"
    )).all()
    assert [tuple(c) for c in columns] == [
        ("geo_commune", "geometry", "MULTIPOLYGON", 4326),
        ("location", "point", "POINT", 4326),
        ("service", "coverage_polygon", "MULTIPOLYGON", 4326),
    ]
    gist = db.session.scalars(sa.text(
        "SELECT indexname FROM pg_indexes WHERE indexdef LIKE '%USING gist%' ORDER BY 1"
    )).all()
    assert gist == ["ix_geo_commune_geometry", "ix_location_point", "ix_service_coverage_polygon"]


def test_migrations_downgrade_to_nothing_and_upgrade_again(store, tmp_path):
    app = build_app(store, "relais_test_migrations", tmp_path, geography=False)
    with app.app_context():
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version",
                                                                "spatial_ref_sys"}
        upgrade()
        assert "service" in sa.inspect(db.engine).get_table_names()
    drop_database(app)
