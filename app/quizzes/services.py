"""Taking quizzes: start (or resume) an attempt, check a question, submit. One unit of work each."""
from __future__ import annotations

import random
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.content.catalog import Catalog
from app.content.quizzes import Quiz
from app.db import write_transaction
from app.errors import AttemptClosed, AttemptLimitReached, NotFound
from app.extensions import db
from app.quizzes import scoring
from app.quizzes.models import QuizAttempt
from app.quizzes.snapshot import freeze, thaw

LATE_GRACE = timedelta(minutes=2)


def get_quiz(catalog: Catalog, quiz_id: str) -> Quiz:
    quiz = catalog.quiz(quiz_id)
    if quiz is None:
        raise NotFound("There is no quiz at this address.")
    return quiz


def own_attempt(user_id: int, attempt_id: int) -> QuizAttempt:
    """The person's own attempt; anyone else's looks exactly like a missing one."""
    attempt = db.session.get(QuizAttempt, attempt_id)
    if attempt is None or attempt.user_id != user_id:
        raise NotFound("There is no such attempt.")
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
    """Standing on each quiz, from one query."""
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
        scores = [a.score_percent for a in finished if a.score_percent is not None]
        out[quiz.id] = Standing(quiz.id, len(mine), quiz.attempts, max(scores) if scores else None,
                                any(a.passed for a in finished), open_attempt.id if open_attempt else None, finished)
    return out


def start_attempt(user_id: int, quiz: Quiz, *, now: datetime, rng: random.Random | None = None) -> QuizAttempt:
    """Resume the open attempt, or start the next one within the quiz's limit.

    The limit is enforced by the database (unique attempt numbers, CHECK attempt_no <= limit, one
    open attempt per person and quiz), so concurrent starts cannot exceed it.
    """
    rng = rng or random.Random(secrets.randbits(64))

    def open_attempt() -> QuizAttempt | None:
        return db.session.scalar(sa.select(QuizAttempt).where(
            QuizAttempt.user_id == user_id, QuizAttempt.quiz_key == quiz.id, QuizAttempt.finished_at.is_(None)))

    for _try in range(5):
        existing = open_attempt()
        if existing is not None:
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
        attempt = QuizAttempt(
            user_id=user_id, quiz_key=quiz.id, attempt_no=used + 1, max_attempts=quiz.attempts,
            content_hash=quiz.content_hash, submit_token=secrets.token_urlsafe(32), feedback_mode=quiz.feedback,
            pass_mark=quiz.pass_mark, questions=freeze(quiz, rng), answers={}, checked=[], started_at=now,
            deadline_at=now + timedelta(minutes=quiz.time_limit_minutes) if quiz.time_limit_minutes else None,
        )
        try:
            with write_transaction(db.session):
                db.session.add(attempt)
            return attempt
        except IntegrityError:
            db.session.rollback()
            continue  # someone else started or finished one at the same moment: look again
    raise AttemptLimitReached("This quiz could not be started; please try again.")


def check_question(user_id: int, attempt_id: int, question_id: str, answers: Mapping[str, Any], *,
                   now: datetime) -> QuizAttempt:
    """Immediate feedback: keep every answer typed so far, and lock and mark this one question."""
    with write_transaction(db.session):
        attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.id == attempt_id).with_for_update())
        if attempt is None or attempt.user_id != user_id:
            raise NotFound("There is no such attempt.")
        if attempt.is_finished:
            raise AttemptClosed("This attempt has already been submitted.")
        if attempt.feedback_mode != "immediate":
            raise AttemptClosed("Answers to this quiz are marked when the whole attempt is submitted.")
        ids = {q["id"] for q in attempt.questions}
        if question_id not in ids:
            raise NotFound("There is no such question in this attempt.")
        locked = set(attempt.checked)
        merged = dict(attempt.answers)
        merged.update({k: v for k, v in answers.items() if k in ids and k not in locked})
        attempt.answers = merged
        if question_id not in locked:
            attempt.checked = [*attempt.checked, question_id]
    return attempt


def save_answers(user_id: int, attempt_id: int, answers: Mapping[str, Any]) -> QuizAttempt:
    """Keep what has been typed so far (for questions not yet locked)."""
    with write_transaction(db.session):
        attempt = db.session.scalar(sa.select(QuizAttempt).where(QuizAttempt.id == attempt_id).with_for_update())
        if attempt is None or attempt.user_id != user_id:
            raise NotFound("There is no such attempt.")
        if attempt.is_finished:
            raise AttemptClosed("This attempt has already been submitted.")
        ids, locked = {q["id"] for q in attempt.questions}, set(attempt.checked)
        merged = dict(attempt.answers)
        merged.update({k: v for k, v in answers.items() if k in ids and k not in locked})
        attempt.answers = merged
    return attempt


def submit_attempt(user_id: int, attempt_id: int, token: str, answers: Mapping[str, Any], *,
                   now: datetime) -> tuple[QuizAttempt, bool]:
    """Finish and grade an attempt. Returns (attempt, True) the first time; a replayed or
    double-clicked submission returns (attempt, False) and records nothing."""
    attempt = own_attempt(user_id, attempt_id)
    if attempt.is_finished:
        return attempt, False
    if not secrets.compare_digest(token or "", attempt.submit_token):
        raise AttemptClosed("This form is out of date. Reload the quiz and submit again.")
    ids, locked = {q["id"] for q in attempt.questions}, set(attempt.checked)
    final = dict(attempt.answers)
    final.update({k: v for k, v in answers.items() if k in ids and k not in locked})
    questions = [thaw(q) for q in attempt.questions]
    result = scoring.score_attempt(questions, final, attempt.pass_mark)
    late = attempt.deadline_at is not None and now > attempt.deadline_at + LATE_GRACE
    with write_transaction(db.session):
        claimed = db.session.execute(
            sa.update(QuizAttempt)
            .where(QuizAttempt.id == attempt_id, QuizAttempt.user_id == user_id,
                   QuizAttempt.finished_at.is_(None), QuizAttempt.submit_token == attempt.submit_token)
            .values(answers=final, finished_at=now, is_late=late, score_points=result.points,
                    score_out_of=result.out_of, score_percent=result.percent, passed=result.passed)
        ).rowcount
    db.session.expire_all()
    return own_attempt(user_id, attempt_id), claimed == 1


@dataclass(frozen=True)
class QuestionReview:
    """One question of a finished (or checked) attempt, with the marking."""

    data: dict[str, Any]
    mark: scoring.Mark
    answer: Any


def review(attempt: QuizAttempt, only: set[str] | None = None) -> dict[str, QuestionReview]:
    """Marks for the questions of an attempt (all of them, or only the checked ones)."""
    out = {}
    for data in attempt.questions:
        if only is not None and data["id"] not in only:
            continue
        question = thaw(data)
        answer = attempt.answers.get(question.id)
        out[question.id] = QuestionReview(data, scoring.mark(question, answer), answer)
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
