"""Q&A in a live session: participants ask questions all session long and upvote each other's;
the presenter puts one on the projector, marks questions answered, hides inappropriate ones and
chooses whether names are shown to the room. One unit of work per action, then a notification.

Rules that concurrency could break are the database's: one vote per person and question (the
primary key; an INSERT … ON CONFLICT DO NOTHING), one question on screen per session (a partial
unique index). The posting limit counts the person's questions of the last minute inside the write
transaction, after locking their participant row, so it holds across processes and workers.

Live updates (why the event carries the list): one change (a vote) concerns every phone. A small
"something changed" event would make every phone fetch its list at once: measured with the test
client on SQLite, GET /qna with 40 questions takes 12–20 ms, so 300 phones would cost 4–6 s of
server CPU per vote. Instead the list as the room sees it (anonymity applied, nothing personal)
is rendered once per change (6–10 ms for 40 questions) and travels inside the "qna" event, as a
changed lesson does; each phone marks its own votes and questions from what it already knows.
It is about 1 KB per question (42 KB for 40), so participant streams pass on at most one "qna"
event a second, the latest (it holds the whole list): a burst of votes costs each phone one list
a second, not one per vote. Staff streams coalesce it with tallies (150 ms) and fetch their own
list, with names (a few screens)."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.dialects import postgresql, sqlite

from app.auth.models import User
from app.db import after_commit, rowcount, write_transaction
from app.errors import DomainError, Forbidden, InputRejected, NotFound
from app.extensions import db
from app.live import qna_rules, screens, sessions
from app.live.broker import LocalBroker, Message
from app.live.models import LiveParticipant, LivePoll, LiveQuestion, LiveQuestionVote, LiveSession
from app.text import check_text


class QuestionLimitReached(DomainError):
    """Too many questions from one person in the last minute; `retry_after` seconds to wait."""

    status_code = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


# --- reading ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Board:
    """A session's questions as one audience sees them."""

    anonymous: bool
    open: list[qna_rules.Line]
    answered: list[qna_rules.Line]

    @property
    def count(self) -> int:
        return len(self.open) + len(self.answered)

    def as_dict(self) -> dict[str, Any]:
        def line(q: qna_rules.Line) -> dict[str, Any]:
            out: dict[str, Any] = {"id": q.id, "text": q.text, "votes": q.votes,
                                   "posted_at": q.posted_at.isoformat(timespec="seconds"),
                                   "answered": q.answered_at is not None, "on_screen": q.on_screen}
            if q.author is not None:
                out["author"] = q.author
            return out
        return {"anonymous": self.anonymous, "questions": [line(q) for q in self.open],
                "answered": [line(q) for q in self.answered]}


def board(session: LiveSession, audience: str) -> Board:
    """The session's visible questions with their votes, ordered (qna_rules.ordered). Authors'
    names only where qna_rules.shows_author allows; author ids only for staff."""
    named = qna_rules.shows_author(session.qna_anonymous, audience)
    votes = (sa.select(LiveQuestionVote.question_id, sa.func.count().label("n"))
             .group_by(LiveQuestionVote.question_id).subquery())
    rows = db.session.execute(
        sa.select(LiveQuestion, User.display_name, sa.func.coalesce(votes.c.n, 0))
        .join(User, User.id == LiveQuestion.user_id).outerjoin(votes, votes.c.question_id == LiveQuestion.id)
        .where(LiveQuestion.session_id == session.id, LiveQuestion.hidden_at.is_(None))).all()
    lines = [qna_rules.Line(q.id, q.text, int(n), q.posted_at, q.answered_at, q.on_screen_at is not None,
                            name if named else None, q.user_id if audience == "staff" else None)
             for q, name, n in rows]
    open_, answered = qna_rules.ordered(lines)
    return Board(session.qna_anonymous, open_, answered)


def on_screen(session: LiveSession) -> qna_rules.Line | None:
    """The question on the projector, as the room sees it, or None."""
    room = board(session, "room")
    return next((q for q in room.open + room.answered if q.on_screen), None)


@dataclass(frozen=True)
class Mine:
    """What is this person's own in the list: their questions and their votes (ids)."""

    asked: frozenset[int]
    voted: frozenset[int]


def mine(user_id: int, session_id: int) -> Mine:
    asked = db.session.scalars(sa.select(LiveQuestion.id).where(LiveQuestion.session_id == session_id,
                                                                LiveQuestion.user_id == user_id))
    voted = db.session.scalars(sa.select(LiveQuestionVote.question_id)
                               .join(LiveQuestion, LiveQuestion.id == LiveQuestionVote.question_id)
                               .where(LiveQuestion.session_id == session_id, LiveQuestionVote.user_id == user_id))
    return Mine(frozenset(asked), frozenset(voted))


def export_rows(session: LiveSession) -> tuple[list[str], list[list[Any]]]:
    """Every question (hidden ones too) for the staff's CSV: names always (a staff export)."""
    votes = dict(db.session.execute(
        sa.select(LiveQuestionVote.question_id, sa.func.count()).join(LiveQuestion)
        .where(LiveQuestion.session_id == session.id).group_by(LiveQuestionVote.question_id)).all())
    rows = db.session.execute(sa.select(LiveQuestion, User).join(User, User.id == LiveQuestion.user_id)
                              .where(LiveQuestion.session_id == session.id).order_by(LiveQuestion.posted_at)).all()

    def stamp(value: datetime | None) -> str:
        return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""

    header = ["Question", "Votes", "Name", "Email", "Posted (UTC)", "Answered (UTC)", "Hidden"]
    return header, [[q.text, votes.get(q.id, 0), user.display_name, user.email, stamp(q.posted_at),
                     stamp(q.answered_at), "yes" if q.hidden_at else ""] for q, user in rows]


# --- notifications ---------------------------------------------------------------------------

def list_html(session: LiveSession, the_board: Board, *, me: Mine | None = None, csrf: str = "") -> str:
    """The participants' list (templates/live/_qna_list.html). Without `me` it is the list everyone
    shares, with nothing personal; the page marks its own votes and questions (live-qna.js)."""
    return render_template("live/_qna_list.html", session=session, board=the_board,
                           me=me or Mine(frozenset(), frozenset()), shared=me is None, csrf=csrf)


def publish(broker: LocalBroker, session_id: int) -> None:
    """After the commit of the current unit of work: the room's list, rendered once, to every screen."""
    def send() -> None:
        session = screens.get_session_row(session_id)
        if session is None:
            return
        the_board = board(session, "room")
        data = {"count": the_board.count, "html": list_html(session, the_board)}
        broker.publish(Message(session.id, "class", "qna", json.dumps(data, separators=(",", ":"))))

    after_commit(db.session, send)


# --- participants ----------------------------------------------------------------------------

def _taking_part(user_id: int, session_id: int) -> LiveSession:
    """Inside a unit of work: the open session, if this person joined it and is still a member.
    Locks their participant row, so one person's posts are counted one after another."""
    session = sessions.get_session(session_id)
    joined = db.session.scalar(sa.select(LiveParticipant).where(LiveParticipant.session_id == session_id,
                                                                LiveParticipant.user_id == user_id)
                               .with_for_update())
    if joined is None:
        raise Forbidden("Join the session with its code first.")
    sessions.check_taking_part(user_id, session.cohort_id)
    if session.ended_at is not None:
        raise InputRejected("This session has ended.")
    return session


def post_question(broker: LocalBroker, user_id: int, session_id: int, text: str, *, now: datetime) -> LiveQuestion:
    """Ask the room a question (at most qna_rules.POSTS_PER_WINDOW a minute per person)."""
    text = qna_rules.tidy(text)
    if not text:
        raise InputRejected("Type your question first.", "text")
    if qna_rules.too_long(text):
        raise InputRejected(f"Keep your question to {qna_rules.MAX_QUESTION} characters "
                            f"(it has {len(text)}).", "text")
    check_text(text, "text", "Your question")
    with write_transaction(db.session):
        session = _taking_part(user_id, session_id)
        recent = db.session.scalars(sa.select(LiveQuestion.posted_at).where(
            LiveQuestion.session_id == session.id, LiveQuestion.user_id == user_id,
            LiveQuestion.posted_at > now - qna_rules.POST_WINDOW))
        until = qna_rules.next_post_at(list(recent), now)
        if until is not None:
            wait = qna_rules.wait_seconds(until, now)
            raise QuestionLimitReached(
                f"You can ask {qna_rules.POSTS_PER_WINDOW} questions a minute. You can ask again in {wait} "
                f"seconds (at {until:%H:%M:%S} UTC).", wait)
        question = LiveQuestion(session_id=session.id, user_id=user_id, text=text, posted_at=now)
        db.session.add(question)
        publish(broker, session.id)
    return question


def _question(session_id: int, question_id: int, *, lock: bool = False) -> LiveQuestion:
    question = db.session.get(LiveQuestion, question_id, with_for_update=lock or None, populate_existing=True)
    if question is None or question.session_id != session_id or question.hidden_at is not None:
        raise NotFound("There is no such question in this session.")
    return question


def _insert_vote(values: dict[str, Any]) -> bool:
    """One vote per person and question, atomically; False when it was already there."""
    insert = postgresql.insert if db.session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = (insert(LiveQuestionVote).values(**values).on_conflict_do_nothing(index_elements=["question_id", "user_id"])
            .returning(LiveQuestionVote.question_id))
    # RETURNING, not rowcount: an ORM-enabled INSERT reports no rowcount on PostgreSQL (psycopg)
    return db.session.execute(stmt).first() is not None


def votes_for(question_id: int) -> int:
    return db.session.scalar(sa.select(sa.func.count()).where(LiveQuestionVote.question_id == question_id)) or 0


def vote(broker: LocalBroker, user_id: int, session_id: int, question_id: int, *, now: datetime) -> int:
    """Upvote someone else's question (once; voting again changes nothing). Returns its votes."""
    with write_transaction(db.session):
        _taking_part(user_id, session_id)
        question = _question(session_id, question_id)
        if question.user_id == user_id:
            raise InputRejected("That is your own question: others vote for it.", "question")
        if _insert_vote({"question_id": question.id, "user_id": user_id, "voted_at": now}):
            publish(broker, session_id)
    return votes_for(question_id)


def unvote(broker: LocalBroker, user_id: int, session_id: int, question_id: int) -> int:
    """Withdraw one's vote (nothing happens if there was none). Returns the question's votes."""
    with write_transaction(db.session):
        _taking_part(user_id, session_id)
        question = _question(session_id, question_id)
        removed = rowcount(db.session.execute(sa.delete(LiveQuestionVote).where(
            LiveQuestionVote.question_id == question.id, LiveQuestionVote.user_id == user_id)))
        if removed:
            publish(broker, session_id)
    return votes_for(question_id)


# --- staff -----------------------------------------------------------------------------------

def _back_from_qna(broker: LocalBroker, session: LiveSession) -> None:
    """The projector leaves the question: back to the open poll if there is one, else the lesson
    (or the join code when there is no lesson either: rules.projector_view)."""
    if session.projector == "qna":
        open_poll = db.session.scalar(sa.select(sa.literal(1)).where(LivePoll.session_id == session.id,
                                                                     LivePoll.closed_at.is_(None)))
        session.projector = "poll" if open_poll else "lesson"
        session.version += 1
        screens.publish_state(broker, session.id)


def set_on_screen(broker: LocalBroker, actor_id: int, session_id: int, question_id: int, on: bool, *,
                  now: datetime) -> LiveSession:
    """Put a question on the projector (taking off the one there: one at a time), or take it off."""
    with write_transaction(db.session):
        session = sessions.staff_change(actor_id, session_id)
        question = _question(session.id, question_id, lock=True)
        if on:
            db.session.execute(sa.update(LiveQuestion).where(LiveQuestion.session_id == session.id,
                                                             LiveQuestion.on_screen_at.is_not(None))
                               .values(on_screen_at=None).execution_options(synchronize_session=False))
            question.on_screen_at = now
            session.projector = "qna"
            session.version += 1
            screens.publish_state(broker, session.id)
        elif question.on_screen_at is not None:
            question.on_screen_at = None
            _back_from_qna(broker, session)
        publish(broker, session.id)
    return session


def set_answered(broker: LocalBroker, actor_id: int, session_id: int, question_id: int, answered: bool, *,
                 now: datetime) -> LiveQuestion:
    """Mark a question answered (it moves to the "Answered" group), or undo that."""
    with write_transaction(db.session):
        session = sessions.staff_change(actor_id, session_id)
        question = _question(session.id, question_id, lock=True)
        if answered != (question.answered_at is not None):
            question.answered_at = now if answered else None
            publish(broker, session.id)
    return question


def hide_question(broker: LocalBroker, actor_id: int, session_id: int, question_id: int, *,
                  now: datetime) -> LiveQuestion:
    """Take an inappropriate question out of every list (and off the projector). It stays in the
    staff's CSV, marked hidden."""
    with write_transaction(db.session):
        session = sessions.staff_change(actor_id, session_id)
        question = _question(session.id, question_id, lock=True)
        question.hidden_at = now
        if question.on_screen_at is not None:
            question.on_screen_at = None
            _back_from_qna(broker, session)
        publish(broker, session.id)
    return question


def set_anonymous(broker: LocalBroker, actor_id: int, session_id: int, anonymous: bool) -> LiveSession:
    """Whether the room sees who asked (staff always do)."""
    with write_transaction(db.session):
        session = sessions.staff_change(actor_id, session_id)
        if session.qna_anonymous != anonymous:
            session.qna_anonymous = anonymous
            publish(broker, session.id)
            if session.projector == "qna":       # the projector shows the name, or stops showing it
                session.version += 1
                screens.publish_state(broker, session.id)
    return session
