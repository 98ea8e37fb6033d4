"""add live_sessions.slide_index and slides_on_phones; the projector may show a slide

The presenter shows a lesson as slides: the slide on screen is stored with the session (NULL: not
presenting), so a reconnecting screen catches up, and so is whether phones follow the slides.

Revision ID: 005149841d19
Revises: 6d83e5cf8cb4
Create Date: 2026-12-13 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '005149841d19'
down_revision = '6d83e5cf8cb4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('slide_index', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('slides_on_phones', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.drop_constraint(op.f('ck_live_sessions_projector_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_live_sessions_projector_known'),
                                         "projector IN ('join', 'lesson', 'poll', 'leaderboard', 'qna', 'slide')")
        batch_op.create_check_constraint(op.f('ck_live_sessions_slide_index_not_negative'), "slide_index >= 0")


def downgrade():
    sessions = sa.table('live_sessions', sa.column('projector', sa.String()))
    op.get_bind().execute(sa.update(sessions).where(sessions.c.projector == 'slide').values(projector='lesson'))
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_live_sessions_slide_index_not_negative'), type_='check')
        batch_op.drop_constraint(op.f('ck_live_sessions_projector_known'), type_='check')
        batch_op.create_check_constraint(op.f('ck_live_sessions_projector_known'),
                                         "projector IN ('join', 'lesson', 'poll', 'leaderboard', 'qna')")
        batch_op.drop_column('slides_on_phones')
        batch_op.drop_column('slide_index')
