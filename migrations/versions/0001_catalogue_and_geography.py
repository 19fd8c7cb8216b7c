"""catalogue and geography

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 04:40:14.008375

"""
from alembic import op
import sqlalchemy as sa

from geo.types import GeometryColumn


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


SPATIAL_INDEXES = [
    ("ix_geo_commune_geometry", "geo_commune", "geometry"),
    ("ix_location_point", "location", "point"),
    ("ix_service_coverage_polygon", "service", "coverage_polygon"),
]


def upgrade():
    postgis = op.get_bind().dialect.name == "postgresql"
    if postgis:
        op.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    op.create_table('geo_epci',
    sa.Column('code', sa.String(length=9), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_geo_epci'))
    )
    op.create_table('geo_region',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_geo_region'))
    )
    op.create_table('organisation',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=150), nullable=False),
    sa.Column('siret', sa.String(length=14), nullable=True),
    sa.Column('networks', sa.JSON(), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=30), nullable=True),
    sa.Column('website', sa.String(length=2083), nullable=True),
    sa.Column('accessibility_url', sa.String(length=2083), nullable=True),
    sa.Column('accessibility_details', sa.Text(), nullable=True),
    sa.Column('opening_hours', sa.JSON(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=True),
    sa.Column('source_id', sa.String(length=200), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('address_complement', sa.String(length=300), nullable=True),
    sa.Column('postcode', sa.String(length=5), nullable=True),
    sa.Column('commune_code', sa.String(length=5), nullable=True),
    sa.Column('city', sa.String(length=200), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_organisation')),
    sa.UniqueConstraint('siret', name=op.f('uq_organisation_siret')),
    sa.UniqueConstraint('source', 'source_id', name=op.f('uq_organisation_source'))
    )
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_organisation_commune_code'), ['commune_code'], unique=False)

    op.create_table('taxonomy_term',
    sa.Column('taxonomy', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=120), nullable=False),
    sa.Column('label_fr', sa.String(length=300), nullable=False),
    sa.Column('label_en', sa.String(length=300), nullable=False),
    sa.Column('description_fr', sa.Text(), nullable=True),
    sa.Column('parent_code', sa.String(length=120), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('taxonomy', 'code', name=op.f('pk_taxonomy_term'))
    )
    op.create_table('geo_departement',
    sa.Column('code', sa.String(length=3), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('region_code', sa.String(length=3), nullable=False),
    sa.ForeignKeyConstraint(['region_code'], ['geo_region.code'], name=op.f('fk_geo_departement_region_code_geo_region')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_geo_departement'))
    )
    with op.batch_alter_table('geo_departement', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_geo_departement_region_code'), ['region_code'], unique=False)

    op.create_table('location',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=150), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('accessibility_url', sa.String(length=2083), nullable=True),
    sa.Column('accessibility_details', sa.Text(), nullable=True),
    sa.Column('opening_hours', sa.JSON(), nullable=True),
    sa.Column('point', GeometryColumn('POINT'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=True),
    sa.Column('source_id', sa.String(length=200), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=True),
    sa.Column('address_complement', sa.String(length=300), nullable=True),
    sa.Column('postcode', sa.String(length=5), nullable=True),
    sa.Column('commune_code', sa.String(length=5), nullable=True),
    sa.Column('city', sa.String(length=200), nullable=True),
    sa.Column('latitude', sa.Float(), nullable=True),
    sa.Column('longitude', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_location_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_location')),
    sa.UniqueConstraint('source', 'source_id', name=op.f('uq_location_source'))
    )
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_location_commune_code'), ['commune_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_location_organisation_id'), ['organisation_id'], unique=False)

    op.create_table('service',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=150), nullable=False),
    sa.Column('summary', sa.String(length=280), nullable=True),
    sa.Column('description', sa.Text(), nullable=True),
    sa.Column('type', sa.String(length=40), nullable=True),
    sa.Column('fees', sa.String(length=20), nullable=True),
    sa.Column('fees_details', sa.Text(), nullable=True),
    sa.Column('publics_details', sa.Text(), nullable=True),
    sa.Column('conditions', sa.Text(), nullable=True),
    sa.Column('mobilisation_details', sa.Text(), nullable=True),
    sa.Column('mobilisation_link', sa.String(length=2083), nullable=True),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('required_documents', sa.JSON(), nullable=False),
    sa.Column('duration_weeks', sa.Integer(), nullable=True),
    sa.Column('hours_per_week', sa.Float(), nullable=True),
    sa.Column('contact_name', sa.String(length=150), nullable=True),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('contact_phone', sa.String(length=30), nullable=True),
    sa.Column('contact_public', sa.Boolean(), nullable=False),
    sa.Column('opening_hours', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('suspended_until', sa.Date(), nullable=True),
    sa.Column('update_frequency', sa.String(length=30), nullable=False),
    sa.Column('last_verified_on', sa.Date(), nullable=True),
    sa.Column('coverage_radius_km', sa.Float(), nullable=True),
    sa.Column('coverage_polygon', GeometryColumn('MULTIPOLYGON'), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('source', sa.String(length=100), nullable=True),
    sa.Column('source_id', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_service_organisation_id_organisation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service')),
    sa.UniqueConstraint('source', 'source_id', name=op.f('uq_service_source'))
    )
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_status'), ['status'], unique=False)

    op.create_table('geo_commune',
    sa.Column('code', sa.String(length=5), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('search_name', sa.String(length=200), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('departement_code', sa.String(length=3), nullable=False),
    sa.Column('epci_code', sa.String(length=9), nullable=True),
    sa.Column('parent_code', sa.String(length=5), nullable=True),
    sa.Column('postal_codes', sa.String(length=200), nullable=False),
    sa.Column('centre_lat', sa.Float(), nullable=True),
    sa.Column('centre_lon', sa.Float(), nullable=True),
    sa.Column('min_lon', sa.Float(), nullable=True),
    sa.Column('min_lat', sa.Float(), nullable=True),
    sa.Column('max_lon', sa.Float(), nullable=True),
    sa.Column('max_lat', sa.Float(), nullable=True),
    sa.Column('geometry', GeometryColumn('MULTIPOLYGON'), nullable=True),
    sa.ForeignKeyConstraint(['departement_code'], ['geo_departement.code'], name=op.f('fk_geo_commune_departement_code_geo_departement')),
    sa.ForeignKeyConstraint(['epci_code'], ['geo_epci.code'], name=op.f('fk_geo_commune_epci_code_geo_epci')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_geo_commune'))
    )
    with op.batch_alter_table('geo_commune', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_geo_commune_departement_code'), ['departement_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_geo_commune_epci_code'), ['epci_code'], unique=False)
        batch_op.create_index('ix_geo_commune_kind_dep', ['kind', 'departement_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_geo_commune_parent_code'), ['parent_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_geo_commune_search_name'), ['search_name'], unique=False)

    op.create_table('service_at_location',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('location_id', sa.Uuid(), nullable=False),
    sa.ForeignKeyConstraint(['location_id'], ['location.id'], name=op.f('fk_service_at_location_location_id_location'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_service_at_location_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_at_location')),
    sa.UniqueConstraint('service_id', 'location_id', name=op.f('uq_service_at_location_service_id'))
    )
    with op.batch_alter_table('service_at_location', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_at_location_location_id'), ['location_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_at_location_service_id'), ['service_id'], unique=False)

    op.create_table('service_term',
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('taxonomy', sa.String(length=40), nullable=False),
    sa.Column('code', sa.String(length=120), nullable=False),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_service_term_service_id_service'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['taxonomy', 'code'], ['taxonomy_term.taxonomy', 'taxonomy_term.code'], name='fk_service_term_taxonomy_term'),
    sa.PrimaryKeyConstraint('service_id', 'taxonomy', 'code', name=op.f('pk_service_term'))
    )
    with op.batch_alter_table('service_term', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_term_code'), ['code'], unique=False)

    op.create_table('service_zone',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('service_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('code', sa.String(length=9), nullable=True),
    sa.ForeignKeyConstraint(['service_id'], ['service.id'], name=op.f('fk_service_zone_service_id_service'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_zone')),
    sa.UniqueConstraint('service_id', 'kind', 'code', name=op.f('uq_service_zone_service_id'))
    )
    with op.batch_alter_table('service_zone', schema=None) as batch_op:
        batch_op.create_index('ix_service_zone_kind_code', ['kind', 'code'], unique=False)
        batch_op.create_index(batch_op.f('ix_service_zone_service_id'), ['service_id'], unique=False)

    op.create_table('geo_commune_name',
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.Column('search_name', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['commune_code'], ['geo_commune.code'], name=op.f('fk_geo_commune_name_commune_code_geo_commune'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('commune_code', 'search_name', name=op.f('pk_geo_commune_name'))
    )
    with op.batch_alter_table('geo_commune_name', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_geo_commune_name_search_name'), ['search_name'], unique=False)

    op.create_table('geo_commune_postcode',
    sa.Column('postcode', sa.String(length=5), nullable=False),
    sa.Column('commune_code', sa.String(length=5), nullable=False),
    sa.ForeignKeyConstraint(['commune_code'], ['geo_commune.code'], name=op.f('fk_geo_commune_postcode_commune_code_geo_commune'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('postcode', 'commune_code', name=op.f('pk_geo_commune_postcode'))
    )
    with op.batch_alter_table('geo_commune_postcode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_geo_commune_postcode_commune_code'), ['commune_code'], unique=False)

    if postgis:
        for name, table, column in SPATIAL_INDEXES:
            op.create_index(name, table, [column], postgresql_using="gist")
    # ### end Alembic commands ###


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for name, table, _column in SPATIAL_INDEXES:
            op.drop_index(name, table_name=table)
    # ### commands auto generated by Alembic - please adjust! ###
    with op.batch_alter_table('geo_commune_postcode', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_geo_commune_postcode_commune_code'))

    op.drop_table('geo_commune_postcode')
    op.drop_table('geo_commune_name')
    with op.batch_alter_table('service_zone', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_zone_service_id'))
        batch_op.drop_index('ix_service_zone_kind_code')

    op.drop_table('service_zone')
    with op.batch_alter_table('service_term', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_term_code'))

    op.drop_table('service_term')
    with op.batch_alter_table('service_at_location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_at_location_service_id'))
        batch_op.drop_index(batch_op.f('ix_service_at_location_location_id'))

    op.drop_table('service_at_location')
    with op.batch_alter_table('geo_commune', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_geo_commune_search_name'))
        batch_op.drop_index(batch_op.f('ix_geo_commune_parent_code'))
        batch_op.drop_index('ix_geo_commune_kind_dep')
        batch_op.drop_index(batch_op.f('ix_geo_commune_epci_code'))
        batch_op.drop_index(batch_op.f('ix_geo_commune_departement_code'))

    op.drop_table('geo_commune')
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_service_status'))
        batch_op.drop_index(batch_op.f('ix_service_organisation_id'))

    op.drop_table('service')
    with op.batch_alter_table('location', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_location_organisation_id'))
        batch_op.drop_index(batch_op.f('ix_location_commune_code'))

    op.drop_table('location')
    with op.batch_alter_table('geo_departement', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_geo_departement_region_code'))

    op.drop_table('geo_departement')
    op.drop_table('taxonomy_term')
    with op.batch_alter_table('organisation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_organisation_commune_code'))

    op.drop_table('organisation')
    op.drop_table('geo_region')
    op.drop_table('geo_epci')
    # ### end Alembic commands ###
