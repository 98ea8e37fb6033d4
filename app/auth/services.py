"""Accounts: one function per unit of work. Callers pass `now`; nothing reads the clock here."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.exc import IntegrityError

from app.audit import services as audit
from app.auth import links
from app.auth.models import AuthToken, Role, SignedIn, User, UserRole
from app.auth.passwords import hash_password, needs_rehash, password_problems, verify_password
from app.db import rowcount, write_transaction
from app.errors import (
    CurrentPasswordWrong,
    DomainError,
    EmailTaken,
    InvalidEmail,
    InvalidToken,
    NotFound,
    PasswordRejected,
)
from app.extensions import db
from app.text import check_text


def normalise_email(raw: str) -> str:
    """Lower-cased, syntax-checked address; raises DomainError with a readable reason."""
    try:
        info = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidEmail(f"That email address is not valid: {exc}") from None
    return info.normalized.lower()


def parse_roles(values: Iterable[str]) -> set[Role]:
    roles = set()
    for value in values:
        try:
            roles.add(Role(value.strip().lower()))
        except ValueError:
            raise DomainError(f"Unknown role {value!r}; use trainee, instructor or admin.") from None
    if not roles:
        raise DomainError("Give the person at least one role.")
    return roles


def user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))


def ids_by_email(emails: Iterable[str]) -> dict[str, int]:
    """The accounts among these (normalised, lower-case) addresses: email → user id. Unknown ones are left out."""
    wanted = list(emails)
    if not wanted:
        return {}
    return {email: user_id for email, user_id in db.session.execute(
        sa.select(User.email, User.id).where(User.email.in_(wanted)))}


def search_users(query: str = "", *, limit: int = 200) -> list[User]:
    stmt = sa.select(User).where(User.guest_session_id.is_(None)).order_by(User.display_name, User.id).limit(limit)
    words = query.strip().lower().split()
    for word in words:
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(sa.or_(User.email.like(pattern, escape="\\"),
                                 sa.func.lower(User.display_name).like(pattern, escape="\\")))
    return list(db.session.scalars(stmt))


def get_user(user_id: int) -> User:
    """An account; a live session's guest (docs/LIVE.md) is nobody's to manage: not found."""
    user = db.session.get(User, user_id)
    if user is None or user.guest_session_id is not None:
        raise NotFound("No such user.")
    return user


_USERS, _ROLES = User.__table__, UserRole.__table__
_SIGNED_IN = (sa.select(_USERS.c.id, _USERS.c.email, _USERS.c.display_name, _USERS.c.session_epoch,
                        _USERS.c.guest_session_id, _ROLES.c.role)
              .select_from(_USERS.outerjoin(_ROLES, _ROLES.c.user_id == _USERS.c.id))
              .where(_USERS.c.id == sa.bindparam("user_id"), _USERS.c.session_epoch == sa.bindparam("epoch"),
                     _USERS.c.is_active.is_(True)))


def load_session_user(session_id: str) -> SignedIn | None:
    """Flask-Login's loader: '<id>:<epoch>' names a live session only while the epoch matches and
    the account is active. One Core statement on every signed-in request (the person and their
    roles together); nothing is cached between requests, so a sign-out elsewhere, a password
    change, a deactivation or a role change holds from the very next request, in every process."""
    user_part, _, epoch_part = session_id.partition(":")
    if not (user_part.isdigit() and epoch_part.isdigit()) or int(user_part) > 2**31 - 1 or int(epoch_part) > 2**31 - 1:
        return None
    rows = db.session.execute(_SIGNED_IN, {"user_id": int(user_part), "epoch": int(epoch_part)}).all()
    if not rows:
        return None
    first = rows[0]
    return SignedIn(first.id, first.email, first.display_name, first.session_epoch,
                    frozenset(Role(r.role) for r in rows if r.role is not None), guest_session_id=first.guest_session_id)


def create_user(
    email: str,
    display_name: str,
    roles: Iterable[str],
    *,
    password: str | None,
    now: datetime,
    actor_id: int | None = None,
    on_created: Callable[[User], None] | None = None,
) -> User:
    """A new account. Without a password the person signs in only after accepting an invitation.
    `on_created` runs inside the same unit of work (to queue the mail that follows)."""
    email = normalise_email(email)
    display_name = " ".join(display_name.split())
    if not display_name:
        raise DomainError("Give the person's name.")
    if len(display_name) > 120:
        raise DomainError("The name is longer than 120 characters.")
    check_text(display_name, "display_name", "The name")
    role_set = parse_roles(roles)
    if password is not None:
        problems = password_problems(password, email=email, name=display_name)
        if problems:
            raise PasswordRejected(" ".join(problems), field="password")
    user = User(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password) if password is not None else None,
        created_at=now,
        is_active=True,
    )
    user.role_rows = [UserRole(role=r.value) for r in sorted(role_set)]
    try:
        with write_transaction(db.session):
            db.session.add(user)
            if actor_id is not None or on_created is not None:
                db.session.flush()
            if actor_id is not None:
                audit.record(actor_id, "user.create", "user", user.id, f"{display_name} <{email}>", now=now,
                             roles=sorted(r.value for r in role_set))
            if on_created is not None:
                on_created(user)
    except IntegrityError:
        raise EmailTaken(f"There is already an account for {email}.") from None
    return user


@dataclass(frozen=True)
class Registration:
    """What self-registration did: `user` is the new account, or None when the address had one."""

    email: str
    user: User | None


def register(email: str, display_name: str, password: str, *, now: datetime,
             on_registered: Callable[[Registration], None] | None = None) -> Registration:
    """Self-registration as a trainee. An address that already has an account is not an error the
    page may show (it would tell anyone which addresses have accounts): the caller answers the same
    way and the owner is told by mail. Both ways hash the password, so both take as long.
    `on_registered` runs in the unit of work that creates the account (or, for an address that had
    one, in a unit of work of its own): it queues the mail that follows."""
    def created(user: User) -> None:
        if on_registered is not None:
            on_registered(Registration(user.email, user))

    try:
        user = create_user(email, display_name, ["trainee"], password=password, now=now, on_created=created)
    except EmailTaken:
        registration = Registration(normalise_email(email), None)
        if on_registered is not None:
            with write_transaction(db.session):
                on_registered(registration)
        return registration
    return Registration(user.email, user)


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    message: str = ""


def authenticate(email: str, password: str, *, now: datetime) -> SignInResult:
    """Check credentials. The same message for an unknown email and a wrong password."""
    wrong = SignInResult(None, "Email or password is incorrect.")
    user = user_by_email(email) if "@" in email else None
    if not verify_password(user.password_hash if user else None, password):
        return wrong
    assert user is not None
    if not user.is_active:
        return SignInResult(None, "This account has been deactivated. Ask your administrator.")
    with write_transaction(db.session):
        user.last_sign_in_at = now
        if user.password_hash and needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
    return SignInResult(user)


def end_sessions(user_id: int) -> None:
    """Sign the person out everywhere: every existing session cookie stops working."""
    with write_transaction(db.session):
        db.session.execute(
            sa.update(User).where(User.id == user_id).values(session_epoch=User.session_epoch + 1)
        )
    db.session.expire_all()


def set_active(actor_id: int, user_id: int, active: bool, *, now: datetime) -> User:
    """Deactivate (ending every session) or reactivate an account. Nobody deactivates themselves."""
    if actor_id == user_id and not active:
        raise DomainError("You cannot deactivate your own account.")
    with write_transaction(db.session):
        user = get_user(user_id)
        user.is_active = active
        if not active:
            user.session_epoch += 1
        audit.record(actor_id, "user.reactivate" if active else "user.deactivate", "user", user.id,
                     f"{user.display_name} <{user.email}>", now=now)
    return user


def rename(actor_id: int, user_id: int, display_name: str, *, now: datetime) -> User:
    """Correct a person's name (as printed on future certificates; issued ones keep theirs until reissued)."""
    display_name = " ".join(display_name.split())
    if not display_name or len(display_name) > 120:
        raise DomainError("Give a name of 1 to 120 characters.")
    check_text(display_name, "display_name", "The name")
    with write_transaction(db.session):
        user = get_user(user_id)
        before = user.display_name
        user.display_name = display_name
        audit.record(actor_id, "user.rename", "user", user.id, f"{display_name} <{user.email}>", now=now,
                     before=before, after=display_name)
    return user


def set_roles(actor_id: int, user_id: int, roles: Iterable[str], *, now: datetime) -> User:
    role_set = parse_roles(roles)
    if actor_id == user_id and Role.ADMIN not in role_set:
        raise DomainError("You cannot remove your own administrator role.")
    with write_transaction(db.session):
        user = get_user(user_id)
        before = sorted(r.value for r in user.roles)
        user.role_rows = [UserRole(role=r.value) for r in sorted(role_set)]
        audit.record(actor_id, "user.roles", "user", user.id, f"{user.display_name} <{user.email}>", now=now,
                     before=before, after=sorted(r.value for r in role_set))
    return user


def change_password(user_id: int, current: str, new: str, *, now: datetime) -> User:
    """Change a password knowing the current one. Ends the person's other sessions and voids their
    outstanding reset and invitation links."""
    user = get_user(user_id)
    if not verify_password(user.password_hash, current):
        raise CurrentPasswordWrong("Your current password is not correct.", field="current")
    problems = password_problems(new, email=user.email, name=user.display_name)
    if problems:
        raise PasswordRejected(" ".join(problems), field="password")
    with write_transaction(db.session):
        user = get_user(user_id)
        user.password_hash = hash_password(new)
        user.session_epoch += 1
        _void_links(user_id, now=now)
    return user


# --- reset and invitation links --------------------------------------------------------------

@dataclass(frozen=True)
class IssuedLink:
    """A new link. `token` is the secret itself: put it in the mail or on the page, never in a log."""

    link_id: int
    user: User
    purpose: str
    token: str
    expires_at: datetime


def _void_links(user_id: int, *, now: datetime, keep_id: int | None = None) -> int:
    """End the person's outstanding reset and invitation links (inside the caller's transaction).
    A voided link is marked used: it was a way in, and that way is closed."""
    stmt = sa.update(AuthToken).where(AuthToken.user_id == user_id, AuthToken.used_at.is_(None))
    if keep_id is not None:
        stmt = stmt.where(AuthToken.id != keep_id)
    return rowcount(db.session.execute(stmt.values(used_at=now)))


def issue_link(user_id: int, purpose: str, *, secret_key: str, max_age: int, created_by_id: int | None,
               now: datetime, on_issued: Callable[[IssuedLink], None] | None = None) -> IssuedLink:
    """A new reset or invitation link for the person; every earlier one of theirs stops working.
    `on_issued` runs inside the same unit of work (to queue the mail that carries the link)."""
    if purpose not in ("reset", "invite"):
        raise ValueError(purpose)
    secret = links.new_secret()
    expires_at = now + timedelta(seconds=max_age)
    with write_transaction(db.session):
        user = get_user(user_id)
        _void_links(user.id, now=now)
        row = AuthToken(user_id=user.id, purpose=purpose, secret_hash=links.secret_hash(secret),
                        created_by_id=created_by_id, created_at=now, expires_at=expires_at)
        db.session.add(row)
        db.session.flush()
        if created_by_id is not None:
            audit.record(created_by_id, f"user.{purpose}-link", "user", user.id, f"{user.display_name} <{user.email}>",
                         now=now, expires_at=expires_at.isoformat(), link_id=row.id)
        issued = IssuedLink(row.id, user, purpose, links.sign(secret_key, purpose, secret), expires_at)
        if on_issued is not None:
            on_issued(issued)
    return issued


def issue_invitations(user_ids: Iterable[int], *, secret_key: str, max_age: int, created_by_id: int | None,
                      now: datetime, on_issued: Callable[[list[IssuedLink]], None] | None = None) -> list[IssuedLink]:
    """Invitation links for several people in one unit of work (after a CSV import): only for
    active accounts that have no password yet; each person's earlier links stop working.
    `on_issued` runs inside the same unit of work (to queue the mails that carry the links)."""
    ids = sorted(set(user_ids))
    if not ids:
        return []
    issued: list[tuple[AuthToken, User, str]] = []
    expires_at = now + timedelta(seconds=max_age)
    with write_transaction(db.session):
        people = db.session.scalars(sa.select(User).where(User.id.in_(ids), User.is_active.is_(True),
                                                         User.password_hash.is_(None)).order_by(User.display_name, User.id))
        for user in people:
            _void_links(user.id, now=now)
            secret = links.new_secret()
            row = AuthToken(user_id=user.id, purpose="invite", secret_hash=links.secret_hash(secret),
                            created_by_id=created_by_id, created_at=now, expires_at=expires_at)
            db.session.add(row)
            issued.append((row, user, secret))
        db.session.flush()
        for row, user, _secret in issued:
            if created_by_id is not None:
                audit.record(created_by_id, "user.invite-link", "user", user.id, f"{user.display_name} <{user.email}>",
                             now=now, expires_at=expires_at.isoformat(), link_id=row.id, bulk=True)
        made = [IssuedLink(row.id, user, "invite", links.sign(secret_key, "invite", secret), expires_at)
                for row, user, secret in issued]
        if on_issued is not None and made:
            on_issued(made)
    return made


def _find_token(purpose: str, token: str, *, secret_key: str, max_age: int, now: datetime) -> AuthToken:
    secret = links.unsign(secret_key, purpose, token, max_age)
    row = None
    if secret is not None:
        row = db.session.scalar(sa.select(AuthToken).where(AuthToken.secret_hash == links.secret_hash(secret),
                                                           AuthToken.purpose == purpose))
    if row is None or row.used_at is not None or row.expires_at <= now or not row.user.is_active:
        raise InvalidToken("This link is not valid any more: it has expired or has already been used. "
                           "Ask your administrator for a new one.")
    return row


def peek_link(purpose: str, token: str, *, secret_key: str, max_age: int, now: datetime) -> User:
    """The person a still-valid link is for (to greet them on the form); raises InvalidToken."""
    return _find_token(purpose, token, secret_key=secret_key, max_age=max_age, now=now).user


def redeem_link(purpose: str, token: str, new_password: str, *, secret_key: str, max_age: int,
                now: datetime) -> User:
    """Set the password through a link, exactly once. Ends the person's other sessions and voids
    their other outstanding links (an older reset link, an invitation)."""
    row = _find_token(purpose, token, secret_key=secret_key, max_age=max_age, now=now)
    user = row.user
    problems = password_problems(new_password, email=user.email, name=user.display_name)
    if problems:
        raise PasswordRejected(" ".join(problems), field="password")
    new_hash = hash_password(new_password)
    token_id = row.id
    with write_transaction(db.session):
        claimed = rowcount(db.session.execute(
            sa.update(AuthToken).where(AuthToken.id == token_id, AuthToken.used_at.is_(None)).values(used_at=now)
        ))
        if claimed != 1:
            raise InvalidToken("This link has already been used.")
        user = get_user(row.user_id)
        user.password_hash = new_hash
        user.session_epoch += 1
        user.last_sign_in_at = now          # the link signs them in (auth/views.py)
        _void_links(user.id, now=now, keep_id=token_id)
    return user
