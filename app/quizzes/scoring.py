"""Scoring: pure functions from a question and a trainee's raw answer to a mark.

Answers arrive as the browser sent them (strings and lists of strings) and are never trusted:
unknown or tampered ids, duplicates, empty or absurd values are simply wrong, never an error.

Each question's type scores it, partial credit included (app/quizzes/types/, documented in
docs/AUTHORING.md). A question with no right answer (an opinion scale) earns nothing and counts
for nothing: it is left out of the points an attempt is out of.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.content.quizzes import Question
from app.quizzes.types.base import normalise_text, parse_number

__all__ = ["Answer", "Mark", "Result", "fraction_correct", "mark", "normalise_text", "parse_number", "score_attempt"]

Answer = str | Sequence[str] | Mapping[str, str] | None


@dataclass(frozen=True)
class Mark:
    question_id: str
    fraction: float          # 0.0 … 1.0
    points: float            # fraction × the question's points
    answered: bool
    scored: bool = True      # False: the question has no right answer (an opinion scale)

    @property
    def correct(self) -> bool:
        return self.fraction >= 1.0

    @property
    def partly(self) -> bool:
        return 0.0 < self.fraction < 1.0


@dataclass(frozen=True)
class Result:
    marks: tuple[Mark, ...]
    points: float
    out_of: float
    pass_mark: float
    passed: bool

    @property
    def percent(self) -> float:
        return 0.0 if self.out_of == 0 else round(100 * self.points / self.out_of, 1)


def fraction_correct(question: Question, answer: Answer) -> tuple[float, bool]:
    """(share of the question's credit earned, whether anything was answered); the question's
    type scores it (app/quizzes/types/)."""
    return question.kind.score(question.body, answer)


def mark(question: Question, answer: Answer) -> Mark:
    fraction, answered = fraction_correct(question, answer)
    if not question.has_key:
        return Mark(question.id, 0.0, 0.0, answered, scored=False)
    return Mark(question.id, fraction, round(fraction * question.points, 4), answered)


def score_attempt(questions: Sequence[Question], answers: Mapping[str, Answer], pass_mark: float) -> Result:
    marks = tuple(mark(q, answers.get(q.id)) for q in questions)
    got, out_of = sum(m.points for m in marks), sum(q.points for q in questions if q.has_key)
    passed = out_of > 0 and got * 100 >= pass_mark * out_of - 1e-9
    return Result(marks, round(got, 4), out_of, pass_mark, passed)
