"""What the instructors' pages read about a cohort's quiz attempts (teach owns no rules or writes)."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from app.errors import NotFound
from app.extensions import db
from app.quizzes.models import QuizAttempt


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
