from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base

STATUSES = ("queued", "sending", "sent", "failed")


class XapiStatement(Base):
    """One xAPI statement for the Learning Record Store, built in the unit of work that caused it
    (only when LECTERN_XAPI_ENDPOINT is set) and delivered later by the "xapi.send" job.
    `statement_id` is unique and derived from the cause, so a cause queues one statement."""

    __tablename__ = "xapi_statements"
    __table_args__ = (
        sa.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name="status_known"),
        sa.Index("ix_xapi_statements_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    cause: Mapped[str] = mapped_column(sa.String(300))   # e.g. "quiz-attempt:12:submitted", for people reading it
    # the person it is about: their unsent statements go with their account
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    statement: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    claim_token: Mapped[str | None] = mapped_column(sa.String(40), index=True)
    claimed_at: Mapped[datetime | None]
    next_attempt_at: Mapped[datetime]
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
