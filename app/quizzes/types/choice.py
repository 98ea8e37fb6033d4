"""What the three choice types (single, multiple, true/false) share: options with a key."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from random import Random
from typing import Any

from app.quizzes.types.base import (
    MAX_TEXT,
    GiftBlock,
    GiftNote,
    Option,
    QuestionType,
    Tally,
    as_list,
    choice_counts,
    field_name,
    option_dicts,
    options_from_dicts,
)
from app.quizzes.types.gift_syntax import answer_parts, escape


@dataclass(frozen=True)
class ChoiceBody:
    options: tuple[Option, ...]
    correct: tuple[str, ...]          # ids of the right options

    def to_dict(self) -> dict[str, Any]:
        return {"options": option_dicts(self.options), "correct": list(self.correct)}

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


class ChoiceType(QuestionType):
    shuffles: bool = True             # options shown in a random order when the quiz shuffles

    def from_dict(self, data: Mapping[str, Any]) -> ChoiceBody:
        return ChoiceBody(options_from_dicts(data.get("options", ())), tuple(data.get("correct", ())))

    def display(self, body: ChoiceBody, rng: Random, shuffle_options: bool) -> dict[str, Any]:
        order = [o.id for o in body.options]
        if shuffle_options and self.shuffles:
            rng.shuffle(order)
        return {"options": order}

    def public(self, body: ChoiceBody, display: Mapping[str, Any]) -> dict[str, Any]:
        texts = {o.id: o.text for o in body.options}
        order = display.get("options") or list(texts)
        return {"options": [{"id": oid, "text": texts[oid]} for oid in order if oid in texts]}

    def answer_from_form(self, qid: str, body: ChoiceBody, display: Mapping[str, Any], form: Any) -> Any:
        value = form.get(field_name(qid))
        return str(value)[:MAX_TEXT] if value else None

    def score(self, body: ChoiceBody, answer: Any) -> tuple[float, bool]:
        values = as_list(answer)
        chosen = values[0] if len(values) == 1 else ""
        return (1.0 if chosen in body.correct else 0.0), bool(chosen)

    def key(self, body: ChoiceBody) -> Any:
        return list(body.correct)

    def key_text(self, body: ChoiceBody) -> str:
        return "; ".join(o.text for oid in body.correct if (o := body.option(oid)) is not None)

    def wrong_labels(self, body: ChoiceBody, answer: Any) -> list[str]:
        labels = {o.id: o.text for o in body.options}
        return [labels[oid] for oid in as_list(answer) if oid in labels and oid not in body.correct]

    def tally(self, body: ChoiceBody, display: Mapping[str, Any], answers: Sequence[tuple[Any, float]], *,
              scored: bool, with_key: bool) -> Tally:
        labels = {o.id: o.text for o in body.options}
        return choice_counts(labels, display.get("options") or list(labels), body.correct, answers,
                             show_right=with_key and scored)

    def to_gift(self, question: Any, body: ChoiceBody) -> tuple[str | None, list[str]]:
        entries = []
        for option in body.options:
            fb = f"#{escape(option.feedback)}" if option.feedback else ""
            entries.append(f"\t{self.gift_mark(body, option.id in body.correct)}{escape(option.text)}{fb}")
        return "\n" + "\n".join(entries), []

    def gift_mark(self, body: ChoiceBody, is_right: bool) -> str:
        """How an option is marked in GIFT: "=" right, "~" wrong (one right answer)."""
        return "=" if is_right else "~"

    def from_gift(self, block: GiftBlock) -> dict[str, Any] | None:
        """A GIFT choice block, taken when the weights make it this type (single or multiple)."""
        question, notes = choice_from_gift(block)
        if question["type"] != self.name:
            return None
        block.notes.extend(notes)
        return question


def choice_from_gift(block: GiftBlock) -> tuple[dict[str, Any], list[GiftNote]]:
    """A GIFT multiple-choice block as a single- or multiple-answer question, with notes on what
    Lectern cannot keep (partial credit in a one-answer question, uneven weights)."""
    notes: list[GiftNote] = []
    options, right, weights = [], [], []
    for index, (op, piece) in enumerate(block.answers()):
        weight, text, feedback = answer_parts(piece)
        option_id = chr(ord("a") + index) if index < 26 else f"o{index}"
        entry = {"id": option_id, "text": text}
        if feedback:
            entry["feedback"] = feedback
        options.append(entry)
        effective = 100.0 if op == "=" and weight is None else (weight if weight is not None else 0.0)
        weights.append(effective)
        if effective > 0:
            right.append(option_id)
    if len(options) < 2:
        raise ValueError("a multiple-choice question needs at least two answers")
    if not right:
        raise ValueError("no answer carries any credit")
    full = [o for o, w in zip(options, weights, strict=True) if w >= 100]
    if len(full) == 1:
        partial = [o["text"] for o, w in zip(options, weights, strict=True) if 0 < w < 100]
        if partial:
            notes.append(GiftNote(block.line, "partial credit for " + ", ".join(repr(p) for p in partial)
                                  + " dropped: Lectern marks a one-answer question all or nothing"))
        question = {**block.base, "type": "single", "options": options, "answer": full[0]["id"]}
    else:
        positive = [w for w in weights if w > 0]
        if len({round(w, 3) for w in positive}) > 1 or abs(sum(positive) - 100) > 1:
            notes.append(GiftNote(block.line, "uneven answer weights: Lectern gives each right option equal credit"))
        question = {**block.base, "type": "multiple", "options": options, "answer": right}
    right_texts = [o["text"] for o in options if o["id"] in right]
    question["explanation"] = block.general or ("The correct answer" + ("s are: " if len(right_texts) > 1 else " is: ")
                                                + "; ".join(right_texts) + ".")
    return question, notes

