"""What live-session screens show: read-only payloads (class state, presence, tallies, standings)
and the notifications that carry them to open streams.

A notification is queued in the unit of work that made the change (db.after_commit) and leaves
through the broker only once that work has committed: a rolled-back change tells nobody, and the
payload is read from what the database then holds."""
from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.auth.models import User
from app.content.catalog import Catalog
from app.db import after_commit
from app.extensions import db
from app.live import rules
from app.live.broker import LocalBroker, Message
from app.live.fragments import lesson_html, personal_html, shared_poll_html, slide_html
from app.live.models import LiveAnswer, LiveParticipant, LivePoll, LiveSession
from app.quizzes.snapshot import public_question
from app.quizzes.types import registry as question_types
from app.quizzes.types.base import Tally


def current_poll(session_id: int) -> LivePoll | None:
    """The poll on participants' screens: the latest one."""
    return db.session.scalar(sa.select(LivePoll).where(LivePoll.session_id == session_id)
                             .order_by(LivePoll.seq.desc()).limit(1))


def polls_of(session_id: int) -> list[LivePoll]:
    return list(db.session.scalars(sa.select(LivePoll).where(LivePoll.session_id == session_id).order_by(LivePoll.seq)))


def my_answer(user_id: int, poll_id: int) -> LiveAnswer | None:
    return db.session.scalar(sa.select(LiveAnswer).where(LiveAnswer.poll_id == poll_id, LiveAnswer.user_id == user_id))


def day_of(cat: Catalog, number: int):
    return next(d for d in cat.course.days if d.number == number)


def tally_of(poll: LivePoll, *, with_key: bool) -> Tally:
    rows = db.session.execute(sa.select(LiveAnswer.answer, LiveAnswer.fraction).where(LiveAnswer.poll_id == poll.id)).all()
    return rules.tally(poll.question, [(a, f) for a, f in rows], scored=poll.scored, with_key=with_key,
                       hidden=poll.hidden_terms or ())


def standings(session_id: int) -> list[rules.Standing]:
    name = sa.case((User.guest_session_id.is_not(None), User.display_name + " (guest)"), else_=User.display_name)
    rows = db.session.execute(
        sa.select(LiveAnswer.user_id, name, sa.func.sum(LiveAnswer.points))
        .join(LivePoll, LivePoll.id == LiveAnswer.poll_id).join(User, User.id == LiveAnswer.user_id)
        .where(LivePoll.session_id == session_id, LivePoll.revealed_at.is_not(None), LivePoll.scored.is_(True))
        .group_by(LiveAnswer.user_id, User.display_name, User.guest_session_id)).all()
    return rules.leaderboard({uid: int(total or 0) for uid, _n, total in rows}, {uid: name for uid, name, _t in rows})


def bank_answers(cohort_id: int, quiz_key: str) -> list[tuple[list[dict[str, Any]], dict[str, Any]]]:
    """Live answers to a quiz's questions in a cohort's sessions, shaped like attempts
    ((questions, answers)) so question analytics can count them."""
    rows = db.session.execute(
        sa.select(LivePoll.question, LiveAnswer.answer).join(LiveAnswer, LiveAnswer.poll_id == LivePoll.id)
        .join(LiveSession, LiveSession.id == LivePoll.session_id)
        .join(User, sa.and_(User.id == LiveAnswer.user_id, User.guest_session_id.is_(None)))   # the cohort's own
        .where(LiveSession.cohort_id == cohort_id, LivePoll.quiz_key == quiz_key)).all()
    return [([question], {question["id"]: raw}) for question, raw in rows]


@dataclass(frozen=True)
class NowOn:
    """What the class is on, for the projector: the running agenda item (with its timer) and the
    lesson shown. A break or lunch shows no lesson."""

    item_title: str | None
    item_kind: str | None
    item_start: str | None
    item_end: str | None
    planned_minutes: int | None
    item_started_at: datetime | None
    lesson: Any          # content Lesson or None

    @property
    def anything(self) -> bool:
        return self.item_title is not None or self.lesson is not None


def now_on(session: LiveSession, cat: Catalog) -> NowOn:
    agenda = day_of(cat, session.day).agenda
    item = agenda[session.agenda_index] if session.agenda_index is not None and 0 <= session.agenda_index < len(agenda) else None
    lesson = cat.lesson(session.lesson_key) if session.lesson_key else None
    if item is not None and item.kind in rules.PAUSE_KINDS:
        lesson = None
    return NowOn(item.title if item else None, item.kind if item else None, item.start if item else None,
                 item.end if item else None, rules.planned_minutes(item.start, item.end) if item else None,
                 session.item_started_at if item else None, lesson)


def projector_screen(session: LiveSession, has_poll: bool, cat: Catalog) -> str:
    """What the projector shows now (rules.projector_view over the session's row)."""
    return rules.projector_view(session.projector, has_lesson=now_on(session, cat).anything, has_poll=has_poll,
                                leaderboard=session.leaderboard_visible,
                                has_slides=session.slide_index is not None and session.lesson_key is not None)


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
    state: dict[str, Any] = {
        "version": session.version,
        "status": "live" if session.ended_at is None else "ended",
        "day": session.day,
        "lesson": {"slug": lesson.slug, "title": lesson.title} if lesson else None,
        "poll": {"id": poll.id, "seq": poll.seq, "status": poll.status,
                 "closes_at": poll.closes_at.isoformat(timespec="milliseconds") if poll.closes_at else None} if poll else None,
        "leaderboard": session.leaderboard_visible,
        "slide": {"index": session.slide_index, "on_phones": session.slides_on_phones}
        if session.slide_index is not None else None,
    }
    if poll is not None and question_types.get(poll.question["type"]).live_board == "wall":
        # open answers approved for the projector, by answer id: each page shows its own "shown" mark
        state["poll"]["approved"] = list(db.session.scalars(
            sa.select(LiveAnswer.id).where(LiveAnswer.poll_id == poll.id, LiveAnswer.approved_at.is_not(None))
            .order_by(LiveAnswer.id)))
    return state


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
        if "approved" in detail:                                # an open answer: did the instructor show it?
            detail["my_answer_id"] = mine.id if mine else None
            detail["shown"] = bool(mine and mine.approved_at)
        if poll.revealed_at is not None:
            detail["results"] = tally_of(poll, with_key=True).as_dict()
            detail["correct"] = rules.key_of(poll.question) if poll.scored else None
            detail["explanation"] = poll.question.get("explanation", "")
            detail["my_points"] = mine.points if mine else 0
    if session.leaderboard_visible:
        board = standings(session.id)
        me = next((s for s in board if s.user_id == user_id), None)
        state["me"] = {"rank": me.rank, "points": me.points, "of": len(board)} if me else None
    return state


def publish(broker: LocalBroker, session_id: int, audience: str, kind: str, data: Mapping[str, Any]) -> None:
    """Queue a small notification for after the commit of the current unit of work."""
    message = Message(session_id, audience, kind, json.dumps(data, separators=(",", ":")))
    after_commit(db.session, lambda: broker.publish(message))


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


def publish_personal(broker: LocalBroker, session_id: int) -> None:
    """After the commit of the current unit of work, send everyone's verdict and rank in one message
    just before the state it goes with; each participant's stream passes on only that person's part
    (streams.py), so a room does not have to ask for them one by one. Pages that miss it (polling, a
    reconnect) fetch GET /poll instead."""
    def send() -> None:
        session = get_session_row(session_id)
        if session is not None:
            broker.publish(Message(session.id, "class", "personal",
                                   json.dumps(personal_panels(session), separators=(",", ":")),
                                   version=session.version))

    after_commit(db.session, send)


def publish_state(broker: LocalBroker, session_id: int, *, with_lesson: bool = False,
                  with_poll: bool = False, with_slide: bool = False) -> None:
    """After the commit of the current unit of work, tell every screen about the change. A changed
    lesson or a new poll travels as HTML inside the event, so a room of participants need not each
    fetch it at the same moment. So does a slide (its public HTML, never facilitator notes)."""
    after_commit(db.session, lambda: _send_state(broker, session_id, with_lesson=with_lesson, with_poll=with_poll,
                                                 with_slide=with_slide))


def get_session_row(session_id: int) -> LiveSession | None:
    """The session as committed (a fresh read, not what the identity map remembers)."""
    return db.session.get(LiveSession, session_id, populate_existing=True)


def _send_state(broker: LocalBroker, session_id: int, *, with_lesson: bool, with_poll: bool,
                with_slide: bool = False) -> None:
    from app.content.catalog import catalog

    session = get_session_row(session_id)
    if session is None:
        return
    cat = catalog()
    poll = current_poll(session.id)
    state = class_state(session, poll, cat)
    if with_lesson and state["lesson"] is not None:
        state["lesson"]["html"] = lesson_html(cat.lesson(state["lesson"]["slug"]), session.id)
    if with_poll and poll is not None and poll.status == "open":
        state["poll"]["html"] = shared_poll_html(session, poll)
    elif with_poll and poll is not None and poll.status == "revealed":
        results = tally_of(poll, with_key=True).as_dict()
        state["poll"]["html"] = shared_poll_html(session, poll, {"results": results,
                                                                  "explanation": poll.question.get("explanation", "")})
    if with_slide and state["slide"] is not None:
        state["slide"]["html"] = slide_html(session, cat)
        state["change"] = "slide"
    broker.publish(Message(session.id, "class", "state", json.dumps(state, separators=(",", ":")),
                           version=session.version, final=session.ended_at is not None))
