"""Put items in the right order; partial credit is the share of items in their right position."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from itertools import permutations
from random import Random
from typing import Any

from app.quizzes.types.base import NOT_ANSWERED, Bad, Source, Tally, field_name, parse_options, right_wrong_tally
from app.quizzes.types.choice import ChoiceBody, ChoiceType

NOT_ALL_PLACED = "not every item has its own position"
INCOMPLETE = "__incomplete__"       # marks an answer where two items were given the same position
ENUMERATE_LIMIT = 5040              # orders enumerated and marked one by one up to this many (7!)


class Ordering(ChoiceType):
    name = "ordering"
    label = "ordering"
    keys = frozenset({"items"})
    gift_priority = 0                # GIFT has no ordering question
    example = """\
id: first-stages
type: ordering
prompt: Put these steps in order.
items:
  - {id: a, text: Form the working group}
  - {id: b, text: Map the cluster}
  - {id: c, text: Agree the strategy}
explanation: The group maps the cluster before it can agree a strategy.
"""

    def parse(self, raw: Source, label: str, bad: Bad) -> ChoiceBody:
        items = parse_options(raw, "items", label, bad)
        if len(items) < 3:
            bad(raw.line_of("items"), f"{label}: an ordering question needs at least 3 items, listed in the right order")
        return ChoiceBody(items, tuple(o.id for o in items))

    def display(self, body: ChoiceBody, rng: Random, shuffle_options: bool) -> dict[str, Any]:
        """Always shuffled, and never shown already in the right order."""
        ids = [o.id for o in body.options]
        shuffled = ids[:]
        while len(ids) > 1 and shuffled == ids:
            rng.shuffle(shuffled)
        return {"options": shuffled}

    def answer_from_form(self, qid: str, body: ChoiceBody, display: Mapping[str, Any], form: Any) -> Any:
        # Positions start blank (the displayed order is never an answer): an untouched question
        # sends none and stays unanswered.
        items = list(display.get("options") or [o.id for o in body.options])
        positions: list[tuple[int, str]] = []
        for option_id in items:
            raw = str(form.get(field_name(qid, option_id), "")).strip()
            if raw.isdecimal() and len(raw) <= 9:  # int() refuses "²" (isdigit() accepts it)
                positions.append((int(raw), option_id))
        if not positions:
            return None
        ordered = [oid for _pos, oid in sorted(positions)]
        taken = [p for p, _ in positions]
        if len(positions) == len(items) and len(set(taken)) == len(taken):
            return ordered
        if len(set(taken)) == len(taken) and all(1 <= p <= len(items) for p in taken):
            # some items still blank: keep each given one in its slot, "" for the rest, so the
            # page shows them where they were put (and the answer cannot be complete)
            slots = [""] * len(items)
            for p, oid in positions:
                slots[p - 1] = oid
            return slots
        # two items given the same position cannot both be right: keep the clash visible
        return [*ordered, INCOMPLETE]

    def unanswered(self, body: ChoiceBody, display: Mapping[str, Any], answer: Any) -> str | None:
        given = answer if isinstance(answer, list) else []
        placed = [a for a in given if isinstance(a, str) and a and a != INCOMPLETE]
        if not placed:
            return NOT_ANSWERED
        items = [str(i) for i in (display.get("options") or [o.id for o in body.options])]
        return None if len(given) == len(items) and sorted(placed) == sorted(items) else NOT_ALL_PLACED

    def score(self, body: ChoiceBody, answer: Any) -> tuple[float, bool]:
        given = answer if isinstance(answer, list) else []
        given = [a for a in given if isinstance(a, str)]
        if not given:
            return 0.0, False
        expected = list(body.correct)
        if len(given) != len(expected) or set(given) != set(expected):
            return 0.0, True  # missing, duplicated or foreign items
        return sum(1 for g, e in zip(given, expected, strict=True) if g == e) / len(expected), True

    def key_text(self, body: ChoiceBody) -> str:
        return "; ".join(f"{n}. {o.text}" for n, oid in enumerate(body.correct, start=1)
                         if (o := body.option(oid)) is not None)

    def wrong_labels(self, body: ChoiceBody, answer: Any) -> list[str]:
        return []

    def right_answer(self, body: ChoiceBody) -> Any:
        return list(body.correct)

    def guess(self, body: ChoiceBody) -> float:
        """A uniformly random order of the items."""
        ids = [o.id for o in body.options]
        if not ids:
            return 0.0
        if math.factorial(len(ids)) > ENUMERATE_LIMIT:
            return 1 / len(ids)   # each item lands in its place with chance 1/n (what the enumeration gives)
        scores = [self.score(body, list(order))[0] for order in permutations(ids)]
        return sum(scores) / len(scores)

    def tally(self, body: ChoiceBody, display: Mapping[str, Any], answers: Sequence[tuple[Any, float]], *,
              scored: bool, with_key: bool) -> Tally:
        return right_wrong_tally(answers, with_key=with_key, partly=True)

    def to_gift(self, question: Any, body: ChoiceBody) -> tuple[str | None, list[str]]:
        return None, ["GIFT has no ordering type; not exported"]


TYPE = Ordering()
