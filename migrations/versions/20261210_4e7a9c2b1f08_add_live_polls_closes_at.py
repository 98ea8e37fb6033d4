"""add live_polls.closes_at: a poll's countdown reaches zero then and the server closes it

Polls already in the table had no countdown and keep none (NULL).

Revision ID: 4e7a9c2b1f08
Revises: 6d41230945f8
Create Date: 2026-12-10 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import app.db  # noqa: F401 - custom column types (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '4e7a9c2b1f08'
down_revision = '6d41230945f8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('live_polls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closes_at', app.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('live_polls', schema=None) as batch_op:
        batch_op.drop_column('closes_at')
