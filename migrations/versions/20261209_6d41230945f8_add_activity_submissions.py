"""add activity submissions: trainees' texts for assessed activities, marks and feedback

At most MAX_SUBMISSIONS (2) per person and activity, one under review at a time (partial unique index).

Revision ID: 6d41230945f8
Revises: 7d41c2a9e3b5
Create Date: 2026-12-09 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import app.db  # noqa: F401 - custom column types (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '6d41230945f8'
down_revision = '7d41c2a9e3b5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('activity_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('activity_key', sa.String(length=120), nullable=False),
    sa.Column('lesson_key', sa.String(length=120), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('submitted_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('returned_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('marked_by_id', sa.Integer(), nullable=True),
    sa.Column('marks', sa.JSON(), nullable=True),
    sa.Column('points', sa.Integer(), nullable=True),
    sa.Column('out_of', sa.Integer(), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=True),
    sa.CheckConstraint('number >= 1 AND number <= 2', name=op.f('ck_activity_submissions_number_within_limit')),
    sa.CheckConstraint('returned_at IS NULL OR (points IS NOT NULL AND out_of IS NOT NULL)', name=op.f('ck_activity_submissions_returned_with_marks')),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_activity_submissions_marked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_activity_submissions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_submissions')),
    sa.UniqueConstraint('user_id', 'activity_key', 'number', name=op.f('uq_activity_submissions_user_id_activity_key_number'))
    )
    with op.batch_alter_table('activity_submissions', schema=None) as batch_op:
        batch_op.create_index('ix_activity_submissions_one_under_review', ['user_id', 'activity_key'], unique=True, sqlite_where=sa.text('returned_at IS NULL'), postgresql_where=sa.text('returned_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_activity_submissions_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('activity_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_submissions_user_id'))
        batch_op.drop_index('ix_activity_submissions_one_under_review', sqlite_where=sa.text('returned_at IS NULL'), postgresql_where=sa.text('returned_at IS NULL'))

    op.drop_table('activity_submissions')
