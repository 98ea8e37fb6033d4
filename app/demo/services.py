"""Demo accounts for `make run` (DESIGN.md §3). Never used when LECTERN_DEMO=0."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from app.auth.models import User
from app.auth.services import create_user
from app.extensions import db

DEMO_ACCOUNTS = (
    ("admin@example.com", "Avery Admin", ("admin",), "demo-admin"),
    ("instructor@example.com", "Imogen Instructor", ("instructor",), "demo-instructor"),
    ("trainee@example.com", "Toby Trainee", ("trainee",), "demo-trainee"),
)


def seed_demo(*, now: datetime) -> bool:
    """Create the demo accounts on an empty database. Returns False when there were people already.

    Demo passwords go through the same rules as everyone else's (length, common-password list).
    """
    if db.session.scalar(sa.select(sa.func.count()).select_from(User)):
        return False
    for email, name, roles, password in DEMO_ACCOUNTS:
        create_user(email, name, roles, password=password, now=now)
    return True

