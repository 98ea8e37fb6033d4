"""A number, right within a tolerance, with an optional unit shown beside the box."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.quizzes.types.base import Bad, GiftBlock, GiftNote, QuestionType, Source, as_text, number, parse_number
from app.quizzes.types.gift_syntax import answer_parts, split_unescaped, tidy


@dataclass(frozen=True)
class NumericBody:
    number: float
    tolerance: float = 0.0
    unit: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "tolerance": self.tolerance, "unit": self.unit}


class Numeric(QuestionType):
    name = "numeric"
    label = "numeric"
    keys = frozenset({"answer", "tolerance", "unit"})
    gift_priority = 20
    example = """\
id: stage-count
type: numeric
prompt: How many stages does the process have?
answer: 12
tolerance: 0
unit: stages
explanation: Twelve stages.
"""

    def parse(self, raw: Source, label: str, bad: Bad) -> NumericBody:
        answer, tolerance = raw.get("answer"), raw.get("tolerance", 0)
        if not number(answer):
            bad(raw.line_of("answer"), f"{label}: 'answer' must be a number")
            answer = 0
        if not number(tolerance) or tolerance < 0:
            bad(raw.line_of("tolerance"), f"{label}: 'tolerance' must be a number of 0 or more")
            tolerance = 0
        return NumericBody(float(answer), float(tolerance), str(raw.get("unit", "") or ""))

    def from_dict(self, data: Mapping[str, Any]) -> NumericBody:
        return NumericBody(float(data.get("number") or 0), float(data.get("tolerance") or 0), str(data.get("unit") or ""))

    def public(self, body: NumericBody, display: Mapping[str, Any]) -> dict[str, Any]:
        return {"unit": body.unit}

    def score(self, body: NumericBody, answer: Any) -> tuple[float, bool]:
        text = as_text(answer)
        value = parse_number(text)
        if value is None:
            return 0.0, bool(text.strip())
        return (1.0 if abs(value - body.number) <= body.tolerance + 1e-9 else 0.0), True

    def key(self, body: NumericBody) -> Any:
        return {"number": body.number, "tolerance": body.tolerance, "unit": body.unit}

    def key_text(self, body: NumericBody) -> str:
        return f"{body.number:g}" + (f" ± {body.tolerance:g}" if body.tolerance else "") + (f" {body.unit}" if body.unit else "")

    def right_answer(self, body: NumericBody) -> Any:
        return f"{body.number:g}"

    def to_gift(self, question: Any, body: NumericBody) -> tuple[str | None, list[str]]:
        notes = [f"the unit {body.unit!r} has no place in GIFT"] if body.unit else []
        return f"#{tidy(body.number)}:{tidy(body.tolerance)}", notes

    def from_gift(self, block: GiftBlock) -> dict[str, Any] | None:
        if not block.body.startswith("#"):
            return None
        alternatives = [p for op, p in split_unescaped(block.body[1:], "=") if p.strip() or op]
        if not alternatives[0].strip() and len(alternatives) > 1:
            alternatives = alternatives[1:]
        chosen, feedback, dropped = None, "", 0
        for alt in alternatives:
            if not alt.strip():
                continue
            weight, value, fb = answer_parts(alt.split("~", 1)[0])
            if weight is not None and weight < 100:
                dropped += 1
                continue
            if chosen is None:
                chosen, feedback = value, fb
        if chosen is None:
            raise ValueError("a numeric question without a full-credit answer")
        if dropped:
            block.notes.append(GiftNote(block.line, f"{dropped} partial-credit numeric answer(s) dropped: Lectern "
                                                    "gives full credit within the tolerance and none outside it"))
        if ".." in chosen:
            low, high = (float(x) for x in chosen.split("..", 1))
            value_n, tolerance = (low + high) / 2, abs(high - low) / 2
        elif ":" in chosen:
            text, tol = chosen.split(":", 1)
            value_n, tolerance = float(text), abs(float(tol))
        else:
            value_n, tolerance = float(chosen), 0.0
        return {**block.base, "type": self.name, "answer": tidy(value_n), "tolerance": tidy(tolerance),
                "explanation": block.general or feedback or f"The answer is {tidy(value_n)}"
                + (f" (± {tidy(tolerance)})." if tolerance else ".")}


TYPE = Numeric()
