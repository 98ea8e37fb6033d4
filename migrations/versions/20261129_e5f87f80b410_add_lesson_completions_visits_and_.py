"""add lesson completions, visits and reflection notes

Revision ID: e5f87f80b410
Revises: ede38080052b
Create Date: 2026-11-29 19:30:08.147697

"""
from alembic import op
import sqlalchemy as sa
import app.db  # noqa: F401 - custom column types (UTCDateTime)


# revision identifiers, used by Alembic.
revision = 'e5f87f80b410'
down_revision = 'ede38080052b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lesson_completions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('lesson_key', sa.String(length=120), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('completed_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lesson_completions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_lesson_completions')),
    sa.UniqueConstraint('user_id', 'lesson_key', name=op.f('uq_lesson_completions_user_id_lesson_key'))
    )
    with op.batch_alter_table('lesson_completions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lesson_completions_user_id'), ['user_id'], unique=False)

    op.create_table('lesson_visits',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('lesson_key', sa.String(length=120), nullable=False),
    sa.Column('first_seen_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_lesson_visits_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'lesson_key', name=op.f('pk_lesson_visits'))
    )
    op.create_table('reflection_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('lesson_key', sa.String(length=120), nullable=False),
    sa.Column('prompt_key', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reflection_notes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reflection_notes')),
    sa.UniqueConstraint('user_id', 'prompt_key', name=op.f('uq_reflection_notes_user_id_prompt_key'))
    )
    with op.batch_alter_table('reflection_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reflection_notes_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('reflection_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reflection_notes_user_id'))

    op.drop_table('reflection_notes')
    op.drop_table('lesson_visits')
    with op.batch_alter_table('lesson_completions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lesson_completions_user_id'))

    op.drop_table('lesson_completions')
