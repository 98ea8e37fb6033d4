"""A small in-process job runner: the job's state lives in the database, so any worker can show
its progress and its result survives a restart. Work runs in a daemon thread with its own app
context (or inline, when JOBS_INLINE is set, e.g. for the command line).

A restart ends the thread with the process. A graceful stop (gunicorn's worker_exit hook) marks
this process's unfinished jobs as interrupted at once; after a crash or SIGKILL, a job that has not
reported progress for STALLED_AFTER is marked interrupted when someone looks at it. Either way the
page says what was kept and how to finish: running the job again is always safe (bulk issue skips
people who already have a certificate; an import is one transaction and enrols existing accounts
instead of duplicating them). A job that finishes after all is recorded as done."""
from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy.exc import OperationalError

from app.db import utcnow, write_transaction
from app.errors import NotFound
from app.extensions import db
from app.jobs.models import Job

STALLED_AFTER = timedelta(minutes=15)    # far longer than any gap between two progress reports
INTERRUPTED = "Interrupted: the server stopped while this job was running."

_running: dict[int, Any] = {}             # job id → app, for the jobs this process is running
_running_lock = threading.Lock()


def stalled(status: str, last_sign: datetime | None, now: datetime, limit: timedelta = STALLED_AFTER) -> bool:
    """A job still queued or running that has shown no sign of life for `limit`: its process died."""
    return status in ("queued", "running") and last_sign is not None and now - last_sign > limit


def create_job(kind: str, created_by_id: int | None, total: int = 0, context: dict[str, Any] | None = None) -> Job:
    """A queued job. `context` goes into the result from the start (what the job is about, e.g. the
    cohort), so even an interrupted job's page can link back to it."""
    now = utcnow()
    with write_transaction(db.session):
        job = Job(kind=kind, status="queued", stage="Waiting to start", total=total, result=dict(context or {}),
                  created_by_id=created_by_id, created_at=now, updated_at=now)
        db.session.add(job)
    return job


def update_job(job_id: int, **fields: Any) -> None:
    with write_transaction(db.session):
        job = db.session.get(Job, job_id)
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
        job.status, job.stage = "failed", "Interrupted"
        job.result = {**(job.result or {}), "error": INTERRUPTED, "interrupted": True, "done": job.done,
                      "total": job.total}
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


def run(job_id: int, work: Callable[[int], dict[str, Any]]) -> None:
    """Run work(job_id) → result, recording success or failure on the job."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]

    def body() -> None:
        with app.app_context():
            try:
                update_job(job_id, status="running", stage="Starting")
                result = work(job_id)
                update_job(job_id, status="done", stage="Finished", result=result)
            except Exception as exc:  # noqa: BLE001 - the job records what went wrong
                db.session.rollback()
                app.logger.exception("Job %s failed", job_id)
                update_job(job_id, status="failed", stage="Failed", result={"error": str(exc)[:500]})
            finally:
                db.session.remove()
                with _running_lock:
                    _running.pop(job_id, None)

    with _running_lock:
        _running[job_id] = app
    if app.config.get("JOBS_INLINE"):
        body()
    else:
        threading.Thread(target=body, name=f"lectern-job-{job_id}", daemon=True).start()
