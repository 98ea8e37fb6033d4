from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class LessonCompletion(Base):
    """A trainee marked a lesson complete. Keyed by the lesson's slug; the hash records the version."""

    __tablename__ = "lesson_completions"
    __table_args__ = (sa.UniqueConstraint("user_id", "lesson_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_key: Mapped[str] = mapped_column(sa.String(120))
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    completed_at: Mapped[datetime]


class LessonVisit(Base):
    """The first and latest time a person opened a lesson ("continue where you left off")."""

    __tablename__ = "lesson_visits"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    lesson_key: Mapped[str] = mapped_column(sa.String(120), primary_key=True)
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    seconds_spent: Mapped[int] = mapped_column(default=0, server_default="0")


class ReflectionNote(Base):
    """A trainee's private answer to one reflection prompt."""

    __tablename__ = "reflection_notes"
    __table_args__ = (sa.UniqueConstraint("user_id", "prompt_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    lesson_key: Mapped[str] = mapped_column(sa.String(120))
    prompt_key: Mapped[str] = mapped_column(sa.String(120))
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
