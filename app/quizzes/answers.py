"""Turning a submitted quiz form into answers. Pure; every value is treated as untrusted text."""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol, overload

from app.text import without_unsafe

MAX_TEXT = 500
MAX_PARTS = 50


class FormLike(Protocol):
    @overload
    def get(self, key: str, /) -> Any: ...
    @overload
    def get(self, key: str, default: str, /) -> Any: ...
    def getlist(self, key: str) -> list[str]: ...


def field_name(question_id: str, part: str | None = None) -> str:
    return f"q-{question_id}" + (f"--{part}" if part else "")


def answers_from_form(questions: Iterable[Mapping[str, Any]], form: FormLike) -> dict[str, Any]:
    """Answers keyed by question id, only for questions the form actually answered."""
    answers: dict[str, Any] = {}
    for q in questions:
        qid, kind = q["id"], q["type"]
        if kind in ("single", "true_false"):
            value = form.get(field_name(qid))
            if value:
                answers[qid] = str(value)[:MAX_TEXT]
        elif kind == "multiple":
            values = [str(v)[:MAX_TEXT] for v in form.getlist(field_name(qid))][:50]
            if values or form.get(field_name(qid, "present")):
                answers[qid] = values
        elif kind == "ordering":
            # Positions start blank (the displayed order is never an answer): an untouched question
            # sends none and stays unanswered.
            items = q["display"]["options"] if "display" in q else [o["id"] for o in q["options"]]
            positions: list[tuple[int, str]] = []
            for option in items:
                option_id = option if isinstance(option, str) else option["id"]
                raw = str(form.get(field_name(qid, option_id), "")).strip()
                if raw.isdecimal() and len(raw) <= 9:  # int() refuses "²" (isdigit() accepts it)
                    positions.append((int(raw), option_id))
            if positions:
                ordered = [oid for _pos, oid in sorted(positions)]
                taken = [p for p, _ in positions]
                if len(positions) == len(items) and len(set(taken)) == len(taken):
                    answers[qid] = ordered
                elif len(set(taken)) == len(taken) and all(1 <= p <= len(items) for p in taken):
                    # some items still blank: keep each given one in its slot, "" for the rest, so the
                    # page shows them where they were put (and the answer cannot be complete)
                    slots = [""] * len(items)
                    for p, oid in positions:
                        slots[p - 1] = oid
                    answers[qid] = slots
                else:
                    # two items given the same position cannot both be right: keep the clash visible
                    answers[qid] = ordered + ["__incomplete__"]
        elif kind == "matching":
            pair_ids = q["display"]["pairs"] if "display" in q else [p["id"] for p in q["pairs"]]
            chosen = {pid: str(form.get(field_name(qid, pid), ""))[:MAX_TEXT] for pid in pair_ids}
            chosen = {k: v for k, v in chosen.items() if v}
            if chosen:
                answers[qid] = chosen
        elif kind in ("numeric", "short_text"):
            value = str(form.get(field_name(qid), "") or "").strip()[:MAX_TEXT]
            if value:
                answers[qid] = value
    return answers


def answer_from_json(value: Any) -> Any:
    """An answer sent as JSON (the live API), in the shapes the scorer reads: text, a list of
    texts, or text → text. A number or true/false counts as its JSON text ("12", "true"); values
    nested deeper are dropped, control characters (NUL, which PostgreSQL cannot store, among them)
    removed and every text cut to MAX_TEXT, so no shape a script sends can break scoring, tallies
    or exports: it is simply wrong."""
    def text(item: Any) -> str | None:
        if isinstance(item, str):
            return without_unsafe(item[:MAX_TEXT])
        if isinstance(item, (bool, int, float)):
            return json.dumps(item)[:MAX_TEXT]
        return None

    if isinstance(value, list):
        return [t for t in map(text, value[:MAX_PARTS]) if t is not None]
    if isinstance(value, dict):
        return {without_unsafe(str(k)[:MAX_TEXT]): t for k, v in list(value.items())[:MAX_PARTS] if (t := text(v)) is not None}
    return text(value)
