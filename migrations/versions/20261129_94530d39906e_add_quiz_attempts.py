"""add quiz attempts

Revision ID: 94530d39906e
Revises: e5f87f80b410
Create Date: 2026-11-29 19:45:14.219168

"""
from alembic import op
import sqlalchemy as sa
import app.db  # noqa: F401 - custom column types (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '94530d39906e'
down_revision = 'e5f87f80b410'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quiz_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('quiz_key', sa.String(length=80), nullable=False),
    sa.Column('attempt_no', sa.Integer(), nullable=False),
    sa.Column('max_attempts', sa.Integer(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('submit_token', sa.String(length=64), nullable=False),
    sa.Column('feedback_mode', sa.String(length=12), nullable=False),
    sa.Column('pass_mark', sa.Double(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('checked', sa.JSON(), nullable=False),
    sa.Column('started_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('is_late', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('score_points', sa.Double(), nullable=True),
    sa.Column('score_out_of', sa.Double(), nullable=True),
    sa.Column('score_percent', sa.Double(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.CheckConstraint('attempt_no >= 1', name=op.f('ck_quiz_attempts_attempt_no_positive')),
    sa.CheckConstraint('max_attempts IS NULL OR attempt_no <= max_attempts', name=op.f('ck_quiz_attempts_within_limit')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_quiz_attempts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_attempts')),
    sa.UniqueConstraint('submit_token', name=op.f('uq_quiz_attempts_submit_token')),
    sa.UniqueConstraint('user_id', 'quiz_key', 'attempt_no', name=op.f('uq_quiz_attempts_user_id_quiz_key_attempt_no'))
    )
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index('ix_quiz_attempts_one_open', ['user_id', 'quiz_key'], unique=True, sqlite_where=sa.text('finished_at IS NULL'), postgresql_where=sa.text('finished_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_quiz_attempts_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_attempts_user_id'))
        batch_op.drop_index('ix_quiz_attempts_one_open', sqlite_where=sa.text('finished_at IS NULL'), postgresql_where=sa.text('finished_at IS NULL'))

    op.drop_table('quiz_attempts')
