"""Polls in a live session: questions from the quiz bank or typed on the spot, launching, closing,
revealing, and answers (one per person, changed until the poll closes).
"""
from __future__ import annotations

import random
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from app.content.catalog import Catalog
from app.content.quizzes import Question
from app.db import rowcount, write_transaction
from app.errors import Forbidden, InputRejected, NotFound
from app.extensions import db
from app.live import rules, screens, sessions, xapi_feed
from app.live.broker import LocalBroker
from app.live.models import LiveAnswer, LiveParticipant, LivePoll, LiveSession
from app.quizzes import answers as answer_forms
from app.quizzes.snapshot import freeze_question
from app.quizzes.types.base import Option
from app.quizzes.types.choice import ChoiceBody
from app.text import check_text

MAX_ADHOC_OPTIONS = 8


MAX_PROMPT = 500


def bank_question(cat: Catalog, ref: str) -> tuple[str, Question]:
    """'quiz-id/question-id' → (quiz id, question)."""
    quiz_id, _, question_id = (ref or "").partition("/")
    quiz = cat.quiz(quiz_id)
    question = next((q for q in quiz.questions if q.id == question_id), None) if quiz else None
    if quiz is None or question is None:
        raise InputRejected("Choose a question from the quiz bank.", "question")
    return quiz.id, question


def adhoc_prompt(prompt: str) -> str:
    """A question typed in the room, checked: present, not too long, plain text."""
    prompt = (prompt or "").strip()
    if not prompt:
        raise InputRejected("Type the question.", "prompt")
    if len(prompt) > MAX_PROMPT:
        raise InputRejected(f"Keep the question under {MAX_PROMPT} characters.", "prompt")
    check_text(prompt, "prompt", "The question", multiline=True)
    return prompt


def adhoc_question(prompt: str, options_text: str, correct: Sequence[str], multiple: bool) -> tuple[Question, bool]:
    """A quick question typed in the room: one option per line; no right answer marked = opinion poll."""
    prompt = adhoc_prompt(prompt)
    check_text(options_text or "", "options", "The answers", multiline=True)
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
                        explanation="", body=ChoiceBody(options, right))
    return question, bool(right)


def option_numbers(text: str) -> list[str]:
    """"2" or "1, 3" → option ids; anything that is not a number is refused."""
    parts = [p for p in re.split(r"[\s,;]+", text or "") if p]
    if any(not (p.isdecimal() and len(p) <= 4) for p in parts):  # int() refuses "²" and 4,300+ digits
        raise InputRejected("Give the right answers as numbers, such as 2 or 1, 3.", "correct")
    return [f"o{int(p)}" for p in parts]


def countdown_from_form(raw: str | None, minimum: int = rules.MIN_COUNTDOWN) -> int | None:
    """The countdown chosen on the launch form, in seconds (None: no limit); refused with what is allowed."""
    try:
        return rules.countdown_seconds(raw, minimum)
    except ValueError as exc:
        raise InputRejected(str(exc), "countdown") from None


def launch_poll(broker: LocalBroker, actor_id: int, session_id: int, question: Question, *, quiz_key: str | None,
                scored: bool, now: datetime, countdown: int | None = None, show_names: bool = False) -> LivePoll:
    """Put a question to the room. A poll still open is closed first: one open poll at a time.
    With `countdown` seconds it closes by itself when they run out (close_expired)."""
    if countdown is not None and not 1 <= countdown <= rules.MAX_COUNTDOWN:
        raise InputRejected(f"Choose a countdown of at most {rules.MAX_COUNTDOWN} seconds, or no limit.", "countdown")
    frozen = freeze_question(question, random.Random(), shuffle_options=False)  # noqa: S311 - a display shuffle, not a secret
    with write_transaction(db.session):
        session = sessions.staff_change(actor_id, session_id)
        db.session.execute(sa.update(LivePoll).where(LivePoll.session_id == session.id,
                                                     LivePoll.closed_at.is_(None)).values(closed_at=now))
        seq = (db.session.scalar(sa.select(sa.func.max(LivePoll.seq)).where(LivePoll.session_id == session.id)) or 0) + 1
        poll = LivePoll(session_id=session.id, seq=seq, source="bank" if quiz_key else "adhoc", quiz_key=quiz_key,
                        question_id=question.id if quiz_key else None, question=frozen, scored=scored, opened_at=now,
                        closes_at=rules.countdown_deadline(now, countdown), show_names=show_names, hidden_terms=[])
        db.session.add(poll)
        session.projector = "poll"
        session.version += 1
        screens.publish_state(broker, session.id, with_poll=True)
    return poll


def _staff_poll(actor_id: int, session_id: int, poll_id: int) -> tuple[LiveSession, LivePoll]:
    session = sessions.staff_change(actor_id, session_id)
    poll = db.session.get(LivePoll, poll_id, with_for_update=True, populate_existing=True)
    if poll is None or poll.session_id != session.id:
        raise NotFound("There is no such poll in this session.")
    return session, poll


def close_poll(broker: LocalBroker, actor_id: int, session_id: int, poll_id: int, *, now: datetime) -> LivePoll:
    """No more answers. Answers already counted stay; later ones are refused."""
    with write_transaction(db.session):
        session, poll = _staff_poll(actor_id, session_id, poll_id)
        if poll.closed_at is None:
            poll.closed_at = now
            session.version += 1
            xapi_feed.polls_closed([poll.id])
            screens.publish_state(broker, session.id)
    return poll


def close_expired(broker: LocalBroker, session_id: int, *, now: datetime) -> bool:
    """Close the session's open poll if its countdown ran out (deadline plus grace), as the presenter's
    *Close poll* does, and tell every screen. Called whenever a screen reads the session and by the
    stream engine's timer at time-up, in any number of processes at once: the conditional UPDATE
    (`closed_at IS NULL`) lets exactly one of them close it and publish. True for that one.

    A read first, outside any write transaction: reading a state must not queue for the write lock."""
    poll_id, deadline = db.session.execute(
        sa.select(LivePoll.id, LivePoll.closes_at).where(LivePoll.session_id == session_id, LivePoll.closed_at.is_(None))
    ).first() or (None, None)
    if poll_id is None or not rules.time_is_up(deadline, now):
        return False
    with write_transaction(db.session):
        closed = rowcount(db.session.execute(sa.update(LivePoll).where(LivePoll.id == poll_id, LivePoll.closed_at.is_(None))
                                             .values(closed_at=rules.answers_until(deadline))))
        if closed != 1:
            return False
        xapi_feed.polls_closed([poll_id])
        db.session.execute(sa.update(LiveSession).where(LiveSession.id == session_id)
                           .values(version=LiveSession.version + 1))
        screens.publish_state(broker, session_id)
    return True


def reveal_poll(broker: LocalBroker, actor_id: int, session_id: int, poll_id: int, *, now: datetime) -> LivePoll:
    """Show the right answer, the explanation and the results to everyone (closes the poll)."""
    with write_transaction(db.session):
        session, poll = _staff_poll(actor_id, session_id, poll_id)
        if poll.closed_at is None:
            poll.closed_at = now
            xapi_feed.polls_closed([poll.id])
        if poll.revealed_at is None:
            poll.revealed_at = now
            session.projector = "poll"       # the answer and explanation first; the leaderboard is a step of its own
            session.version += 1
            screens.publish_personal(broker, session.id)
            screens.publish_state(broker, session.id, with_poll=True)
    return poll


def _upsert_answer(values: dict[str, Any]) -> None:
    """Insert the person's answer or replace their earlier one, atomically (one row per person)."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = insert(LiveAnswer).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["poll_id", "user_id"],
        set_={"answer": stmt.excluded.answer, "fraction": stmt.excluded.fraction, "points": stmt.excluded.points,
              "answered_at": stmt.excluded.answered_at, "changes": LiveAnswer.changes + 1,
              "approved_at": None, "rejected_at": None})      # a changed open answer is moderated again
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
        sessions.check_taking_part(user_id, sessions.get_session(session_id).cohort_id)
        if poll.closed_at is not None:
            raise InputRejected("This poll has closed; your answer was not counted.", "answer")
        if rules.time_is_up(poll.closes_at, now):
            raise InputRejected("Time was up for this poll; your answer was not counted.", "answer")
        raw = answer_forms.answer_from_json(raw, poll.question)   # the question's type has the last word
        if raw is None:                                            # e.g. an open answer of spaces only
            raise InputRejected("Choose an answer first.", "answer")
        fraction = rules.score_answer(poll.question, raw) if poll.scored else 0.0
        points = rules.points_for(fraction, poll.opened_at, now) if poll.scored else 0
        _upsert_answer({"poll_id": poll.id, "user_id": user_id, "answer": raw, "fraction": fraction,
                        "points": points, "answered_at": now, "changes": 0})
        screens.publish(broker, session_id, "staff", "answers", {"poll": poll_id})
    mine = db.session.scalar(sa.select(LiveAnswer).where(LiveAnswer.poll_id == poll_id, LiveAnswer.user_id == user_id))
    assert mine is not None
    return mine


def answer_from_form(poll: LivePoll, form: answer_forms.FormLike) -> Any:
    """The answer in a submitted poll form (the quiz form's field names), or None."""
    return answer_forms.answers_from_form([poll.question], form).get(poll.question["id"])
