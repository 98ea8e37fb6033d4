"""replace checklist_entries.is_done with state: each item is answered yes, partly or no, or not
yet answered

Ticked items (is_done true) become "yes"; everything else "unanswered" (an unticked box never
said "no"). The downgrade keeps "yes" as ticked and loses the difference between partly, no and
unanswered, which the old schema cannot hold.

Revision ID: 7d41c2a9e3b5
Revises: 8f2b6c41d0a3
Create Date: 2026-12-08 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '7d41c2a9e3b5'
down_revision = '8f2b6c41d0a3'
branch_labels = None
depends_on = None

STATES = "state IN ('yes', 'partly', 'no', 'unanswered')"


def upgrade():
    with op.batch_alter_table('checklist_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=10), server_default='unanswered', nullable=False))
    entries = sa.table('checklist_entries', sa.column('is_done', sa.Boolean()), sa.column('state', sa.String()))
    op.execute(sa.update(entries).where(entries.c.is_done == sa.true()).values(state='yes'))
    with op.batch_alter_table('checklist_entries', schema=None) as batch_op:
        batch_op.drop_column('is_done')
        batch_op.create_check_constraint(op.f('ck_checklist_entries_state_known'), STATES)


def downgrade():
    with op.batch_alter_table('checklist_entries', schema=None) as batch_op:
        batch_op.add_column(sa.Column('is_done', sa.Boolean(), server_default=sa.false(), nullable=False))
    entries = sa.table('checklist_entries', sa.column('is_done', sa.Boolean()), sa.column('state', sa.String()))
    op.execute(sa.update(entries).where(entries.c.state == 'yes').values(is_done=True))
    with op.batch_alter_table('checklist_entries', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_checklist_entries_state_known'), type_='check')
        batch_op.drop_column('state')
        batch_op.alter_column('is_done', server_default=None)
