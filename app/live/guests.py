"""Guests of a live session (docs/LIVE.md, "Guests"): people without an account who join one
session with its code and a nickname, while the presenter allows it.

A guest is a `users` row of a special kind (`guest_session_id` set; no password, no roles, a
placeholder address in the reserved .invalid domain) signed in through Flask-Login like anyone,
so answers, presence and streams, all keyed by user id, work unchanged. Everything else keeps
them out: app/live/guest_views.py confines them to their session's participant endpoints, the
register and the certificate minutes leave them out (attendance.py), and the row goes with the
session (ON DELETE CASCADE) or when the presenter removes them, with their answers.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.audit import services as audit
from app.auth.models import User
from app.cohorts.models import Enrolment
from app.db import rowcount, write_transaction
from app.errors import InputRejected, NotFound
from app.extensions import db
from app.live import nicknames, rules, screens, sessions
from app.live.broker import LocalBroker
from app.live.models import LiveParticipant, LiveSession


class NicknameTaken(InputRejected):
    """Another guest of the session has this nickname (compared without case)."""


def open_session_for_guests(raw_code: str) -> LiveSession | None:
    """The open session this code opens, if it takes guests; otherwise None."""
    code = rules.normalise_code(raw_code)
    if not code:
        return None
    return db.session.scalar(sa.select(LiveSession).where(LiveSession.code == code, LiveSession.ended_at.is_(None),
                                                          LiveSession.guests_allowed.is_(True)))


def set_guests_allowed(broker: LocalBroker, actor_id: int, session_id: int, allowed: bool, *,
                       now: datetime) -> LiveSession:
    """The presenter lets guests join with the code (or stops new ones: guests already in stay
    until removed or the session ends). Audited."""
    with write_transaction(db.session):
        session = sessions.staff_change(actor_id, session_id)
        if session.guests_allowed != allowed:
            session.guests_allowed = allowed
            session.version += 1
            audit.record(actor_id, "live.guests.allow" if allowed else "live.guests.refuse", "cohort",
                         session.cohort_id, "", now=now, session=session.id, day=session.day)
            screens.publish_state(broker, session.id)
    return session


def join_as_guest(broker: LocalBroker, raw_code: str, raw_nickname: str, *, now: datetime) -> User:
    """A new guest of the session the code opens, joined. The code is checked first (a wrong one
    raises sessions.CodeRejected, counted by the join rate limits), then the nickname."""
    sessions.end_left_open(now=now, broker=broker)
    session = open_session_for_guests(raw_code)
    if session is None:
        raise sessions.CodeRejected("That code does not open a live session that takes guests. Check it on the "
                                    "screen, or sign in with your account.", "code")
    nickname = nicknames.check_nickname(raw_nickname)
    members = list(db.session.scalars(sa.select(User.display_name).join(Enrolment, Enrolment.user_id == User.id)
                                      .where(Enrolment.cohort_id == session.cohort_id)))
    if nicknames.impersonates(nickname, members):
        raise InputRejected("Someone in this course has that name. Choose another nickname.", "nickname")
    guest = User(email=nicknames.nickname_key(session.id, nickname), display_name=nickname, password_hash=None,
                 is_active=True, created_at=now, guest_session_id=session.id)
    try:
        with write_transaction(db.session):
            locked = db.session.get(LiveSession, session.id, with_for_update=True, populate_existing=True)
            if locked is None or locked.ended_at is not None or not locked.guests_allowed:
                raise sessions.CodeRejected("This session does not take guests any more.", "code")
            db.session.add(guest)
            db.session.flush()
            db.session.add(LiveParticipant(session_id=session.id, user_id=guest.id, joined_at=now, last_seen_at=now))
            screens.publish(broker, session.id, "staff", "presence", {"joined": guest.id})
    except IntegrityError:
        raise NicknameTaken("Another guest already uses that nickname here. Choose another.", "nickname") from None
    return guest


def guests_of(session_id: int) -> list[User]:
    return list(db.session.scalars(sa.select(User).where(User.guest_session_id == session_id)
                                   .order_by(User.display_name, User.id)))


def remove_guest(broker: LocalBroker, actor_id: int, session_id: int, guest_id: int, *, now: datetime) -> str:
    """The presenter removes a guest: the row goes, and with it their answers and presence (the
    tallies and leaderboard no longer count them); their next request and their open stream find
    them signed out. Returns the nickname. Audited (the nickname is kept in the audit line)."""
    session, cohort = sessions.staff_session(actor_id, session_id)
    with write_transaction(db.session):
        guest = db.session.scalar(sa.select(User).where(User.id == guest_id, User.guest_session_id == session.id))
        if guest is None:
            raise NotFound("There is no such guest in this session.")
        nickname = guest.display_name
        audit.record(actor_id, "live.guests.remove", "cohort", cohort.id, cohort.name, now=now,
                     session=session.id, day=session.day, nickname=nickname)
        db.session.execute(sa.delete(User).where(User.id == guest_id))
        locked = db.session.get(LiveSession, session.id, with_for_update=True, populate_existing=True)
        if locked is not None:
            locked.version += 1
        screens.publish(broker, session.id, "staff", "presence", {"left": guest_id})
        screens.publish(broker, session.id, "staff", "recheck", {"user": guest_id})
        screens.publish_personal(broker, session.id)
        screens.publish_state(broker, session.id)
    db.session.expire_all()
    return nickname


def may_stay(guest_session_id: int) -> bool:
    """Whether a guest of this session may still use it: while it runs."""
    return db.session.scalar(sa.select(LiveSession.id).where(LiveSession.id == guest_session_id,
                                                             LiveSession.ended_at.is_(None))) is not None


def purge_ended(*, before: datetime) -> int:
    """Delete the guests (and with them their answers) of sessions that ended before `before`:
    after the resume window they can never come back, and the register never counted them.
    Returns how many rows went."""
    ended = sa.select(LiveSession.id).where(LiveSession.ended_at.is_not(None), LiveSession.ended_at < before)
    with write_transaction(db.session):
        return rowcount(db.session.execute(sa.delete(User).where(User.guest_session_id.in_(ended))))
