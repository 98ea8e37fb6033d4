"""add live_sessions.projector: what the big screen shows (join code, lesson, poll, leaderboard)

Sessions already in the table keep what their projector showed before: the poll when there is
one, otherwise the lesson, otherwise the join code.

Revision ID: 8f2b6c41d0a3
Revises: c3a7e1d2f409
Create Date: 2026-12-07 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8f2b6c41d0a3'
down_revision = 'c3a7e1d2f409'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('projector', sa.String(length=12), server_default='join', nullable=False))
        batch_op.create_check_constraint(op.f('ck_live_sessions_projector_known'),
                                         "projector IN ('join', 'lesson', 'poll', 'leaderboard')")
    sessions = sa.table('live_sessions', sa.column('id', sa.Integer()), sa.column('lesson_key', sa.String()),
                        sa.column('projector', sa.String()))
    polls = sa.table('live_polls', sa.column('session_id', sa.Integer()))
    bind = op.get_bind()
    bind.execute(sa.update(sessions).where(sessions.c.lesson_key.is_not(None)).values(projector='lesson'))
    bind.execute(sa.update(sessions).where(sa.exists().where(polls.c.session_id == sessions.c.id))
                 .values(projector='poll'))


def downgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_live_sessions_projector_known'), type_='check')
        batch_op.drop_column('projector')
