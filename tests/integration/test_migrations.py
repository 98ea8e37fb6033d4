"""The schema changes only through migrations: head builds every table, with no drift from the models."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db
from tests.conftest import ON_POSTGRES


def test_empty_database_upgrades_to_head_matching_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diffs = compare_metadata(context, db.metadata)
    assert diffs == [], f"models and migrations differ: {diffs}"
    tables = set(sa.inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables and "alembic_version" in tables


def test_fresh_upgrade_from_nothing(tmp_path):
    """A brand-new SQLite file goes to head through `db upgrade` alone (the template did this too on PG)."""
    if ON_POSTGRES:
        return
    from app import create_app
    from tests.conftest import migrate_to_head

    target = tmp_path / "fresh.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"})
    migrate_to_head(app)
    engine = sa.create_engine(f"sqlite:///{target}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_sqlite_pragmas(app):
    if ON_POSTGRES:
        return
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
