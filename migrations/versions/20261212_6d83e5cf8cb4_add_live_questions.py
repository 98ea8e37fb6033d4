"""add live questions and their votes (Q&A in a live session), live_sessions.qna_anonymous and the
projector's "qna" screen

Sessions already in the table get anonymous Q&A (the default) and keep what their projector shows.

Revision ID: 6d83e5cf8cb4
Revises: b3f1c8d2a6e4
Create Date: 2026-12-12 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import app.db  # noqa: F401 - custom column types (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '6d83e5cf8cb4'
down_revision = 'b3f1c8d2a6e4'
branch_labels = None
depends_on = None

OLD_SCREENS = "projector IN ('join', 'lesson', 'poll', 'leaderboard')"
NEW_SCREENS = "projector IN ('join', 'lesson', 'poll', 'leaderboard', 'qna')"


def upgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('qna_anonymous', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.drop_constraint(op.f('ck_live_sessions_projector_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_live_sessions_projector_known'), NEW_SCREENS)

    op.create_table('live_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=280), nullable=False),
    sa.Column('posted_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('on_screen_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['live_sessions.id'], name=op.f('fk_live_questions_session_id_live_sessions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_questions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_live_questions'))
    )
    with op.batch_alter_table('live_questions', schema=None) as batch_op:
        batch_op.create_index('ix_live_questions_one_on_screen', ['session_id'], unique=True, sqlite_where=sa.text('on_screen_at IS NOT NULL'), postgresql_where=sa.text('on_screen_at IS NOT NULL'))
        batch_op.create_index('ix_live_questions_session_user_posted', ['session_id', 'user_id', 'posted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_questions_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_live_questions_user_id'), ['user_id'], unique=False)

    op.create_table('live_question_votes',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('voted_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['live_questions.id'], name=op.f('fk_live_question_votes_question_id_live_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_live_question_votes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('question_id', 'user_id', name=op.f('pk_live_question_votes'))
    )
    with op.batch_alter_table('live_question_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_live_question_votes_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('live_question_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_question_votes_user_id'))
    op.drop_table('live_question_votes')
    with op.batch_alter_table('live_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_questions_user_id'))
        batch_op.drop_index(batch_op.f('ix_live_questions_session_id'))
        batch_op.drop_index('ix_live_questions_session_user_posted')
        batch_op.drop_index('ix_live_questions_one_on_screen')
    op.drop_table('live_questions')
    op.execute("UPDATE live_sessions SET projector = 'lesson' WHERE projector = 'qna'")
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_live_sessions_projector_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_live_sessions_projector_known'), OLD_SCREENS)
        batch_op.drop_column('qna_anonymous')
