"""GIFT's text rules (escapes, separators, weights and feedback) for the import, the export and
each question type's GIFT form. Pure."""
from __future__ import annotations

import re

ESCAPABLE = "~=#{}:\\"


def unescape(text: str) -> str:
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


def escape(text: str) -> str:
    out = []
    for ch in text:
        if ch in ESCAPABLE:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        else:
            out.append(ch)
    return "".join(out)


def split_unescaped(text: str, separators: str) -> list[tuple[str, str]]:
    """Split on any unescaped separator char; returns (separator that opened the piece, piece)."""
    pieces: list[tuple[str, str]] = []
    current: list[str] = []
    opener, i = "", 0
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


def find_unescaped(text: str, target: str, start: int = 0) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(target, i):
            return i
        i += 1
    return -1


def strip_format(text: str) -> tuple[str, str]:
    match = re.match(r"^\s*\[(html|moodle|plain|markdown)\]", text)
    if match:
        return match.group(1), text[match.end():]
    return "", text


def answer_parts(piece: str) -> tuple[float | None, str, str]:
    """(weight or None, answer text, feedback) from 'text', '%50%text#feedback'."""
    piece = piece.strip()
    weight = None
    match = re.match(r"^%(-?\d+(?:\.\d+)?)%", piece)
    if match:
        weight, piece = float(match.group(1)), piece[match.end():]
    parts = split_unescaped(piece, "#")
    answer = unescape(strip_format(parts[0][1])[1]).strip()
    feedback = unescape(strip_format(parts[1][1])[1]).strip() if len(parts) > 1 else ""
    feedback = re.sub(r"\s+", " ", feedback)
    return weight, answer, feedback


def weight(value: float) -> str:
    text = f"{value:.5f}".rstrip("0").rstrip(".")
    return f"%{text}%"


def tidy(value: float) -> float | int:
    return int(value) if float(value).is_integer() else round(value, 10)
