"""Moodle GIFT ⇄ Lectern quiz questions. Pure functions; no Flask, no database.

Import covers what Lectern can represent: multiple choice (including weighted options, which
become multiple-answer questions), missing-word multiple choice, true/false, short answer,
numeric with tolerance or a range, and matching (with distractors); titles, per-answer and general
feedback, comments, categories and escaped characters. Whatever cannot be represented (essays,
partial-credit alternatives, wildcard answers…) is reported with its line number, never dropped
silently. Export writes every type except ordering, which GIFT has no form for (reported too).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from app.content.quizzes import Question

ESCAPABLE = "~=#{}:\\"


@dataclass(frozen=True)
class Note:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass
class ImportResult:
    questions: list[dict[str, Any]] = field(default_factory=list)   # Lectern question mappings (YAML-ready)
    notes: list[Note] = field(default_factory=list)                 # what could not be represented
    category: str = ""


# --- reading ---------------------------------------------------------------------------------

def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            if nxt == "n":
                out.append("\n")
            elif nxt in ESCAPABLE:
                out.append(nxt)
            else:
                out.append("\\" + nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _split_unescaped(text: str, separators: str) -> list[tuple[str, str]]:
    """Split on any unescaped separator char; returns (separator that opened the piece, piece)."""
    pieces: list[tuple[str, str]] = []
    current, opener, i = [], "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            current.append(text[i:i + 2])
            i += 2
            continue
        if ch in separators:
            pieces.append((opener, "".join(current)))
            current, opener = [], ch
            i += 1
            continue
        current.append(ch)
        i += 1
    pieces.append((opener, "".join(current)))
    return pieces


def _find_unescaped(text: str, target: str, start: int = 0) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(target, i):
            return i
        i += 1
    return -1


def _strip_format(text: str) -> tuple[str, str]:
    match = re.match(r"^\s*\[(html|moodle|plain|markdown)\]", text)
    if match:
        return match.group(1), text[match.end():]
    return "", text


def _blocks(source: str) -> list[tuple[int, str]]:
    """Question texts with the line each starts on; comments dropped, blank lines separate."""
    blocks: list[tuple[int, str]] = []
    current: list[str] = []
    start = 0
    depth = 0
    for number, raw in enumerate(source.splitlines(), start=1):
        stripped = raw.strip()
        if depth == 0 and stripped.startswith("//"):
            continue
        if depth == 0 and not stripped:
            if current:
                blocks.append((start, "\n".join(current)))
                current = []
            continue
        if not current:
            start = number
        current.append(raw)
        i = 0
        while i < len(raw):
            if raw[i] == "\\":
                i += 2
                continue
            if raw[i] == "{":
                depth += 1
            elif raw[i] == "}":
                depth = max(0, depth - 1)
            i += 1
    if current:
        blocks.append((start, "\n".join(current)))
    return blocks


def _slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:40].strip("-") or "q"


def import_gift(source: str) -> ImportResult:
    result = ImportResult()
    used_ids: set[str] = set()
    for line, block in _blocks(source):
        text = block.strip()
        if text.startswith("$CATEGORY:"):
            result.category = text.split(":", 1)[1].strip()
            result.notes.append(Note(line, f"category {result.category!r}: Lectern keeps one quiz per file; "
                                           "the category is noted, not stored"))
            continue
        try:
            question = _question(line, text, result.notes)
        except ValueError as exc:
            result.notes.append(Note(line, f"skipped: {exc}"))
            continue
        if question is None:
            continue
        base = question["id"]
        qid, n = base, 2
        while qid in used_ids:
            qid, n = f"{base}-{n}", n + 1
        used_ids.add(qid)
        question["id"] = qid
        result.questions.append(question)
    return result


def _question(line: int, text: str, notes: list[Note]) -> dict[str, Any] | None:
    title = ""
    if text.startswith("::"):
        end = _find_unescaped(text, "::", 2)
        if end < 0:
            raise ValueError("the title opened with '::' is never closed")
        title, text = _unescape(text[2:end]).strip(), text[end + 2:].strip()
    open_at = _find_unescaped(text, "{")
    if open_at < 0:
        raise ValueError("no answer block '{…}' (a description item, which Lectern does not import)")
    close_at = _find_unescaped(text, "}", open_at)
    if close_at < 0:
        raise ValueError("the answer block '{' is never closed")
    before, answers, after = text[:open_at], text[open_at + 1:close_at], text[close_at + 1:]
    fmt, before = _strip_format(before)
    prompt_raw = before.strip()
    tail = after.strip()
    missing_word = bool(tail) and bool(prompt_raw) and tail not in (".",)
    prompt = _unescape(prompt_raw) + (" _____ " + _unescape(tail) if missing_word else "")
    prompt = prompt.strip()
    if fmt in ("html",):
        notes.append(Note(line, "HTML question text kept as it is; Lectern sanitises it when shown"))
    qid = _slug(title or prompt)
    body = answers.strip()
    general = ""
    general_at = _find_unescaped(body, "####")
    if general_at >= 0:
        general = _unescape(_strip_format(body[general_at + 4:])[1]).strip()
        body = body[:general_at].strip()
    base: dict[str, Any] = {"id": qid, "prompt": prompt or title}

    if not body:
        raise ValueError("an essay question (empty answer block): Lectern has no essay type")
    upper = body.split("#", 1)[0].strip().upper()
    if upper in ("T", "F", "TRUE", "FALSE"):
        return _true_false(base, body, general)
    if body.startswith("#"):
        return _numeric(line, base, body[1:], general, notes)
    pieces = [(op, piece) for op, piece in _split_unescaped(body, "~=") if op]
    if _split_unescaped(body, "~=")[0][1].strip():
        raise ValueError("text before the first answer in the answer block")
    if pieces and all(op == "=" and "->" in piece for op, piece in pieces):
        return _matching(line, base, pieces, general, notes)
    if pieces and all(op == "=" for op, _ in pieces):
        return _short_answer(line, base, pieces, general, notes)
    return _choice(line, base, pieces, general, notes)


def _answer_parts(piece: str) -> tuple[float | None, str, str]:
    """(weight or None, answer text, feedback) from 'text', '%50%text#feedback'."""
    piece = piece.strip()
    weight = None
    match = re.match(r"^%(-?\d+(?:\.\d+)?)%", piece)
    if match:
        weight, piece = float(match.group(1)), piece[match.end():]
    parts = _split_unescaped(piece, "#")
    answer = _unescape(_strip_format(parts[0][1])[1]).strip()
    feedback = _unescape(_strip_format(parts[1][1])[1]).strip() if len(parts) > 1 else ""
    feedback = re.sub(r"\s+", " ", feedback)
    return weight, answer, feedback


def _explain(general: str, fallback: str) -> str:
    return general or fallback


def _true_false(base: dict[str, Any], body: str, general: str) -> dict[str, Any]:
    parts = [p for _op, p in _split_unescaped(body, "#")]
    value = parts[0].strip().upper() in ("T", "TRUE")
    wrong_feedback = _unescape(parts[1]).strip() if len(parts) > 1 else ""
    right_feedback = _unescape(parts[2]).strip() if len(parts) > 2 else ""
    right, wrong = ("true", "false") if value else ("false", "true")
    feedback = {k: v for k, v in ((right, right_feedback), (wrong, wrong_feedback)) if v}
    question = {**base, "type": "true_false", "answer": value,
                "explanation": _explain(general, f"The statement is {'true' if value else 'false'}.")}
    if feedback:
        question["feedback"] = feedback
    return question


def _numeric(line: int, base: dict[str, Any], body: str, general: str, notes: list[Note]) -> dict[str, Any]:
    alternatives = [p for op, p in _split_unescaped(body, "=") if p.strip() or op]
    first = alternatives[0].strip()
    if not first and len(alternatives) > 1:
        alternatives = alternatives[1:]
    chosen, feedback = None, ""
    dropped = 0
    for alt in alternatives:
        if not alt.strip():
            continue
        alt = alt.split("~", 1)[0]
        weight, value, fb = _answer_parts(alt)
        if weight is not None and weight < 100:
            dropped += 1
            continue
        if chosen is None:
            chosen, feedback = value, fb
    if chosen is None:
        raise ValueError("a numeric question without a full-credit answer")
    if dropped:
        notes.append(Note(line, f"{dropped} partial-credit numeric answer(s) dropped: Lectern gives full credit "
                                 "within the tolerance and none outside it"))
    if ".." in chosen:
        low, high = (float(x) for x in chosen.split("..", 1))
        number, tolerance = (low + high) / 2, abs(high - low) / 2
    elif ":" in chosen:
        value, tol = chosen.split(":", 1)
        number, tolerance = float(value), abs(float(tol))
    else:
        number, tolerance = float(chosen), 0.0
    question = {**base, "type": "numeric", "answer": _tidy(number), "tolerance": _tidy(tolerance),
                "explanation": _explain(general, feedback or f"The answer is {_tidy(number)}"
                                        + (f" (± {_tidy(tolerance)})." if tolerance else "."))}
    return question


def _tidy(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 10)


def _matching(line: int, base: dict[str, Any], pieces: list[tuple[str, str]], general: str,
              notes: list[Note]) -> dict[str, Any]:
    pairs, distractors = [], []
    for index, (_op, piece) in enumerate(pieces, start=1):
        arrow = piece.find("->")
        left = _unescape(_strip_format(piece[:arrow])[1]).strip()
        right = _unescape(_strip_format(piece[arrow + 2:])[1]).strip()
        if not left:
            distractors.append(right)
        else:
            pairs.append({"id": f"m{index}", "left": left, "right": right})
    if len(pairs) < 2:
        raise ValueError("a matching question needs at least two pairs")
    question = {**base, "type": "matching", "pairs": pairs,
                "explanation": _explain(general, "The matches are: " + "; ".join(f"{p['left']} → {p['right']}" for p in pairs) + ".")}
    if distractors:
        question["distractors"] = distractors
    return question


def _short_answer(line: int, base: dict[str, Any], pieces: list[tuple[str, str]], general: str,
                  notes: list[Note]) -> dict[str, Any]:
    accept, dropped = [], []
    for _op, piece in pieces:
        weight, answer, _feedback = _answer_parts(piece)
        if answer == "*" or "*" in answer:
            dropped.append(f"wildcard answer {answer!r}")
        elif weight is not None and weight < 100:
            dropped.append(f"partial-credit answer {answer!r} ({weight:g}%)")
        else:
            accept.append(answer)
    if dropped:
        notes.append(Note(line, "not imported: " + ", ".join(dropped) + " (Lectern accepts full-credit answers only)"))
    if not accept:
        raise ValueError("a short-answer question without a full-credit answer")
    return {**base, "type": "short_text", "accept": accept,
            "explanation": _explain(general, "Accepted: " + ", ".join(accept) + ".")}


def _choice(line: int, base: dict[str, Any], pieces: list[tuple[str, str]], general: str,
            notes: list[Note]) -> dict[str, Any]:
    options, right, weights = [], [], []
    for index, (op, piece) in enumerate(pieces):
        weight, text, feedback = _answer_parts(piece)
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
    full = [o for o, w in zip(options, weights) if w >= 100]
    if len(full) == 1:
        partial = [o["text"] for o, w in zip(options, weights) if 0 < w < 100]
        if partial:
            notes.append(Note(line, "partial credit for " + ", ".join(repr(p) for p in partial)
                                    + " dropped: Lectern marks a one-answer question all or nothing"))
        question = {**base, "type": "single", "options": options, "answer": full[0]["id"]}
    else:
        positive = [w for w in weights if w > 0]
        if len(set(round(w, 3) for w in positive)) > 1 or abs(sum(positive) - 100) > 1:
            notes.append(Note(line, "uneven answer weights: Lectern gives each right option equal credit"))
        question = {**base, "type": "multiple", "options": options, "answer": right}
    right_texts = [o["text"] for o in options if o["id"] in right]
    question["explanation"] = _explain(general, "The correct answer" + ("s are: " if len(right_texts) > 1 else " is: ")
                                       + "; ".join(right_texts) + ".")
    return question


# --- writing ---------------------------------------------------------------------------------

def _escape(text: str) -> str:
    out = []
    for ch in text:
        if ch in ESCAPABLE:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return "".join(out)


def _weight(value: float) -> str:
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return f"%{text}%"


def export_gift(questions: list[Question], title: str = "") -> tuple[str, list[Note]]:
    """GIFT text for these questions, and notes on what GIFT cannot hold."""
    lines: list[str] = []
    notes: list[Note] = []
    if title:
        lines.append(f"// {title}")
        lines.append("")
    for question in questions:
        name = f"::{_escape(question.id)}::"
        prompt = "[markdown]" + _escape(question.prompt.strip())
        general = f"####[markdown]{_escape(question.explanation.strip())}" if question.explanation else ""
        if question.type == "ordering":
            notes.append(Note(question.line, f"question {question.id!r}: GIFT has no ordering type; not exported"))
            continue
        if question.type == "true_false":
            right = question.correct[0] == "true"
            feedback = {o.id: o.feedback for o in question.options}
            wrong_fb = feedback.get("false" if right else "true", "")
            right_fb = feedback.get("true" if right else "false", "")
            body = ("TRUE" if right else "FALSE") + (f"#{_escape(wrong_fb)}" if wrong_fb or right_fb else "") \
                + (f"#{_escape(right_fb)}" if right_fb else "")
            lines.append(f"{name}{prompt}{{{body}{general}}}")
        elif question.type in ("single", "multiple"):
            entries = []
            n_right = len(question.correct)
            for option in question.options:
                is_right = option.id in question.correct
                if question.type == "single":
                    mark = "=" if is_right else "~"
                else:
                    mark = "~" + _weight(100 / n_right if is_right else -100 / n_right)
                fb = f"#{_escape(option.feedback)}" if option.feedback else ""
                entries.append(f"\t{mark}{_escape(option.text)}{fb}")
            lines.append(f"{name}{prompt}{{")
            lines.extend(entries)
            if general:
                lines.append(f"\t{general}")
            lines.append("}")
        elif question.type == "matching":
            lines.append(f"{name}{prompt}{{")
            for pair in question.pairs:
                lines.append(f"\t={_escape(pair.left)} -> {_escape(pair.right)}")
            for distractor in question.distractors:
                lines.append(f"\t= -> {_escape(distractor)}")
            if general:
                lines.append(f"\t{general}")
            lines.append("}")
        elif question.type == "numeric":
            value = f"{_tidy(question.number or 0)}:{_tidy(question.tolerance)}"
            lines.append(f"{name}{prompt}{{#{value}{general}}}")
        elif question.type == "short_text":
            answers = " ".join(f"={_escape(a)}" for a in question.accept)
            lines.append(f"{name}{prompt}{{{answers}{general}}}")
        if question.type in ("numeric",) and question.unit:
            notes.append(Note(question.line, f"question {question.id!r}: the unit {question.unit!r} has no place in GIFT"))
        lines.append("")
    linked = [q.id for q in questions if q.section]
    if linked:
        notes.append(Note(0, f"review links of {len(linked)} question(s) are not kept (GIFT has no place for them)"))
    return "\n".join(lines), notes
