"""add live attendance credits: minutes an instructor credits by hand, with the reason

Revision ID: a13ee2b2d3ff
Revises: 6b5f017e0b6d
Create Date: 2026-11-30 00:21:47.054679

"""
from alembic import op
import sqlalchemy as sa
import app.db  # noqa: F401 - custom column types (UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'a13ee2b2d3ff'
down_revision = '6b5f017e0b6d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_attendance_credits',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('credited_by_id', sa.Integer(), nullable=True),
    sa.Column('credited_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minutes >= 0 AND minutes <= 1440', name=op.f('ck_live_attendance_credits_minutes_within_a_day')),
    sa.ForeignKeyConstraint(['credited_by_id'], ['users.id'], name=op.f('fk_live_attendance_credits_credited_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_attendance_credits_session_id_live_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_attendance_credits_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_live_attendance_credits'))
    )
    with op.batch_alter_table('live_attendance_credits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_attendance_credits_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('live_attendance_credits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_attendance_credits_user_id'))

    op.drop_table('live_attendance_credits')
