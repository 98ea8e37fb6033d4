"""add live guests: live_sessions.guests_allowed and users.guest_session_id

A guest is a users row of a special kind, belonging to one live session (docs/LIVE.md, "Guests"):
deleted with the session (ON DELETE CASCADE). Sessions already in the table take no guests.

SQLite: batch mode would recreate `users`, and dropping the old table with foreign keys on makes
SQLite delete its rows first, firing every ON DELETE of the tables that reference people (roles,
enrolments, answers... deleted; the audit log's SET NULL refused by its append-only trigger). So a
database with people gets the column in place (ALTER TABLE ... ADD COLUMN ... REFERENCES, the same
foreign key written on the column; SQLAlchemy's SQLite reflection reads no ON DELETE from a
column-level constraint, which is all `flask db check` could report there); an empty one (a new
installation, the tests) is recreated in batch mode as usual. Downgrading such a database leaves
the column in place (its guests deleted) for the same reason, and upgrading again reuses it.

Revision ID: b7c3e5a9d2f1
Revises: 005149841d19
Create Date: 2026-12-14 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b7c3e5a9d2f1'
down_revision = '005149841d19'
branch_labels = None
depends_on = None

FK = 'fk_users_guest_session_id_live_sessions'


def _sqlite_with_people(bind) -> bool:
    return bind.dialect.name == 'sqlite' and bool(bind.execute(sa.text('SELECT count(*) FROM users')).scalar())


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('guests_allowed', sa.Boolean(), server_default=sa.false(), nullable=False))
    if 'guest_session_id' in {c['name'] for c in sa.inspect(bind).get_columns('users')}:
        pass      # left by a downgrade of a SQLite database with people (see above)
    elif _sqlite_with_people(bind):
        op.execute(f'ALTER TABLE users ADD COLUMN guest_session_id INTEGER CONSTRAINT {FK} '
                   'REFERENCES live_sessions (id) ON DELETE CASCADE')
    else:
        with op.batch_alter_table('users', schema=None) as batch_op:
            batch_op.add_column(sa.Column('guest_session_id', sa.Integer(), nullable=True))
            batch_op.create_foreign_key(batch_op.f(FK), 'live_sessions', ['guest_session_id'], ['id'],
                                        ondelete='CASCADE')
    op.create_index(op.f('ix_users_guest_session_id'), 'users', ['guest_session_id'], unique=False)


def downgrade():
    bind = op.get_bind()
    users = sa.table('users', sa.column('guest_session_id', sa.Integer()))
    bind.execute(sa.delete(users).where(users.c.guest_session_id.is_not(None)))
    op.drop_index(op.f('ix_users_guest_session_id'), table_name='users')
    if not _sqlite_with_people(bind):
        with op.batch_alter_table('users', schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(FK), type_='foreignkey')
            batch_op.drop_column('guest_session_id')
    with op.batch_alter_table('live_sessions', schema=None) as batch_op:
        batch_op.drop_column('guests_allowed')
