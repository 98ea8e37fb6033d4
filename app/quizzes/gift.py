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
from app.quizzes.types import registry as question_types
from app.quizzes.types.base import GiftBlock
from app.quizzes.types.gift_syntax import escape, find_unescaped, split_unescaped, strip_format, unescape


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
        end = find_unescaped(text, "::", 2)
        if end < 0:
            raise ValueError("the title opened with '::' is never closed")
        title, text = unescape(text[2:end]).strip(), text[end + 2:].strip()
    open_at = find_unescaped(text, "{")
    if open_at < 0:
        raise ValueError("no answer block '{…}' (a description item, which Lectern does not import)")
    close_at = find_unescaped(text, "}", open_at)
    if close_at < 0:
        raise ValueError("the answer block '{' is never closed")
    before, answers, after = text[:open_at], text[open_at + 1:close_at], text[close_at + 1:]
    fmt, before = strip_format(before)
    prompt_raw = before.strip()
    tail = after.strip()
    missing_word = bool(tail) and bool(prompt_raw) and tail not in (".",)
    prompt = unescape(prompt_raw) + (" _____ " + unescape(tail) if missing_word else "")
    prompt = prompt.strip()
    if fmt in ("html",):
        notes.append(Note(line, "HTML question text kept as it is; Lectern sanitises it when shown"))
    qid = _slug(title or prompt)
    body = answers.strip()
    general = ""
    general_at = find_unescaped(body, "####")
    if general_at >= 0:
        general = unescape(strip_format(body[general_at + 4:])[1]).strip()
        body = body[:general_at].strip()
    base: dict[str, Any] = {"id": qid, "prompt": prompt or title}

    if not body:
        raise ValueError("an essay question (empty answer block): Lectern has no essay type")
    split = split_unescaped(body, "~=")
    block = GiftBlock(line, base, body, general, [(op, piece) for op, piece in split if op], lead=split[0][1])
    for kind in question_types.gift_importers():
        question = kind.from_gift(block)
        if question is not None:
            notes.extend(Note(n.line, n.message) for n in block.notes)
            return question
    raise ValueError("an answer block Lectern cannot read")


# --- writing ---------------------------------------------------------------------------------

def export_gift(questions: list[Question], title: str = "") -> tuple[str, list[Note]]:
    """GIFT text for these questions, and notes on what GIFT cannot hold (each type writes its
    own answer block: app/quizzes/types/)."""
    lines: list[str] = []
    notes: list[Note] = []
    if title:
        lines.append(f"// {title}")
        lines.append("")
    for question in questions:
        name = f"::{escape(question.id)}::"
        prompt = "[markdown]" + escape(question.prompt.strip())
        general = f"####[markdown]{escape(question.explanation.strip())}" if question.explanation else ""
        answers, said = question.kind.to_gift(question, question.body)
        notes.extend(Note(question.line, f"question {question.id!r}: {message}") for message in said)
        if answers is None:
            continue
        if answers.startswith("\n"):       # one answer a line
            lines.append(f"{name}{prompt}{{{answers}" + (f"\n\t{general}" if general else "") + "\n}")
        else:
            lines.append(f"{name}{prompt}{{{answers}{general}}}")
        lines.append("")
    linked = [q.id for q in questions if q.section]
    if linked:
        notes.append(Note(0, f"review links of {len(linked)} question(s) are not kept (GIFT has no place for them)"))
    return "\n".join(lines), notes
