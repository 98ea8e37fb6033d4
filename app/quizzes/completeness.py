"""Which questions of an attempt are still unanswered, before it is submitted. Pure.

Submitting spends an attempt (a day assessment allows two), so a submission that leaves questions
unanswered is not graded until the person confirms it (services.submit_attempt). "Unanswered"
needs no answer key: it is read from the answers alone, in the shapes app/quizzes/answers.py makes.

A question partly answered counts as unanswered too, because it cannot earn full credit as it is:
an ordering question where not every item has its own position (an untouched one has none: its
positions start blank), a matching question with items left unmatched.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.quizzes.snapshot import Asked
from app.quizzes.types.base import NOT_ANSWERED
from app.quizzes.types.matching import NOT_ALL_MATCHED
from app.quizzes.types.ordering import NOT_ALL_PLACED

__all__ = ["NOT_ALL_MATCHED", "NOT_ALL_PLACED", "NOT_ANSWERED", "Gap", "gaps", "reason_unanswered"]

@dataclass(frozen=True)
class Gap:
    question_id: str
    number: int          # 1-based, as the attempt shows it
    reason: str


def reason_unanswered(question: Mapping[str, Any], answer: Any) -> str | None:
    """Why this answer leaves the question unanswered, or None when it is answered (the
    question's type decides: app/quizzes/types/)."""
    return Asked.from_dict(question).unanswered(answer)


def gaps(questions: Sequence[Mapping[str, Any]], answers: Mapping[str, Any], locked: Iterable[str] = ()) -> tuple[Gap, ...]:
    """The questions still to answer, in the attempt's order. Locked questions (checked with
    "Check answer") cannot be changed any more, so they are never listed."""
    skip = set(locked)
    out = []
    for number, question in enumerate(questions, start=1):
        if question["id"] in skip:
            continue
        reason = reason_unanswered(question, answers.get(question["id"]))
        if reason is not None:
            out.append(Gap(question["id"], number, reason))
    return tuple(out)
