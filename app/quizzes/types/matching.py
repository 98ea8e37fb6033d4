"""Match each left-hand item to a right-hand text (with distractors); partial credit is the share
of items matched right."""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import permutations
from random import Random
from typing import Any

from app.quizzes.types.base import (
    ID,
    MAX_TEXT,
    NOT_ANSWERED,
    Bad,
    GiftBlock,
    Pair,
    QuestionType,
    Source,
    Tally,
    field_name,
    right_wrong_tally,
)
from app.quizzes.types.gift_syntax import escape, strip_format, unescape

NOT_ALL_MATCHED = "not every item is matched"
ENUMERATE_LIMIT = 5040              # orders enumerated and marked one by one up to this many (7!)


@dataclass(frozen=True)
class MatchingBody:
    pairs: tuple[Pair, ...]
    distractors: tuple[str, ...] = ()     # extra right-hand choices

    @property
    def right_choices(self) -> tuple[str, ...]:
        """Every right-hand text a trainee may choose from (answers and distractors)."""
        return tuple(p.right for p in self.pairs) + self.distractors

    def to_dict(self) -> dict[str, Any]:
        return {"pairs": [{"id": p.id, "left": p.left, "right": p.right} for p in self.pairs],
                "distractors": list(self.distractors)}


class Matching(QuestionType):
    name = "matching"
    label = "matching"
    keys = frozenset({"pairs", "distractors"})
    gift_priority = 30
    example = """\
id: match-roles
type: matching
prompt: Match each role to its task.
pairs:
  - {id: m1, left: Facilitator, right: Runs the process}
  - {id: m2, left: Champion, right: Opens doors}
distractors: [Writes the laws]
explanation: The facilitator runs the process; the champion opens doors.
"""

    def parse(self, raw: Source, label: str, bad: Bad) -> MatchingBody:
        pairs = raw.get("pairs")
        parsed: list[Pair] = []
        if not isinstance(pairs, list) or len(pairs) < 2:
            bad(raw.line_of("pairs"), f"{label}: 'pairs' lists at least 2 items, each with id, left and right")
            pairs = []
        for entry in pairs:
            if not (isinstance(entry, dict) and isinstance(entry.get("id"), str) and ID.match(entry["id"])
                    and isinstance(entry.get("left"), str) and isinstance(entry.get("right"), str)):
                bad(getattr(entry, "line", raw.line_of("pairs")), f"{label}: each pair needs id, left and right")
                continue
            parsed.append(Pair(entry["id"], entry["left"].strip(), entry["right"].strip()))
        distractors = raw.get("distractors", []) or []
        if not isinstance(distractors, list) or not all(isinstance(d, str) for d in distractors):
            bad(raw.line_of("distractors"), f"{label}: 'distractors' is a list of extra right-hand texts")
            distractors = []
        rights = [p.right for p in parsed] + [d.strip() for d in distractors]
        if len(set(rights)) != len(rights):
            bad(raw.line_of("pairs"), f"{label}: right-hand texts must all differ")
        if len({p.id for p in parsed}) != len(parsed):
            bad(raw.line_of("pairs"), f"{label}: pair ids must all differ")
        return MatchingBody(tuple(parsed), tuple(d.strip() for d in distractors))

    def from_dict(self, data: Mapping[str, Any]) -> MatchingBody:
        return MatchingBody(tuple(Pair(str(p["id"]), str(p.get("left", "")), str(p.get("right", "")))
                                  for p in data.get("pairs", ())), tuple(data.get("distractors", ())))

    def display(self, body: MatchingBody, rng: Random, shuffle_options: bool) -> dict[str, Any]:
        choices = list(body.right_choices)
        rng.shuffle(choices)
        pair_order = [p.id for p in body.pairs]
        if shuffle_options:
            rng.shuffle(pair_order)
        return {"choices": choices, "pairs": pair_order}

    def public(self, body: MatchingBody, display: Mapping[str, Any]) -> dict[str, Any]:
        lefts = {p.id: p.left for p in body.pairs}
        order = display.get("pairs") or list(lefts)
        return {"pairs": [{"id": pid, "left": lefts[pid]} for pid in order if pid in lefts],
                "choices": list(display.get("choices") or body.right_choices)}

    def answer_from_form(self, qid: str, body: MatchingBody, display: Mapping[str, Any], form: Any) -> Any:
        pair_ids = display.get("pairs") or [p.id for p in body.pairs]
        chosen = {pid: str(form.get(field_name(qid, pid), ""))[:MAX_TEXT] for pid in pair_ids}
        chosen = {k: v for k, v in chosen.items() if v}
        return chosen or None

    def unanswered(self, body: MatchingBody, display: Mapping[str, Any], answer: Any) -> str | None:
        pairs = answer if isinstance(answer, Mapping) else {}
        chosen = {k for k, v in pairs.items() if isinstance(v, str) and v}
        if not chosen:
            return NOT_ANSWERED
        items = {str(i) for i in (display.get("pairs") or [p.id for p in body.pairs])}
        return None if items <= chosen else NOT_ALL_MATCHED

    def score(self, body: MatchingBody, answer: Any) -> tuple[float, bool]:
        if not isinstance(answer, Mapping) or not answer or not body.pairs:
            return 0.0, False
        choices = set(body.right_choices)
        hits = sum(1 for pair in body.pairs
                   if isinstance(matched := answer.get(pair.id), str) and matched in choices and matched == pair.right)
        return hits / len(body.pairs), any(isinstance(v, str) and v for v in answer.values())

    def key(self, body: MatchingBody) -> Any:
        return {p.id: p.right for p in body.pairs}

    def key_text(self, body: MatchingBody) -> str:
        return "; ".join(f"{p.left} → {p.right}" for p in body.pairs)

    def right_answer(self, body: MatchingBody) -> Any:
        return {p.id: p.right for p in body.pairs}

    def guess(self, body: MatchingBody) -> float:
        """Each left-hand item given a different right-hand choice at random."""
        choices, lefts = list(body.right_choices), [p.id for p in body.pairs]
        if not lefts or len(choices) < len(lefts):
            return 0.0
        if math.perm(len(choices), len(lefts)) > ENUMERATE_LIMIT:
            return 1 / len(choices)
        scores = [self.score(body, dict(zip(lefts, picked, strict=True)))[0]
                  for picked in permutations(choices, len(lefts))]
        return sum(scores) / len(scores)

    def tally(self, body: MatchingBody, display: Mapping[str, Any], answers: Sequence[tuple[Any, float]], *,
              scored: bool, with_key: bool) -> Tally:
        return right_wrong_tally(answers, with_key=with_key, partly=True)

    def to_gift(self, question: Any, body: MatchingBody) -> tuple[str | None, list[str]]:
        lines = [f"\t={escape(p.left)} -> {escape(p.right)}" for p in body.pairs]
        lines += [f"\t= -> {escape(d)}" for d in body.distractors]
        return "\n" + "\n".join(lines), []

    def from_gift(self, block: GiftBlock) -> dict[str, Any] | None:
        pieces = block.answers()
        if not (pieces and all(op == "=" and "->" in piece for op, piece in pieces)):
            return None
        pairs, distractors = [], []
        for index, (_op, piece) in enumerate(pieces, start=1):
            arrow = piece.find("->")
            left = unescape(strip_format(piece[:arrow])[1]).strip()
            right = unescape(strip_format(piece[arrow + 2:])[1]).strip()
            if not left:
                distractors.append(right)
            else:
                pairs.append({"id": f"m{index}", "left": left, "right": right})
        if len(pairs) < 2:
            raise ValueError("a matching question needs at least two pairs")
        question = {**block.base, "type": self.name, "pairs": pairs,
                    "explanation": block.general or "The matches are: "
                    + "; ".join(f"{p['left']} → {p['right']}" for p in pairs) + "."}
        if distractors:
            question["distractors"] = distractors
        return question


TYPE = Matching()
