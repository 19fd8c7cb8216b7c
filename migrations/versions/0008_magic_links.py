"""magic links: one referral answered by an organisation with no account

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 10:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('magic_link',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('referral_id', sa.Uuid(), nullable=False),
    sa.Column('organisation_id', sa.Uuid(), nullable=False),
    sa.Column('address', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.String(length=30), nullable=True),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisation.id'], name=op.f('fk_magic_link_organisation_id_organisation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['referral_id'], ['referral.id'], name=op.f('fk_magic_link_referral_id_referral'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_magic_link')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_magic_link_token_hash'))
    )
    with op.batch_alter_table('magic_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_magic_link_referral_id'), ['referral_id'], unique=False)


def downgrade():
    with op.batch_alter_table('magic_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_magic_link_referral_id'))

    op.drop_table('magic_link')
