from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db import Base


class Role(StrEnum):
    TRAINEE = "trainee"
    INSTRUCTOR = "instructor"
    ADMIN = "admin"


ROLE_VALUES = ", ".join(f"'{r.value}'" for r in Role)


class RoleChecks:
    """What a person may do, from their `roles` (User's rows or SignedIn's set)."""

    def role_set(self) -> frozenset[Role]:
        return frozenset(getattr(self, "roles", ()))

    def has_role(self, *roles: Role | str) -> bool:
        mine = {r.value for r in self.role_set()}
        return any(str(r) in mine for r in roles)

    @property
    def is_admin(self) -> bool:
        return self.has_role(Role.ADMIN)

    @property
    def is_instructor(self) -> bool:
        return self.has_role(Role.INSTRUCTOR)


class User(RoleChecks, Base):
    __tablename__ = "users"
    __table_args__ = (sa.CheckConstraint("email = lower(email)", name="email_lower_case"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    display_name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=sa.true())
    # Bumped on sign-out, deactivation and password change: every session cookie carrying an
    # older value stops working (Flask-Login "alternative token").
    session_epoch: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime]
    last_sign_in_at: Mapped[datetime | None]
    # the zone this person reads times in (app/schedule); None: each cohort's own zone
    time_zone: Mapped[str | None] = mapped_column(sa.String(64))
    # A guest of one live session (docs/LIVE.md, "Guests"): no password, no roles, a placeholder
    # address that can neither sign in nor receive mail; deleted with the session or when removed.
    guest_session_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("live_sessions.id", ondelete="CASCADE", use_alter=True), index=True)

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    # --- Flask-Login protocol -------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.role_rows)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


@dataclass(frozen=True, eq=False)
class SignedIn(RoleChecks):
    """The signed-in person as every request after sign-in sees them (Flask-Login's `current_user`):
    read in one statement without the ORM (app/auth/services.py load_session_user), so nothing is
    lazily loaded or expired later in the request. It has what pages and access checks use."""

    id: int
    email: str
    display_name: str
    session_epoch: int
    roles: frozenset[Role]
    is_active: bool = True
    guest_session_id: int | None = None     # a guest: confined to this live session (app/live/guest_views.py)
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_epoch}"

    def __repr__(self) -> str:
        return f"<SignedIn {self.id} {self.email}>"


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (sa.CheckConstraint(f"role IN ({ROLE_VALUES})", name="role_known"),)

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(sa.String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class AuthToken(Base):
    """A password-reset or invitation link. Only the SHA-256 of its secret is stored."""

    __tablename__ = "auth_tokens"
    __table_args__ = (sa.CheckConstraint("purpose IN ('reset', 'invite')", name="purpose_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(10))
    secret_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]  # redeemed, or voided by a newer link, another link's use or a password change

    user: Mapped[User] = relationship(foreign_keys=[user_id])
