from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base


class Certificate(Base):
    """An issued completion certificate. Its PDF, hash and text snapshot never change after issue;
    only revocation and supersession are recorded later."""

    __tablename__ = "certificates"
    __table_args__ = (
        # one current certificate per person and course: a reissue supersedes the old one first
        sa.Index("ix_certificates_one_current", "user_id", "course_code", unique=True,
                 sqlite_where=sa.text("revoked_at IS NULL AND superseded_at IS NULL"),
                 postgresql_where=sa.text("revoked_at IS NULL AND superseded_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(17), unique=True)          # canonical form, no dashes
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="SET NULL"))
    holder_name: Mapped[str] = mapped_column(sa.String(120))
    course_title: Mapped[str] = mapped_column(sa.String(200))
    course_code: Mapped[str] = mapped_column(sa.String(40))
    hours: Mapped[float]
    completed_on: Mapped[date]
    issuer_org: Mapped[str] = mapped_column(sa.String(200))
    issuer_name: Mapped[str] = mapped_column(sa.String(120))
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    issued_at: Mapped[datetime]
    override_reason: Mapped[str | None] = mapped_column(sa.Text)
    pdf: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(sa.Text)
    revoked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    superseded_at: Mapped[datetime | None]
    superseded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("certificates.id", ondelete="SET NULL"))

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.superseded_at is not None:
            return "superseded"
        return "valid"

    @property
    def display_code(self) -> str:
        from app.certificates.codes import format_code

        return format_code(self.code)
