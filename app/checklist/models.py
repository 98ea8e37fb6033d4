from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class ChecklistProfile(Base):
    """The cluster initiative a person works through the facilitator checklist for."""

    __tablename__ = "checklist_profiles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    initiative_name: Mapped[str] = mapped_column(sa.String(160), default="")
    updated_at: Mapped[datetime]


class ChecklistEntry(Base):
    """One person's answer (yes, partly, no or unanswered), note and target date for one checklist
    item (keyed by the item's id)."""

    __tablename__ = "checklist_entries"
    __table_args__ = (sa.CheckConstraint("state IN ('yes', 'partly', 'no', 'unanswered')", name="state_known"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    item_key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    state: Mapped[str] = mapped_column(sa.String(10), default="unanswered", server_default="unanswered")
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    target_on: Mapped[date | None]
    updated_at: Mapped[datetime]
