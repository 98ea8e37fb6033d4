"""Live sessions: a cohort in a room with an instructor, for one course day.

Everything a participant's screen shows is derived from these rows, so any worker can serve any
request and a reconnecting browser catches up from the database. `LiveSession.version` grows
with every change participants can see; event-stream ids are versions.

The database enforces the rules that concurrency could otherwise break: one open session per
cohort and per join code, one open poll per session, one answer per person per poll.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base

_OPEN = sa.text("ended_at IS NULL")
_POLL_OPEN = sa.text("closed_at IS NULL")


class LiveSession(Base):
    __tablename__ = "live_sessions"
    __table_args__ = (
        sa.Index("ix_live_sessions_open_code", "code", unique=True, sqlite_where=_OPEN, postgresql_where=_OPEN),
        sa.Index("ix_live_sessions_open_cohort", "cohort_id", unique=True, sqlite_where=_OPEN, postgresql_where=_OPEN),
        sa.CheckConstraint("day >= 1", name="day_positive"),
        sa.CheckConstraint("projector IN ('join', 'lesson', 'poll', 'leaderboard', 'qna', 'slide')", name="projector_known"),
        sa.CheckConstraint("slide_index >= 0", name="slide_index_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    day: Mapped[int]
    code: Mapped[str] = mapped_column(sa.String(8))
    started_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None]
    lesson_key: Mapped[str | None] = mapped_column(sa.String(120))       # shown to the class
    agenda_index: Mapped[int | None]                                      # the running agenda item
    item_started_at: Mapped[datetime | None]
    leaderboard_visible: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    projector: Mapped[str] = mapped_column(sa.String(12), default="join", server_default="join")  # rules.PROJECTOR_SCREENS
    guests_allowed: Mapped[bool] = mapped_column(default=False, server_default=sa.false())  # guests.py
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    qna_anonymous: Mapped[bool] = mapped_column(default=True, server_default=sa.true())   # Q&A: names to staff only
    slide_index: Mapped[int | None]                                       # presenting as slides (app/live/slides.py)
    slides_on_phones: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    @property
    def is_open(self) -> bool:
        return self.ended_at is None


class LivePoll(Base):
    """One question put to the room. `question` is frozen when launched, answer key included
    (server-side only, like a quiz attempt's snapshot)."""

    __tablename__ = "live_polls"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "seq"),
        sa.Index("ix_live_polls_one_open", "session_id", unique=True, sqlite_where=_POLL_OPEN,
                 postgresql_where=_POLL_OPEN),
        sa.CheckConstraint("source IN ('bank', 'adhoc')", name="source_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int]
    source: Mapped[str] = mapped_column(sa.String(10))
    quiz_key: Mapped[str | None] = mapped_column(sa.String(80))          # bank questions: where they came from
    question_id: Mapped[str | None] = mapped_column(sa.String(80))
    question: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    scored: Mapped[bool] = mapped_column(default=True, server_default=sa.true())   # False: an opinion poll
    opened_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]
    revealed_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]       # a countdown's zero (rules.countdown_deadline); None: no limit
    hidden_terms: Mapped[list[str]] = mapped_column(sa.JSON, default=list, server_default="[]")  # word clouds: terms the instructor hid
    show_names: Mapped[bool] = mapped_column(default=False, server_default=sa.false())   # open text: names on the projector

    @property
    def countdown_seconds(self) -> int | None:
        return None if self.closes_at is None else round((self.closes_at - self.opened_at).total_seconds())

    @property
    def status(self) -> str:
        if self.revealed_at is not None:
            return "revealed"
        return "open" if self.closed_at is None else "closed"


class LiveAnswer(Base):
    __tablename__ = "live_answers"
    __table_args__ = (sa.UniqueConstraint("poll_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    poll_id: Mapped[int] = mapped_column(sa.ForeignKey("live_polls.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    answer: Mapped[Any] = mapped_column(sa.JSON)
    fraction: Mapped[float]
    points: Mapped[int]
    answered_at: Mapped[datetime]
    changes: Mapped[int] = mapped_column(default=0, server_default="0")
    approved_at: Mapped[datetime | None]     # open text: the instructor put it on the projector
    rejected_at: Mapped[datetime | None]     # open text: the instructor set it aside


class LiveParticipant(Base):
    """Attendance: when someone joined, when they were last seen, and minutes present (heartbeats)."""

    __tablename__ = "live_participants"

    session_id: Mapped[int] = mapped_column(sa.ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    joined_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    seconds_present: Mapped[int] = mapped_column(default=0, server_default="0")


class LiveAttendanceCredit(Base):
    """Minutes an instructor credits by hand, with the reason (a phone that died, a trainee who sat
    in the room without joining). For this person and session they replace the measured minutes;
    the measured ones stay in live_participants, so the correction can be undone."""

    __tablename__ = "live_attendance_credits"
    __table_args__ = (sa.CheckConstraint("minutes >= 0 AND minutes <= 1440", name="minutes_within_a_day"),)

    session_id: Mapped[int] = mapped_column(sa.ForeignKey("live_sessions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    minutes: Mapped[int]
    note: Mapped[str] = mapped_column(sa.String(300))
    credited_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    credited_at: Mapped[datetime]


_ON_SCREEN = sa.text("on_screen_at IS NOT NULL")


class LiveQuestion(Base):
    """A question a participant asks the room during a session (Q&A, app/live/qna.py). At most one
    per session is on the projector (on_screen_at set); hidden ones stay for the export only."""

    __tablename__ = "live_questions"
    __table_args__ = (
        sa.Index("ix_live_questions_one_on_screen", "session_id", unique=True, sqlite_where=_ON_SCREEN,
                 postgresql_where=_ON_SCREEN),
        sa.Index("ix_live_questions_session_user_posted", "session_id", "user_id", "posted_at"),  # the rate limit
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("live_sessions.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(sa.String(280))
    posted_at: Mapped[datetime]
    answered_at: Mapped[datetime | None]
    on_screen_at: Mapped[datetime | None]
    hidden_at: Mapped[datetime | None]


class LiveQuestionVote(Base):
    """One upvote per person per question: the primary key is the rule."""

    __tablename__ = "live_question_votes"

    question_id: Mapped[int] = mapped_column(sa.ForeignKey("live_questions.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    voted_at: Mapped[datetime]
