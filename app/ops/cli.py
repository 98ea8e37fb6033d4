"""Operations commands: `flask --app wsgi config check` and `flask --app wsgi backup FILE`."""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import SQLAlchemyError

from app.jobs import services as jobs
from app.ops.checks import ERROR, SystemFacts, check

config_cli = AppGroup("config", help="Check the configuration.")


def _facts() -> SystemFacts:
    from alembic.script import ScriptDirectory
    from flask_migrate import Migrate

    from app.auth.models import User
    from app.auth.passwords import verify_password
    from app.content.catalog import content_problems
    from app.demo.services import DEMO_ACCOUNTS
    from app.extensions import db

    reachable, current, demo = None, None, []
    try:
        db.session.execute(sa.text("SELECT 1"))
        reachable = True
        migrate: Migrate = current_app.extensions["migrate"]
        heads = set(ScriptDirectory.from_config(migrate.migrate.get_config()).get_heads())
        try:
            current = db.session.scalar(sa.text("SELECT version_num FROM alembic_version")) in heads
        except SQLAlchemyError:
            current = False
            db.session.rollback()
        if current:
            for email, _name, _roles, password in DEMO_ACCOUNTS:
                user = db.session.scalar(sa.select(User).where(User.email == email, User.is_active.is_(True)))
                if user is not None and verify_password(user.password_hash, password):
                    demo.append(email)
    except SQLAlchemyError:
        reachable = False
    finally:
        db.session.rollback()
    redis_ok = None
    if current_app.config.get("REDIS_URL"):
        import redis

        try:
            redis_ok = bool(redis.Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=2).ping())
        except redis.RedisError:
            redis_ok = False
    job_workers = None
    if redis_ok and jobs.backend(current_app.config) == "rq":
        from rq import Worker

        job_workers = Worker.count(queue=jobs.queue(current_app))
    problems = current_app.extensions.get("lectern.content_problems") or content_problems()
    return SystemFacts(secret_missing=bool(current_app.config.get("LECTERN_SECRET_KEY_MISSING")),
                       database_reachable=reachable, schema_current=current, demo_passwords_work=tuple(demo),
                       redis_reachable=redis_ok, job_workers=job_workers, content_problems=len(problems))


@config_cli.command("check")
def check_command() -> None:
    """Report insecure or missing settings for production; exit 1 if any is an error."""
    findings = check(current_app.config, os.environ, _facts())
    for finding in findings:
        click.echo(str(finding), err=finding.level == ERROR)
    errors = sum(1 for f in findings if f.level == ERROR)
    warnings = len(findings) - errors
    click.echo(f"{errors} error(s), {warnings} warning(s)." + (" Not ready for production." if errors else
                                                               " Ready for production."))
    if errors:
        raise SystemExit(1)


@click.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite TARGET if it exists.")
def backup_command(target: Path, force: bool) -> None:
    """Copy the SQLite database to TARGET while Lectern keeps running (SQLite's online backup)."""
    from app.extensions import db

    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        click.echo("This database is PostgreSQL: back it up with pg_dump, for example\n"
                   "  pg_dump --format=custom --file=lectern.dump \"$DATABASE_URL\"\n"
                   "and restore with pg_restore (docs/DEPLOY.md).", err=True)
        raise SystemExit(2)
    source_path = url.database
    if not source_path or source_path == ":memory:":
        raise click.ClickException("the database is in memory; there is nothing on disk to back up")
    if target.exists() and not force:
        raise click.ClickException(f"{target} exists; choose another name or pass --force")
    if target.resolve() == Path(source_path).resolve():
        raise click.ClickException("the backup cannot overwrite the database itself")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
    dest = sqlite3.connect(partial)
    try:
        # pages=256: copy in steps, so writers wait at most one step; a write in between restarts it
        source.backup(dest, pages=256)
        check_result = dest.execute("PRAGMA integrity_check").fetchone()[0]
        tables = [r[0] for r in dest.execute("SELECT name FROM sqlite_master WHERE type='table' "
                                             "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        revision = dest.execute("SELECT version_num FROM alembic_version").fetchone() if "alembic_version" in tables else None
        people = dest.execute("SELECT count(*) FROM users").fetchone()[0] if "users" in tables else 0
    finally:
        dest.close()
        source.close()
    if check_result != "ok":
        partial.unlink(missing_ok=True)
        raise click.ClickException(f"the copy failed its integrity check ({check_result}); nothing was written")
    os.replace(partial, target)
    click.echo(f"Backed up {source_path} to {target}: {target.stat().st_size:,} bytes, {len(tables)} tables, "
               f"{people} people, schema revision {revision[0] if revision else 'none'}; integrity check ok.")
