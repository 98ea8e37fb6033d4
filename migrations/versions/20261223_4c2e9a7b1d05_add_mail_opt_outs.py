"""add mail_opt_outs (per-kind opt-out) and the outbox status "cancelled"

Revision ID: 4c2e9a7b1d05
Revises: 4e1a9c7b3d25
Create Date: 2026-12-21 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import app.db  # noqa: F401 - custom column types (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '4c2e9a7b1d05'
down_revision = '4e1a9c7b3d25'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mail_opt_outs',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mail_opt_outs_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_mail_opt_outs')),
    )
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_messages_status_known'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_outbox_messages_status_known'),
            "status IN ('queued', 'sending', 'sent', 'failed', 'cancelled')")


def downgrade():
    op.execute("UPDATE outbox_messages SET status = 'failed' WHERE status = 'cancelled'")
    with op.batch_alter_table('outbox_messages', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_outbox_messages_status_known'), type_='check')
        batch_op.create_check_constraint(
            op.f('ck_outbox_messages_status_known'), "status IN ('queued', 'sending', 'sent', 'failed')")
    op.drop_table('mail_opt_outs')
