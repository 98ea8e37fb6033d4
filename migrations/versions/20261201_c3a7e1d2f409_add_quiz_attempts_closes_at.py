"""add quiz_attempts.closes_at: the deadline plus grace, after which nothing counts

Attempts started before this revision get their deadline plus two minutes, the grace the app
already used to flag late submissions; those that finished later were marked on late answers and
stop counting toward progress and the certificate (app/quizzes/timing.py).

Revision ID: c3a7e1d2f409
Revises: 5495e73bc84d
Create Date: 2026-12-01 09:00:00.000000

"""
from datetime import timedelta

from alembic import op
import sqlalchemy as sa
import app.db  # noqa: F401 - custom column types (UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'c3a7e1d2f409'
down_revision = '5495e73bc84d'
branch_labels = None
depends_on = None

OLD_GRACE = timedelta(minutes=2)


def upgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closes_at', app.db.UTCDateTime(timezone=True), nullable=True))
    attempts = sa.table('quiz_attempts', sa.column('id', sa.Integer()),
                        sa.column('deadline_at', app.db.UTCDateTime(timezone=True)),
                        sa.column('closes_at', app.db.UTCDateTime(timezone=True)))
    bind = op.get_bind()
    rows = bind.execute(sa.select(attempts.c.id, attempts.c.deadline_at)
                        .where(attempts.c.deadline_at.is_not(None))).all()
    for attempt_id, deadline_at in rows:
        bind.execute(sa.update(attempts).where(attempts.c.id == attempt_id)
                     .values(closes_at=deadline_at + OLD_GRACE))


def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_column('closes_at')
