"""Multiple choice with one right answer."""
from __future__ import annotations

from typing import Any

from app.quizzes.types.base import Bad, Source, parse_options
from app.quizzes.types.choice import ChoiceBody, ChoiceType


class Single(ChoiceType):
    name = "single"
    label = "multiple choice, one answer"
    keys = frozenset({"options", "answer"})
    gift_priority = 50
    example = """\
id: cluster-size
type: single
prompt: Which figure describes a cluster best?
options:
  - {id: a, text: A single large firm}
  - {id: b, text: Linked firms and institutions in one region, feedback: "Yes: the links are what count."}
  - {id: c, text: A trade association}
answer: b
explanation: A cluster is a set of linked firms and institutions in a region.
"""

    def parse(self, raw: Source, label: str, bad: Bad) -> ChoiceBody:
        options = parse_options(raw, "options", label, bad)
        ids = [o.id for o in options]
        if len(options) < 2:
            bad(raw.line_of("options"), f"{label}: give at least 2 options")
        answer = raw.get("answer")
        if not isinstance(answer, str):
            bad(raw.line_of("answer"), f"{label}: 'answer' is the id of the one correct option")
            return ChoiceBody(options, ())
        if answer not in ids:
            bad(raw.line_of("answer"), f"{label}: the answer {answer!r} is not one of the option ids ({', '.join(ids)})")
        return ChoiceBody(options, (answer,))

    def right_answer(self, body: ChoiceBody) -> Any:
        return body.correct[0] if body.correct else None

    def guess(self, body: ChoiceBody) -> float:
        """A test-wise guess takes the longest option (ties shared)."""
        if not body.options:
            return 0.0
        most = max(len(o.text) for o in body.options)
        longest = [o.id for o in body.options if len(o.text) == most]
        return sum(self.score(body, oid)[0] for oid in longest) / len(longest)




TYPE = Single()
