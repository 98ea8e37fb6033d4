"""`flask config check` and `flask backup` against a real database."""
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.db import utcnow
from app.demo.services import seed_demo
from app.extensions import db

ROOT = Path(__file__).resolve().parents[2]


def test_config_check_fails_on_the_demo_setup(app, runner):
    seed_demo(now=utcnow())
    app.config.update(TESTING=False, LECTERN_DEMO=True, SECRET_KEY="dev")
    result = runner.invoke(args=["config", "check"])
    assert result.exit_code == 1
    assert "SECRET_KEY: too weak" in result.output and "LECTERN_DEMO" in result.output
    assert "admin@example.com still signs in with its published demo password" in result.output
    assert "Not ready for production" in result.output


def test_config_check_without_any_secret_reports_it_instead_of_crashing(tmp_path, database_uri):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "FLASK_DEBUG")}
    env.update(DATABASE_URL=database_uri, LECTERN_DEMO="0")
    result = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "config", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "SECRET_KEY: not set" in result.stderr
    # every other command still refuses to start without it
    other = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "content", "check"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=60)
    assert other.returncode != 0 and "SECRET_KEY is not set" in other.stderr


def test_backup_copies_a_consistent_database_while_it_is_written(app, runner, make_user, database_uri, tmp_path):
    if not database_uri.startswith("sqlite"):
        result = runner.invoke(args=["backup", str(tmp_path / "x.db")])
        assert result.exit_code == 2 and "pg_dump" in result.output
        return
    for _ in range(50):
        make_user()
    stop = threading.Event()
    written = []

    def writer():
        engine = sa.create_engine(database_uri, connect_args={"timeout": 15})
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
        n = 0
        while not stop.is_set():
            n += 1
            with engine.begin() as conn:
                conn.execute(sa.text("UPDATE users SET display_name = :n WHERE id = (SELECT min(id) FROM users)"),
                             {"n": f"write {n}"})
            written.append(n)
        engine.dispose()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        target = tmp_path / "backup.db"
        result = runner.invoke(args=["backup", str(target)])
    finally:
        stop.set()
        thread.join(10)
    assert result.exit_code == 0, result.output
    assert "integrity check ok" in result.output and written
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT count(*) FROM users").fetchone()[0] == db.session.scalar(
            sa.select(sa.func.count()).select_from(User))
    finally:
        copy.close()
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code != 0 and "exists" in again.output
    assert not (tmp_path / "backup.db.partial").exists()


def test_backup_refuses_to_overwrite_the_database(app, runner, database_uri):
    if not database_uri.startswith("sqlite"):
        pytest.skip("SQLite only")
    path = database_uri.removeprefix("sqlite:///")
    result = runner.invoke(args=["backup", path, "--force"])
    assert result.exit_code != 0 and "cannot overwrite the database itself" in result.output
