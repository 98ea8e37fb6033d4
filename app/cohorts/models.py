from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.db import Base


class Track(StrEnum):
    SELF_STUDY = "self-study"
    LIVE = "live"
    BLENDED = "blended"

    @property
    def label(self) -> str:
        return {"self-study": "Self-study", "live": "Live", "blended": "Blended"}[self.value]


TRACK_VALUES = ", ".join(f"'{t.value}'" for t in Track)


class Cohort(Base):
    """A group of trainees taking the course together, with the instructors who run it."""

    __tablename__ = "cohorts"
    __table_args__ = (
        sa.CheckConstraint(f"track IN ({TRACK_VALUES})", name="track_known"),
        sa.CheckConstraint("ends_on IS NULL OR starts_on IS NULL OR ends_on >= starts_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    name_key: Mapped[str] = mapped_column(sa.String(120), unique=True)   # lower-cased: names differ ignoring case
    track: Mapped[str] = mapped_column(sa.String(20), default=Track.SELF_STUDY.value)
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    enrolment_code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    is_archived: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[datetime]
    # IANA zone of the cohort's scheduled days (app/schedule); None: the site's LECTERN_TIME_ZONE
    time_zone: Mapped[str | None] = mapped_column(sa.String(64))

    instructors: Mapped[list[User]] = relationship(secondary="cohort_instructors", lazy="selectin",
                                                   order_by="User.display_name")

    @property
    def track_label(self) -> str:
        return Track(self.track).label


class CohortInstructor(Base):
    __tablename__ = "cohort_instructors"

    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)


class Enrolment(Base):
    """A trainee in a cohort. A person may be in several cohorts over time; progress is per person."""

    __tablename__ = "enrolments"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    enrolled_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(sa.String(20), default="admin")   # admin, code, import

    user: Mapped[User] = relationship(lazy="joined")


class SiteSetting(Base):
    """Switches administrators can change at run time (e.g. self-registration)."""

    __tablename__ = "site_settings"

    key: Mapped[str] = mapped_column(sa.String(60), primary_key=True)
    value: Mapped[str] = mapped_column(sa.String(200))
    updated_at: Mapped[datetime]
