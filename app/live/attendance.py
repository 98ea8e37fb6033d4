"""Attendance of live sessions: the register of a session, corrections by hand, and the totals per
person and course day that the certificate rule reads (progress.services)."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.audit import services as audit
from app.auth.models import User
from app.cohorts.models import Enrolment
from app.db import write_transaction
from app.errors import InputRejected, NotFound
from app.extensions import db
from app.live import rules
from app.live.models import LiveAttendanceCredit, LiveParticipant, LiveSession
from app.live.sessions import staff_session
from app.text import check_text


@dataclass(frozen=True)
class AttendanceLine:
    """One person in a session's register: a member of the cohort, or someone else who joined
    (an administrator looking in)."""

    user: User
    member: bool
    joined_at: datetime | None
    last_seen_at: datetime | None
    measured_seconds: int
    credit: LiveAttendanceCredit | None
    credited_by: str | None
    enrolled_in_time: bool = True      # False: enrolled only after the session ended


    @property
    def counted_seconds(self) -> int:
        return rules.counted_seconds(self.measured_seconds, self.credit.minutes if self.credit else None)

    @property
    def measured_minutes(self) -> int:
        return round(self.measured_seconds / 60)

    @property
    def counted_minutes(self) -> int:
        return round(self.counted_seconds / 60)

    @property
    def status(self) -> str:
        if self.credit is not None:
            return "corrected"
        if self.joined_at is not None:
            return "joined"
        return "absent" if self.enrolled_in_time else "not enrolled then"

    @property
    def expected(self) -> bool:
        """Counted among the members who could have joined."""
        return self.member and (self.enrolled_in_time or self.joined_at is not None)


def register(session: LiveSession) -> list[AttendanceLine]:
    """Every member of the session's cohort, joined or not, and anyone else who joined; by name."""
    enrolled = {user.id: (user, enrolled_at) for user, enrolled_at in db.session.execute(
        sa.select(User, Enrolment.enrolled_at).join(Enrolment, Enrolment.user_id == User.id)
        .where(Enrolment.cohort_id == session.cohort_id))}
    members = {uid: user for uid, (user, _at) in enrolled.items()}
    joined = {p.user_id: (p, user) for p, user in db.session.execute(
        sa.select(LiveParticipant, User).join(User, User.id == LiveParticipant.user_id)
        .where(LiveParticipant.session_id == session.id, User.guest_session_id.is_(None)))}  # guests never count
    credited_by = aliased(User)
    credits = {c.user_id: (c, by) for c, by in db.session.execute(
        sa.select(LiveAttendanceCredit, credited_by.display_name)
        .outerjoin(credited_by, credited_by.id == LiveAttendanceCredit.credited_by_id)
        .where(LiveAttendanceCredit.session_id == session.id))}
    people = dict(members)
    people.update((uid, user) for uid, (_p, user) in joined.items())
    lines = []
    for uid, user in people.items():
        participant = joined.get(uid, (None, None))[0]
        credit, by = credits.get(uid, (None, None))
        lines.append(AttendanceLine(
            user=user, member=uid in members,
            joined_at=participant.joined_at if participant else None,
            last_seen_at=participant.last_seen_at if participant else None,
            measured_seconds=participant.seconds_present if participant else 0,
            credit=credit, credited_by=by,
            enrolled_in_time=uid not in enrolled or rules.enrolled_in_time(enrolled[uid][1], session.ended_at)))
    return sorted(lines, key=lambda line: (line.user.display_name.casefold(), line.user.id))


def line_for(session: LiveSession, user_id: int) -> AttendanceLine:
    """One person's line of the register; not found for anyone who is not on it."""
    for line in register(session):
        if line.user.id == user_id:
            return line
    raise NotFound("That person is not in this session's cohort.")


def credit_limit(session: LiveSession, *, now: datetime) -> int:
    return rules.credit_limit(session.started_at, session.ended_at, now)


def limit_text(session: LiveSession, *, now: datetime) -> str:
    """The hint for the minutes field: the range allowed, and why."""
    length = rules.session_minutes(session.started_at, session.ended_at, now)
    lasted = "has run" if session.ended_at is None else "lasted"
    return (f"From 0 to {credit_limit(session, now=now)}: the session {lasted} {length} min, and a correction may add "
            f"up to {rules.CREDIT_MARGIN_MINUTES} min for time in the room before it started or after it ended.")


def _checked(session: LiveSession, minutes: int | None, note: str, *, now: datetime) -> str:
    """The reason, tidied, once minutes and reason pass; otherwise InputRejected naming the field."""
    note = " ".join((note or "").split())
    limit = credit_limit(session, now=now)
    if minutes is None or not 0 <= minutes <= limit:
        raise InputRejected(f"Give a number of minutes from 0 to {limit} (the session's length plus "
                            f"{rules.CREDIT_MARGIN_MINUTES} min).", "minutes")
    if not note:
        raise InputRejected("Say why you are correcting the attendance (it is kept with the change).", "note")
    check_text(note, "note", "The reason")
    if len(note) > 300:
        raise InputRejected("Keep the reason under 300 characters.", "note")
    return note


def _set_credit(actor_id: int, session: LiveSession, cohort_name: str, line: AttendanceLine, minutes: int, note: str,
                *, now: datetime) -> LiveAttendanceCredit:
    """Inside a unit of work: the correction for one person, and its audit event."""
    row = db.session.get(LiveAttendanceCredit, (session.id, line.user.id), with_for_update=True)
    previous = row.minutes if row else None
    if row is None:
        row = LiveAttendanceCredit(session_id=session.id, user_id=line.user.id, minutes=minutes, note=note,
                                   credited_by_id=actor_id, credited_at=now)
        db.session.add(row)
    else:
        row.minutes, row.note, row.credited_by_id, row.credited_at = minutes, note, actor_id, now
    audit.record(actor_id, "live.attendance.correct", "user", line.user.id, line.user.display_name, now=now,
                 session=session.id, cohort=cohort_name, day=session.day, measured=line.measured_minutes,
                 previous=previous, minutes=minutes, note=note)
    return row


def credit(actor_id: int, session_id: int, user_id: int, minutes: int | None, note: str, *,
           now: datetime) -> LiveAttendanceCredit:
    """Set the minutes that count for this person in this session, with the reason (kept and audited).
    At most the session's length plus rules.CREDIT_MARGIN_MINUTES."""
    session, cohort = staff_session(actor_id, session_id)
    line = line_for(session, user_id)
    note = _checked(session, minutes, note, now=now)
    assert minutes is not None
    with write_transaction(db.session):
        row = _set_credit(actor_id, session, cohort.name, line, minutes, note, now=now)
    return row


def credit_many(actor_id: int, session_id: int, user_ids: Iterable[int], minutes: int | None, note: str, *,
                now: datetime) -> list[AttendanceLine]:
    """"Mark selected present": the same minutes and reason for several people at once, in one unit
    of work, with one audit event per person. Everyone chosen must be on the register."""
    session, cohort = staff_session(actor_id, session_id)
    wanted = set(user_ids)
    if not wanted:
        raise InputRejected("Tick the people to mark present first.", "people")
    lines = [line for line in register(session) if line.user.id in wanted]
    if len(lines) != len(wanted):
        raise NotFound("That person is not in this session's cohort.")
    note = _checked(session, minutes, note, now=now)
    assert minutes is not None
    with write_transaction(db.session):
        for line in lines:
            _set_credit(actor_id, session, cohort.name, line, minutes, note, now=now)
    return lines


def clear_credit(actor_id: int, session_id: int, user_id: int, *, now: datetime) -> bool:
    """Undo a correction: the measured minutes count again. False if there was none."""
    session, cohort = staff_session(actor_id, session_id)
    line = line_for(session, user_id)
    with write_transaction(db.session):
        row = db.session.get(LiveAttendanceCredit, (session.id, user_id), with_for_update=True)
        if row is None:
            return False
        audit.record(actor_id, "live.attendance.uncorrect", "user", user_id, line.user.display_name, now=now,
                     session=session.id, cohort=cohort.name, day=session.day, removed=row.minutes,
                     measured=line.measured_minutes)
        db.session.delete(row)
    return True


def seconds_by_day(user_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """For each person, the seconds that count on each course day, over all that day's sessions:
    measured presence, or the instructor's correction where there is one. Guests are left out.
    One query."""
    ids = list(user_ids)
    if not ids:
        return {}
    credit = LiveAttendanceCredit
    measured = (
        sa.select(LiveParticipant.session_id, LiveParticipant.user_id,
                  sa.func.coalesce(credit.minutes * 60, LiveParticipant.seconds_present).label("seconds"))
        .outerjoin(credit, sa.and_(credit.session_id == LiveParticipant.session_id,
                                   credit.user_id == LiveParticipant.user_id))
        .where(LiveParticipant.user_id.in_(ids)))
    credited_only = (
        sa.select(credit.session_id, credit.user_id, (credit.minutes * 60).label("seconds"))
        .where(credit.user_id.in_(ids),
               ~sa.exists().where(LiveParticipant.session_id == credit.session_id,
                                  LiveParticipant.user_id == credit.user_id)))
    both = sa.union_all(measured, credited_only).subquery()
    rows = db.session.execute(
        sa.select(both.c.user_id, LiveSession.day, sa.func.sum(both.c.seconds))
        .join(LiveSession, LiveSession.id == both.c.session_id)
        .join(User, sa.and_(User.id == both.c.user_id, User.guest_session_id.is_(None)))   # guests never count
        .group_by(both.c.user_id, LiveSession.day))
    out: dict[int, dict[int, int]] = defaultdict(dict)
    for user_id, day, seconds in rows:
        out[user_id][day] = int(seconds or 0)
    return dict(out)
