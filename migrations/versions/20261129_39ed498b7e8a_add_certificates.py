"""add certificates

Revision ID: 39ed498b7e8a
Revises: b5e610ed1bf7
Create Date: 2026-11-29 20:21:30.174693

"""
from alembic import op
import sqlalchemy as sa
import app.db  # noqa: F401 - custom column types (UTCDateTime)


# revision identifiers, used by Alembic.
revision = '39ed498b7e8a'
down_revision = 'b5e610ed1bf7'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=17), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('cohort_id', sa.Integer(), nullable=True),
    sa.Column('holder_name', sa.String(length=120), nullable=False),
    sa.Column('course_title', sa.String(length=200), nullable=False),
    sa.Column('course_code', sa.String(length=40), nullable=False),
    sa.Column('hours', sa.Double(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('issuer_org', sa.String(length=200), nullable=False),
    sa.Column('issuer_name', sa.String(length=120), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('override_reason', sa.Text(), nullable=True),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('revoked_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_reason', sa.Text(), nullable=True),
    sa.Column('revoked_by_id', sa.Integer(), nullable=True),
    sa.Column('superseded_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('superseded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['cohort_id'], ['cohorts.id'], name=op.f('fk_certificates_cohort_id_cohorts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_certificates_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['revoked_by_id'], ['users.id'], name=op.f('fk_certificates_revoked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['superseded_by_id'], ['certificates.id'], name=op.f('fk_certificates_superseded_by_id_certificates'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_certificates_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('code', name=op.f('uq_certificates_code'))
    )
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.create_index('ix_certificates_one_current', ['user_id', 'course_code'], unique=True, sqlite_where=sa.text('revoked_at IS NULL AND superseded_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL AND superseded_at IS NULL'))
        batch_op.create_index(batch_op.f('ix_certificates_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_certificates_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_certificates_user_id'))
        batch_op.drop_index(batch_op.f('ix_certificates_sha256'))
        batch_op.drop_index('ix_certificates_one_current', sqlite_where=sa.text('revoked_at IS NULL AND superseded_at IS NULL'), postgresql_where=sa.text('revoked_at IS NULL AND superseded_at IS NULL'))

    op.drop_table('certificates')
