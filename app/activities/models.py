from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.activities.marking import MAX_SUBMISSIONS, Mark
from app.auth.models import User
from app.db import Base

UNDER_REVIEW = "returned_at IS NULL"


class ActivitySubmission(Base):
    """A trainee's text for an assessed activity and, once returned, its marks and feedback.

    The database keeps the limits: numbers 1..MAX_SUBMISSIONS per person and activity, and at most
    one submission under review (a partial unique index), so a double-clicked form records once.
    `marks` is what the submission was marked on (criterion, level, points, out of), kept as given.
    """

    __tablename__ = "activity_submissions"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "activity_key", "number"),
        sa.CheckConstraint(f"number >= 1 AND number <= {MAX_SUBMISSIONS}", name="number_within_limit"),
        sa.CheckConstraint("returned_at IS NULL OR (points IS NOT NULL AND out_of IS NOT NULL)",
                           name="returned_with_marks"),
        sa.Index("ix_activity_submissions_one_under_review", "user_id", "activity_key", unique=True,
                 sqlite_where=sa.text(UNDER_REVIEW), postgresql_where=sa.text(UNDER_REVIEW)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    activity_key: Mapped[str] = mapped_column(sa.String(120))
    lesson_key: Mapped[str] = mapped_column(sa.String(120))
    content_hash: Mapped[str] = mapped_column(sa.String(64))     # the lesson's version when submitted
    number: Mapped[int]
    body: Mapped[str] = mapped_column(sa.Text)
    submitted_at: Mapped[datetime]
    returned_at: Mapped[datetime | None]
    marked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    marks: Mapped[list[dict[str, Any]] | None] = mapped_column(sa.JSON)
    points: Mapped[int | None]
    out_of: Mapped[int | None]
    feedback: Mapped[str | None] = mapped_column(sa.Text)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    marked_by: Mapped[User | None] = relationship(foreign_keys=[marked_by_id], lazy="joined")

    @property
    def is_returned(self) -> bool:
        return self.returned_at is not None

    @property
    def mark_list(self) -> list[Mark]:
        """The marks per criterion, as given when it was returned."""
        return [Mark.from_json(m) for m in self.marks or []]
