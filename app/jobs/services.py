"""Long jobs (bulk certificate issue, CSV imports) run outside the request. The job's row holds
what to do (kind and params, cleared when the job ends), its progress and its result, so any
process can run it or show it, and the result survives a restart.

Where a job runs (JOBS_BACKEND, app/config.py):
- "thread" (the default without REDIS_URL): a daemon thread of the web worker that started it;
- "rq" (the default with REDIS_URL): an RQ queue in Redis, run by `flask --app wsgi jobs worker`
  on any host (app/jobs/worker.py), so restarting web workers does not touch it;
- inline, when JOBS_INLINE is set (tests, the command line).

A restart ends a thread job with its process. A graceful stop (gunicorn's worker_exit hook) marks
this process's unfinished jobs as interrupted at once; after a crash or SIGKILL, a job that has not
reported progress for STALLED_AFTER is marked interrupted when someone looks at it (a queued job
that no worker took: not started). Either way the page says what was kept and how to finish:
running the job again is always safe (bulk issue skips people who already have a certificate; an
import is one transaction and enrols existing accounts instead of duplicating them). A job that
finishes after all is recorded as done.
"""
from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.exc import OperationalError

from app.db import rowcount, utcnow, write_transaction
from app.errors import NotFound
from app.extensions import db
from app.jobs.models import Job

# Which function does each kind of job: fn(job_id, params) → result. Named, not imported, so that
# an RQ worker finds them from the job's row alone and features need not register at start-up.
KINDS = {
    "certificates.issue": "app.certificates.services:issue_cohort_job",
    "users.import": "app.imports.services:import_job",
    "users.invite": "app.admin.invitations:invite_job",
    "mail.deliver": "app.outbox.services:deliver_job",
    "xapi.send": "app.xapi.services:send_job",
    "mail.tick": "app.reminders.services:tick_job",
}
RQ_JOB_TIMEOUT = 3600                    # seconds RQ lets one job run

STALLED_AFTER = timedelta(minutes=15)    # far longer than any gap between two progress reports
INTERRUPTED = "Interrupted: the server stopped while this job was running."
NOT_STARTED = "Not started: no job worker took it (is `flask --app wsgi jobs worker` running?)."

_running: dict[int, Any] = {}             # job id → app, for the jobs this process is running
_running_lock = threading.Lock()


def stalled(status: str, last_sign: datetime | None, now: datetime, limit: timedelta = STALLED_AFTER) -> bool:
    """A job still queued or running that has shown no sign of life for `limit`: its process died."""
    return status in ("queued", "running") and last_sign is not None and now - last_sign > limit


def start(kind: str, created_by_id: int | None, params: dict[str, Any], *, total: int = 0,
          context: dict[str, Any] | None = None) -> Job:
    """Record a job and hand it to the configured backend. `params` must be JSON: the job may run
    in another process."""
    if kind not in KINDS:
        raise ValueError(f"unknown job kind {kind!r}")
    job = create_job(kind, created_by_id, total=total, context=context, params=params)
    dispatch(job.id)
    return job


def create_job(kind: str, created_by_id: int | None, total: int = 0, context: dict[str, Any] | None = None,
               params: dict[str, Any] | None = None) -> Job:
    """A queued job. `context` goes into the result from the start (what the job is about, e.g. the
    cohort), so even an interrupted job's page can link back to it."""
    now = utcnow()
    with write_transaction(db.session):
        job = Job(kind=kind, status="queued", stage="Waiting to start", total=total, result=dict(context or {}),
                  params=dict(params or {}),
                  created_by_id=created_by_id, created_at=now, updated_at=now)
        db.session.add(job)
    return job


def update_job(job_id: int, **fields: Any) -> None:
    with write_transaction(db.session):
        job = db.session.get_one(Job, job_id)
        for key, value in fields.items():
            setattr(job, key, value)
        job.updated_at = utcnow()
        if fields.get("status") in ("done", "failed"):
            job.finished_at = job.updated_at


def get_job(job_id: int, user_id: int, *, is_admin: bool) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or not (is_admin or job.created_by_id == user_id):
        raise NotFound("There is no such job.")
    if stalled(job.status, job.updated_at or job.created_at, utcnow()):
        _interrupt(job.id)
        db.session.refresh(job)
    return job


def _interrupt(job_id: int) -> bool:
    """Mark an unfinished job as interrupted (inside an app context). False if it had finished."""
    with write_transaction(db.session):
        job = db.session.get(Job, job_id, with_for_update=True, populate_existing=True)
        if job is None or job.status not in ("queued", "running"):
            return False
        started = job.status == "running"
        job.status, job.stage = "failed", "Interrupted" if started else "Not started"
        job.result = {**(job.result or {}), "error": INTERRUPTED if started else NOT_STARTED, "interrupted": True,
                      "started": started, "done": job.done, "total": job.total}
        job.params = {}                  # an uploaded file, say: kept only while the job may still run
        job.updated_at = job.finished_at = utcnow()
    return True


def interrupt_local_jobs() -> int:
    """Mark the jobs this process is still running as interrupted (gunicorn calls this as a worker
    exits, see gunicorn.conf.py). Returns how many were marked."""
    with _running_lock:
        running = list(_running.items())
    marked = 0
    for job_id, app in running:
        with app.app_context():
            try:
                marked += _interrupt(job_id)
            except OperationalError:
                # SQLite: the job itself holds the one write lock (an import's transaction); the
                # STALLED_AFTER rule marks it once the process is gone
                app.logger.warning("Job %s: could not mark it interrupted (database busy)", job_id)
            finally:
                db.session.remove()
    return marked


def work_for(kind: str) -> Callable[[int, dict[str, Any]], dict[str, Any]]:
    module, _, name = KINDS[kind].partition(":")
    return getattr(importlib.import_module(module), name)


def execute(job_id: int) -> None:
    """Run a queued job here and now (inside an app context), recording success or failure. A job
    that is no longer queued (run already, or marked interrupted) is left alone, so a job delivered
    twice runs once."""
    if not _claim(job_id):
        return
    job = db.session.get(Job, job_id)
    assert job is not None
    work, params = work_for(job.kind), dict(job.params or {})
    try:
        result = work(job_id, params)
        update_job(job_id, status="done", stage="Finished", result={**(job.result or {}), **result}, params={})
    except Exception as exc:  # the job records what went wrong
        db.session.rollback()
        current_app.logger.exception("Job %s failed", job_id)
        update_job(job_id, status="failed", stage="Failed", result={**(job.result or {}), "error": str(exc)[:500]},
                   params={})


def _claim(job_id: int) -> bool:
    """queued → running, in one conditional UPDATE: of two deliveries (or a delivery and an
    interruption) exactly one wins."""
    now = utcnow()
    with write_transaction(db.session):
        claimed = rowcount(db.session.execute(
            sa.update(Job).where(Job.id == job_id, Job.status == "queued")
            .values(status="running", stage="Starting", updated_at=now)))
    return claimed == 1


def backend(config: Any) -> str:
    """"inline", "rq" or "thread" for this configuration (see the module's docstring)."""
    if config.get("JOBS_INLINE"):
        return "inline"
    chosen = config.get("JOBS_BACKEND") or ("rq" if config.get("REDIS_URL") else "thread")
    if chosen == "rq" and not config.get("REDIS_URL"):
        return "thread"
    return chosen


def dispatch(job_id: int) -> None:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    where = backend(app.config)
    if where == "rq":
        update_job(job_id, stage="Waiting for a job worker")
        queue(app).enqueue_call("app.jobs.worker.perform", args=(job_id,), timeout=RQ_JOB_TIMEOUT,
                                result_ttl=0, failure_ttl=7 * 24 * 3600, description=f"lectern job {job_id}")
        return
    with _running_lock:
        _running[job_id] = app
    if where == "inline":
        _in_thread(app, job_id)
    else:
        threading.Thread(target=_in_thread, args=(app, job_id), name=f"lectern-job-{job_id}", daemon=True).start()


def _in_thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            execute(job_id)
        finally:
            db.session.remove()
            with _running_lock:
                _running.pop(job_id, None)


def queue(app: Flask):
    """The RQ queue this app's jobs go to (JOBS_QUEUE), on the Redis of REDIS_URL."""
    from redis import Redis
    from rq import Queue

    connection = app.extensions.get("lectern.jobs_redis")
    if connection is None:
        connection = app.extensions["lectern.jobs_redis"] = Redis.from_url(app.config["REDIS_URL"])
    return Queue(app.config.get("JOBS_QUEUE") or "lectern", connection=connection)
