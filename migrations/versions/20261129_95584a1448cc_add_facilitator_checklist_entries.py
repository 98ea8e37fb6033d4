"""add facilitator checklist entries

Revision ID: 95584a1448cc
Revises: 39ed498b7e8a
Create Date: 2026-11-29 20:34:40.138898

"""
from alembic import op
import sqlalchemy as sa
import app.db  # noqa: F401 - custom column types (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '95584a1448cc'
down_revision = '39ed498b7e8a'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checklist_entries',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('item_key', sa.String(length=80), nullable=False),
    sa.Column('is_done', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('target_on', sa.Date(), nullable=True),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checklist_entries_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'item_key', name=op.f('pk_checklist_entries'))
    )
    op.create_table('checklist_profiles',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('initiative_name', sa.String(length=160), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_checklist_profiles_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_checklist_profiles'))
    )


def downgrade():
    op.drop_table('checklist_profiles')
    op.drop_table('checklist_entries')
