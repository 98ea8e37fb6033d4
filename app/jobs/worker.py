"""The RQ side of jobs (JOBS_BACKEND "rq"): `flask --app wsgi jobs worker` takes jobs from the
queue in Redis and runs them in this process's app, on whichever host it runs.

One app per worker process, loaded once (course catalog, PDF fonts); jobs run one after another
in it (RQ's SimpleWorker: no fork per job, so no database connections shared across a fork).
"""
from __future__ import annotations

import click
from flask import Flask, current_app, has_app_context
from flask.cli import AppGroup

from app.extensions import db
from app.jobs import services

jobs_cli = AppGroup("jobs", help="Run long jobs (bulk certificate issue, imports) from the Redis queue.")
_app: Flask | None = None


def perform(job_id: int) -> None:
    """RQ's entry point for one Lectern job: the job's row says what to do."""
    app = _worker_app()
    with app.app_context():
        try:
            services.execute(job_id)
        finally:
            db.session.remove()


def run_periodic(kind: str) -> dict:
    """RQ's entry point for a periodic task (the cron scheduler's jobs, `flask --app wsgi mail cron`):
    the kind's function, run here without a job row (a tick every few minutes would fill the jobs
    page). The task itself must be safe to run twice: two schedulers may both enqueue it."""
    app = _worker_app()
    with app.app_context():
        try:
            return services.work_for(kind)(0, {})
        finally:
            db.session.remove()


def _worker_app() -> Flask:
    global _app
    if has_app_context():
        return current_app._get_current_object()  # type: ignore[attr-defined]
    if _app is None:     # a plain `rq worker`, outside the flask command
        from app import create_app

        _app = create_app()
    return _app


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop.")
def worker_command(burst: bool) -> None:
    """Run jobs from the queue until stopped (SIGTERM lets the running job finish)."""
    from rq import SimpleWorker

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if services.backend(app.config) != "rq":
        raise click.ClickException("Jobs run inside the web workers here (JOBS_BACKEND is not rq, or REDIS_URL "
                                   "is not set): no job worker is needed.")
    queue = services.queue(app)
    click.echo(f"Lectern job worker on queue {queue.name!r} ({app.config['REDIS_URL'].rsplit('@', 1)[-1]})")
    SimpleWorker([queue], connection=queue.connection).work(burst=burst, logging_level="INFO")
