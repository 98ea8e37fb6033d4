"""A short typed answer, right when it matches one of the accepted texts (case, accents,
surrounding punctuation and runs of spaces do not matter)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.quizzes.types.base import Bad, GiftBlock, GiftNote, QuestionType, Source, as_text, normalise_text
from app.quizzes.types.gift_syntax import answer_parts, escape


@dataclass(frozen=True)
class ShortTextBody:
    accept: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"accept": list(self.accept)}


class ShortText(QuestionType):
    name = "short_text"
    label = "short answer"
    keys = frozenset({"accept"})
    gift_priority = 40
    example = """\
id: method-name
type: short_text
prompt: What is working back from a desired future called?
accept: [back-casting, backcasting]
explanation: Back-casting.
"""

    def parse(self, raw: Source, label: str, bad: Bad) -> ShortTextBody:
        accept = raw.get("accept")
        if not (isinstance(accept, list) and accept and all(isinstance(a, (str, int, float)) for a in accept)):
            bad(raw.line_of("accept"), f"{label}: 'accept' lists the accepted answers")
            accept = []
        return ShortTextBody(tuple(str(a).strip() for a in accept))

    def from_dict(self, data: Mapping[str, Any]) -> ShortTextBody:
        return ShortTextBody(tuple(str(a) for a in data.get("accept", ())))

    def score(self, body: ShortTextBody, answer: Any) -> tuple[float, bool]:
        typed = normalise_text(as_text(answer))
        if not typed:
            return 0.0, False
        return (1.0 if typed in {normalise_text(a) for a in body.accept} else 0.0), True

    def key(self, body: ShortTextBody) -> Any:
        return list(body.accept)

    def key_text(self, body: ShortTextBody) -> str:
        return " / ".join(body.accept)

    def right_answer(self, body: ShortTextBody) -> Any:
        return body.accept[0] if body.accept else None

    def to_gift(self, question: Any, body: ShortTextBody) -> tuple[str | None, list[str]]:
        return " ".join(f"={escape(a)}" for a in body.accept), []

    def from_gift(self, block: GiftBlock) -> dict[str, Any] | None:
        pieces = block.answers()
        if not (pieces and all(op == "=" for op, _ in pieces)):
            return None
        accept, dropped = [], []
        for _op, piece in pieces:
            weight, answer, _feedback = answer_parts(piece)
            if "*" in answer:
                dropped.append(f"wildcard answer {answer!r}")
            elif weight is not None and weight < 100:
                dropped.append(f"partial-credit answer {answer!r} ({weight:g}%)")
            else:
                accept.append(answer)
        if dropped:
            block.notes.append(GiftNote(block.line, "not imported: " + ", ".join(dropped)
                                        + " (Lectern accepts full-credit answers only)"))
        if not accept:
            raise ValueError("a short-answer question without a full-credit answer")
        return {**block.base, "type": self.name, "accept": accept,
                "explanation": block.general or "Accepted: " + ", ".join(accept) + "."}


TYPE = ShortText()
