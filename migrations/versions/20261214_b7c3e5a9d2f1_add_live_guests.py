"""add live guests: live_sessions.guests_allowed and users.guest_session_id

A guest is a users row of a special kind, belonging to one live session (docs/LIVE.md, "Guests"):
deleted with the session (ON DELETE CASCADE). Sessions already in the table take no guests.

Revision ID: b7c3e5a9d2f1
Revises: 4e7a9c2b1f08
Create Date: 2026-12-14 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c3e5a9d2f1'
down_revision = '4e7a9c2b1f08'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guests_allowed', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guest_session_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_users_guest_session_id'), ['guest_session_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_users_guest_session_id_live_sessions'), 'live_sessions',
                                    ['guest_session_id'], ['id'], ondelete='CASCADE')


def downgrade():
    users = sa.table('users', sa.column('guest_session_id', sa.Integer()))
    op.get_bind().execute(sa.delete(users).where(users.c.guest_session_id.is_not(None)))
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_guest_session_id_live_sessions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_users_guest_session_id'))
        batch_op.drop_column('guest_session_id')
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_column('guests_allowed')
