from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class QuizAttempt(Base):
    """One attempt at a quiz, with the questions it was graded on.

    Limits are the database's job: attempt numbers are unique per person and quiz and may not pass
    the quiz's limit (CHECK), and a person has at most one unfinished attempt per quiz (partial
    unique index), so concurrent starts and submissions cannot exceed the limit.
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
    finished_at: Mapped[datetime | None]
    is_late: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    score_points: Mapped[float | None]
    score_out_of: Mapped[float | None]
    score_percent: Mapped[float | None]
    passed: Mapped[bool | None]

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None
