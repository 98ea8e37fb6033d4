"""Scoring: pure functions from a question and a trainee's raw answer to a mark.

Answers arrive as the browser sent them (strings and lists of strings) and are never trusted:
unknown or tampered ids, duplicates, empty or absurd values are simply wrong, never an error.

Partial credit (documented in docs/AUTHORING.md):
- multiple:  (correct chosen − wrong chosen) ÷ number correct, floored at 0
- ordering:  share of items in their right position
- matching:  share of left-hand items matched to their right answer
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.content.quizzes import Question

Answer = str | Sequence[str] | Mapping[str, str] | None


@dataclass(frozen=True)
class Mark:
    question_id: str
    fraction: float          # 0.0 … 1.0
    points: float            # fraction × the question's points
    answered: bool

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


def _as_list(answer: Answer) -> list[str]:
    if answer is None:
        return []
    if isinstance(answer, str):
        return [answer]
    if isinstance(answer, Mapping):
        return []
    return [a for a in answer if isinstance(a, str)]


def _as_text(answer: Answer) -> str:
    if isinstance(answer, str):
        return answer
    values = _as_list(answer)
    return values[0] if len(values) == 1 else ""


def normalise_text(text: str) -> str:
    """Case, accents, surrounding punctuation and runs of spaces do not matter."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    stripped = re.sub(r"\s+", " ", stripped).strip()
    return stripped.strip(" .,;:!?\"'“”‘’()[]")


_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def parse_number(text: str) -> float | None:
    """A plain decimal number ("12", "-3.5", "0,25", "1e3"); anything else is None."""
    cleaned = text.strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "")
    if not cleaned or len(cleaned) > 40 or not _NUMBER.match(cleaned):
        return None
    value = float(cleaned.replace(",", "."))
    return value if math.isfinite(value) else None


def fraction_correct(question: Question, answer: Answer) -> tuple[float, bool]:
    """(share of the question's credit earned, whether anything was answered)."""
    kind = question.type
    if kind in ("single", "true_false"):
        chosen = _as_text(answer)
        return (1.0 if chosen in question.correct else 0.0), bool(chosen)
    if kind == "multiple":
        valid = {o.id for o in question.options}
        picked = set(_as_list(answer))
        if not picked:
            return 0.0, False
        if picked - valid:
            return 0.0, True  # tampered ids: wrong, whatever else was chosen
        right = set(question.correct)
        score = (len(picked & right) - len(picked - right)) / len(right)
        return max(0.0, score), True
    if kind == "ordering":
        given = _as_list(answer)
        if not given:
            return 0.0, False
        expected = list(question.correct)
        if len(given) != len(expected) or set(given) != set(expected):
            return 0.0, True  # missing, duplicated or foreign items
        return sum(1 for g, e in zip(given, expected) if g == e) / len(expected), True
    if kind == "matching":
        if not isinstance(answer, Mapping) or not answer:
            return 0.0, False
        choices = set(question.right_choices)
        hits = 0
        for pair in question.pairs:
            matched = answer.get(pair.id)
            if isinstance(matched, str) and matched in choices and matched == pair.right:
                hits += 1
        return hits / len(question.pairs), any(isinstance(v, str) and v for v in answer.values())
    if kind == "numeric":
        text = _as_text(answer)
        value = parse_number(text)
        if value is None or question.number is None:
            return 0.0, bool(text.strip())
        return (1.0 if abs(value - question.number) <= question.tolerance + 1e-9 else 0.0), True
    if kind == "short_text":
        text = _as_text(answer)
        typed = normalise_text(text)
        if not typed:
            return 0.0, False
        return (1.0 if typed in {normalise_text(a) for a in question.accept} else 0.0), True
    return 0.0, False


def mark(question: Question, answer: Answer) -> Mark:
    fraction, answered = fraction_correct(question, answer)
    return Mark(question.id, fraction, round(fraction * question.points, 4), answered)


def score_attempt(questions: Sequence[Question], answers: Mapping[str, Answer], pass_mark: float) -> Result:
    marks = tuple(mark(q, answers.get(q.id)) for q in questions)
    got, out_of = sum(m.points for m in marks), sum(q.points for q in questions)
    passed = out_of > 0 and got * 100 >= pass_mark * out_of - 1e-9
    return Result(marks, round(got, 4), out_of, pass_mark, passed)
