"""Turning a submitted quiz form (or a live answer sent as JSON) into answers. Pure; every value is
treated as untrusted text. Each question type reads its own fields (app/quizzes/types/)."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from app.quizzes.snapshot import Asked
from app.quizzes.types.base import MAX_PARTS, MAX_TEXT, FormLike, field_name, plain_json_answer

__all__ = ["MAX_PARTS", "MAX_TEXT", "FormLike", "answer_from_json", "answers_from_form", "field_name"]


def answers_from_form(questions: Iterable[Mapping[str, Any]], form: FormLike) -> dict[str, Any]:
    """Answers keyed by question id, only for questions the form actually answered."""
    answers: dict[str, Any] = {}
    for data in questions:
        question = Asked.from_dict(data)
        value = question.answer_from_form(form)
        if value is not None:
            answers[question.id] = value
    return answers


def answer_from_json(value: Any, question: Mapping[str, Any] | None = None) -> Any:
    """An answer sent as JSON, in the shapes the scorer reads (the question's type decides; see
    QuestionType.answer_from_json)."""
    if question is None:
        return plain_json_answer(value)
    return Asked.from_dict(question).kind.answer_from_json(value)
