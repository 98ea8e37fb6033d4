"""add scheduled_days and calendar_feeds; cohorts.time_zone, users.time_zone, outbox_messages.attachments

Revision ID: 5c1d9e7a3b20
Revises: 4c2e9a7b1d05
Create Date: 2026-12-21 09:00:00.000000

The three new columns are added with plain ADD COLUMN, never batch mode: a batch rebuild of
`users` or `cohorts` on SQLite drops and re-creates the table, which cascades deletes through every
table referencing it (see 20261214_b7c3e5a9d2f1_add_live_guests.py).
"""
from alembic import op
import sqlalchemy as sa
import app.db  # noqa: F401 - custom column types (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '5c1d9e7a3b20'
down_revision = '4c2e9a7b1d05'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('time_zone', sa.String(length=64), nullable=True))
    op.add_column('cohorts', sa.Column('time_zone', sa.String(length=64), nullable=True))
    op.add_column('outbox_messages', sa.Column('attachments', sa.JSON(), server_default='[]', nullable=False))
    op.create_table(
        'scheduled_days',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('cohort_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Integer(), nullable=False),
        sa.Column('on_date', sa.Date(), nullable=False),
        sa.Column('starts_at', sa.Time(), nullable=False),
        sa.Column('ends_at', sa.Time(), nullable=False),
        sa.Column('time_zone', sa.String(length=64), nullable=False),
        sa.Column('place', sa.String(length=200), server_default='', nullable=False),
        sa.Column('link', sa.String(length=500), server_default='', nullable=False),
        sa.Column('sequence', sa.Integer(), server_default='0', nullable=False),
        sa.Column('cancelled_at', app.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint('day >= 1', name=op.f('ck_scheduled_days_day_positive')),
        sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_scheduled_days_ends_after_start')),
        sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_scheduled_days_cohort_id_cohorts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_scheduled_days_created_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scheduled_days')),
    )
    op.create_index('ix_scheduled_days_cohort_id_on_date', 'scheduled_days', ['cohort_id', 'on_date'], unique=False)
    op.create_table(
        'calendar_feeds',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column('last_fetched_at', app.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_calendar_feeds_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_calendar_feeds')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_calendar_feeds_token_hash')),
    )


def downgrade():
    op.drop_table('calendar_feeds')
    op.drop_index('ix_scheduled_days_cohort_id_on_date', table_name='scheduled_days')
    op.drop_table('scheduled_days')
    # DROP COLUMN (SQLite 3.35+) rather than a batch rebuild, for the reason above
    op.drop_column('outbox_messages', 'attachments')
    op.drop_column('cohorts', 'time_zone')
    op.drop_column('users', 'time_zone')
