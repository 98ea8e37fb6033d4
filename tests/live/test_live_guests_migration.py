"""b7c3e5a9d2f1 on a SQLite database that already has people: the column is added in place (no
table rebuild, which would cascade-delete through every table referencing people), with the same
foreign key (ON DELETE CASCADE), and a downgrade and upgrade keep everyone."""
from flask_migrate import downgrade, upgrade

from app.extensions import db


def test_upgrading_a_sqlite_database_with_people_keeps_them_and_cascades(tmp_path, on_postgres):
    if on_postgres:
        return
    from app import create_app

    target = tmp_path / "people.db"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}"})
    with app.app_context():
        upgrade(revision="4e7a9c2b1f08")
        with db.engine.begin() as conn:
            sql = conn.exec_driver_sql
            sql("INSERT INTO users (id, email, display_name, password_hash, is_active, created_at, session_epoch) "
                "VALUES (1, 'a@example.org', 'A', 'x', 1, '2026-01-01', 0)")
            sql("INSERT INTO user_roles (user_id, role) VALUES (1, 'admin')")
        upgrade(revision="b7c3e5a9d2f1")
        with db.engine.begin() as conn:
            sql = conn.exec_driver_sql
            assert sql("SELECT count(*) FROM user_roles").scalar() == 1
            fks = [r for r in sql("PRAGMA foreign_key_list(users)").all() if r[3] == "guest_session_id"]
            assert len(fks) == 1 and fks[0][2] == "live_sessions" and fks[0][6] == "CASCADE"
        downgrade(revision="4e7a9c2b1f08")
        upgrade(revision="b7c3e5a9d2f1")
        with db.engine.begin() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM user_roles").scalar() == 1
            assert conn.exec_driver_sql("SELECT count(*) FROM users").scalar() == 1
        db.engine.dispose()
