"""Demo data for `make run` (DESIGN.md §3). Never used when LECTERN_DEMO=0."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import current_app

from app.auth.models import User
from app.auth.services import create_user, user_by_email
from app.cohorts import services as cohorts
from app.cohorts.models import Cohort
from app.db import write_transaction
from app.extensions import db
from app.schedule.models import ScheduledDay
from app.schedule.times import today_in

DEMO_ACCOUNTS = (
    ("admin@example.com", "Avery Admin", ("admin",), "demo-admin"),
    ("instructor@example.com", "Imogen Instructor", ("instructor",), "demo-instructor"),
    ("trainee@example.com", "Toby Trainee", ("trainee",), "demo-trainee"),
)
DEMO_COHORT = "Demo cohort"


def seed_demo(*, now: datetime) -> bool:
    """Create the demo accounts on an empty database, and the demo cohort when there is none.
    Returns False when there were people already.

    Demo passwords go through the same rules as everyone else's (length, common-password list).
    """
    created = False
    if not db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        for email, name, roles, password in DEMO_ACCOUNTS:
            create_user(email, name, roles, password=password, now=now)
        created = True
    if not db.session.scalar(sa.select(sa.func.count()).select_from(Cohort)):
        admin, instructor, trainee = (user_by_email(email) for email, *_rest in DEMO_ACCOUNTS)
        if admin and instructor and trainee:
            cohort = cohorts.save_cohort(admin.id, None, name=DEMO_COHORT, track="blended", starts_on=now.date(),
                                         ends_on=(now + timedelta(days=30)).date(), instructor_ids=[instructor.id],
                                         now=now)
            cohorts.enrol(admin.id, cohort.id, [trainee.id], now=now)
            _demo_schedule(cohort.id, admin.id, now=now)
    return created


def _demo_schedule(cohort_id: int, admin_id: int, *, now: datetime) -> None:
    """Day 1 today and Day 2 a week later, 09:00–17:00 in the site's zone (no mails: nobody to tell yet)."""
    zone_name = str(current_app.config.get("LECTERN_TIME_ZONE") or "UTC")
    today = today_in(zone_name, now)
    with write_transaction(db.session):
        for day, on, place, link in ((1, today, "Room 2, Training Centre, 1 High Street", ""),
                                     (2, today + timedelta(days=7), "", "https://meet.example.com/demo-day-2")):
            db.session.add(ScheduledDay(cohort_id=cohort_id, day=day, on_date=on, starts_at=time(9), ends_at=time(17),
                                        time_zone=zone_name, place=place, link=link, created_by_id=admin_id,
                                        created_at=now, updated_at=now))
