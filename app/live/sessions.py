"""Live sessions: finding them, who may take part or run them, starting, following the agenda,
joining, heartbeats and ending. One unit of work per action, then a notification (screens.py).

Rules that concurrency could break are the database's (see models.py). Every action by staff
checks that the person runs the session's cohort; every participant action checks membership.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.audit import services as audit
from app.auth.models import Role, User, UserRole
from app.cohorts import services as cohorts
from app.cohorts.models import Cohort, CohortInstructor, Enrolment
from app.content.catalog import Catalog
from app.db import write_transaction
from app.errors import Forbidden, InputRejected, NotFound
from app.extensions import db
from app.live import rules, screens, xapi_feed
from app.live.broker import LocalBroker
from app.live.models import LiveParticipant, LivePoll, LiveSession


class CodeRejected(InputRejected):
    """A join code that opens no session (wrong, expired or mistyped). Counted for rate limiting."""


def get_session(session_id: int) -> LiveSession:
    session = db.session.get(LiveSession, session_id)
    if session is None:
        raise NotFound("There is no such live session.")
    return session


def staff_session(actor_id: int, session_id: int) -> tuple[LiveSession, Cohort]:
    """The session if this person runs its cohort (or is an administrator); otherwise not found."""
    session = get_session(session_id)
    actor = db.session.get(User, actor_id)
    if actor is None:
        raise NotFound("There is no such live session.")
    cohort = cohorts.cohort_for_staff(actor, session.cohort_id)
    return session, cohort


def participant_session(user_id: int, session_id: int) -> LiveSession:
    """The session if this person joined it and may still take part; anyone else is refused."""
    session = get_session(session_id)
    if db.session.get(LiveParticipant, (session_id, user_id)) is None:
        raise Forbidden("Join the session with its code first.")
    check_taking_part(user_id, session.cohort_id)
    return session


def check_taking_part(user_id: int, cohort_id: int) -> None:
    """Joining needs membership of the cohort (or the administrator role); so does everything after:
    someone removed from the cohort stops reading, answering and counting as present."""
    member = db.session.scalar(sa.select(sa.literal(1)).where(sa.or_(
        sa.exists().where(Enrolment.cohort_id == cohort_id, Enrolment.user_id == user_id),
        sa.exists().where(UserRole.user_id == user_id, UserRole.role == Role.ADMIN.value),
        # a guest (guests.py) takes part in their own session of the cohort while it runs
        sa.exists().where(User.id == user_id, User.guest_session_id == LiveSession.id,
                          LiveSession.cohort_id == cohort_id, LiveSession.ended_at.is_(None)))))
    if member is None:
        raise Forbidden("You are no longer a member of this session's cohort.")


@dataclass(frozen=True)
class Listener:
    """What a stream's person may do now: their session epoch (signed in with it, and active) and
    whether they may take part in, or run, the session."""

    epoch: int
    participant: bool
    staff: bool


@dataclass(frozen=True)
class StreamAuthority:
    version: int
    ended: bool
    people: dict[int, Listener]      # active people only; anyone missing may listen no more


def stream_authority(session_id: int, user_ids: Sequence[int]) -> StreamAuthority:
    """For the streams open on a session: who may still listen, in five small queries."""
    session = db.session.get(LiveSession, session_id)
    if session is None:
        return StreamAuthority(0, True, {})
    ids = sorted(set(user_ids))
    people: dict[int, Listener] = {}
    if ids:
        epochs = dict(db.session.execute(sa.select(User.id, User.session_epoch)
                                         .where(User.id.in_(ids), User.is_active.is_(True))).all())
        members = set(db.session.scalars(sa.select(Enrolment.user_id).where(
            Enrolment.cohort_id == session.cohort_id, Enrolment.user_id.in_(ids))))
        admins = set(db.session.scalars(sa.select(UserRole.user_id).where(
            UserRole.role == Role.ADMIN.value, UserRole.user_id.in_(ids))))
        teachers = set(db.session.scalars(sa.select(CohortInstructor.user_id).where(
            CohortInstructor.cohort_id == session.cohort_id, CohortInstructor.user_id.in_(ids))))
        guests = set() if session.ended_at is not None else set(db.session.scalars(sa.select(User.id).where(
            User.guest_session_id == session_id, User.id.in_(ids))))
        for user_id, epoch in epochs.items():
            people[user_id] = Listener(epoch, user_id in members or user_id in admins or user_id in guests,
                                       user_id in admins or user_id in teachers)
    return StreamAuthority(session.version, session.ended_at is not None, people)


def followed_session(user_id: int, raw_id: str | None) -> LiveSession | None:
    """The open session a lesson page was opened from (its ?live= parameter), if this person joined
    it and may still take part; otherwise None (the page is then an ordinary lesson page)."""
    if not raw_id or not raw_id.isdecimal() or len(raw_id) > 12:
        return None
    session = db.session.get(LiveSession, int(raw_id))
    if session is None or session.ended_at is not None or not is_participant(user_id, session.id):
        return None
    try:
        check_taking_part(user_id, session.cohort_id)
    except Forbidden:
        return None
    return session


def is_participant(user_id: int, session_id: int) -> bool:
    return db.session.get(LiveParticipant, (session_id, user_id)) is not None


def open_session_for(cohort_id: int) -> LiveSession | None:
    return db.session.scalar(sa.select(LiveSession).where(LiveSession.cohort_id == cohort_id,
                                                           LiveSession.ended_at.is_(None)))


def open_sessions_for_member(user_id: int, *, now: datetime) -> list[tuple[LiveSession, Cohort, bool]]:
    """Sessions running now in the person's cohorts, with whether they have joined each."""
    end_left_open(now=now)
    rows = db.session.execute(
        sa.select(LiveSession, Cohort, LiveParticipant.user_id)
        .join(Cohort, Cohort.id == LiveSession.cohort_id)
        .join(Enrolment, sa.and_(Enrolment.cohort_id == Cohort.id, Enrolment.user_id == user_id))
        .outerjoin(LiveParticipant, sa.and_(LiveParticipant.session_id == LiveSession.id,
                                            LiveParticipant.user_id == user_id))
        .where(LiveSession.ended_at.is_(None))).all()
    return [(session, cohort, joined is not None) for session, cohort, joined in rows]


def sessions_of(cohort_id: int) -> list[LiveSession]:
    return list(db.session.scalars(sa.select(LiveSession).where(LiveSession.cohort_id == cohort_id)
                                   .order_by(LiveSession.started_at.desc())))


def start_session(actor_id: int, cohort_id: int, day: int, cat: Catalog, *, now: datetime) -> LiveSession:
    """Start (or, if one is already running for the cohort on this day, return) a live session."""
    actor = db.session.get(User, actor_id)
    if actor is None:
        raise NotFound("There is no such cohort.")
    cohort = cohorts.cohort_for_staff(actor, cohort_id)
    if day not in {d.number for d in cat.course.days}:
        raise InputRejected("Choose one of the course days.", "day")
    end_left_open(now=now)
    running = open_session_for(cohort.id)
    if running is not None:
        if running.day == day:
            return running
        raise InputRejected(f"{cohort.name} already has a live session running for Day {running.day}. "
                            "End it before starting another.", "day")
    for _try in range(8):
        try:
            with write_transaction(db.session):
                session = LiveSession(cohort_id=cohort.id, day=day, code=rules.new_code(), started_by_id=actor_id,
                                      started_at=now)
                db.session.add(session)
                db.session.flush()
                audit.record(actor_id, "live.start", "cohort", cohort.id, cohort.name, now=now, day=day,
                             session=session.id)
            return session
        except IntegrityError:
            # a code clash with another open session, or a second click that started one first
            running = open_session_for(cohort.id)
            if running is not None and running.day == day:
                return running
            if running is not None:
                raise InputRejected(f"{cohort.name} already has a live session running.", "day") from None
    raise RuntimeError("could not find a free join code")  # 29^6 codes: not expected to happen


def end_session(broker: LocalBroker, actor_id: int, session_id: int, *, now: datetime) -> LiveSession:
    session, cohort = staff_session(actor_id, session_id)
    with write_transaction(db.session):
        session = db.session.get_one(LiveSession, session_id, with_for_update=True)
        if session.ended_at is None:
            _close(session, now)
            audit.record(actor_id, "live.end", "cohort", cohort.id, cohort.name, now=now, day=session.day,
                         session=session.id)
            screens.publish_state(broker, session.id)
    return session


def resume_problem(session: LiveSession, *, now: datetime) -> str | None:
    """Why this ended session cannot be resumed now, or None if it can."""
    if session.ended_at is None:
        return "This session is still running."
    if not rules.can_resume(session.ended_at, now):
        minutes = int(rules.RESUME_WINDOW.total_seconds() // 60)
        return (f"A session can be resumed only within {minutes} minutes of its end. "
                "Start a new session instead: it has a new code.")
    running = open_session_for(session.cohort_id)
    if running is not None:
        return (f"Another live session (Day {running.day}, code {running.code}) was started for this cohort "
                "since this one ended. Use that one, or end it before resuming this one.")
    return None


def resume_session(broker: LocalBroker, actor_id: int, session_id: int, *, now: datetime) -> LiveSession:
    """Open again a session ended by mistake, within rules.RESUME_WINDOW, with the same code.
    Refused if the cohort has started another session since (or, by a one-in-595-million chance,
    another cohort's session holds the code): the database keeps one open session per cohort and
    per code."""
    session, cohort = staff_session(actor_id, session_id)
    problem = resume_problem(session, now=now)
    if problem:
        raise InputRejected(problem)
    try:
        with write_transaction(db.session):
            session = db.session.get_one(LiveSession, session_id, with_for_update=True, populate_existing=True)
            problem = resume_problem(session, now=now)
            if problem:
                raise InputRejected(problem)
            ended_at = session.ended_at
            session.ended_at = None
            session.version += 1
            db.session.flush()     # the partial unique indexes speak here
            audit.record(actor_id, "live.resume", "cohort", cohort.id, cohort.name, now=now, day=session.day,
                         session=session.id, ended_at=f"{ended_at:%Y-%m-%d %H:%M:%S} UTC")
            screens.publish_state(broker, session.id)
    except IntegrityError:
        raise InputRejected("Another live session was started with this cohort or this code since this one ended, "
                            "so it cannot be resumed. Use the one running now.") from None
    return session


def end_left_open(*, now: datetime, broker: LocalBroker | None = None) -> list[int]:
    """End the sessions nobody has touched for rules.IDLE_LIMIT (an instructor forgot "End"), as of
    their last sign of life, so their codes stop working. Called wherever open sessions are looked
    up; one query when there are none. Without a broker, open event streams still learn of the end
    at their next database check (stream.py)."""
    last_seen = (sa.select(sa.func.max(LiveParticipant.last_seen_at))
                 .where(LiveParticipant.session_id == LiveSession.id).scalar_subquery())
    last_poll = (sa.select(sa.func.max(LivePoll.opened_at))
                 .where(LivePoll.session_id == LiveSession.id).scalar_subquery())
    candidates = db.session.execute(
        sa.select(LiveSession.id, LiveSession.started_at, LiveSession.item_started_at, last_seen, last_poll)
        .where(LiveSession.ended_at.is_(None), LiveSession.started_at < now - rules.IDLE_LIMIT)).all()
    ended = []
    for session_id, *moments in candidates:
        last_activity = max(m for m in moments if m is not None)
        if not rules.left_open(last_activity, now):
            continue
        with write_transaction(db.session):
            session = db.session.get(LiveSession, session_id, with_for_update=True, populate_existing=True)
            if session is None or session.ended_at is not None:
                continue
            _close(session, last_activity)
            cohort = db.session.get(Cohort, session.cohort_id)
            audit.record(None, "live.end", "cohort", session.cohort_id, cohort.name if cohort else "", now=now,
                         day=session.day, session=session.id, reason=f"left open since {last_activity:%Y-%m-%d %H:%M} UTC")
            if broker is not None:
                screens.publish_state(broker, session.id)
        ended.append(session_id)
    return ended


def _close(session: LiveSession, at: datetime) -> None:
    """End the session and any open poll (inside the caller's unit of work, the session locked)."""
    xapi_feed.session_ending(session, at)
    db.session.execute(sa.update(LivePoll).where(LivePoll.session_id == session.id,
                                                 LivePoll.closed_at.is_(None)).values(closed_at=at))
    session.ended_at = at
    session.version += 1


def staff_change(actor_id: int, session_id: int) -> LiveSession:
    """Lock an open session this person may drive, inside the current unit of work."""
    staff_session(actor_id, session_id)
    session = db.session.get(LiveSession, session_id, with_for_update=True, populate_existing=True)
    if session is None:
        raise NotFound("There is no such live session.")
    if session.ended_at is not None:
        raise InputRejected("This session has ended.")
    return session


def show_lesson(broker: LocalBroker, actor_id: int, session_id: int, slug: str, cat: Catalog) -> LiveSession:
    """"Show to class": every participant's screen, and the projector, move to this lesson. During a
    break or lunch on the agenda this ends the break (its timer stops): the class is on the lesson."""
    if cat.lesson(slug) is None:
        raise InputRejected("Choose a lesson of the course.", "lesson")
    with write_transaction(db.session):
        session = staff_change(actor_id, session_id)
        agenda = screens.day_of(cat, session.day).agenda
        if session.agenda_index is not None and 0 <= session.agenda_index < len(agenda) \
                and agenda[session.agenda_index].kind in rules.PAUSE_KINDS:
            session.agenda_index = session.item_started_at = None
        if session.lesson_key != slug:
            session.slide_index = None        # another lesson: its slides start when presented
        session.lesson_key = slug
        session.projector = "lesson"
        session.version += 1
        screens.publish_state(broker, session.id, with_lesson=True)
    return session


def start_item(broker: LocalBroker, actor_id: int, session_id: int, index: int, cat: Catalog, *,
               now: datetime) -> LiveSession:
    """Start the timer of an agenda item; a teaching item also shows its first lesson to the class."""
    with write_transaction(db.session):
        session = staff_change(actor_id, session_id)
        agenda = screens.day_of(cat, session.day).agenda
        if not 0 <= index < len(agenda):
            raise InputRejected("Choose an item of the day's agenda.", "item")
        session.agenda_index = index
        session.item_started_at = now
        if agenda[index].lesson_slugs and cat.lesson(agenda[index].lesson_slugs[0]):
            session.lesson_key = agenda[index].lesson_slugs[0]
        session.projector = "lesson"
        session.version += 1
        screens.publish_state(broker, session.id, with_lesson=True)
    return session


def set_leaderboard(broker: LocalBroker, actor_id: int, session_id: int, visible: bool) -> LiveSession:
    """Show the leaderboard to the room (the top ten on the projector, each person's own rank on
    their screen), or hide it. Showing it is a step of its own: a reveal never skips to it."""
    with write_transaction(db.session):
        session = staff_change(actor_id, session_id)
        session.leaderboard_visible = visible
        if visible:
            session.projector = "leaderboard"
        elif session.projector == "leaderboard":
            session.projector = "poll"
        session.version += 1
        screens.publish_personal(broker, session.id)
        screens.publish_state(broker, session.id)
    return session


def set_projector(broker: LocalBroker, actor_id: int, session_id: int, screen: str) -> LiveSession:
    """Put the join code, the lesson, the poll or the leaderboard on the projector."""
    if screen not in rules.PROJECTOR_SCREENS:
        raise InputRejected("Choose what the projector shows.", "screen")
    if screen == "leaderboard":
        return set_leaderboard(broker, actor_id, session_id, True)
    with write_transaction(db.session):
        session = staff_change(actor_id, session_id)
        if session.projector != screen:
            session.projector = screen
            session.version += 1
            screens.publish_state(broker, session.id)
    return session


def join(broker: LocalBroker, user_id: int, raw_code: str, *, now: datetime) -> LiveSession:
    """Enter a code: members of the session's cohort join (again); everyone else is refused."""
    code = rules.normalise_code(raw_code)
    end_left_open(now=now, broker=broker)
    session = db.session.scalar(sa.select(LiveSession).where(LiveSession.code == code,
                                                             LiveSession.ended_at.is_(None))) if code else None
    if session is None:
        raise CodeRejected("That code does not open a live session. Check it on the screen and try again.", "code")
    try:
        check_taking_part(user_id, session.cohort_id)
    except Forbidden:
        raise CodeRejected("This session is for another cohort. Ask your instructor which code to use.", "code") from None
    with write_transaction(db.session):
        row = db.session.get(LiveParticipant, (session.id, user_id), with_for_update=True)
        if row is None:
            db.session.add(LiveParticipant(session_id=session.id, user_id=user_id, joined_at=now, last_seen_at=now))
            screens.publish(broker, session.id, "staff", "presence", {"joined": user_id})
        else:
            row.seconds_present = rules.presence_seconds(row.seconds_present, row.last_seen_at, now)
            row.last_seen_at = now
    return session


def heartbeat(user_id: int, session_id: int, *, now: datetime) -> bool:
    """A sign of life from an open participant page. False once the session has ended."""
    with write_transaction(db.session):
        session = db.session.get(LiveSession, session_id)
        row = db.session.get(LiveParticipant, (session_id, user_id), with_for_update=True)
        if session is None or row is None:
            raise Forbidden("Join the session with its code first.")
        check_taking_part(user_id, session.cohort_id)
        if session.ended_at is not None:
            return False
        row.seconds_present = rules.presence_seconds(row.seconds_present, row.last_seen_at, now)
        row.last_seen_at = now
    return True
