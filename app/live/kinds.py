"""Poll kinds beyond choices: word clouds, open questions and rating scales typed in the room, and
what their boards show. A word cloud's terms can be hidden from the room by the instructor; an open
question's answers queue for the instructor, who approves the ones the projector shows.

What a board is depends on the question type's `live_board` ("cloud", "wall" or none), never on
its name. Services here are one unit of work each, staff only, and tell every screen after commit.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from app.auth.models import User
from app.content.quizzes import Question
from app.db import write_transaction
from app.errors import InputRejected, NotFound
from app.extensions import db
from app.live import cloud, polls, screens, sessions
from app.live.broker import LocalBroker
from app.live.models import LiveAnswer, LivePoll
from app.quizzes.snapshot import Asked
from app.quizzes.types import rating, word_cloud
from app.quizzes.types.open_text import OpenTextBody, clean_answer
from app.quizzes.types.rating import RatingBody
from app.quizzes.types.word_cloud import WordCloudBody

# --- asked in the room ------------------------------------------------------------------------
ADHOC_KINDS = {"choice": "Choice", "word_cloud": "Word cloud", "open_text": "Open answer", "rating": "Rating scale"}
MAX_HIDDEN = 200
MAX_LABEL = 60


def adhoc_question(kind: str, prompt: str, *, scale: str = "", low: str = "", high: str = "",
                   lang: str = "") -> Question:
    """A word cloud, open question or rating scale typed in the room (choices: polls.adhoc_question).
    None of them has a right answer: they are opinion polls."""
    prompt = polls.adhoc_prompt(prompt)
    body: Any
    if kind == "word_cloud":
        if (lang or "en") not in word_cloud.STOP_WORDS:
            raise InputRejected("Choose a language for the stop words.", "lang")
        body = WordCloudBody(lang or "en")
    elif kind == "open_text":
        body = OpenTextBody()
    elif kind == "rating":
        text = (scale or "").strip()
        if not (text.isdecimal() and len(text) <= 2 and rating.MIN_TOP <= int(text) <= rating.MAX_TOP):
            raise InputRejected(f"Choose a scale from {rating.MIN_TOP} to {rating.MAX_TOP}.", "scale")
        ends = [(value or "").strip() for value in (low, high)]
        if not all(ends):
            raise InputRejected("Say what both ends of the scale mean.", "low")
        if any(len(end) > MAX_LABEL for end in ends):
            raise InputRejected(f"Keep the end labels under {MAX_LABEL} characters.", "low")
        body = RatingBody(int(text), ends[0], ends[1])
    else:
        raise InputRejected("Choose what kind of question to ask.", "kind")
    return Question(id="adhoc", type=kind, prompt=prompt, points=1.0, explanation="", body=body)


# --- boards -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CloudTerm:
    key: str
    label: str
    count: int
    hidden: bool


@dataclass(frozen=True)
class WallItem:
    answer_id: int
    text: str
    name: str | None               # None on the projector unless the poll shows names
    answered_at: datetime
    status: str                    # "waiting", "approved" or "rejected"


@dataclass(frozen=True)
class Board:
    kind: str                      # "cloud" or "wall"
    terms: tuple[CloudTerm, ...] = ()
    layout: cloud.Layout | None = None
    items: tuple[WallItem, ...] = ()
    show_names: bool = False
    responses: int = 0

    def waiting(self) -> int:
        return sum(1 for item in self.items if item.status == "waiting")


def board(poll: LivePoll | None, *, staff: bool) -> Board | None:
    """What the poll's own board shows: for the presenter (`staff`) everything with names and
    marks; for the projector only visible terms and approved answers, anonymous unless asked."""
    if poll is None:
        return None
    asked = Asked.from_dict(poll.question)
    kind = asked.kind.live_board
    if kind == "cloud":
        raws = list(db.session.scalars(sa.select(LiveAnswer.answer).where(LiveAnswer.poll_id == poll.id)))
        hidden = set(poll.hidden_terms or ())
        terms = tuple(CloudTerm(t.key, t.label, t.count, t.key in hidden)
                      for t in asked.kind.terms(asked.question.body, raws))   # type: ignore[attr-defined]
        visible = [(t.label, t.count) for t in terms if not t.hidden]
        if staff:                                # the presenter lists the words; only the projector draws them
            return Board("cloud", terms, None, responses=len(raws))
        return Board("cloud", tuple(t for t in terms if not t.hidden), cloud.layout(visible), responses=len(raws))
    if kind == "wall":
        query = (sa.select(LiveAnswer, User.display_name).join(User, User.id == LiveAnswer.user_id)
                 .where(LiveAnswer.poll_id == poll.id))
        if staff:
            query = query.order_by(LiveAnswer.answered_at, LiveAnswer.id)          # newest last
        else:
            query = query.where(LiveAnswer.approved_at.is_not(None)).order_by(LiveAnswer.approved_at, LiveAnswer.id)
        rows = db.session.execute(query).all()
        items = tuple(WallItem(a.id, clean_answer(a.answer), name if staff or poll.show_names else None, a.answered_at,
                               "approved" if a.approved_at else "rejected" if a.rejected_at else "waiting")
                      for a, name in rows)
        total = db.session.scalar(sa.select(sa.func.count()).where(LiveAnswer.poll_id == poll.id)) or 0
        return Board("wall", items=items, show_names=poll.show_names, responses=int(total))
    return None


# --- the instructor's decisions ------------------------------------------------------------------
def _staff_poll(actor_id: int, session_id: int, poll_id: int, board_kind: str):
    session = sessions.staff_change(actor_id, session_id)
    poll = db.session.get(LivePoll, poll_id, with_for_update=True, populate_existing=True)
    if poll is None or poll.session_id != session.id:
        raise NotFound("There is no such poll in this session.")
    if Asked.from_dict(poll.question).kind.live_board != board_kind:
        raise InputRejected("This poll has nothing to hide or approve.")
    return session, poll


def set_term_hidden(broker: LocalBroker, actor_id: int, session_id: int, poll_id: int, term: str,
                    hidden: bool) -> LivePoll:
    """Hide a word-cloud term from the projector and participants' results (or show it again). It
    stays in the CSV, marked hidden."""
    with write_transaction(db.session):
        session, poll = _staff_poll(actor_id, session_id, poll_id, "cloud")
        key = word_cloud.term_key(term, poll.question.get("lang", "en"))
        if not key:
            raise InputRejected("Choose a word of the cloud.", "term")
        now_hidden = list(poll.hidden_terms or ())
        if hidden and key not in now_hidden:
            if len(now_hidden) >= MAX_HIDDEN:
                raise InputRejected(f"At most {MAX_HIDDEN} words can be hidden.", "term")
            poll.hidden_terms = [*now_hidden, key]
        elif not hidden and key in now_hidden:
            poll.hidden_terms = [k for k in now_hidden if k != key]
        else:
            return poll
        session.version += 1
        screens.publish_state(broker, session.id)
    return poll


MODERATION_ACTIONS = ("approve", "unapprove", "reject", "restore")


def moderate_answer(broker: LocalBroker, actor_id: int, session_id: int, poll_id: int, answer_id: int, action: str,
                    *, now: datetime) -> LiveAnswer:
    """Approve an open answer for the projector, take the approval back, or set it aside (reject,
    restore). Works while the poll is open and after it closes."""
    if action not in MODERATION_ACTIONS:
        raise InputRejected("Choose approve, unapprove, reject or restore.", "action")
    with write_transaction(db.session):
        session, poll = _staff_poll(actor_id, session_id, poll_id, "wall")
        answer = db.session.get(LiveAnswer, answer_id, with_for_update=True, populate_existing=True)
        if answer is None or answer.poll_id != poll.id:
            raise NotFound("There is no such answer in this poll.")
        before = (answer.approved_at, answer.rejected_at)
        if action == "approve":
            answer.approved_at, answer.rejected_at = answer.approved_at or now, None
        elif action == "reject":
            answer.approved_at, answer.rejected_at = None, answer.rejected_at or now
        else:
            answer.approved_at, answer.rejected_at = None, None
        if (answer.approved_at, answer.rejected_at) != before:
            session.version += 1
            screens.publish_state(broker, session.id)
    return answer
