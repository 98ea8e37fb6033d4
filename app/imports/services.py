"""Importing people from CSV: check everything first, then write everything in one transaction."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.audit import services as audit
from app.auth.models import User, UserRole
from app.cohorts.models import Cohort, Enrolment
from app.cohorts.services import queue_welcome
from app.db import utcnow, write_transaction
from app.extensions import db
from app.imports.rows import Checked, check_csv
from app.jobs import services as jobs


def check_people_csv(text: str, progress: Callable[[int, int], None] | None = None) -> Checked:
    existing = dict(db.session.execute(sa.select(User.email, User.id)).all())
    cohorts = {name.lower(): name for name in db.session.scalars(sa.select(Cohort.name))}
    return check_csv(text, existing=existing, cohorts=cohorts, progress=progress)


def import_people(actor_id: int | None, text: str, *, now: datetime, source_name: str = "upload",
                  progress: Callable[[int, int], None] | None = None) -> tuple[Checked, list[int], int]:
    """Check the file; if it is clean, create the accounts and enrolments in one transaction.

    Returns (checked, ids of the accounts created, enrolments added). Nothing is written when any
    row is bad.
    """
    checked = check_people_csv(text, progress)
    if not checked.ok:
        return checked, [], 0
    cohort_ids = dict(db.session.execute(sa.select(Cohort.name, Cohort.id)).all())
    cohorts_by_id: dict[int, Cohort] = {}
    created: list[int] = []
    enrolled = 0
    with write_transaction(db.session):
        for row in checked.rows:
            user_id = row.existing_user_id
            if user_id is None:
                user = User(email=row.email, display_name=row.name, password_hash=None, is_active=True, created_at=now)
                user.role_rows = [UserRole(role=r) for r in row.roles]
                db.session.add(user)
                db.session.flush()
                user_id = user.id
                created.append(user_id)
            else:
                user = db.session.get_one(User, user_id)
            if row.cohort:
                exists = None if row.existing_user_id is None else db.session.scalar(sa.select(Enrolment.id).where(Enrolment.cohort_id == cohort_ids[row.cohort],
                                                                         Enrolment.user_id == user_id))
                if exists is None:
                    cohort_id = cohort_ids[row.cohort]
                    enrolment = Enrolment(cohort_id=cohort_id, user_id=user_id, enrolled_at=now, source="import")
                    db.session.add(enrolment)
                    if cohort_id not in cohorts_by_id:
                        cohorts_by_id[cohort_id] = db.session.get_one(Cohort, cohort_id)
                    queue_welcome(enrolment, cohorts_by_id[cohort_id], user, now=now)
                    enrolled += 1
        audit.record(actor_id, "users.import", "import", None, source_name, now=now, rows=len(checked.rows),
                     created=len(created), enrolled=enrolled)
    return checked, created, enrolled


def import_job(job_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """The import job (app/jobs): params actor_id, text (the CSV), source_name."""
    def progress(done: int, total: int) -> None:
        jobs.update_job(job_id, stage="Checking rows", done=done, total=total)

    name = params.get("source_name") or "upload"
    checked, created, enrolled = import_people(params["actor_id"], params["text"], now=utcnow(), source_name=name,
                                               progress=progress)
    if not checked.ok:
        return {"ok": False, "problems": [str(p) for p in checked.problems[:1000]], "rows": len(checked.rows)}
    jobs.update_job(job_id, stage="Saved", done=len(checked.rows), total=len(checked.rows))
    return {"ok": True, "rows": len(checked.rows), "created": len(created), "created_ids": created,
            "enrolled": enrolled, "file": name}
