"""service eligibility rule

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.add_column(sa.Column('eligibility', sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column('eligibility_revision', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('service', schema=None) as batch_op:
        batch_op.drop_column('eligibility_revision')
        batch_op.drop_column('eligibility')
