"""Taking quizzes: start (or resume) an attempt, check a question, submit. One unit of work each."""
from __future__ import annotations

import random
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.content.catalog import Catalog
from app.content.quizzes import Quiz
from app.db import rowcount, write_transaction
from app.errors import AttemptClosed, AttemptLimitReached, NotFound, UnansweredQuestions
from app.extensions import db
from app.quizzes import completeness, scoring, timing
from app.quizzes.models import QuizAttempt
from app.quizzes.snapshot import Asked, freeze, thaw


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
    open attempt per person and quiz), so concurrent starts cannot exceed it.
    """
    rng = rng or random.Random(secrets.randbits(64))  # noqa: S311 - question draws, seeded from secrets; not a secret

    def open_attempt() -> QuizAttempt | None:
        return db.session.scalar(sa.select(QuizAttempt).where(
            QuizAttempt.user_id == user_id, QuizAttempt.quiz_key == quiz.id, QuizAttempt.finished_at.is_(None)))

    for _try in range(5):
        existing = open_attempt()
        if existing is not None:
            if timing.is_overdue(existing.closes_at, now):
                return own_attempt(user_id, existing.id, now=now)
            return existing
        used = db.session.scalar(sa.select(sa.func.coalesce(sa.func.max(QuizAttempt.attempt_no), 0)).where(
            QuizAttempt.user_id == user_id, QuizAttempt.quiz_key == quiz.id)) or 0
        if quiz.attempts is not None and used >= quiz.attempts:
            # On PostgreSQL each statement reads afresh (READ COMMITTED): the last attempt, started
            # by a parallel request (a double click), may have committed between the two queries.
            existing = open_attempt()
            if existing is not None:
                return existing
            raise AttemptLimitReached(f"You have used all {quiz.attempts} attempts at this quiz.")
        earlier = _earlier_question_sets(user_id, quiz) if quiz.draw else ()
        deadline = now + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None
        attempt = QuizAttempt(
            user_id=user_id, quiz_key=quiz.id, attempt_no=used + 1, max_attempts=quiz.attempts,
            content_hash=quiz.content_hash, submit_token=secrets.token_urlsafe(32), feedback_mode=quiz.feedback,
            pass_mark=quiz.pass_mark, questions=freeze(quiz, rng, earlier), answers={}, checked=[], started_at=now,
            deadline_at=deadline, closes_at=timing.closes_at(deadline),
        )
        try:
            with write_transaction(db.session):
                db.session.add(attempt)
            return attempt
        except IntegrityError:
            db.session.rollback()
            continue  # someone else started or finished one at the same moment: look again
    raise AttemptLimitReached("This quiz could not be started; please try again.")


def _earlier_question_sets(user_id: int, quiz: Quiz) -> list[frozenset[str]]:
    """The sets of questions this person's earlier attempts at the quiz drew, so a new draw differs."""
    snapshots = db.session.scalars(sa.select(QuizAttempt.questions).where(
        QuizAttempt.user_id == user_id, QuizAttempt.quiz_key == quiz.id)).all()
    return [frozenset(q["id"] for q in snapshot) for snapshot in snapshots]


def time_ran_out_message(attempt: QuizAttempt) -> str:
    assert attempt.closes_at is not None
    return (f"Time ran out at {attempt.closes_at:%H:%M} UTC (the deadline plus {timing.GRACE_MINUTES} minutes' grace). "
            "Your attempt was closed then and marked on the answers saved by that time; "
            "answers sent later were not counted.")


def check_question(user_id: int, attempt_id: int, question_id: str, answers: Mapping[str, Any], *,
                   now: datetime) -> QuizAttempt:
    """Immediate feedback: keep every answer typed so far, and lock and mark this one question.
    After the attempt's closing time nothing is kept: the attempt is closed and AttemptClosed raised."""
    with write_transaction(db.session):
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
            locked = set(attempt.checked)
            merged = dict(attempt.answers)
            merged.update({k: v for k, v in answers.items() if k in ids and k not in locked})
            attempt.answers = merged
            if question_id not in locked:
                attempt.checked = [*attempt.checked, question_id]
    if overdue:
        raise AttemptClosed(time_ran_out_message(attempt))
    return attempt


def save_answers(user_id: int, attempt_id: int, answers: Mapping[str, Any], *, now: datetime) -> QuizAttempt:
    """Keep what has been typed so far (for questions not yet locked). After the attempt's closing
    time nothing is kept: the attempt is closed on what was saved before, and AttemptClosed raised."""
    with write_transaction(db.session):
        attempt = _locked_open_attempt(user_id, attempt_id)
        overdue = timing.is_overdue(attempt.closes_at, now)
        if overdue:
            _finish(attempt, timing.closing(attempt.closes_at, attempt.answers, {}, (), now))
        else:
            ids, locked = {q["id"] for q in attempt.questions}, set(attempt.checked)
            merged = dict(attempt.answers)
            merged.update({k: v for k, v in answers.items() if k in ids and k not in locked})
            attempt.answers = merged
    if overdue:
        raise AttemptClosed(time_ran_out_message(attempt))
    return attempt


def submit_attempt(user_id: int, attempt_id: int, token: str, answers: Mapping[str, Any], *,
                   now: datetime, allow_unanswered: bool = False) -> tuple[QuizAttempt, bool]:
    """Finish and grade an attempt. Returns (attempt, True) the first time; a replayed or
    double-clicked submission returns (attempt, False) and records nothing.

    Submitting spends an attempt, so one that would leave questions unanswered (completeness.gaps)
    is not graded unless `allow_unanswered` (the person confirmed it): the answers sent are saved,
    as "Save and finish later" would, and UnansweredQuestions is raised with the gaps.

    A submission after the attempt's closing time (deadline plus grace) does not count: the
    attempt is closed as of that time and marked on the answers saved before it (timing.closing)."""
    attempt = own_attempt(user_id, attempt_id)
    if attempt.is_finished:
        return attempt, False
    if not secrets.compare_digest((token or "").encode(), attempt.submit_token.encode()):  # str refuses non-ASCII
        raise AttemptClosed("This form is out of date. Reload the quiz and submit again.")
    if timing.is_overdue(attempt.closes_at, now):
        closed = _close_overdue_one(attempt_id, now) is not None
        db.session.expire_all()
        return own_attempt(user_id, attempt_id), closed
    editable = {q["id"] for q in attempt.questions} - set(attempt.checked)
    final = timing.closing(attempt.closes_at, attempt.answers, answers, editable, now)
    if not allow_unanswered:
        missing = completeness.gaps(attempt.questions, final.answers, locked=attempt.checked)
        if missing:
            save_answers(user_id, attempt_id, answers, now=now)
            raise UnansweredQuestions(missing)
    result = _grade(attempt, final.answers)
    with write_transaction(db.session):
        claimed = rowcount(db.session.execute(
            sa.update(QuizAttempt)
            .where(QuizAttempt.id == attempt_id, QuizAttempt.user_id == user_id,
                   QuizAttempt.finished_at.is_(None), QuizAttempt.submit_token == attempt.submit_token)
            .values(answers=final.answers, finished_at=final.finished_at, is_late=final.is_late,
                    score_points=result.points, score_out_of=result.out_of, score_percent=result.percent,
                    passed=result.passed)
        ))
    db.session.expire_all()
    return own_attempt(user_id, attempt_id), claimed == 1


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


def _locked_open_attempt(user_id: int, attempt_id: int) -> QuizAttempt:
    attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.id == attempt_id).with_for_update())
    if attempt is None or attempt.user_id != user_id:
        raise NotFound("There is no such attempt.")
    if attempt.is_finished:
        raise AttemptClosed("This attempt was closed when its time ran out; nothing more can be saved." if attempt.is_late
                            else "This attempt has already been submitted.")
    return attempt


def _grade(attempt: QuizAttempt, answers: Mapping[str, Any]) -> scoring.Result:
    return scoring.score_attempt([thaw(q) for q in attempt.questions], answers, attempt.pass_mark)


def _finish(attempt: QuizAttempt, ending: timing.Closing) -> None:
    """Finish an attempt already locked in the current transaction."""
    result = _grade(attempt, ending.answers)
    attempt.answers, attempt.finished_at, attempt.is_late = ending.answers, ending.finished_at, ending.is_late
    attempt.score_points, attempt.score_out_of = result.points, result.out_of
    attempt.score_percent, attempt.passed = result.percent, result.passed


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
