"""An open question: a free answer of up to 280 characters. No right answer (an opinion: it earns
and counts no points). In a live poll the answers queue for the instructor, who approves the ones
the projector shows (app/live/moderation.py); results never list the texts themselves, so nobody's
answer reaches the room without the instructor's approval.

In a quiz file:

    type: open_text

GIFT's essay question has no live moderation; open text is never exported or imported.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.quizzes.types.base import (
    Bad,
    FormLike,
    OpinionType,
    Source,
    Tally,
    field_name,
)

MAX_LENGTH = 280


def clean_answer(value: Any) -> str:
    """A typed answer: text only, runs of blank lines and surrounding spaces removed, cut to MAX_LENGTH."""
    if not isinstance(value, str):
        return ""
    text = re.sub(r"[ \t]+", " ", value.replace("\r\n", "\n"))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text[:MAX_LENGTH].strip()


@dataclass(frozen=True)
class OpenTextBody:
    def to_dict(self) -> dict[str, Any]:
        return {}


class OpenText(OpinionType):
    name = "open_text"
    label = "open answer"
    gift_priority = 0
    live_board = "wall"
    example = """\
id: one-worry
type: open_text
prompt: What worries you most about the first working-group meeting?
explanation: There is no right answer; the trainer reads the answers with the room.
"""

    def parse(self, raw: Source, label: str, bad: Bad) -> OpenTextBody:
        return OpenTextBody()

    def from_dict(self, data: Mapping[str, Any]) -> OpenTextBody:
        return OpenTextBody()

    def cleaned(self, raw: Any) -> Any:
        return clean_answer(raw)

    def public(self, body: OpenTextBody, display: Mapping[str, Any]) -> dict[str, Any]:
        return {"max_length": MAX_LENGTH}

    def answer_from_form(self, qid: str, body: OpenTextBody, display: Mapping[str, Any], form: FormLike) -> Any:
        return clean_answer(str(form.get(field_name(qid), "") or "")) or None

    def key_text(self, body: OpenTextBody) -> str:
        return "a free answer: no right answer"

    def tally(self, body: OpenTextBody, display: Mapping[str, Any], answers: Sequence[tuple[Any, float]], *,
              scored: bool, with_key: bool) -> Tally:
        """How many answered; never the texts (they reach the room only when approved)."""
        typed = sum(1 for raw, _f in answers if clean_answer(raw))
        return Tally(len(answers), (), f"{typed} written {'answer' if typed == 1 else 'answers'}" if typed else "")


TYPE = OpenText()
