"""Plugin: the app under test in the flaskr shape (app, client, runner) on a fresh database.

Databases: every test gets a database migrated to head. SQLite (the default) copies a file that
was migrated once per run; with TEST_DATABASE_URL set to PostgreSQL the schema is migrated once
and every table is emptied after each test.

Parallel runs (pytest-xdist, `make test`): each worker process has its own PostgreSQL database
(TEST_DATABASE_URL's name + `_gw0`, `_gw1`, … made afresh) and its own REDIS_PREFIX, so live
channels, sign-in counters and queues of two workers never meet in the one Redis.
"""
from __future__ import annotations

import contextvars
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient

from app import create_app
from app.extensions import db

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
ON_POSTGRES = TEST_DATABASE_URL.startswith(("postgres://", "postgresql"))
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")   # "gw0", "gw1", … under pytest-xdist; "" otherwise


def pytest_configure(config: pytest.Config) -> None:
    # every app this process and its servers build names its Redis keys and channels apart
    os.environ["REDIS_PREFIX"] = f"lectern-test-{os.getpid()}"


def _worker_postgres_url() -> str:
    """TEST_DATABASE_URL, normalised; under xdist a database of this worker's own, made empty."""
    url = _pg_url(TEST_DATABASE_URL)
    if not WORKER:
        return url
    base = sa.engine.make_url(url)
    name = f"{base.database}_{WORKER}"
    engine = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


def migrate_to_head(app: Flask) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
        db.engine.dispose()


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database at head: a SQLite file to copy, or the PostgreSQL URL after a fresh migration."""
    if ON_POSTGRES:
        url = _worker_postgres_url()
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
        migrate_to_head(create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url}))
        return url
    path = tmp_path_factory.mktemp("template") / "lectern.db"
    migrate_to_head(create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"}))
    return str(path)


def _pg_url(url: str) -> str:
    from app.config import normalise_database_url

    return normalise_database_url(url)


def empty_postgres(url: str) -> None:
    """Empty every table of the PostgreSQL test database (the schema and its revision stay)."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        tables = [t for t in sa.inspect(conn).get_table_names() if t != "alembic_version"]
        if tables:
            conn.execute(sa.text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_uri(migrated_template: str, tmp_path: Path) -> Iterator[str]:
    if ON_POSTGRES:
        yield migrated_template
        empty_postgres(migrated_template)
    else:
        target = tmp_path / "lectern.db"
        shutil.copyfile(migrated_template, target)
        yield f"sqlite:///{target}"


@pytest.fixture(scope="module")
def module_database(migrated_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Like `database_uri`, but one database for a whole module (its app and seed built once)."""
    if ON_POSTGRES:
        empty_postgres(migrated_template)
        yield migrated_template
        empty_postgres(migrated_template)
    else:
        target = tmp_path_factory.mktemp("module") / "lectern.db"
        shutil.copyfile(migrated_template, target)
        yield f"sqlite:///{target}"


@pytest.fixture
def app_config(database_uri: str) -> dict[str, object]:
    """Override in a test module to change settings (for example to switch CSRF on)."""
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri}


class IsolatedClient(FlaskClient):
    """Each request runs as in production, with its own app context, `g` and database session,
    even though the test itself holds an app context to set data up."""

    def open(self, *args, **kwargs):  # type: ignore[override]
        kwargs.setdefault("buffered", True)
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.rollback()  # the test's own session sees what the request committed
        return response


@pytest.fixture
def app(app_config: dict[str, object]) -> Iterator[Flask]:
    application = create_app(app_config)
    application.test_client_class = IsolatedClient
    with application.app_context():
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


TEST_REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_up(url: str = TEST_REDIS_URL) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


@pytest.fixture(scope="session")
def on_postgres() -> bool:
    """True when TEST_DATABASE_URL points the run at PostgreSQL."""
    return ON_POSTGRES


@pytest.fixture(scope="session")
def postgres_url(migrated_template: str) -> str:
    """This process's PostgreSQL test database as the app would use it (normalised), or "" on SQLite."""
    return migrated_template if ON_POSTGRES else ""


@pytest.fixture(scope="session")
def isolated_client_class() -> type[FlaskClient]:
    """The test client class `app` uses (each request in its own app context), for apps a test builds itself."""
    return IsolatedClient


@pytest.fixture(scope="session", name="migrate_to_head")
def migrate_to_head_fixture():
    """`migrate_to_head(app)`: run every migration on the app's database."""
    return migrate_to_head


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def mini_course_config(database_uri: str, tmp_path: Path) -> dict[str, object]:
    """Test settings on the small course of tests/fixtures (mini-course) and a copy of its quizzes
    (mini-quizzes, under tmp_path, so a test may edit them): `app_config` returns it in modules
    that want a course small enough to reason about."""
    target = tmp_path / "quizzes"
    shutil.copytree(FIXTURES / "mini-quizzes", target)
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri,
            "CURRICULUM_DIR": str(FIXTURES / "mini-course"), "QUIZZES_DIR": str(target)}
