"""Text people type: which characters a name or a note may not hold. Pure.

Names and free text end up in pages, PDFs, CSV exports, audit lines and mail. Some characters
have no place in any of them and some do harm: NUL (PostgreSQL cannot store it), other control
characters (they garble exports and logs, and a terminal obeys some of them), and the Unicode
bidirectional overrides and isolates, which make text display in another order than it is stored
("Trojan Source", CVE-2021-42574) so that a name can pass for another. They are refused with the
field named rather than silently removed, so what is stored is what the person saw.
Right-to-left text itself (Arabic, Hebrew) and the ordinary marks LRM/RLM are welcome.
"""
from __future__ import annotations

import unicodedata

from app.errors import InputRejected

# Embeddings, overrides and isolates: LRE RLE PDF LRO RLO, LRI RLI FSI PDI.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
LINE_BREAKS = frozenset("\n\r")
_NAMES = {"\x00": "a NUL character", "\t": "a tab", "\n": "a line break", "\r": "a line break",
          "\u2028": "a line separator", "\u2029": "a paragraph separator"}


def unsafe_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character `text` may not hold, described for a person ("a control character
    (U+001B)"), or None. Multi-line text (notes) may hold line breaks and tabs; a name may not."""
    for char in text:
        if multiline and (char in LINE_BREAKS or char == "\t"):
            continue
        if char in BIDI_CONTROLS:
            return f"an invisible text-direction control (U+{ord(char):04X})"
        category = unicodedata.category(char)
        if category == "Cc" or char in ("\u2028", "\u2029") or category == "Cs" or _noncharacter(char):
            return _NAMES.get(char, f"a control character (U+{ord(char):04X})")
    return None


def _noncharacter(char: str) -> bool:
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def check_text(text: str, field: str, label: str, *, multiline: bool = False) -> str:
    """`text` unchanged if it is safe to keep; otherwise InputRejected naming the field."""
    found = unsafe_character(text, multiline=multiline)
    if found is not None:
        raise InputRejected(f"{label} contains {found}. Retype it without that character.", field)
    return text


def without_unsafe(text: str, *, multiline: bool = False) -> str:
    """`text` with every unsafe character removed: for answers, which are scored, not shown as
    someone's name (an answer holding one is simply wrong, never an error)."""
    return "".join(c for c in text if unsafe_character(c, multiline=multiline) is None)
