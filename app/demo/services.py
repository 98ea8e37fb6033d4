"""Demo data for `make run` (DESIGN.md §3). Never used when LECTERN_DEMO=0."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from app.auth.models import User
from app.auth.services import create_user, user_by_email
from app.cohorts import services as cohorts
from app.cohorts.models import Cohort
from app.extensions import db

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
    return created
