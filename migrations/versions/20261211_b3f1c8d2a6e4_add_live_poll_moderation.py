"""add live poll moderation: hidden word-cloud terms, names on the projector, approved and rejected answers

live_polls.hidden_terms lists the word-cloud terms the instructor hid (normalised); show_names says
whether an open question's approved answers show their authors on the projector. live_answers
approved_at / rejected_at record the instructor's decision on an open answer. Existing rows: no
hidden terms, no names, no decision.

Revision ID: b3f1c8d2a6e4
Revises: 4e7a9c2b1f08
Create Date: 2026-12-11 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import app.db  # noqa: F401 - custom column types (UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'b3f1c8d2a6e4'
down_revision = '4e7a9c2b1f08'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('live_polls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hidden_terms', sa.JSON(), server_default='[]', nullable=False))
        batch_op.add_column(sa.Column('show_names', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('live_answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approved_at', app.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('rejected_at', app.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('live_answers', schema=None) as batch_op:
        batch_op.drop_column('rejected_at')
        batch_op.drop_column('approved_at')
    with op.batch_alter_table('live_polls', schema=None) as batch_op:
        batch_op.drop_column('show_names')
        batch_op.drop_column('hidden_terms')
