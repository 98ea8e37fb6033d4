"""What an attempt was graded on, frozen when it starts, and what the browser may see of it.

An attempt (or a live poll) stores the questions as they were (answer key included, server-side
only), in the order and with the option order this person was shown: `Asked.to_dict()`. Editing a
quiz never changes old attempts. `Asked.public()` is the only shape that reaches a page before the
attempt is finished: no key, no feedback, no explanation. The type's own parts come from its
module (app/quizzes/types/); nothing here depends on which type a question is.
"""
from __future__ import annotations

import random
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from app.content.quizzes import Question, Quiz
from app.quizzes.drawing import draw_questions
from app.quizzes.types.base import QuestionType


@dataclass(frozen=True)
class Asked:
    """A question as one person was asked it: the question and the orders they were shown."""

    question: Question
    display: Mapping[str, Any]

    @property
    def id(self) -> str:
        return self.question.id

    @property
    def kind(self) -> QuestionType:
        return self.question.kind

    def to_dict(self) -> dict[str, Any]:
        return {**self.question.to_dict(), "display": dict(self.display)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Asked:
        return cls(Question.from_dict(data), dict(data.get("display") or {}))

    def public(self) -> dict[str, Any]:
        """The question as the person may see it while answering: text and choices, nothing else."""
        q = self.question
        return {"id": q.id, "type": q.type, "prompt": q.prompt, "points": q.points,
                **q.kind.public(q.body, self.display)}

    def score(self, answer: Any) -> tuple[float, bool]:
        return self.kind.score(self.question.body, answer)

    def unanswered(self, answer: Any) -> str | None:
        return self.kind.unanswered(self.question.body, self.display, answer)

    def answer_from_form(self, form: Any) -> Any:
        return self.kind.answer_from_form(self.question.id, self.question.body, self.display, form)


def freeze(quiz: Quiz, rng: random.Random, avoid: Collection[frozenset[str]] = ()) -> list[dict[str, Any]]:
    """The questions one attempt asks, in the order shown. With `draw`, a stratified draw from the
    pool (app/quizzes/drawing.py), avoiding an exact repeat of the sets in `avoid`."""
    questions = list(quiz.questions)
    if quiz.draw:
        questions = draw_questions(questions, quiz.draw, rng, avoid)
        if quiz.shuffle_questions:
            rng.shuffle(questions)
    elif quiz.subset:
        questions = rng.sample(questions, quiz.subset)
        if not quiz.shuffle_questions:
            questions.sort(key=quiz.questions.index)
    elif quiz.shuffle_questions:
        rng.shuffle(questions)
    return [freeze_question(q, rng, quiz.shuffle_options) for q in questions]


def freeze_question(question: Question, rng: random.Random, shuffle_options: bool) -> dict[str, Any]:
    return ask(question, rng, shuffle_options).to_dict()


def ask(question: Question, rng: random.Random, shuffle_options: bool) -> Asked:
    return Asked(question, question.kind.display(question.body, rng, shuffle_options))


def thaw(data: Mapping[str, Any]) -> Question:
    """The Question an attempt was graded on."""
    return Question.from_dict(data)


def asked(data: Mapping[str, Any]) -> Asked:
    return Asked.from_dict(data)


def public_question(data: Mapping[str, Any]) -> dict[str, Any]:
    return Asked.from_dict(data).public()
