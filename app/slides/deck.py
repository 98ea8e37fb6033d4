"""A lesson as slides, built from the catalog's parsed lesson: pure (no Flask, no clock).

- A title slide: the lesson's title, its day and stage, its objectives.
- One slide per `##` section with its **key points**: the section's list items and table rows, or,
  when it has none, the first sentence of each paragraph; `###` headings stay as sub-heads. Points
  are trimmed to fit, and a long section continues over several slides.
- A slide per activity (with the time it states), reflection and the key takeaways.
- "Further reading" sections are left out: a reading list is not for the room.
- Author control (docs/AUTHORING.md): a `<!-- slide -->` break starts a new slide; a `::: slide`
  block holds slide-only content. Untitled, it replaces the key points derived from the text it
  stands in; `::: slide Title` is a slide of its own.
- Facilitator notes belong to the slide they follow; notes under a left-out section (the usual
  place: the end of the lesson) go on the title slide. Notes are for the presenter only: the
  projector and phones are sent `Slide.public` renderings without them.

Every slide fits a 16:9 page: at most MAX_LINES body lines of LINE_CHARS characters, a title of at
most TITLE_LINES lines (tests/slides hold every lesson of the real course to it).
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from html.parser import HTMLParser
from typing import Protocol

from app.content.timing import stated_duration

LINE_CHARS = 68          # characters on one body line at the slide's body size
MAX_LINES = 9            # body lines a slide holds (points wrap; a point takes whole lines)
MAX_POINTS = 6           # points on one slide, however short
POINT_CHARS = 3 * LINE_CHARS - 4   # a key point derived from the text is trimmed to three lines …
WHOLE_CHARS = 3 * LINE_CHARS - 4   # … as is a takeaway or a reflection prompt, written to be read whole
TITLE_CHARS = 40         # characters on one title line
TITLE_LINES = 2
TITLE_SLIDE_EXTRA_LINES = 2   # the title slide's objectives are set smaller (16pt against 19pt)
COVER_LINES = 12              # a day's cover lists its lessons at 14pt
SKIPPED_SECTIONS = ("further reading", "references", "sources")


class SegmentLike(Protocol):
    """What the deck reads of app.content.catalog.Segment (the catalog module imports Flask)."""

    @property
    def kind(self) -> str: ...
    @property
    def html(self) -> str: ...
    @property
    def title(self) -> str: ...


class SlideMarkLike(Protocol):
    """app.content.catalog.SlideMark: a `::: slide` block or a `<!-- slide -->` break."""

    @property
    def kind(self) -> str: ...
    @property
    def position(self) -> int: ...
    @property
    def html(self) -> str: ...
    @property
    def title(self) -> str: ...


class LessonLike(Protocol):
    """app.content.catalog.Lesson, as far as slides go."""

    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def stage(self) -> int | None: ...
    @property
    def objectives(self) -> tuple[str, ...]: ...
    @property
    def segments(self) -> Sequence[SegmentLike]: ...
    @property
    def slide_marks(self) -> Sequence[SlideMarkLike]: ...


@dataclass(frozen=True)
class Point:
    text: str
    sub: bool = False    # a sub-head (`###`), printed bold without a bullet

    @property
    def lines(self) -> int:
        return max(1, math.ceil(len(self.text) / LINE_CHARS))


@dataclass(frozen=True)
class Slide:
    kind: str                        # "title", "section", "activity", "reflection", "takeaways", "custom"
    title: str
    points: tuple[Point, ...] = ()
    eyebrow: str = ""                # the small line above the title: "Day 1 · Stage 5 of 12", "Activity"
    timing: str = ""                 # an activity's stated time: "About 40 minutes"
    notes: tuple[str, ...] = ()      # facilitator notes (sanitised HTML): presenter only
    lesson_slug: str = ""
    anchor: str = ""                 # the section's heading anchor in the lesson page
    number: int = 0                  # 1-based place in its deck

    @property
    def body_lines(self) -> int:
        return sum(point.lines for point in self.points) + (1 if self.timing else 0)

    @property
    def title_lines(self) -> int:
        return _title_lines(self.title)

    @property
    def fits(self) -> bool:
        if self.kind == "cover":   # a day's lessons, one short line each, set small
            return len(self.points) <= COVER_LINES and self.body_lines <= COVER_LINES and self.title_lines <= TITLE_LINES
        extra = TITLE_SLIDE_EXTRA_LINES if self.kind == "title" else 0
        return (self.body_lines <= MAX_LINES + extra and len(self.points) <= MAX_POINTS + (1 if self.kind == "title" else 0)
                and self.title_lines <= TITLE_LINES)

    def public(self) -> Slide:
        """The slide for the projector and phones: no facilitator notes."""
        return replace(self, notes=())


@dataclass(frozen=True)
class Deck:
    title: str
    slides: tuple[Slide, ...]

    def __len__(self) -> int:
        return len(self.slides)

    def slide(self, index: int) -> Slide:
        """The slide at `index` (0-based), clamped to the deck."""
        return self.slides[max(0, min(index, len(self.slides) - 1))]


# --- trimming ---------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")
_SENTENCE = re.compile(r"^(.+?[.!?])[\u201d\"')]*(?=\s+[A-Z\u201c\"(0-9*]|$)")


def clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def trim(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis when cut."""
    text = clean(text)
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    # at the end of a clause when one ends in the last third (reads whole), else at a word
    clause = max(head.rfind(mark) for mark in (": ", "; ", " – ", " — ", ", "))
    cut = head[:clause] if clause >= limit * 2 // 3 else head.rsplit(" ", 1)[0]
    return cut.rstrip(",;:–—-( ") + "…"


def first_sentence(text: str, at_least: int = 30) -> str:
    """The first sentence, or the first two when the first is a run-in lead ("Targets matter.")."""
    text = clean(text)
    match = _SENTENCE.match(text)
    if match is None:
        return text
    sentence = match[1]
    if len(sentence) < at_least and len(text) > len(sentence):
        rest = text[len(sentence):].lstrip()
        following = _SENTENCE.match(rest)
        return f"{sentence} {following[1] if following else rest}"
    return sentence


def _title_lines(title: str) -> int:
    lines, width = 1, 0
    for word in title.split():
        if width and width + 1 + len(word) > TITLE_CHARS:
            lines, width = lines + 1, len(word)
        else:
            width += (1 if width else 0) + len(word)
    return lines


def fit_title(title: str) -> str:
    title = clean(title)
    while _title_lines(title) > TITLE_LINES:
        title = trim(title, len(title) - 4)
    return title


# --- reading the rendered HTML ----------------------------------------------------------------

@dataclass
class _Element:
    kind: str          # "h2", "h3", "p", "li", "row", "dt"
    text: str
    anchor: str = ""


class _Reader(HTMLParser):
    """Flattens sanitised lesson HTML into headings, paragraphs, list items and table rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[_Element] = []
        self._stack: list[tuple[str, list[str], str]] = []   # (tag, text parts, anchor)
        self._cells: list[str] | None = None
        self._header = False                                  # the row being read has <th> cells
        self._skip = 0                                        # inside a footnote list or <sup>

    _CAPTURE = ("h2", "h3", "h4", "p", "li", "dt", "dd", "td", "th")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "sup" or (tag == "div" and "footnote" in (attributes.get("class") or "")):
            self._skip += 1
        if tag == "tr":
            self._cells, self._header = [], False
        if tag == "th":
            self._header = True
        if tag in self._CAPTURE:
            if tag == "p" and self._stack and self._stack[-1][0] in ("li", "dd", "td", "th"):
                return  # a loose list item's paragraph: part of the item
            if tag in ("li", "dd") and self._stack and self._stack[-1][0] in ("li", "dd"):
                self._close_top()  # a nested list: the parent item ends where the child begins
            self._stack.append((tag, [], attributes.get("id") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "sup" or (tag == "div" and self._skip and self._stack == []):
            self._skip = max(0, self._skip - 1)
        if tag == "tr" and self._cells is not None:
            cells = [c for c in self._cells if c]
            if cells and not self._skip and not self._header:
                self.elements.append(_Element("row", " – ".join(cells[:2])))
            self._cells = None
        if self._stack and self._stack[-1][0] == tag:
            self._close_top()

    def _close_top(self) -> None:
        tag, parts, anchor = self._stack.pop()
        text = clean("".join(parts))
        if tag in ("td", "th"):
            if self._cells is not None:
                self._cells.append(text)
            return
        if text and not self._skip:
            kind = {"h4": "h3", "dd": "li"}.get(tag, tag)
            self.elements.append(_Element(kind, text, anchor))

    def handle_data(self, data: str) -> None:
        if self._stack and not (self._skip and self._stack[-1][0] != "td"):
            self._stack[-1][1].append(data)


def _elements(html: str) -> list[_Element]:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    merged: list[_Element] = []
    for element in reader.elements:   # a definition list's term and definition make one point
        if element.kind == "li" and merged and merged[-1].kind == "dt":
            merged[-1] = _Element("li", f"{merged[-1].text}: {element.text}")
        else:
            merged.append(element)
    return [e if e.kind != "dt" else _Element("li", e.text) for e in merged]


# --- building ---------------------------------------------------------------------------------

@dataclass
class _Chunk:
    """Text between two breaks of one section: it becomes one slide or more."""

    title: str
    anchor: str
    items: list[_Element] = field(default_factory=list)
    authored: list[Point] | None = None    # a `::: slide` block's points replace the derived ones
    notes: list[str] = field(default_factory=list)
    kind: str = "section"
    eyebrow: str = ""
    timing: str = ""
    fixed: list[Point] | None = None       # activities, reflections, takeaways: their points as they are


def _derived(items: Sequence[_Element]) -> list[Point]:
    listed = any(e.kind in ("li", "row") for e in items)
    points: list[Point] = []
    for element in items:
        if element.kind == "h3":
            points.append(Point(trim(element.text, LINE_CHARS), sub=True))
        elif element.kind in ("li", "row"):
            points.append(Point(trim(first_sentence(element.text) if len(element.text) > POINT_CHARS else element.text,
                                     POINT_CHARS)))
        elif element.kind == "p" and not listed:
            points.append(Point(trim(first_sentence(element.text), POINT_CHARS)))
    while points and points[-1].sub:
        points.pop()   # a sub-head with nothing under it on this slide
    return points


def _points_of(html: str, limit: int = POINT_CHARS) -> list[Point]:
    """Every paragraph and item of authored slide content or a block, each trimmed to fit."""
    points = []
    for element in _elements(html):
        sub = element.kind == "h3"
        points.append(Point(trim(element.text, LINE_CHARS if sub else limit), sub=sub))
    return points


def _pages(points: list[Point], max_lines: int = MAX_LINES) -> list[list[Point]]:
    """Points shared evenly over as few slides as fit the budget; a sub-head never ends a slide."""
    greedy = _fill(points, max_lines)
    if len(greedy) < 2:
        return greedy
    for limit in range(math.ceil(sum(p.lines for p in points) / len(greedy)), max_lines):
        even = _fill(points, limit)
        if len(even) == len(greedy):
            return even
    return greedy


def _fill(points: list[Point], max_lines: int) -> list[list[Point]]:
    pages: list[list[Point]] = [[]]
    for point in points:
        page = pages[-1]
        if page and (sum(p.lines for p in page) + point.lines > max_lines or len(page) >= MAX_POINTS):
            carried = [page.pop()] if page[-1].sub else []
            pages.append(carried)
        pages[-1].append(point)
    return [page for page in pages if page] or [[]]


def _duration(html: str) -> str:
    text = clean(re.sub(r"<[^>]+>", " ", html))
    found = stated_duration(text)
    if found is None:
        return ""
    low, high = found
    return f"About {low} minutes" if low == high else f"{low}–{high} minutes"


def _lead(lesson: LessonLike, day_label: str) -> str:
    return " · ".join(part for part in (day_label, f"Stage {lesson.stage} of 12" if lesson.stage else "") if part)


def build_deck(lesson: LessonLike, *, day_label: str = "") -> Deck:
    """The lesson's slides, in order (see the module's docstring)."""
    title_notes: list[str] = []
    chunks: list[_Chunk] = []
    section_title, section_anchor, skipped = "Introduction", "", False
    current = _Chunk(section_title, section_anchor)
    marks: dict[int, list[SlideMarkLike]] = {}
    for mark in lesson.slide_marks:
        marks.setdefault(mark.position, []).append(mark)

    def close() -> None:
        nonlocal current
        if not skipped and (current.items or current.authored is not None or current.notes):
            chunks.append(current)
        elif current.notes:
            title_notes.extend(current.notes)
        current = _Chunk(section_title, section_anchor)

    def note(html: str) -> None:
        if skipped:
            title_notes.append(html)
        elif current.items or current.authored is not None or not chunks or chunks[-1].anchor != section_anchor:
            current.notes.append(html)
        else:
            chunks[-1].notes.append(html)

    def apply(position: int) -> None:
        nonlocal current
        for mark in marks.get(position, ()):
            if mark.kind == "slide-break":
                close()
            elif mark.title:
                close()
                chunks.append(_Chunk(mark.title, section_anchor, kind="custom", fixed=_points_of(str(mark.html))))
            else:
                current.authored = (current.authored or []) + _points_of(str(mark.html))

    for position, segment in enumerate(lesson.segments):
        apply(position)
        if segment.kind == "text":
            for element in _elements(str(segment.html)):
                if element.kind == "h2":
                    close()
                    section_title, section_anchor = element.text, element.anchor
                    skipped = element.text.casefold().strip() in SKIPPED_SECTIONS
                    current = _Chunk(section_title, section_anchor)
                else:
                    current.items.append(element)
        elif segment.kind == "facilitator":
            note(segment.html)   # kept as the catalog's sanitised Markup
        elif segment.kind in ("activity", "reflection", "takeaways"):
            close()
            html = str(segment.html)
            if segment.kind == "activity":
                items = [e for e in _elements(html) if e.kind == "li"]
                points = [Point(trim(first_sentence(e.text), POINT_CHARS)) for e in items] or \
                    [Point(trim(first_sentence(e.text), POINT_CHARS)) for e in _elements(html) if e.kind == "p"]
                chunks.append(_Chunk(segment.title, section_anchor, kind="activity", eyebrow="Activity",
                                     timing=_duration(segment.title + " " + html), fixed=points))
            elif segment.kind == "reflection":
                chunks.append(_Chunk("Reflection", section_anchor, kind="reflection", eyebrow=lesson.title,
                                     fixed=_points_of(html, WHOLE_CHARS)))
            else:
                chunks.append(_Chunk("Key takeaways", section_anchor, kind="takeaways", eyebrow=lesson.title,
                                     fixed=_points_of(html, WHOLE_CHARS)))
    apply(len(lesson.segments))
    close()

    slides: list[Slide] = [_title_slide(lesson, day_label, title_notes)]
    for chunk in chunks:
        points = chunk.fixed if chunk.fixed is not None else (
            chunk.authored if chunk.authored is not None else _derived(chunk.items))
        pages = _pages(points, MAX_LINES - (1 if chunk.timing else 0))   # the timing takes a line
        for page_number, page in enumerate(pages):
            title = chunk.title if page_number == 0 else f"{chunk.title} (continued)"
            slides.append(Slide(
                kind=chunk.kind, title=fit_title(title), points=tuple(page),
                eyebrow=chunk.eyebrow or lesson.title, timing=chunk.timing,
                notes=tuple(chunk.notes) if page_number == 0 else (), lesson_slug=lesson.slug, anchor=chunk.anchor))
    slides = [slide for slide in slides if slide.points or slide.kind == "title" or slide.notes]
    return Deck(lesson.title, tuple(replace(slide, number=n) for n, slide in enumerate(slides, start=1)))


def _title_slide(lesson: LessonLike, day_label: str, notes: Iterable[str]) -> Slide:
    objectives = [Point(trim(o, POINT_CHARS)) for o in lesson.objectives]
    while sum(p.lines for p in objectives) > MAX_LINES - 1 + TITLE_SLIDE_EXTRA_LINES and any(p.lines > 1 for p in objectives):
        longest = max(range(len(objectives)), key=lambda i: len(objectives[i].text))
        objectives[longest] = Point(trim(objectives[longest].text, LINE_CHARS))
    objectives = objectives[:MAX_POINTS]
    return Slide(kind="title", title=fit_title(lesson.title), points=(Point("Objectives", sub=True), *objectives),
                 eyebrow=_lead(lesson, day_label), notes=tuple(notes), lesson_slug=lesson.slug)


def day_deck(lessons: Sequence[LessonLike], *, day_label: str, day_title: str) -> Deck:
    """A day's lessons, one deck after another, behind a cover slide."""
    titles = [Point(trim(lesson.title, LINE_CHARS)) for lesson in lessons]
    if len(titles) > COVER_LINES:
        titles = titles[:COVER_LINES - 1] + [Point(f"… and {len(titles) - COVER_LINES + 1} more")]
    cover = Slide(kind="cover", title=fit_title(day_title), eyebrow=day_label, points=tuple(titles))
    slides = [cover] + [slide for lesson in lessons for slide in build_deck(lesson, day_label=day_label).slides]
    return Deck(day_title, tuple(replace(slide, number=n) for n, slide in enumerate(slides, start=1)))
