"""Running a live session: one unit of work per action, then a notification through the broker.

Rules that concurrency could break are the database's (see models.py). Every action by staff
checks that the person runs the session's cohort; every participant action checks membership.
"""
from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from app.audit import services as audit
from app.auth.models import Role, User, UserRole
from app.cohorts import services as cohorts
from app.cohorts.models import Cohort, CohortInstructor, Enrolment
from app.content.catalog import Catalog
from app.content.quizzes import Option, Question
from app.db import write_transaction
from app.errors import Forbidden, InputRejected, NotFound
from app.extensions import db
from app.live import rules
from app.live.broker import LocalBroker, Message
from app.live.fragments import lesson_html, personal_html, shared_poll_html
from app.live.models import LiveAnswer, LiveParticipant, LivePoll, LiveSession
from app.quizzes import answers as answer_forms
from app.quizzes.snapshot import freeze_question, public_question

MAX_ADHOC_OPTIONS = 8
MAX_PROMPT = 500


class CodeRejected(InputRejected):
    """A join code that opens no session (wrong, expired or mistyped). Counted for rate limiting."""


# --- finding sessions ----------------------------------------------------------------------

def get_session(session_id: int) -> LiveSession:
    session = db.session.get(LiveSession, session_id)
    if session is None:
        raise NotFound("There is no such live session.")
    return session


def staff_session(user: User, session_id: int) -> tuple[LiveSession, Cohort]:
    """The session if this person runs its cohort (or is an administrator); otherwise not found."""
    session = get_session(session_id)
    cohort = cohorts.cohort_for_staff(user, session.cohort_id)
    return session, cohort


def participant_session(user_id: int, session_id: int) -> LiveSession:
    """The session if this person joined it and may still take part; anyone else is refused."""
    session = get_session(session_id)
    if db.session.get(LiveParticipant, (session_id, user_id)) is None:
        raise Forbidden("Join the session with its code first.")
    _still_taking_part(user_id, session.cohort_id)
    return session


def _still_taking_part(user_id: int, cohort_id: int) -> None:
    """Joining needs membership of the cohort (or the administrator role); so does everything after:
    someone removed from the cohort stops reading, answering and counting as present."""
    member = db.session.scalar(sa.select(sa.literal(1)).where(sa.or_(
        sa.exists().where(Enrolment.cohort_id == cohort_id, Enrolment.user_id == user_id),
        sa.exists().where(UserRole.user_id == user_id, UserRole.role == Role.ADMIN.value))))
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
    """For the streams open on a session: who may still listen, in four small queries."""
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
        for user_id, epoch in epochs.items():
            people[user_id] = Listener(epoch, user_id in members or user_id in admins,
                                       user_id in admins or user_id in teachers)
    return StreamAuthority(session.version, session.ended_at is not None, people)


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


def current_poll(session_id: int) -> LivePoll | None:
    """The poll on participants' screens: the latest one."""
    return db.session.scalar(sa.select(LivePoll).where(LivePoll.session_id == session_id)
                             .order_by(LivePoll.seq.desc()).limit(1))


def polls_of(session_id: int) -> list[LivePoll]:
    return list(db.session.scalars(sa.select(LivePoll).where(LivePoll.session_id == session_id).order_by(LivePoll.seq)))


# --- staff actions -------------------------------------------------------------------------

def start_session(actor: User, cohort_id: int, day: int, cat: Catalog, *, now: datetime) -> LiveSession:
    """Start (or, if one is already running for the cohort on this day, return) a live session."""
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
                session = LiveSession(cohort_id=cohort.id, day=day, code=rules.new_code(), started_by_id=actor.id,
                                      started_at=now)
                db.session.add(session)
                db.session.flush()
                audit.record(actor.id, "live.start", "cohort", cohort.id, cohort.name, now=now, day=day,
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


def end_session(broker: LocalBroker, actor: User, session_id: int, *, now: datetime) -> LiveSession:
    session, cohort = staff_session(actor, session_id)
    with write_transaction(db.session):
        session = db.session.get(LiveSession, session_id, with_for_update=True)
        assert session is not None
        if session.ended_at is None:
            _close(session, now)
            audit.record(actor.id, "live.end", "cohort", cohort.id, cohort.name, now=now, day=session.day,
                         session=session.id)
    publish_state(broker, session)
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
            publish_state(broker, session)
        ended.append(session_id)
    return ended


def _close(session: LiveSession, at: datetime) -> None:
    """End the session and any open poll (inside the caller's unit of work, the session locked)."""
    db.session.execute(sa.update(LivePoll).where(LivePoll.session_id == session.id,
                                                 LivePoll.closed_at.is_(None)).values(closed_at=at))
    session.ended_at = at
    session.version += 1


def _staff_change(actor: User, session_id: int) -> LiveSession:
    """Lock an open session this person may drive, inside the current unit of work."""
    staff_session(actor, session_id)
    session = db.session.get(LiveSession, session_id, with_for_update=True, populate_existing=True)
    if session is None:
        raise NotFound("There is no such live session.")
    if session.ended_at is not None:
        raise InputRejected("This session has ended.")
    return session


def show_lesson(broker: LocalBroker, actor: User, session_id: int, slug: str, cat: Catalog) -> LiveSession:
    """"Show to class": every participant's screen moves to this lesson."""
    if cat.lesson(slug) is None:
        raise InputRejected("Choose a lesson of the course.", "lesson")
    with write_transaction(db.session):
        session = _staff_change(actor, session_id)
        session.lesson_key = slug
        session.version += 1
    publish_state(broker, session, with_lesson=True)
    return session


def start_item(broker: LocalBroker, actor: User, session_id: int, index: int, cat: Catalog, *,
               now: datetime) -> LiveSession:
    """Start the timer of an agenda item; a teaching item also shows its first lesson to the class."""
    with write_transaction(db.session):
        session = _staff_change(actor, session_id)
        agenda = _day(cat, session.day).agenda
        if not 0 <= index < len(agenda):
            raise InputRejected("Choose an item of the day's agenda.", "item")
        session.agenda_index = index
        session.item_started_at = now
        if agenda[index].lesson_slugs and cat.lesson(agenda[index].lesson_slugs[0]):
            session.lesson_key = agenda[index].lesson_slugs[0]
        session.version += 1
    publish_state(broker, session, with_lesson=True)
    return session


def set_leaderboard(broker: LocalBroker, actor: User, session_id: int, visible: bool) -> LiveSession:
    with write_transaction(db.session):
        session = _staff_change(actor, session_id)
        session.leaderboard_visible = visible
        session.version += 1
    publish_personal(broker, session)
    publish_state(broker, session)
    return session


def bank_question(cat: Catalog, ref: str) -> tuple[str, Question]:
    """'quiz-id/question-id' → (quiz id, question)."""
    quiz_id, _, question_id = (ref or "").partition("/")
    quiz = cat.quiz(quiz_id)
    question = next((q for q in quiz.questions if q.id == question_id), None) if quiz else None
    if quiz is None or question is None:
        raise InputRejected("Choose a question from the quiz bank.", "question")
    return quiz.id, question


def adhoc_question(prompt: str, options_text: str, correct: Sequence[str], multiple: bool) -> tuple[Question, bool]:
    """A quick question typed in the room: one option per line; no right answer marked = opinion poll."""
    prompt = (prompt or "").strip()
    if not prompt:
        raise InputRejected("Type the question.", "prompt")
    if len(prompt) > MAX_PROMPT:
        raise InputRejected(f"Keep the question under {MAX_PROMPT} characters.", "prompt")
    lines = [line.strip()[:200] for line in (options_text or "").splitlines() if line.strip()]
    if not 2 <= len(lines) <= MAX_ADHOC_OPTIONS:
        raise InputRejected(f"Give between 2 and {MAX_ADHOC_OPTIONS} answers, one per line.", "options")
    if len({line.casefold() for line in lines}) != len(lines):
        raise InputRejected("Two answers are the same.", "options")
    options = tuple(Option(id=f"o{i}", text=text) for i, text in enumerate(lines, start=1))
    valid = {o.id for o in options}
    right = tuple(dict.fromkeys(c for c in correct if c in valid))
    if len(correct) != len(right):
        raise InputRejected("Mark right answers among the ones listed.", "correct")
    if not multiple and len(right) > 1:
        raise InputRejected("Only one answer can be right unless several may be chosen.", "correct")
    question = Question(id="adhoc", type="multiple" if multiple else "single", prompt=prompt, points=1.0,
                        explanation="", options=options, correct=right)
    return question, bool(right)


def option_numbers(text: str) -> list[str]:
    """"2" or "1, 3" → option ids; anything that is not a number is refused."""
    parts = [p for p in re.split(r"[\s,;]+", text or "") if p]
    if any(not (p.isdecimal() and len(p) <= 4) for p in parts):  # int() refuses "²" and 4,300+ digits
        raise InputRejected("Give the right answers as numbers, such as 2 or 1, 3.", "correct")
    return [f"o{int(p)}" for p in parts]


def launch_poll(broker: LocalBroker, actor: User, session_id: int, question: Question, *, quiz_key: str | None,
                scored: bool, now: datetime) -> LivePoll:
    """Put a question to the room. A poll still open is closed first: one open poll at a time."""
    frozen = freeze_question(question, random.Random(), shuffle_options=False)
    with write_transaction(db.session):
        session = _staff_change(actor, session_id)
        db.session.execute(sa.update(LivePoll).where(LivePoll.session_id == session.id,
                                                     LivePoll.closed_at.is_(None)).values(closed_at=now))
        seq = (db.session.scalar(sa.select(sa.func.max(LivePoll.seq)).where(LivePoll.session_id == session.id)) or 0) + 1
        poll = LivePoll(session_id=session.id, seq=seq, source="bank" if quiz_key else "adhoc", quiz_key=quiz_key,
                        question_id=question.id if quiz_key else None, question=frozen, scored=scored, opened_at=now)
        db.session.add(poll)
        session.version += 1
    publish_state(broker, session, with_poll=True)
    return poll


def _staff_poll(actor: User, session_id: int, poll_id: int) -> tuple[LiveSession, LivePoll]:
    session = _staff_change(actor, session_id)
    poll = db.session.get(LivePoll, poll_id, with_for_update=True, populate_existing=True)
    if poll is None or poll.session_id != session.id:
        raise NotFound("There is no such poll in this session.")
    return session, poll


def close_poll(broker: LocalBroker, actor: User, session_id: int, poll_id: int, *, now: datetime) -> LivePoll:
    """No more answers. Answers already counted stay; later ones are refused."""
    with write_transaction(db.session):
        session, poll = _staff_poll(actor, session_id, poll_id)
        if poll.closed_at is None:
            poll.closed_at = now
            session.version += 1
    publish_state(broker, session)
    return poll


def reveal_poll(broker: LocalBroker, actor: User, session_id: int, poll_id: int, *, now: datetime) -> LivePoll:
    """Show the right answer, the explanation and the results to everyone (closes the poll)."""
    with write_transaction(db.session):
        session, poll = _staff_poll(actor, session_id, poll_id)
        if poll.closed_at is None:
            poll.closed_at = now
        if poll.revealed_at is None:
            poll.revealed_at = now
            session.version += 1
    publish_personal(broker, session)
    publish_state(broker, session, with_poll=True)
    return poll


# --- participants --------------------------------------------------------------------------

def join(broker: LocalBroker, user: User, raw_code: str, *, now: datetime) -> LiveSession:
    """Enter a code: members of the session's cohort join (again); everyone else is refused."""
    code = rules.normalise_code(raw_code)
    end_left_open(now=now, broker=broker)
    session = db.session.scalar(sa.select(LiveSession).where(LiveSession.code == code,
                                                             LiveSession.ended_at.is_(None))) if code else None
    if session is None:
        raise CodeRejected("That code does not open a live session. Check it on the screen and try again.", "code")
    member = db.session.scalar(sa.select(Enrolment.id).where(Enrolment.cohort_id == session.cohort_id,
                                                             Enrolment.user_id == user.id))
    if member is None and not user.has_role(Role.ADMIN):
        raise CodeRejected("This session is for another cohort. Ask your instructor which code to use.", "code")
    with write_transaction(db.session):
        row = db.session.get(LiveParticipant, (session.id, user.id), with_for_update=True)
        first = row is None
        if row is None:
            db.session.add(LiveParticipant(session_id=session.id, user_id=user.id, joined_at=now, last_seen_at=now))
        else:
            row.seconds_present = rules.presence_seconds(row.seconds_present, row.last_seen_at, now)
            row.last_seen_at = now
    if first:
        publish(broker, session.id, "staff", "presence", {"joined": user.id})
    return session


def heartbeat(user_id: int, session_id: int, *, now: datetime) -> bool:
    """A sign of life from an open participant page. False once the session has ended."""
    with write_transaction(db.session):
        session = db.session.get(LiveSession, session_id)
        row = db.session.get(LiveParticipant, (session_id, user_id), with_for_update=True)
        if session is None or row is None:
            raise Forbidden("Join the session with its code first.")
        _still_taking_part(user_id, session.cohort_id)
        if session.ended_at is not None:
            return False
        row.seconds_present = rules.presence_seconds(row.seconds_present, row.last_seen_at, now)
        row.last_seen_at = now
    return True


def _upsert_answer(values: dict[str, Any]) -> None:
    """Insert the person's answer or replace their earlier one, atomically (one row per person)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(LiveAnswer).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["poll_id", "user_id"],
        set_={"answer": stmt.excluded.answer, "fraction": stmt.excluded.fraction, "points": stmt.excluded.points,
              "answered_at": stmt.excluded.answered_at, "changes": LiveAnswer.changes + 1})
    db.session.execute(stmt)


def answer(broker: LocalBroker, user_id: int, session_id: int, poll_id: int, raw: Any, *, now: datetime) -> LiveAnswer:
    """Record (or change) a person's answer while the poll is open; refused once it closes."""
    raw = answer_forms.answer_from_json(raw)
    if raw is None or raw == "" or raw == [] or raw == {}:
        raise InputRejected("Choose an answer first.", "answer")
    with write_transaction(db.session):
        # FOR SHARE: answers run side by side, but closing (an UPDATE) waits for them and later
        # answers see it closed. On SQLite the write lock already orders them.
        poll = db.session.scalar(sa.select(LivePoll).where(LivePoll.id == poll_id)
                                 .with_for_update(read=True).execution_options(populate_existing=True))
        if poll is None or poll.session_id != session_id:
            raise NotFound("There is no such poll in this session.")
        if db.session.get(LiveParticipant, (session_id, user_id)) is None:
            raise Forbidden("Join the session with its code first.")
        _still_taking_part(user_id, get_session(session_id).cohort_id)
        if poll.closed_at is not None:
            raise InputRejected("This poll has closed; your answer was not counted.", "answer")
        fraction = rules.score_answer(poll.question, raw) if poll.scored else 0.0
        points = rules.points_for(fraction, poll.opened_at, now) if poll.scored else 0
        _upsert_answer({"poll_id": poll.id, "user_id": user_id, "answer": raw, "fraction": fraction,
                        "points": points, "answered_at": now, "changes": 0})
    publish(broker, session_id, "staff", "answers", {"poll": poll_id})
    mine = db.session.scalar(sa.select(LiveAnswer).where(LiveAnswer.poll_id == poll_id, LiveAnswer.user_id == user_id))
    assert mine is not None
    return mine


def answer_from_form(poll: LivePoll, form: answer_forms.FormLike) -> Any:
    """The answer in a submitted poll form (the quiz form's field names), or None."""
    return answer_forms.answers_from_form([poll.question], form).get(poll.question["id"])


def my_answer(user_id: int, poll_id: int) -> LiveAnswer | None:
    return db.session.scalar(sa.select(LiveAnswer).where(LiveAnswer.poll_id == poll_id, LiveAnswer.user_id == user_id))


# --- what screens show ---------------------------------------------------------------------

def _day(cat: Catalog, number: int):
    return next(d for d in cat.course.days if d.number == number)


def tally_of(poll: LivePoll, *, with_key: bool) -> rules.Tally:
    rows = db.session.execute(sa.select(LiveAnswer.answer, LiveAnswer.fraction).where(LiveAnswer.poll_id == poll.id)).all()
    return rules.tally(poll.question, [(a, f) for a, f in rows], scored=poll.scored, with_key=with_key)


def standings(session_id: int) -> list[rules.Standing]:
    rows = db.session.execute(
        sa.select(LiveAnswer.user_id, User.display_name, sa.func.sum(LiveAnswer.points))
        .join(LivePoll, LivePoll.id == LiveAnswer.poll_id).join(User, User.id == LiveAnswer.user_id)
        .where(LivePoll.session_id == session_id, LivePoll.revealed_at.is_not(None), LivePoll.scored.is_(True))
        .group_by(LiveAnswer.user_id, User.display_name)).all()
    return rules.leaderboard({uid: int(total or 0) for uid, _n, total in rows}, {uid: name for uid, name, _t in rows})


def bank_answers(cohort_id: int, quiz_key: str) -> list[tuple[list[dict[str, Any]], dict[str, Any]]]:
    """Live answers to a quiz's questions in a cohort's sessions, shaped like attempts
    ((questions, answers)) so question analytics can count them."""
    rows = db.session.execute(
        sa.select(LivePoll.question, LiveAnswer.answer).join(LiveAnswer, LiveAnswer.poll_id == LivePoll.id)
        .join(LiveSession, LiveSession.id == LivePoll.session_id)
        .where(LiveSession.cohort_id == cohort_id, LivePoll.quiz_key == quiz_key)).all()
    return [([question], {question["id"]: raw}) for question, raw in rows]


@dataclass(frozen=True)
class Presence:
    joined: int
    here: int               # seen within the presence gap


def presence(session_id: int, *, now: datetime) -> Presence:
    since = now - rules.PRESENCE_GAP
    joined, here = db.session.execute(
        sa.select(sa.func.count(), sa.func.sum(sa.case((LiveParticipant.last_seen_at >= since, 1), else_=0)))
        .where(LiveParticipant.session_id == session_id)).one()
    return Presence(int(joined or 0), int(here or 0))


def participants(session_id: int) -> list[tuple[LiveParticipant, User]]:
    return list(db.session.execute(
        sa.select(LiveParticipant, User).join(User, User.id == LiveParticipant.user_id)
        .where(LiveParticipant.session_id == session_id).order_by(User.display_name)).all())


def staff_payload(session: LiveSession, kind: str, cat: Catalog, *, now: datetime) -> dict[str, Any]:
    """What presenter and projector screens are sent: "presence", "tally" or the whole "state"."""
    if kind == "presence":
        p = presence(session.id, now=now)
        return {"joined": p.joined, "here": p.here}
    poll = current_poll(session.id)
    if kind == "tally":
        return {"poll": poll.id if poll else None, **(tally_of(poll, with_key=True).as_dict() if poll
                                                       else {"responses": 0, "bars": []})}
    state = class_state(session, poll, cat)
    p = presence(session.id, now=now)
    state["presence"] = {"joined": p.joined, "here": p.here}
    if poll is not None:
        state["poll"]["tally"] = tally_of(poll, with_key=True).as_dict()
    return state


def class_state(session: LiveSession, poll: LivePoll | None, cat: Catalog) -> dict[str, Any]:
    """What every participant's screen follows; the payload of "state" events. No answer keys."""
    lesson = cat.lesson(session.lesson_key) if session.lesson_key else None
    return {
        "version": session.version,
        "status": "live" if session.ended_at is None else "ended",
        "day": session.day,
        "lesson": {"slug": lesson.slug, "title": lesson.title} if lesson else None,
        "poll": {"id": poll.id, "seq": poll.seq, "status": poll.status} if poll else None,
        "leaderboard": session.leaderboard_visible,
    }


def participant_state(user_id: int, session: LiveSession, cat: Catalog) -> dict[str, Any]:
    """The state endpoint: the class state plus this person's own answer, and after the reveal the
    right answer, explanation and results."""
    poll = current_poll(session.id)
    state = class_state(session, poll, cat)
    if poll is not None:
        detail = state["poll"]
        detail["question"] = public_question(poll.question)
        detail["scored"] = poll.scored
        mine = my_answer(user_id, poll.id)
        detail["my_answer"] = mine.answer if mine else None
        if poll.revealed_at is not None:
            detail["results"] = tally_of(poll, with_key=True).as_dict()
            detail["correct"] = _key_of(poll.question) if poll.scored else None
            detail["explanation"] = poll.question.get("explanation", "")
            detail["my_points"] = mine.points if mine else 0
    if session.leaderboard_visible:
        board = standings(session.id)
        me = next((s for s in board if s.user_id == user_id), None)
        state["me"] = {"rank": me.rank, "points": me.points, "of": len(board)} if me else None
    return state


def _key_of(question: Mapping[str, Any]) -> Any:
    kind = question["type"]
    if kind == "matching":
        return {p["id"]: p["right"] for p in question.get("pairs", ())}
    if kind == "numeric":
        return {"number": question.get("number"), "tolerance": question.get("tolerance", 0), "unit": question.get("unit", "")}
    if kind == "short_text":
        return list(question.get("accept", ()))
    return list(question.get("correct", ()))


# --- notifications -------------------------------------------------------------------------

def publish(broker: LocalBroker, session_id: int, audience: str, kind: str, data: Mapping[str, Any]) -> None:
    broker.publish(Message(session_id, audience, kind, json.dumps(data, separators=(",", ":"))))


def personal_panels(session: LiveSession) -> dict[str, Any]:
    """Everyone's own parts of the poll panel after a reveal or a leaderboard change, in one payload
    keyed by user id: a verdict for each person who answered, a rank for each person on the
    leaderboard while it shows. Participants missing from it have nothing of their own to show."""
    poll = current_poll(session.id)
    points = dict(db.session.execute(sa.select(LiveAnswer.user_id, LiveAnswer.points)
                                     .where(LiveAnswer.poll_id == poll.id)).all()) if poll else {}
    board = standings(session.id) if session.leaderboard_visible else []
    ranks = {s.user_id: {"rank": s.rank, "points": s.points, "of": len(board)} for s in board}
    people = {}
    for user_id in points.keys() | ranks.keys():
        panel = personal_html(poll, user_id in points, points.get(user_id, 0), ranks.get(user_id))
        if panel["verdict"] or panel["me"]:
            people[str(user_id)] = panel
    return {"version": session.version, "poll": poll.id if poll else None, "people": people}


def publish_personal(broker: LocalBroker, session: LiveSession) -> None:
    """Send everyone's verdict and rank in one message just before the state it goes with; each
    participant's stream passes on only that person's part (stream.py), so a room does not have to
    ask for them one by one. Pages that miss it (polling, a reconnect) fetch GET /poll instead."""
    broker.publish(Message(session.id, "class", "personal",
                           json.dumps(personal_panels(session), separators=(",", ":")), version=session.version))


def publish_state(broker: LocalBroker, session: LiveSession, *, with_lesson: bool = False,
                  with_poll: bool = False) -> None:
    """Tell every screen about a change. A changed lesson or a new poll travels as HTML inside the
    event, so a room of participants need not each fetch it at the same moment."""
    from app.content.catalog import catalog

    cat = catalog()
    poll = current_poll(session.id)
    state = class_state(session, poll, cat)
    if with_lesson and state["lesson"] is not None:
        state["lesson"]["html"] = lesson_html(cat.lesson(state["lesson"]["slug"]))
    if with_poll and poll is not None and poll.status == "open":
        state["poll"]["html"] = shared_poll_html(session, poll)
    elif with_poll and poll is not None and poll.status == "revealed":
        results = tally_of(poll, with_key=True).as_dict()
        state["poll"]["html"] = shared_poll_html(session, poll, {"results": results,
                                                                  "explanation": poll.question.get("explanation", "")})
    broker.publish(Message(session.id, "class", "state", json.dumps(state, separators=(",", ":")),
                           version=session.version, final=session.ended_at is not None))
