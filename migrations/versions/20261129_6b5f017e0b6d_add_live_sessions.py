"""add live sessions

Revision ID: 6b5f017e0b6d
Revises: 95584a1448cc
Create Date: 2026-11-29 21:42:44.981573

"""
from alembic import op
import sqlalchemy as sa
import app.db  # noqa: F401 - custom column types (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '6b5f017e0b6d'
down_revision = '95584a1448cc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('live_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('started_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('lesson_key', sa.String(length=120), nullable=True),
    sa.Column('agenda_index', sa.Integer(), nullable=True),
    sa.Column('item_started_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('leaderboard_visible', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.CheckConstraint('day >= 1', name=op.f('ck_live_sessions_day_positive')),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_live_sessions_cohort_id_cohorts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['started_by_id'], ['users.id'], name=op.f('fk_live_sessions_started_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_sessions'))
    )
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_sessions_cohort_id'), ['cohort_id'], unique=False)
        batch_op.create_index('ix_live_sessions_open_code', ['code'], unique=True, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.create_index('ix_live_sessions_open_cohort', ['cohort_id'], unique=True, sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))

    op.create_table('live_participants',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('seconds_present', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_participants_session_id_live_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_participants_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_live_participants'))
    )
    with op.batch_alter_table('live_participants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_participants_user_id'), ['user_id'], unique=False)

    op.create_table('live_polls',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('quiz_key', sa.String(length=80), nullable=True),
    sa.Column('question_id', sa.String(length=80), nullable=True),
    sa.Column('question', sa.JSON(), nullable=False),
    sa.Column('scored', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('opened_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revealed_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("source IN ('bank', 'adhoc')", name=op.f('ck_live_polls_source_known')),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_polls_session_id_live_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_polls')),
    sa.UniqueConstraint('session_id', 'seq', name=op.f('uq_live_polls_session_id_seq'))
    )
    with op.batch_alter_table('live_polls', schema=None) as batch_op:
        batch_op.create_index('ix_live_polls_one_open', ['session_id'], unique=True, sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_live_polls_session_id'), ['session_id'], unique=False)

    op.create_table('live_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('poll_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.JSON(), nullable=False),
    sa.Column('fraction', sa.Double(), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('answered_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('changes', sa.Integer(), server_default='0', nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['live_polls.id'], name=op.f('fk_live_answers_poll_id_live_polls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_answers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_answers')),
    sa.UniqueConstraint('poll_id', 'user_id', name=op.f('uq_live_answers_poll_id_user_id'))
    )
    with op.batch_alter_table('live_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_answers_poll_id'), ['poll_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_answers_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('live_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_answers_user_id'))
        batch_op.drop_index(batch_op.f('ix_live_answers_poll_id'))

    op.drop_table('live_answers')
    with op.batch_alter_table('live_polls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_polls_session_id'))
        batch_op.drop_index('ix_live_polls_one_open', sqlite_where=sa.text('closed_at IS NULL'), postgresql_where=sa.text('closed_at IS NULL'))

    op.drop_table('live_polls')
    with op.batch_alter_table('live_participants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_participants_user_id'))

    op.drop_table('live_participants')
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_live_sessions_open_cohort', sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index('ix_live_sessions_open_code', sqlite_where=sa.text('ended_at IS NULL'), postgresql_where=sa.text('ended_at IS NULL'))
        batch_op.drop_index(batch_op.f('ix_live_sessions_cohort_id'))

    op.drop_table('live_sessions')
