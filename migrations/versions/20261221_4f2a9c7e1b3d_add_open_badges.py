"""add open_badges: each certificate's Open Badges 3.0 credential, signed once and kept

Revision ID: 4f2a9c7e1b3d
Revises: 669e20e8543b
Create Date: 2026-12-21 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa
import app.db  # noqa: F401 - custom column types (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '4f2a9c7e1b3d'
down_revision = '669e20e8543b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'open_badges',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('certificate_id', sa.Integer(), nullable=False),
        sa.Column('credential_id', sa.String(length=500), nullable=False),
        sa.Column('subject_id', sa.String(length=60), nullable=False),
        sa.Column('salt', sa.String(length=64), nullable=False),
        sa.Column('credential', sa.Text(), nullable=False),
        sa.Column('jwt', sa.Text(), nullable=False),
        sa.Column('kid', sa.String(length=500), nullable=False),
        sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['certificate_id'], ['certificates.id'],
                                name=op.f('fk_open_badges_certificate_id_certificates'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_open_badges')),
        sa.UniqueConstraint('certificate_id', name=op.f('uq_open_badges_certificate_id')),
        sa.UniqueConstraint('credential_id', name=op.f('uq_open_badges_credential_id')),
    )


def downgrade():
    op.drop_table('open_badges')
