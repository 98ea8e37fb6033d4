"""add xapi_statements: xAPI statements queued with what caused them, sent to the LRS by a job

Revision ID: 4e1a9c7b3d25
Revises: 4f2a9c7e1b3d
Create Date: 2026-12-22 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import app.db  # noqa: F401 - custom column types (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '4e1a9c7b3d25'
down_revision = '4f2a9c7e1b3d'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'xapi_statements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('statement_id', sa.String(length=36), nullable=False),
        sa.Column('cause', sa.String(length=300), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('statement', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('claim_token', sa.String(length=40), nullable=True),
        sa.Column('claimed_at', app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('next_attempt_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('sent_at', app.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')",
                           name=op.f('ck_xapi_statements_status_known')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'],
                                name=op.f('fk_xapi_statements_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_statements')),
        sa.UniqueConstraint('statement_id', name=op.f('uq_xapi_statements_statement_id')),
    )
    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_xapi_statements_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_xapi_statements_claim_token'), ['claim_token'], unique=False)
        batch_op.create_index('ix_xapi_statements_status_next_attempt_at', ['status', 'next_attempt_at'], unique=False)


def downgrade():
    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.drop_index('ix_xapi_statements_status_next_attempt_at')
        batch_op.drop_index(batch_op.f('ix_xapi_statements_claim_token'))
        batch_op.drop_index(batch_op.f('ix_xapi_statements_user_id'))
    op.drop_table('xapi_statements')
