"""Multiple choice with one or more right answers ("choose all that apply"), partial credit:
(right options chosen − wrong options chosen) ÷ number of right options, floored at 0."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.quizzes.types.base import (
    MAX_PARTS,
    MAX_TEXT,
    NOT_ANSWERED,
    Bad,
    Source,
    as_list,
    field_name,
    parse_options,
)
from app.quizzes.types.choice import ChoiceBody, ChoiceType
from app.quizzes.types.gift_syntax import weight


class Multiple(ChoiceType):
    name = "multiple"
    label = "multiple choice, several answers"
    keys = frozenset({"options", "answer"})
    gift_priority = 60
    example = """\
id: cluster-actors
type: multiple
prompt: Who takes part in a cluster initiative?
options:
  - {id: a, text: Firms}
  - {id: b, text: Universities}
  - {id: c, text: A football club}
answer: [a, b]
explanation: Firms and knowledge institutions; a football club is not part of the value chain.
"""

    def parse(self, raw: Source, label: str, bad: Bad) -> ChoiceBody:
        options = parse_options(raw, "options", label, bad)
        ids = [o.id for o in options]
        if len(options) < 2:
            bad(raw.line_of("options"), f"{label}: give at least 2 options")
        answer = raw.get("answer")
        if not (isinstance(answer, list) and answer and all(isinstance(a, str) for a in answer)):
            bad(raw.line_of("answer"), f"{label}: 'answer' is a list of the ids of the correct options")
            return ChoiceBody(options, ())
        for option_id in answer:
            if option_id not in ids:
                bad(raw.line_of("answer"), f"{label}: the answer {option_id!r} is not one of the option ids ({', '.join(ids)})")
        if len(set(answer)) != len(answer):
            bad(raw.line_of("answer"), f"{label}: an option is listed twice in 'answer'")
        return ChoiceBody(options, tuple(dict.fromkeys(answer)))

    def answer_from_form(self, qid: str, body: ChoiceBody, display: Mapping[str, Any], form: Any) -> Any:
        values = [str(v)[:MAX_TEXT] for v in form.getlist(field_name(qid))][:MAX_PARTS]
        # "--present" tells an empty choice (everything unticked) from a question the form lacks
        return values if values or form.get(field_name(qid, "present")) else None

    def unanswered(self, body: ChoiceBody, display: Mapping[str, Any], answer: Any) -> str | None:
        given = answer if isinstance(answer, list) else []
        return None if any(isinstance(a, str) and a for a in given) else NOT_ANSWERED

    def score(self, body: ChoiceBody, answer: Any) -> tuple[float, bool]:
        picked = set(as_list(answer))
        if not picked:
            return 0.0, False
        if picked - {o.id for o in body.options}:
            return 0.0, True  # tampered ids: wrong, whatever else was chosen
        right = set(body.correct)
        return max(0.0, (len(picked & right) - len(picked - right)) / len(right)), True

    def right_answer(self, body: ChoiceBody) -> Any:
        return list(body.correct)

    def guess(self, body: ChoiceBody) -> float:
        """Ticking everything."""
        return self.score(body, [o.id for o in body.options])[0]

    def gift_mark(self, body: ChoiceBody, is_right: bool) -> str:
        n_right = len(body.correct)
        return "~" + weight(100 / n_right if is_right else -100 / n_right)



TYPE = Multiple()
