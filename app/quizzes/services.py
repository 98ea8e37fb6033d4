"""Taking quizzes: start (or resume) an attempt, check a question, submit. One unit of work each."""
from __future__ import annotations

import functools
import random
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.attributes import set_committed_value

from app.content.catalog import Catalog
from app.content.quizzes import Quiz
from app.db import rowcount, write_transaction
from app.errors import AttemptClosed, AttemptLimitReached, NotFound, UnansweredQuestions
from app.extensions import db
from app.quizzes import completeness, scoring, timing
from app.quizzes.models import QuizAttempt
from app.quizzes.snapshot import Asked, freeze, thaw
from app.xapi import services as xapi


def get_quiz(catalog: Catalog, quiz_id: str) -> Quiz:
    quiz = catalog.quiz(quiz_id)
    if quiz is None:
        raise NotFound("There is no quiz at this address.")
    return quiz


def own_attempt(user_id: int, attempt_id: int, *, now: datetime | None = None) -> QuizAttempt:
    """The person's own attempt; anyone else's looks exactly like a missing one. Given `now`, an
    open attempt whose time ran out is closed first, marked on the answers saved by then."""
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        raise NotFound("There is no such attempt.")
    if now is not None and not attempt.is_finished and timing.is_overdue(attempt.closes_at, now):
        _close_overdue_one(attempt_id, now)
        db.session.expire_all()
        attempt = db.session.get(QuizAttempt, attempt_id)
        assert attempt is not None
    return attempt


@dataclass(frozen=True)
class AttemptPage:
    """An attempt of the person's, with what its page says about trying the quiz again."""

    attempt: QuizAttempt
    attempts_used: int              # at this quiz, this attempt included
    open_attempt_id: int | None     # the person's unfinished attempt at this quiz, if any

    def attempts_left(self, allowed: int | None) -> int | None:
        return None if allowed is None else max(0, allowed - self.attempts_used)

    def can_start(self, allowed: int | None) -> bool:
        left = self.attempts_left(allowed)
        return self.open_attempt_id is not None or left is None or left > 0


def attempt_page(user_id: int, attempt_id: int, *, now: datetime) -> AttemptPage:
    """The person's own attempt (anyone else's looks exactly like a missing one) and how many
    attempts at its quiz they have used, from one statement. An open attempt whose time ran out
    is closed first, marked on the answers saved by then (as own_attempt does)."""
    row = db.session.execute(_attempt_page_query(), {"attempt_id": attempt_id, "user_id": user_id}).first()
    if row is None:
        raise NotFound("There is no such attempt.")
    attempt, attempts_used, open_attempt_id = row
    if not attempt.is_finished and timing.is_overdue(attempt.closes_at, now):
        own_attempt(user_id, attempt_id, now=now)
        return attempt_page(user_id, attempt_id, now=now)
    return AttemptPage(attempt, attempts_used, open_attempt_id)


@functools.cache
def _attempt_page_query() -> sa.Select[QuizAttempt, int, int | None]:
    """Built once: adapting an alias's columns costs more than running the statement."""
    other = QuizAttempt.__table__.alias("other")
    same_quiz = sa.and_(other.c.user_id == QuizAttempt.user_id, other.c.quiz_key == QuizAttempt.quiz_key)
    used = sa.select(sa.func.count()).where(same_quiz).correlate(QuizAttempt).scalar_subquery()
    open_id = (sa.select(other.c.id).where(same_quiz, other.c.finished_at.is_(None))
               .correlate(QuizAttempt).limit(1).scalar_subquery())
    return sa.select(QuizAttempt, used, open_id).where(QuizAttempt.id == sa.bindparam("attempt_id"),
                                                       QuizAttempt.user_id == sa.bindparam("user_id"))


@dataclass(frozen=True)
class Standing:
    """Where a person stands on one quiz."""

    quiz_id: str
    attempts_used: int
    attempts_allowed: int | None
    best_percent: float | None
    passed: bool
    open_attempt_id: int | None
    finished: tuple[QuizAttempt, ...]

    @property
    def attempts_left(self) -> int | None:
        return None if self.attempts_allowed is None else max(0, self.attempts_allowed - self.attempts_used)

    @property
    def can_start(self) -> bool:
        return self.open_attempt_id is not None or self.attempts_left is None or self.attempts_left > 0


def standings(user_id: int, quizzes: tuple[Quiz, ...] | list[Quiz]) -> dict[str, Standing]:
    """Standing on each quiz, from one query. Best score and pass count only results that count
    (finished by the attempt's closing time, app/quizzes/timing.py)."""
    rows = db.session.scalars(
        sa.select(QuizAttempt).where(QuizAttempt.user_id == user_id,
                                     QuizAttempt.quiz_key.in_([q.id for q in quizzes]))
        .order_by(QuizAttempt.attempt_no)
    ).all()
    out = {}
    for quiz in quizzes:
        mine = [a for a in rows if a.quiz_key == quiz.id]
        finished = tuple(a for a in mine if a.is_finished)
        open_attempt = next((a for a in mine if not a.is_finished), None)
        counted = [a for a in finished if timing.counts(a.closes_at, a.finished_at)]
        scores = [a.score_percent for a in counted if a.score_percent is not None]
        out[quiz.id] = Standing(quiz.id, len(mine), quiz.attempts, max(scores) if scores else None,
                                any(a.passed for a in counted), open_attempt.id if open_attempt else None, finished)
    return out


def start_attempt(user_id: int, quiz: Quiz, *, now: datetime, rng: random.Random | None = None) -> QuizAttempt:
    """Resume the open attempt, or start the next one within the quiz's limit. An open attempt whose
    time ran out is closed (marked on its saved answers) and returned finished instead.

    The limit is enforced by the database (unique attempt numbers, CHECK attempt_no <= limit, one
    open attempt per person and quiz), so concurrent starts cannot exceed it. One statement reads
    the person's attempts at the quiz (numbers and state only; the question sets too for a drawn
    quiz), so the open attempt, the number used and the earlier draws come from one snapshot.
    """
    rng = rng or random.Random(secrets.randbits(64))  # noqa: S311 - question draws, seeded from secrets; not a secret
    columns: list[Any] = [QuizAttempt.id, QuizAttempt.attempt_no, QuizAttempt.finished_at, QuizAttempt.closes_at]
    if quiz.draw:
        columns.append(QuizAttempt.questions)
    for _try in range(5):
        rows = db.session.execute(sa.select(*columns).where(
            QuizAttempt.user_id == user_id, QuizAttempt.quiz_key == quiz.id)).all()
        existing = next((r for r in rows if r.finished_at is None), None)
        if existing is not None:
            if timing.is_overdue(existing.closes_at, now):
                return own_attempt(user_id, existing.id, now=now)
            return _get_attempt(existing.id)
        used = max((r.attempt_no for r in rows), default=0)
        if quiz.attempts is not None and used >= quiz.attempts:
            # one statement, one snapshot: no open attempt was there when all were used
            raise AttemptLimitReached(f"You have used all {quiz.attempts} attempts at this quiz.")
        earlier = [frozenset(q["id"] for q in r.questions) for r in rows] if quiz.draw else ()
        deadline = now + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
        attempt = QuizAttempt(
            user_id=user_id, quiz_key=quiz.id, attempt_no=used + 1, max_attempts=quiz.attempts,
            content_hash=quiz.content_hash, submit_token=secrets.token_urlsafe(32), feedback_mode=quiz.feedback,
            pass_mark=quiz.pass_mark, questions=freeze(quiz, rng, earlier), answers={}, checked=[], started_at=now,
            deadline_at=deadline, closes_at=timing.closes_at(deadline), is_late=False,
        )
        try:
            with _kept_after_commit(), write_transaction(db.session):
                db.session.add(attempt)
                xapi.quiz_started(attempt)
            return attempt
        except IntegrityError:
            db.session.rollback()
            continue  # someone else started or finished one at the same moment: look again
    raise AttemptLimitReached("This quiz could not be started; please try again.")


@contextmanager
def _kept_after_commit() -> Iterator[None]:
    """Objects keep their loaded values when this unit of work commits, instead of being expired
    and read again. Only for a unit of work that wrote those objects itself, under the write lock
    (SQLite) or the row lock (PostgreSQL): what the object holds is then what was committed."""
    session = db.session()
    before = session.expire_on_commit
    session.expire_on_commit = False
    try:
        yield
    finally:
        session.expire_on_commit = before


def _get_attempt(attempt_id: int) -> QuizAttempt:
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt is not None
    return attempt


def time_ran_out_message(attempt: QuizAttempt) -> str:
    assert attempt.closes_at is not None
    return (f"Time ran out at {attempt.closes_at:%H:%M} UTC (the deadline plus {timing.GRACE_MINUTES} minutes' grace). "
            "Your attempt was closed then and marked on the answers saved by that time; "
            "answers sent later were not counted.")


Answers = Mapping[str, Any] | Callable[[list[dict[str, Any]]], Mapping[str, Any]]
"""Answers keyed by question id, or a function making them from the attempt's questions (a form
is read against the questions the attempt asked, once the service has loaded it)."""


def _answers_for(attempt: QuizAttempt, answers: Answers) -> Mapping[str, Any]:
    return answers(attempt.questions) if callable(answers) else answers


def check_question(user_id: int, attempt_id: int, question_id: str, answers: Answers, *,
                   now: datetime) -> QuizAttempt:
    """Immediate feedback: keep every answer typed so far, and lock and mark this one question.
    After the attempt's closing time nothing is kept: the attempt is closed and AttemptClosed raised."""
    with _kept_after_commit(), write_transaction(db.session):
        attempt = _locked_open_attempt(user_id, attempt_id)
        if attempt.feedback_mode != "immediate":
            raise AttemptClosed("Answers to this quiz are marked when the whole attempt is submitted.")
        ids = {q["id"] for q in attempt.questions}
        if question_id not in ids:
            raise NotFound("There is no such question in this attempt.")
        overdue = timing.is_overdue(attempt.closes_at, now)
        if overdue:
            _finish(attempt, timing.closing(attempt.closes_at, attempt.answers, {}, (), now))
        else:
            _keep_answers(attempt, _answers_for(attempt, answers))
            if question_id not in attempt.checked:
                attempt.checked = [*attempt.checked, question_id]
    if overdue:
        raise AttemptClosed(time_ran_out_message(attempt))
    return attempt


def save_answers(user_id: int, attempt_id: int, answers: Answers, *, now: datetime) -> QuizAttempt:
    """Keep what has been typed so far (for questions not yet locked). After the attempt's closing
    time nothing is kept: the attempt is closed on what was saved before, and AttemptClosed raised."""
    with _kept_after_commit(), write_transaction(db.session):
        attempt = _locked_open_attempt(user_id, attempt_id)
        overdue = timing.is_overdue(attempt.closes_at, now)
        if overdue:
            _finish(attempt, timing.closing(attempt.closes_at, attempt.answers, {}, (), now))
        else:
            _keep_answers(attempt, _answers_for(attempt, answers))
    if overdue:
        raise AttemptClosed(time_ran_out_message(attempt))
    return attempt


def _keep_answers(attempt: QuizAttempt, answers: Mapping[str, Any]) -> None:
    """Merge answers into a locked open attempt, for its questions not yet locked by a check."""
    ids, locked = {q["id"] for q in attempt.questions}, set(attempt.checked)
    merged = dict(attempt.answers)
    merged.update({k: v for k, v in answers.items() if k in ids and k not in locked})
    attempt.answers = merged


def submit_attempt(user_id: int, attempt_id: int, token: str, answers: Answers, *,
                   now: datetime, allow_unanswered: bool = False) -> tuple[QuizAttempt, bool]:
    """Finish and grade an attempt. Returns (attempt, True) the first time; a replayed or
    double-clicked submission returns (attempt, False) and records nothing.

    Submitting spends an attempt, so one that would leave questions unanswered (completeness.gaps)
    is not graded unless `allow_unanswered` (the person confirmed it): the answers sent are saved,
    as "Save and finish later" would, and UnansweredQuestions is raised with the gaps.

    A submission after the attempt's closing time (deadline plus grace) does not count: the
    attempt is closed as of that time and marked on the answers saved before it (timing.closing).

    One unit of work, and the attempt is read once, locked (SELECT … FOR UPDATE on PostgreSQL;
    on SQLite the write transaction already holds the database's write lock): a second submission
    of the same attempt waits for the first to commit, then finds it finished."""
    missing: tuple[completeness.Gap, ...] = ()
    with _kept_after_commit(), write_transaction(db.session):
        attempt = _locked_attempt(user_id, attempt_id)
        if attempt.is_finished:
            return attempt, False
        if not secrets.compare_digest((token or "").encode(), attempt.submit_token.encode()):  # str refuses non-ASCII
            raise AttemptClosed("This form is out of date. Reload the quiz and submit again.")
        if timing.is_overdue(attempt.closes_at, now):
            _finish(attempt, timing.closing(attempt.closes_at, attempt.answers, {}, (), now))
            return attempt, True
        sent = _answers_for(attempt, answers)
        editable = {q["id"] for q in attempt.questions} - set(attempt.checked)
        final = timing.closing(attempt.closes_at, attempt.answers, sent, editable, now)
        if not allow_unanswered:
            missing = tuple(completeness.gaps(attempt.questions, final.answers, locked=attempt.checked))
        if missing:
            _keep_answers(attempt, sent)  # as "Save and finish later"; nothing graded
        elif not _claim(attempt, final):
            return attempt, False
    if missing:
        raise UnansweredQuestions(missing)
    return attempt, True


def close_overdue(*, now: datetime, user_ids: Iterable[int] | None = None) -> int:
    """Close every open attempt (of these people, or everyone's) whose time ran out, marked on the
    answers saved by its closing time. Returns how many were closed; without any, writes nothing."""
    query = sa.select(QuizAttempt.id).where(QuizAttempt.finished_at.is_(None), QuizAttempt.closes_at < now)
    if user_ids is not None:
        ids = list(user_ids)
        if not ids:
            return 0
        query = query.where(QuizAttempt.user_id.in_(ids))
    return sum(1 for attempt_id in db.session.scalars(query).all() if _close_overdue_one(attempt_id, now))


def _close_overdue_one(attempt_id: int, now: datetime) -> QuizAttempt | None:
    """Close one open attempt whose time ran out, on the answers saved by then (read under the row
    lock, so a save that made it in time is included). None if it was not open and overdue."""
    with write_transaction(db.session):
        attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.id == attempt_id).with_for_update())
        closed = attempt is not None and not attempt.is_finished and timing.is_overdue(attempt.closes_at, now)
        if attempt is not None and closed:
            _finish(attempt, timing.closing(attempt.closes_at, attempt.answers, {}, (), now))
    return attempt if closed else None


def _locked_attempt(user_id: int, attempt_id: int) -> QuizAttempt:
    """The person's own attempt, read and locked by one statement inside a write transaction."""
    attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.id == attempt_id)
                                .with_for_update().execution_options(populate_existing=True))
    if attempt is None or attempt.user_id != user_id:
        raise NotFound("There is no such attempt.")
    return attempt


def _locked_open_attempt(user_id: int, attempt_id: int) -> QuizAttempt:
    attempt = _locked_attempt(user_id, attempt_id)
    if attempt.is_finished:
        raise AttemptClosed("This attempt was closed when its time ran out; nothing more can be saved." if attempt.is_late
                            else "This attempt has already been submitted.")
    return attempt


def _grade(attempt: QuizAttempt, answers: Mapping[str, Any]) -> scoring.Result:
    return scoring.score_attempt([thaw(q) for q in attempt.questions], answers, attempt.pass_mark)


def _finish(attempt: QuizAttempt, ending: timing.Closing) -> None:
    """Finish an attempt already locked in the current transaction."""
    for name, value in _finished_values(attempt, ending).items():
        setattr(attempt, name, value)
    xapi.quiz_finished(attempt)


def _finished_values(attempt: QuizAttempt, ending: timing.Closing) -> dict[str, Any]:
    result = _grade(attempt, ending.answers)
    return {"answers": ending.answers, "finished_at": ending.finished_at, "is_late": ending.is_late,
            "score_points": result.points, "score_out_of": result.out_of, "score_percent": result.percent,
            "passed": result.passed}


def _claim(attempt: QuizAttempt, ending: timing.Closing) -> bool:
    """Finish a submitted attempt, read and locked in the current transaction, with one UPDATE that
    also names the state it was read in (still open, this submit token): the row lock already makes
    it the only writer, and the condition keeps a submission single even without that lock. The
    object takes the written values as its committed state, so nothing is read back."""
    values = _finished_values(attempt, ending)
    claimed = rowcount(db.session.execute(
        sa.update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.user_id == attempt.user_id,
               QuizAttempt.finished_at.is_(None), QuizAttempt.submit_token == attempt.submit_token)
        .values(**values).execution_options(synchronize_session=False)))
    if claimed != 1:
        db.session.expire(attempt)
        return False
    for name, value in values.items():
        set_committed_value(attempt, name, value)
    xapi.quiz_finished(attempt)
    return True


@dataclass(frozen=True)
class QuestionReview:
    """One question of a finished (or checked) attempt, with the marking."""

    asked: Asked
    mark: scoring.Mark
    answer: Any


def finished_attempts(user_id: int) -> list[QuizAttempt]:
    """A person's finished attempts, newest first (for the instructor's drill-down)."""
    return list(db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == user_id,
                                                                QuizAttempt.finished_at.is_not(None))
                                   .order_by(QuizAttempt.finished_at.desc(), QuizAttempt.id.desc())))


def review(attempt: QuizAttempt, only: set[str] | None = None) -> dict[str, QuestionReview]:
    """Marks for the questions of an attempt (all of them, or only the checked ones)."""
    out = {}
    for data in attempt.questions:
        if only is not None and data["id"] not in only:
            continue
        asked = Asked.from_dict(data)
        answer = attempt.answers.get(asked.id)
        out[asked.id] = QuestionReview(asked, scoring.mark(asked.question, answer), answer)
    return out


def review_links(attempt: QuizAttempt, quiz: Quiz | None) -> dict[str, str]:
    """Question id → the lesson section to review, for the questions that name one."""
    lesson = quiz.lesson if quiz else None
    links = {}
    for data in attempt.questions:
        link = thaw(data).review_link(lesson)
        if link:
            links[data["id"]] = link
    return links


def finished_attempt(user_id: int, attempt_id: int) -> QuizAttempt:
    """One of this person's finished attempts (NotFound for anyone else's, or one still open)."""
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user_id or not attempt.is_finished:
        raise NotFound("There is no such finished attempt.")
    return attempt


def finished_answers(quiz_key: str, user_ids: Iterable[int]) -> list[tuple[list[dict[str, Any]], dict[str, Any]]]:
    """(questions, answers) of every finished attempt at the quiz by these people, for question analytics."""
    ids = list(user_ids)
    if not ids:
        return []
    rows = db.session.execute(sa.select(QuizAttempt.questions, QuizAttempt.answers).where(
        QuizAttempt.quiz_key == quiz_key, QuizAttempt.user_id.in_(ids), QuizAttempt.finished_at.is_not(None)))
    return [(questions, answers) for questions, answers in rows]
