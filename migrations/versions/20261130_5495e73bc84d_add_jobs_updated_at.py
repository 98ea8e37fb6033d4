"""add jobs updated_at and params: a job's latest sign of life (to tell an interrupted job from a
running one) and its parameters (so any process, an RQ worker included, can run it)

Revision ID: 5495e73bc84d
Revises: a13ee2b2d3ff
Create Date: 2026-11-30 00:48:12.136417

"""
from alembic import op
import sqlalchemy as sa
import app.db  # noqa: F401 - custom column types (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '5495e73bc84d'
down_revision = 'a13ee2b2d3ff'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('params', sa.JSON(), server_default='{}', nullable=False))


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_column('params')
        batch_op.drop_column('updated_at')

