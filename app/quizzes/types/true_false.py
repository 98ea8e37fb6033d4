"""A statement that is true or false, with feedback for each choice."""
from __future__ import annotations

from typing import Any

from app.quizzes.types.base import Bad, GiftBlock, Option, Source
from app.quizzes.types.choice import ChoiceBody, ChoiceType
from app.quizzes.types.gift_syntax import escape, split_unescaped, unescape

OPTIONS = (Option("true", "True"), Option("false", "False"))


class TrueFalse(ChoiceType):
    name = "true_false"
    label = "true or false"
    keys = frozenset({"answer", "feedback"})
    gift_priority = 10
    shuffles = False
    example = """\
id: facilitator-neutral
type: true_false
prompt: A facilitator should stay neutral between the firms of the cluster.
answer: true
feedback: {"false": Neutrality is what lets every firm trust the process.}
explanation: Neutrality is what lets every firm trust the process.
"""

    def parse(self, raw: Source, label: str, bad: Bad) -> ChoiceBody:
        answer = raw.get("answer")
        if not isinstance(answer, bool):
            bad(raw.line_of("answer"), f"{label}: 'answer' must be true or false")
        feedback = raw.get("feedback", {}) or {}
        if not isinstance(feedback, dict) or set(map(str, feedback)) - {"true", "false", "True", "False"}:
            bad(raw.line_of("feedback"), f"{label}: 'feedback' maps true/false to what each choice should hear")
            feedback = {}
        texts = {str(k).lower(): str(v) for k, v in feedback.items()}
        return ChoiceBody(tuple(Option(o.id, o.text, texts.get(o.id, "")) for o in OPTIONS),
                          ("true" if answer else "false",))

    def right_answer(self, body: ChoiceBody) -> Any:
        return body.correct[0] if body.correct else None

    def guess(self, body: ChoiceBody) -> float:
        """"False" (authors write more true statements, so a guess of false is the cue-wise one)."""
        return self.score(body, "false")[0]

    def to_gift(self, question: Any, body: ChoiceBody) -> tuple[str | None, list[str]]:
        right = body.correct[0] == "true"
        feedback = {o.id: o.feedback for o in body.options}
        wrong_fb = feedback.get("false" if right else "true", "")
        right_fb = feedback.get("true" if right else "false", "")
        text = ("TRUE" if right else "FALSE") + (f"#{escape(wrong_fb)}" if wrong_fb or right_fb else "") \
            + (f"#{escape(right_fb)}" if right_fb else "")
        return text, []

    def from_gift(self, block: GiftBlock) -> dict[str, Any] | None:
        if block.body.split("#", 1)[0].strip().upper() not in ("T", "F", "TRUE", "FALSE"):
            return None
        parts = [p for _op, p in split_unescaped(block.body, "#")]
        value = parts[0].strip().upper() in ("T", "TRUE")
        wrong_feedback = unescape(parts[1]).strip() if len(parts) > 1 else ""
        right_feedback = unescape(parts[2]).strip() if len(parts) > 2 else ""
        right, wrong = ("true", "false") if value else ("false", "true")
        feedback = {k: v for k, v in ((right, right_feedback), (wrong, wrong_feedback)) if v}
        question = {**block.base, "type": self.name, "answer": value,
                    "explanation": block.general or f"The statement is {'true' if value else 'false'}."}
        if feedback:
            question["feedback"] = feedback
        return question


TYPE = TrueFalse()
