from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.quizzes import timing


class QuizAttempt(Base):
    """One attempt at a quiz, with the questions it was graded on.

    Limits are the database's job: attempt numbers are unique per person and quiz and may not pass
    the quiz's limit (CHECK), and a person has at most one unfinished attempt per quiz (partial
    unique index), so concurrent starts and submissions cannot exceed the limit.

    Timed attempts store their closing time (deadline plus grace) at start; an attempt that finished
    after it does not count toward progress or the certificate (app/quizzes/timing.py).
    """

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "quiz_key", "attempt_no"),
        sa.CheckConstraint("max_attempts IS NULL OR attempt_no <= max_attempts", name="within_limit"),
        sa.CheckConstraint("attempt_no >= 1", name="attempt_no_positive"),
        sa.Index("ix_quiz_attempts_one_open", "user_id", "quiz_key", unique=True,
                 sqlite_where=sa.text("finished_at IS NULL"), postgresql_where=sa.text("finished_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    quiz_key: Mapped[str] = mapped_column(sa.String(80))
    attempt_no: Mapped[int]
    max_attempts: Mapped[int | None]
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    submit_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    feedback_mode: Mapped[str] = mapped_column(sa.String(12))
    pass_mark: Mapped[float]
    questions: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON)
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    checked: Mapped[list[str]] = mapped_column(sa.JSON, default=list)   # immediate mode: locked question ids
    started_at: Mapped[datetime]
    deadline_at: Mapped[datetime | None]
    closes_at: Mapped[datetime | None]      # deadline + grace (app/quizzes/timing.py): nothing later counts
    finished_at: Mapped[datetime | None]
    is_late: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    score_points: Mapped[float | None]
    score_out_of: Mapped[float | None]
    score_percent: Mapped[float | None]
    passed: Mapped[bool | None]

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def ending(self) -> timing.Timing:
        """How it ended: on time, closed when time ran out, or late and not counted."""
        return timing.timing(self.closes_at, self.finished_at, self.is_late)

    @hybrid_property
    def counts(self) -> bool:
        """Whether its result counts toward progress and the certificate (timing.counts); in SQL,
        for finished attempts."""
        return timing.counts(self.closes_at, self.finished_at)

    @counts.inplace.expression
    @classmethod
    def _counts_expression(cls) -> sa.ColumnElement[bool]:
        return sa.or_(cls.closes_at.is_(None), cls.finished_at <= cls.closes_at)

    @property
    def grace_minutes(self) -> int:
        """The grace this attempt was given after its deadline (fixed when it started)."""
        if self.closes_at is None or self.deadline_at is None:
            return 0
        return int((self.closes_at - self.deadline_at).total_seconds() // 60)
