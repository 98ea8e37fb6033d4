"""A small in-process job runner: the job's state lives in the database, so any worker can show
its progress and its result survives a restart. Work runs in a daemon thread with its own app
context (or inline, when JOBS_INLINE is set, e.g. for the command line)."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import current_app

from app.db import utcnow, write_transaction
from app.errors import NotFound
from app.extensions import db
from app.jobs.models import Job


def create_job(kind: str, created_by_id: int | None, total: int = 0) -> Job:
    with write_transaction(db.session):
        job = Job(kind=kind, status="queued", stage="Waiting to start", total=total, result={},
                  created_by_id=created_by_id, created_at=utcnow())
        db.session.add(job)
    return job


def update_job(job_id: int, **fields: Any) -> None:
    with write_transaction(db.session):
        job = db.session.get(Job, job_id)
        for key, value in fields.items():
            setattr(job, key, value)
        if fields.get("status") in ("done", "failed"):
            job.finished_at = utcnow()


def get_job(job_id: int, user_id: int, *, is_admin: bool) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or not (is_admin or job.created_by_id == user_id):
        raise NotFound("There is no such job.")
    return job


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

    if app.config.get("JOBS_INLINE"):
        body()
    else:
        threading.Thread(target=body, name=f"lectern-job-{job_id}", daemon=True).start()
