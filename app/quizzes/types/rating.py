"""A rating scale: a whole number from 1 to the top of the scale (5 or 10, say), its two ends
labelled. With `accept: [from, to]` an answer in that range is right (all or nothing); without it
the question has no right answer (an opinion: it earns and counts no points, and a live poll of it
is an opinion poll). Results: how many chose each point, and the mean.

In a quiz file:

    type: rating
    scale: 5                  # the top of the scale, 2 to 10
    low: Not at all           # what 1 means
    high: Completely          # what the top means
    accept: [4, 5]            # optional: the range of right answers

GIFT has no rating scale. The nearest form is a numeric question with a range: `{#4..5}` for an
accepted range, `{#1..5}` (every point is right) without one; the end labels stay only in the
prompt's reader's head, so the export says so. GIFT never imports as a rating.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.quizzes.types.base import MAX_TEXT, Bad, Bar, QuestionType, Source, Tally, as_text, field_name, whole

MIN_TOP, MAX_TOP = 2, 10


@dataclass(frozen=True)
class RatingBody:
    top: int                              # the scale runs from 1 to top
    low: str                              # label of 1
    high: str                             # label of top
    accept: tuple[int, int] | None = None # right answers, inclusive; None: no right answer

    def to_dict(self) -> dict[str, Any]:
        return {"scale": self.top, "low": self.low, "high": self.high,
                "accept": list(self.accept) if self.accept else None}

    def value(self, answer: Any) -> int | None:
        """The point chosen, or None for anything that is not a point of the scale."""
        text = as_text(answer).strip()
        if not text.isdecimal() or len(text) > 3:
            return None
        value = int(text)
        return value if 1 <= value <= self.top else None


class Rating(QuestionType):
    name = "rating"
    label = "rating scale"
    keys = frozenset({"scale", "low", "high", "accept"})
    gift_priority = 0                     # GIFT has no rating scale; never produced by an import
    example = """\
id: confidence
type: rating
prompt: How ready do you feel to run a cluster's first working-group meeting?
scale: 5
low: Not at all
high: Completely
explanation: There is no right answer; the trainer uses the spread to plan the afternoon.
"""

    def parse(self, raw: Source, label: str, bad: Bad) -> RatingBody:
        top = raw.get("scale", 5)
        if not (whole(top) and MIN_TOP <= top <= MAX_TOP):
            bad(raw.line_of("scale"), f"{label}: 'scale' is the top of the scale, a whole number from {MIN_TOP} to {MAX_TOP}")
            top = 5
        ends = {}
        for key in ("low", "high"):
            text = raw.get(key)
            if not isinstance(text, str) or not text.strip():
                bad(raw.line_of(key), f"{label}: '{key}' says what the {'bottom' if key == 'low' else 'top'} of the scale means")
                text = ""
            ends[key] = text.strip()
        accept = raw.get("accept")
        span: tuple[int, int] | None = None
        if accept is not None:
            if (isinstance(accept, list) and len(accept) == 2 and all(whole(a) for a in accept)
                    and 1 <= accept[0] <= accept[1] <= top):
                span = (accept[0], accept[1])
            else:
                bad(raw.line_of("accept"), f"{label}: 'accept' is the range of right answers, [from, to], within 1 to {top}")
        return RatingBody(top, ends["low"], ends["high"], span)

    def from_dict(self, data: Mapping[str, Any]) -> RatingBody:
        accept = data.get("accept")
        return RatingBody(int(data.get("scale") or 5), str(data.get("low") or ""), str(data.get("high") or ""),
                          (int(accept[0]), int(accept[1])) if accept else None)

    def has_key(self, body: RatingBody) -> bool:
        return body.accept is not None

    def public(self, body: RatingBody, display: Mapping[str, Any]) -> dict[str, Any]:
        return {"scale": list(range(1, body.top + 1)), "low": body.low, "high": body.high}

    def answer_from_form(self, qid: str, body: RatingBody, display: Mapping[str, Any], form: Any) -> Any:
        value = str(form.get(field_name(qid), "") or "").strip()[:MAX_TEXT]
        return value or None

    def score(self, body: RatingBody, answer: Any) -> tuple[float, bool]:
        answered = bool(as_text(answer).strip())
        value = body.value(answer)
        if value is None or body.accept is None:
            return 0.0, answered
        return (1.0 if body.accept[0] <= value <= body.accept[1] else 0.0), True

    def key(self, body: RatingBody) -> Any:
        return {"from": body.accept[0], "to": body.accept[1]} if body.accept else None

    def key_text(self, body: RatingBody) -> str:
        if body.accept is None:
            return f"any point from 1 ({body.low}) to {body.top} ({body.high}): no right answer"
        low, high = body.accept
        return (f"{low}" if low == high else f"{low} to {high}") + f" on a scale of 1 ({body.low}) to {body.top} ({body.high})"

    def right_answer(self, body: RatingBody) -> Any:
        return str(body.accept[1]) if body.accept else None

    def guess(self, body: RatingBody) -> float:
        """A point of the scale at random."""
        return 0.0 if body.accept is None else (body.accept[1] - body.accept[0] + 1) / body.top

    def tally(self, body: RatingBody, display: Mapping[str, Any], answers: Sequence[tuple[Any, float]], *,
              scored: bool, with_key: bool) -> Tally:
        """How many chose each point (the ends labelled) and the mean; the accepted range marked
        once the key may show."""
        counts: Counter[int] = Counter(v for raw, _f in answers if (v := body.value(raw)) is not None)
        rated = sum(counts.values())

        def label(point: int) -> str:
            end = body.low if point == 1 else body.high if point == body.top else ""
            return f"{point} ({end})" if end else str(point)

        def right(point: int) -> bool | None:
            if not (with_key and scored and body.accept):
                return None
            return body.accept[0] <= point <= body.accept[1]

        bars = tuple(Bar(label(p), counts[p], right(p)) for p in range(1, body.top + 1))
        mean = sum(p * n for p, n in counts.items()) / rated if rated else None
        summary = "" if mean is None else f"Mean {mean:.1f} of {body.top} · {rated} {'rating' if rated == 1 else 'ratings'}"
        return Tally(len(answers), bars, summary)

    def to_gift(self, question: Any, body: RatingBody) -> tuple[str | None, list[str]]:
        low, high = body.accept or (1, body.top)
        return f"#{low}..{high}", [f"GIFT has no rating scale: exported as a numeric question accepting {low} to {high}"
                                   f" (the labels '{body.low}' and '{body.high}' are not kept)"]


TYPE = Rating()
