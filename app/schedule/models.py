from __future__ import annotations

from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class ScheduledDay(Base):
    """A course day of a cohort, planned ahead: its local date, wall-clock start and end and the
    IANA zone they are in (app/schedule/times.py derives the UTC instants, so DST never shifts
    it). A cancelled day is kept (cancelled_at) so its calendar UID can be cancelled; `sequence`
    counts the changes, as iCalendar's SEQUENCE."""

    __tablename__ = "scheduled_days"
    __table_args__ = (
        sa.CheckConstraint("day >= 1", name="day_positive"),
        sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        sa.Index("ix_scheduled_days_cohort_id_on_date", "cohort_id", "on_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"))
    day: Mapped[int]
    on_date: Mapped[date]
    starts_at: Mapped[time]
    ends_at: Mapped[time]
    time_zone: Mapped[str] = mapped_column(sa.String(64))
    place: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    link: Mapped[str] = mapped_column(sa.String(500), default="", server_default="")
    sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    cancelled_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class CalendarFeed(Base):
    """A person's calendar feed: only the SHA-256 of its secret token is kept; a new token replaces
    the old one (the old address stops working)."""

    __tablename__ = "calendar_feeds"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime]
    last_fetched_at: Mapped[datetime | None]
