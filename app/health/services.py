from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db


def database_state() -> dict[str, object]:
    """Whether the database answers, which backend it is, and the schema revision it is at."""
    state: dict[str, object] = {"backend": db.engine.dialect.name, "reachable": False, "revision": None}
    try:
        db.session.execute(sa.text("SELECT 1"))
        state["reachable"] = True
        state["revision"] = db.session.scalar(sa.text("SELECT version_num FROM alembic_version"))
    except SQLAlchemyError as exc:
        state["error"] = type(exc).__name__
    finally:
        db.session.rollback()
    return state
