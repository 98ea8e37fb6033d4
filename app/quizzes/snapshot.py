"""What an attempt was graded on, frozen when it starts, and what the browser may see of it.

An attempt stores the questions as they were (answer key included, server-side only), in the
order and with the option order this trainee was shown. Editing a quiz never changes old attempts.
`public_question` is the only shape that reaches a page before the attempt is finished: it has
no correct ids, no feedback and no explanation.
"""
from __future__ import annotations

import dataclasses
import random
from collections.abc import Collection
from typing import Any

from app.content.quizzes import Option, Pair, Question, Quiz
from app.quizzes.drawing import draw_questions


def freeze(quiz: Quiz, rng: random.Random, avoid: Collection[frozenset[str]] = ()) -> list[dict[str, Any]]:
    """The questions one attempt asks, in the order shown. With `draw`, a stratified draw from the
    pool (app/quizzes/drawing.py), avoiding an exact repeat of the sets in `avoid`."""
    questions = list(quiz.questions)
    if quiz.draw:
        questions = draw_questions(questions, quiz.draw, rng, avoid)
        if quiz.shuffle_questions:
            rng.shuffle(questions)
    elif quiz.subset:
        questions = rng.sample(questions, quiz.subset)
        if not quiz.shuffle_questions:
            questions.sort(key=quiz.questions.index)
    elif quiz.shuffle_questions:
        rng.shuffle(questions)
    return [freeze_question(q, rng, quiz.shuffle_options) for q in questions]


def freeze_question(question: Question, rng: random.Random, shuffle_options: bool) -> dict[str, Any]:
    data = dataclasses.asdict(question)
    data.pop("line", None)
    data.pop("assesses_line", None)
    option_order = [o.id for o in question.options]
    if question.type == "ordering":
        option_order = _shuffled_not_identity(option_order, rng)
    elif shuffle_options and question.type in ("single", "multiple"):
        rng.shuffle(option_order)
    choices = list(question.right_choices)
    rng.shuffle(choices)
    pair_order = [p.id for p in question.pairs]
    if shuffle_options:
        rng.shuffle(pair_order)
    data["display"] = {"options": option_order, "choices": choices, "pairs": pair_order}
    return data


def _shuffled_not_identity(ids: list[str], rng: random.Random) -> list[str]:
    """An ordering question is never shown already in the right order."""
    if len(ids) < 2:
        return ids
    shuffled = ids[:]
    while shuffled == ids:
        rng.shuffle(shuffled)
    return shuffled


def thaw(data: dict[str, Any]) -> Question:
    """The Question an attempt was graded on."""
    fields = {f.name for f in dataclasses.fields(Question)}
    values = {k: v for k, v in data.items() if k in fields}
    values["options"] = tuple(Option(**o) for o in values.get("options", ()))
    values["pairs"] = tuple(Pair(**p) for p in values.get("pairs", ()))
    for key in ("correct", "distractors", "accept", "assesses"):
        values[key] = tuple(values.get(key, ()))
    return Question(**values)


def public_question(data: dict[str, Any]) -> dict[str, Any]:
    """The question as the trainee may see it while answering: text and choices, nothing else."""
    by_id = {o["id"]: o["text"] for o in data.get("options", ())}
    pairs = {p["id"]: p["left"] for p in data.get("pairs", ())}
    display = data["display"]
    return {
        "id": data["id"],
        "type": data["type"],
        "prompt": data["prompt"],
        "points": data["points"],
        "unit": data.get("unit", ""),
        "options": [{"id": oid, "text": by_id[oid]} for oid in display["options"]] if data["type"] != "matching" else [],
        "pairs": [{"id": pid, "left": pairs[pid]} for pid in display["pairs"]],
        "choices": list(display["choices"]) if data["type"] == "matching" else [],
    }
