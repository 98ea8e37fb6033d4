"""Search across lessons with highlighted snippets. Pure: works on the catalog's section texts."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from markupsafe import Markup, escape

from app.content.catalog import Lesson

SNIPPET_RADIUS = 90


def fold(text: str) -> str:
    """Lower case without accents, so 'Sölvell' matches 'solvell'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def terms_of(query: str) -> list[str]:
    return [t for t in re.findall(r"\w+", fold(query)) if len(t) >= 2][:8]


@dataclass(frozen=True)
class Hit:
    lesson: Lesson
    anchor: str
    heading: str
    snippet: Markup
    score: int

    @property
    def url(self) -> str:
        return self.lesson.url + (f"#{self.anchor}" if self.anchor else "")


def search(lessons: tuple[Lesson, ...], query: str, *, limit: int = 30) -> list[Hit]:
    terms = terms_of(query)
    if not terms:
        return []
    hits: list[Hit] = []
    for lesson in lessons:
        title = fold(lesson.title)
        for anchor, heading, text in lesson.section_texts:
            folded_heading, folded_text = fold(heading), fold(text)
            haystack = " ".join((title, folded_heading, folded_text))
            if not all(term in haystack for term in terms):
                continue
            score = sum(folded_text.count(t) + 5 * folded_heading.count(t) + 3 * title.count(t) for t in terms)
            hits.append(Hit(lesson, anchor, heading or lesson.title, snippet(text, terms), score))
    hits.sort(key=lambda h: (-h.score, h.lesson.order))
    return hits[:limit]


def snippet(text: str, terms: list[str]) -> Markup:
    """A window of text around the first match, escaped, with every match wrapped in <mark>."""
    folded = fold(text)
    if len(folded) != len(text):  # folding changed lengths (rare ligatures): fall back to plain lower case
        folded = text.lower()
    positions = [folded.find(t) for t in terms if folded.find(t) >= 0]
    start = max(0, min(positions) - SNIPPET_RADIUS) if positions else 0
    end = min(len(text), start + 2 * SNIPPET_RADIUS + 40)
    while start > 0 and not text[start - 1].isspace():
        start += 1
    if end < len(text):             # end on a whole word too (back to the last space in the window)
        space = text.rfind(" ", start, end)
        if space > start:
            end = space
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)))
    window_text, window_folded = text[start:end], folded[start:end]
    out, position = [], 0
    for match in pattern.finditer(window_folded):
        out.append(escape(window_text[position:match.start()]))
        out.append(Markup("<mark>") + escape(window_text[match.start():match.end()]) + Markup("</mark>"))
        position = match.end()
    out.append(escape(window_text[position:]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return Markup(prefix) + Markup("").join(out) + Markup(suffix)  # noqa: S704 - literal ellipses; `out` holds escaped text
