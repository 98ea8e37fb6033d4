"""The schema changes only through migrations: head builds every table, with no drift from the models."""
import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db


def test_empty_database_upgrades_to_head_matching_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        diffs = compare_metadata(context, db.metadata)
    assert diffs == [], f"models and migrations differ: {diffs}"
    tables = set(sa.inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables and "alembic_version" in tables


def test_fresh_upgrade_from_nothing(tmp_path, on_postgres, migrate_to_head):
    """A brand-new SQLite file goes to head through `db upgrade` alone (the template did this too on PG)."""
    if on_postgres:
        return
    from app import create_app

    target = tmp_path / "fresh.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"})
    migrate_to_head(app)
    engine = sa.create_engine(f"sqlite:///{target}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM alembic_version").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    engine.dispose()


def test_sqlite_pragmas(app, on_postgres):
    if on_postgres:
        return
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_checklist_ticks_become_yes_and_the_rest_unanswered(tmp_path, on_postgres):
    """7d41c2a9e3b5: is_done true → state "yes", false → "unanswered"; the downgrade keeps "yes" as
    ticked (partly and no cannot be held by a tick box)."""
    if on_postgres:
        return
    from flask_migrate import downgrade, upgrade

    from app import create_app

    target = tmp_path / "old.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"})
    with app.app_context():
        upgrade(revision="c3a7e1d2f409")
        with db.engine.begin() as conn:
            conn.exec_driver_sql("INSERT INTO users (id, email, display_name, password_hash, is_active, created_at, "
                                 "session_epoch) VALUES (1, 'a@example.org', 'A', 'x', 1, '2026-01-01', 0)")
            for key, done in (("ticked", 1), ("open", 0)):
                conn.exec_driver_sql("INSERT INTO checklist_entries (user_id, item_key, is_done, note, updated_at) "
                                     f"VALUES (1, '{key}', {done}, 'n', '2026-01-01')")
        upgrade(revision="7d41c2a9e3b5")
        with db.engine.begin() as conn:
            states = dict(conn.exec_driver_sql("SELECT item_key, state FROM checklist_entries").all())
            assert states == {"ticked": "yes", "open": "unanswered"}
            conn.exec_driver_sql("UPDATE checklist_entries SET state = 'partly' WHERE item_key = 'open'")
            with pytest.raises(sa.exc.IntegrityError):
                conn.exec_driver_sql("UPDATE checklist_entries SET state = 'maybe' WHERE item_key = 'open'")
        downgrade(revision="c3a7e1d2f409")
        with db.engine.connect() as conn:
            assert dict(conn.exec_driver_sql("SELECT item_key, is_done FROM checklist_entries").all()) == {
                "ticked": 1, "open": 0}
        db.engine.dispose()
