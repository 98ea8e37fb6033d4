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

NOT_ANSWERED = "not answered"
NOT_ALL_PLACED = "not every item has its own position"
NOT_ALL_MATCHED = "not every item is matched"


@dataclass(frozen=True)
class Gap:
    question_id: str
    number: int          # 1-based, as the attempt shows it
    reason: str


def _item_ids(question: Mapping[str, Any], key: str, display_key: str) -> list[str]:
    display = question.get("display") or {}
    if display.get(display_key):
        return [str(i) for i in display[display_key]]
    return [str(item["id"]) for item in question.get(key, ())]


def reason_unanswered(question: Mapping[str, Any], answer: Any) -> str | None:
    """Why this answer leaves the question unanswered, or None when it is answered."""
    kind = question["type"]
    if kind == "multiple":
        given = answer if isinstance(answer, Sequence) and not isinstance(answer, str) else []
        return None if any(isinstance(a, str) and a for a in given) else NOT_ANSWERED
    if kind == "ordering":
        given = answer if isinstance(answer, Sequence) and not isinstance(answer, str) else []
        placed = [a for a in given if isinstance(a, str) and a and a != "__incomplete__"]
        if not placed:
            return NOT_ANSWERED
        items = _item_ids(question, "options", "options")
        complete = len(given) == len(items) and sorted(placed) == sorted(items)
        return None if complete else NOT_ALL_PLACED
    if kind == "matching":
        pairs = answer if isinstance(answer, Mapping) else {}
        chosen = {k for k, v in pairs.items() if isinstance(v, str) and v}
        if not chosen:
            return NOT_ANSWERED
        return None if set(_item_ids(question, "pairs", "pairs")) <= chosen else NOT_ALL_MATCHED
    # single, true_false, numeric, short_text: some text
    return None if isinstance(answer, str) and answer.strip() else NOT_ANSWERED


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
