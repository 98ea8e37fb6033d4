"""The immutable in-memory catalog of course content: loaded, validated and rendered once.

A running process keeps serving its last good catalog. `CatalogHolder` looks at the content files'
modification times at most every CONTENT_RELOAD_SECONDS; when they change it loads them again and
swaps the new catalog in only if it is valid. Problems are logged and kept for administrators.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask, current_app
from markupsafe import Markup

from app.content import cache as content_cache
from app.content import timing
from app.content.checklist import Checklist, parse_checklist
from app.content.course import Course, load_course
from app.content.lessons import PLACEHOLDER_HTML, SLIDE_KINDS, LessonSource, lesson_url, parse_lesson
from app.content.problems import ContentInvalid, ContentProblem
from app.content.quizzes import Quiz, parse_quiz
from app.content.rendering import Heading, plain_text, render_markdown
from app.content.rubrics import AssessedActivity, Rubric

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Segment:
    """A piece of a lesson page: running text, or one of the custom blocks."""

    kind: str            # "text", "activity", "reflection", "takeaways", "facilitator"
    html: Markup
    title: str = ""      # activity title
    key: str = ""        # reflection prompt id; an assessed activity's id
    rubric: Rubric | None = None   # assessed activities ("submit for review") only


@dataclass(frozen=True)
class SlideMark:
    """Author control over the lesson's slides (docs/AUTHORING.md): a `::: slide` block (slide-only
    content, never on the lesson page) or a `<!-- slide -->` break. `position` is the index of the
    segment it stands before (len(segments) at the end)."""

    kind: str            # "slide" or "slide-break"
    position: int
    html: Markup = Markup("")
    title: str = ""      # `::: slide Title`: a slide of its own with this title


@dataclass(frozen=True)
class GlossaryEntry:
    term: str
    definition: str
    lesson_slug: str


@dataclass(frozen=True)
class Lesson:
    slug: str
    day_number: int
    order: int                      # position in the whole course, from 0
    title: str
    minutes: int
    stage: int | None
    objectives: tuple[str, ...]
    quiz: str | None
    segments: tuple[Segment, ...]
    headings: tuple[Heading, ...]
    glossary: tuple[GlossaryEntry, ...]
    content_hash: str
    path: str
    agenda_title: str
    words: int
    section_texts: tuple[tuple[str, str, str], ...] = field(repr=False)  # (anchor, heading, text) for search
    assessed_by_activity: tuple[int, ...] = ()   # 1-based objective numbers assessed by an activity, not questions
    slide_marks: tuple[SlideMark, ...] = ()       # slide-only blocks and breaks; kept out of `segments`

    @property
    def key(self) -> str:
        return self.slug

    @property
    def url(self) -> str:
        return lesson_url(self.slug)

    @property
    def reflection_keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.segments if s.kind == "reflection")

    @property
    def activities(self) -> tuple[AssessedActivity, ...]:
        """The lesson's activities submitted for review, in page order."""
        return tuple(AssessedActivity(s.key, s.title, self.slug, s.rubric) for s in self.segments
                     if s.kind == "activity" and s.rubric is not None)

    @property
    def toc(self) -> tuple[Heading, ...]:
        return tuple(h for h in self.headings if h.level == 2)


@dataclass(frozen=True)
class Catalog:
    course: Course
    lessons: tuple[Lesson, ...] = ()
    content_hash: str = ""
    quizzes: tuple[Quiz, ...] = ()
    checklist: Checklist | None = None

    def lesson(self, slug: str) -> Lesson | None:
        return self._by_slug.get(slug)

    def quiz(self, quiz_id: str) -> Quiz | None:
        return next((q for q in self.quizzes if q.id == quiz_id), None)

    @property
    def activities(self) -> tuple[AssessedActivity, ...]:
        """Every assessed activity in course order."""
        return tuple(activity for lesson in self.lessons for activity in lesson.activities)

    def activity(self, key: str) -> AssessedActivity | None:
        return next((a for a in self.activities if a.key == key), None)

    def lesson_quiz(self, slug: str) -> Quiz | None:
        return next((q for q in self.quizzes if q.lesson == slug), None)

    def day_quizzes(self, day_number: int) -> tuple[Quiz, ...]:
        """A day's knowledge checks in lesson order, then its assessment."""
        slugs = [lesson.slug for lesson in self.day_lessons(day_number)]
        checks = sorted((q for q in self.quizzes if q.lesson in slugs), key=lambda q: slugs.index(q.lesson or ""))
        return tuple(checks) + tuple(q for q in self.quizzes if q.day == day_number)

    def day_lessons(self, day_number: int) -> tuple[Lesson, ...]:
        return tuple(lesson for lesson in self.lessons if lesson.day_number == day_number)

    def neighbours(self, lesson: Lesson) -> tuple[Lesson | None, Lesson | None]:
        before = self.lessons[lesson.order - 1] if lesson.order > 0 else None
        after = self.lessons[lesson.order + 1] if lesson.order + 1 < len(self.lessons) else None
        return before, after

    @property
    def glossary(self) -> tuple[GlossaryEntry, ...]:
        entries = [entry for lesson in self.lessons for entry in lesson.glossary]
        return tuple(sorted(entries, key=lambda e: e.term.casefold()))

    @property
    def words(self) -> int:
        return sum(lesson.words for lesson in self.lessons)

    @property
    def _by_slug(self) -> dict[str, Lesson]:
        cached = self.__dict__.get("_slug_index")
        if cached is None:
            cached = {lesson.slug: lesson for lesson in self.lessons}
            object.__setattr__(self, "_slug_index", cached)
        return cached


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def load_catalog(curriculum_dir: str | Path, quizzes_dir: str | Path | None = None) -> Catalog:
    """Read, validate and render all content; raises ContentInvalid listing every problem."""
    root = Path(curriculum_dir)
    problems: list[ContentProblem] = []
    course_path = root / "course.yaml"
    course, found = load_course(course_path, _display(course_path))
    problems.extend(found)

    sources: list[LessonSource] = []
    unreadable: set[str] = set()  # slugs of lesson files that failed to parse (already reported)
    for day_dir in sorted(p for p in root.glob("day-*") if p.is_dir()):
        try:
            day_number = int(day_dir.name.removeprefix("day-"))
        except ValueError:
            problems.append(ContentProblem(_display(day_dir), 0, "day folders are named day-1, day-2, …"))
            continue
        for path in sorted(day_dir.glob("*.md")):
            source, found = parse_lesson(path, _display(path), day_number)
            problems.extend(found)
            if source is None:
                unreadable.add(path.stem[3:])
            if source:
                sources.append(source)
    if course is None:
        raise ContentInvalid(problems)

    # Where each lesson sits: the agenda decides the order.
    by_slug: dict[str, LessonSource] = {}
    for source in sources:
        if source.slug in by_slug:
            problems.append(ContentProblem(source.path, source.line_of.get("slug", 1),
                                           f"slug {source.slug!r} is also used by {by_slug[source.slug].path}"))
        else:
            by_slug[source.slug] = source
    placed: list[tuple[LessonSource, str]] = []
    seen: set[str] = set()
    course_file = _display(course_path)
    for day in course.days:
        for item in day.agenda:
            for slug in item.lesson_slugs:
                source = by_slug.get(slug)
                if source is None and slug in unreadable:
                    continue
                if source is None:
                    problems.append(ContentProblem(course_file, item.line, f"{day.label} agenda item {item.title!r} names "
                                                                  f"lesson {slug!r}, but there is no such lesson file"))
                elif slug in seen:
                    problems.append(ContentProblem(course_file, item.line, f"lesson {slug!r} is placed twice in the agenda"))
                elif source.day_number != day.number:
                    problems.append(ContentProblem(source.path, 1, f"this lesson is in day-{source.day_number}/ but the "
                                                                  f"agenda places it on {day.label}"))
                else:
                    seen.add(slug)
                    placed.append((source, item.title))
    for source in sources:
        if source.slug in by_slug and by_slug[source.slug] is source and source.slug not in seen \
                and not any(p.path == source.path and "agenda places" in p.message for p in problems):
            problems.append(ContentProblem(source.path, 1, "course.yaml does not place this lesson in any agenda item"))

    quizzes: list[Quiz] = []
    if quizzes_dir is not None and Path(quizzes_dir).is_dir():
        for path in sorted(Path(quizzes_dir).glob("*.y*ml")):
            quiz, found = parse_quiz(path, _display(path))
            problems.extend(found)
            if quiz:
                quizzes.append(quiz)
    quiz_ids = {q.id for q in quizzes}
    lessons, render_problems = _render(placed, by_slug, quiz_ids)
    problems.extend(render_problems)
    problems.extend(_check_timing(course, [source for source, _ in placed], lessons, course_file))
    problems.extend(_check_quizzes(quizzes, lessons, course, unreadable))
    problems.extend(_check_assessed_activities(course, lessons, course_file, bool(unreadable)))
    checklist_path = root / "checklist.yaml"
    checklist, found = parse_checklist(checklist_path, _display(checklist_path))
    problems.extend(found)
    if checklist is not None:
        problems.extend(_check_checklist(checklist, lessons, unreadable))
    if problems:
        raise ContentInvalid(problems)
    import hashlib

    digest = hashlib.sha256("".join([lesson.content_hash for lesson in lessons]
                                    + [quiz.content_hash for quiz in quizzes]).encode()).hexdigest()
    return Catalog(course=course, lessons=tuple(lessons), content_hash=digest, quizzes=tuple(quizzes),
                   checklist=checklist)


def _check_timing(course: Course, sources: list[LessonSource], lessons: list[Lesson],
                  course_file: str) -> list[ContentProblem]:
    """Self-study `minutes` against each lesson's text and activities; facilitator timings against
    the agenda (app/content/timing.py has the rules)."""
    problems: list[ContentProblem] = []
    for source, lesson in zip(sources, lessons, strict=True):  # _render keeps the agenda order
        seen = " ".join(str(s.html) for s in lesson.segments if s.kind != "facilitator")
        problems.extend(timing.check_self_study(source, len(plain_text(seen).split())))
    by_slug = {source.slug: source for source in sources}
    for day in course.days:
        for item in day.agenda:
            placed = [by_slug[slug] for slug in item.lesson_slugs if slug in by_slug]
            if placed and len(placed) == len(item.lesson_slugs):  # missing lessons are reported already
                problems.extend(timing.check_live_timing(day, item, placed, course_file))
    return problems


def _check_assessed_activities(course: Course, lessons: list[Lesson], course_file: str,
                               some_unreadable: bool) -> list[ContentProblem]:
    """The completion rule names assessed activities that exist (see docs/AUTHORING.md)."""
    known = {activity.key for lesson in lessons for activity in lesson.activities}
    rule = course.completion
    if some_unreadable:
        return []  # a lesson that failed to parse may hold the activity; its problems are reported
    return [ContentProblem(course_file, rule.line, f"completion 'activities' names {key!r}, which is not an activity "
                                                   f"submitted for review ('review: {key}' in a lesson)")
            for key in rule.activities if key not in known]


def _check_checklist(checklist: Checklist, lessons: list[Lesson], unreadable: set[str]) -> list[ContentProblem]:
    """Every group traces to a lesson, every item's section to a heading of that lesson."""
    problems = []
    by_slug = {lesson.slug: lesson for lesson in lessons}
    for group in checklist.groups:
        lesson = by_slug.get(group.lesson)
        if lesson is None and group.lesson in unreadable:
            continue  # the lesson's own problems are reported already
        if lesson is None:
            problems.append(ContentProblem(checklist.path, group.line, f"group {group.id!r} names lesson "
                                                                      f"{group.lesson!r}, which does not exist"))
            continue
        anchors = {h.anchor for h in lesson.headings}
        for item in group.items:
            if item.section and item.section not in anchors:
                problems.append(ContentProblem(checklist.path, item.line, f"item {item.id!r}: {item.section!r} is "
                                                                         f"not a heading anchor of {group.lesson!r}"))
    return problems


def _check_quizzes(quizzes: list[Quiz], lessons: list[Lesson], course: Course,
                   unreadable: set[str]) -> list[ContentProblem]:
    """Cross-checks between quizzes and lessons (lessons whose file failed are already reported)."""
    problems: list[ContentProblem] = []
    by_slug = {lesson.slug: lesson for lesson in lessons}
    owner: dict[str, str] = {}
    for quiz in quizzes:
        if quiz.lesson is not None:
            lesson = by_slug.get(quiz.lesson)
            if lesson is None and quiz.lesson in unreadable:
                continue
            if lesson is None:
                problems.append(ContentProblem(quiz.path, 1, f"'lesson' names {quiz.lesson!r}, which is not a lesson"))
                continue
            if quiz.lesson in owner:
                problems.append(ContentProblem(quiz.path, 1, f"lesson {quiz.lesson!r} already has the quiz {owner[quiz.lesson]!r}"))
            owner[quiz.lesson] = quiz.id
            if lesson.quiz is not None and lesson.quiz != quiz.id:
                problems.append(ContentProblem(quiz.path, 1, f"lesson {quiz.lesson!r} says its quiz is {lesson.quiz!r}"))
        for question in quiz.questions:
            if not question.section:
                continue
            slug, _, anchor = question.section.rpartition("#")
            slug = slug or quiz.lesson or ""
            target = by_slug.get(slug)
            if target is None:
                problems.append(ContentProblem(quiz.path, question.line, f"question {question.id!r}: section "
                                               f"{question.section!r} names no lesson (write 'anchor' for the quiz's "
                                               f"own lesson, or 'lesson-slug#anchor')"))
            elif anchor not in {h.anchor for h in target.headings}:
                anchors = ", ".join(sorted(h.anchor for h in target.headings))
                problems.append(ContentProblem(quiz.path, question.line, f"question {question.id!r}: section "
                                               f"{anchor!r} is not a heading anchor of {slug!r} (anchors: {anchors})"))
        problems.extend(_check_tags(quiz, by_slug, unreadable))
        if quiz.day is not None and not any(d.number == quiz.day for d in course.days):
            problems.append(ContentProblem(quiz.path, 1, f"'day' is {quiz.day}, but the course has no such day"))
    for lesson in lessons:
        if (lesson.quiz is not None and owner.get(lesson.slug) != lesson.quiz
                and lesson.quiz in {q.id for q in quizzes}):
            problems.append(ContentProblem(lesson.path, 1, f"quiz {lesson.quiz!r} does not name this lesson in its 'lesson'"))
    return problems


def _check_tags(quiz: Quiz, by_slug: dict[str, Lesson], unreadable: set[str]) -> list[ContentProblem]:
    """`assesses` names real lessons and objectives; a blueprint's `not_assessed` names real lessons."""
    problems = []
    for question in quiz.questions:
        for slug, number in question.objectives:
            lesson = by_slug.get(slug)
            if lesson is None and slug in unreadable:
                continue
            if lesson is None:
                problems.append(ContentProblem(quiz.path, question.assesses_line, f"question {question.id!r}: "
                                               f"'assesses' names {slug!r}, which is not a lesson"))
            elif not 1 <= number <= len(lesson.objectives):
                problems.append(ContentProblem(quiz.path, question.assesses_line, f"question {question.id!r}: "
                                               f"'assesses' names objective {number} of {slug!r}, which has "
                                               f"{len(lesson.objectives)} objective(s)"))
    if quiz.blueprint is not None:
        for slug in quiz.blueprint.not_assessed:
            if slug not in by_slug and slug not in unreadable:
                problems.append(ContentProblem(quiz.path, quiz.blueprint.line, f"blueprint 'not_assessed' names "
                                               f"{slug!r}, which is not a lesson"))
    return problems


def _render(placed: list[tuple[LessonSource, str]], by_slug: dict[str, LessonSource],
            quiz_ids: set[str]) -> tuple[list[Lesson], list[ContentProblem]]:
    problems: list[ContentProblem] = []
    lessons: list[Lesson] = []
    terms: dict[str, str] = {}
    reflection_ids: dict[str, str] = {}
    activity_ids: dict[str, str] = {}

    def resolve(slug: str) -> str | None:
        return lesson_url(slug) if slug in by_slug else None

    for order, (source, agenda_title) in enumerate(placed):
        main = render_markdown(source.body, resolve_lesson=resolve)
        broken = list(main.broken_links)
        rendered_blocks = []
        for block in source.blocks:
            rendered = render_markdown(block.text, resolve_lesson=resolve)
            broken.extend(rendered.broken_links)
            rendered_blocks.append(rendered.html)
            if block.kind == "reflection":
                if block.arg in reflection_ids:
                    problems.append(ContentProblem(source.path, block.line, f"reflection id {block.arg!r} is also used "
                                                                           f"in {reflection_ids[block.arg]}"))
                reflection_ids[block.arg] = source.path
            if block.review:
                if block.review in activity_ids:
                    problems.append(ContentProblem(source.path, source.line_containing(f"review: {block.review}"), f"activity id {block.review!r} is "
                                                                                   f"also used in {activity_ids[block.review]}"))
                activity_ids[block.review] = source.path
        for href in broken:
            problems.append(ContentProblem(source.path, source.line_containing(f"]({href}"), f"link {href!r} does not lead to a lesson "
                                                           "(write other lessons as 'slug.md', or use a full https:// address)"))
        for term, _definition in source.glossary:
            folded = term.casefold()
            if folded in terms:
                problems.append(ContentProblem(source.path, source.line_of.get(f"glossary:{term}", 1),
                                               f"glossary term {term!r} is already defined in {terms[folded]}"))
            terms[folded] = source.path
        if source.quiz is not None and source.quiz not in quiz_ids:
            problems.append(ContentProblem(source.path, source.line_of.get("quiz", 1),
                                           f"quiz {source.quiz!r} does not exist"))

        segments: list[Segment] = []
        marks: list[SlideMark] = []
        parts = PLACEHOLDER_HTML.split(main.html)
        for index, part in enumerate(parts):
            if index % 2 == 0:
                if part.strip():
                    segments.append(Segment("text", Markup(part)))  # noqa: S704 - HTML already sanitised by rendering.py (nh3)
            else:
                block = source.blocks[int(part)]
                if block.kind == "rubric":
                    continue  # shown with its activity (Segment.rubric)
                html = Markup(rendered_blocks[int(part)])  # noqa: S704 - HTML already sanitised by rendering.py (nh3)
                if block.kind in SLIDE_KINDS:
                    marks.append(SlideMark(block.kind, len(segments), html, block.arg))
                    continue
                segments.append(Segment(block.kind, html, title=block.arg if block.kind == "activity" else "",
                                        key=block.arg if block.kind == "reflection" else block.review,
                                        rubric=dict(source.rubrics).get(block.review) if block.review else None))
        lessons.append(Lesson(
            slug=source.slug, day_number=source.day_number, order=order, title=source.title, minutes=source.minutes,
            stage=source.stage, objectives=source.objectives, quiz=source.quiz, segments=tuple(segments),
            headings=main.headings,
            glossary=tuple(GlossaryEntry(t, d, source.slug) for t, d in source.glossary),
            content_hash=source.content_hash, path=source.path, agenda_title=agenda_title,
            words=len(plain_text(main.html + " ".join(html for block, html in zip(source.blocks, rendered_blocks, strict=True)
                                                      if block.kind not in SLIDE_KINDS)).split()),
            section_texts=_sections(segments), assessed_by_activity=source.assessed_by_activity,
            slide_marks=tuple(marks),
        ))
    return lessons, problems


def _sections(segments: list[Segment]) -> tuple[tuple[str, str, str], ...]:
    """Searchable text by section (anchor, heading, text); facilitator notes are never searchable."""
    import re

    sections: list[tuple[str, str, list[str]]] = [("", "", [])]
    heading = re.compile(r'<h([2-4]) id="([^"]+)">(.*?)</h\1>', re.S)
    for segment in segments:
        if segment.kind == "facilitator":
            continue
        html = str(segment.html)
        position = 0
        for match in heading.finditer(html):
            sections[-1][2].append(html[position:match.start()])
            sections.append((match[2], plain_text(match[3]), []))
            position = match.end()
        sections[-1][2].append(html[position:])
    return tuple((anchor, title, plain_text(" ".join(parts))) for anchor, title, parts in sections
                 if plain_text(" ".join(parts)) or title)


# --- the live catalog of one process ---------------------------------------------------------

@dataclass
class CatalogHolder:
    directory: Path
    reload_seconds: float
    current: Catalog
    signature: tuple[tuple[str, int, int], ...]
    problems: tuple[ContentProblem, ...] = ()
    checked_at: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)
    quizzes_dir: Path | None = None
    listeners: list[Callable[[Catalog], None]] = field(default_factory=list)   # called after a reload

    def get(self) -> Catalog:
        if self.reload_seconds and time.monotonic() - self.checked_at >= self.reload_seconds:
            self._maybe_reload()
        return self.current

    def _maybe_reload(self) -> None:
        if not self.lock.acquire(blocking=False):
            return  # another thread is already looking
        try:
            self.checked_at = time.monotonic()
            signature = content_signature(self.directory, self.quizzes_dir)
            if signature == self.signature:
                return
            self.signature = signature
            try:
                self.current = load_catalog(self.directory, self.quizzes_dir)
            except ContentInvalid as exc:
                self.problems = tuple(exc.problems)
                log.error("Content changed but is invalid; still serving the previous version:\n%s", exc)
            else:
                self.problems = ()
                log.info("Content reloaded (%d lessons)", len(self.current.lessons))
                for listener in self.listeners:
                    listener(self.current)
        finally:
            self.lock.release()


def content_signature(*directories: Path | None) -> tuple[tuple[str, int, int], ...]:
    entries = []
    paths = sorted(p for d in directories if d is not None and d.exists() for p in d.rglob("*"))
    for path in paths:
        if path.is_file() and path.suffix in (".md", ".yaml", ".yml"):  # lessons, course, quizzes, checklist
            stat = path.stat()
            entries.append((str(path), stat.st_mtime_ns, stat.st_size))
    return tuple(entries)


_LOADED: dict[tuple[str, str, tuple[tuple[str, int, int], ...]], Catalog] = {}
_LOADED_LOCK = threading.Lock()
_LOADED_KEEP = 4


def _loaded_catalog(directory: Path, quizzes_dir: str, signature: tuple[tuple[str, int, int], ...],
                    cache_dir: Path | None = None) -> Catalog:
    """The catalog of this content, loaded once per process for each state of its files: an app
    created again over unchanged content (the tests create one per test; a CLI command next to a
    server) reuses it. The Catalog is immutable, and a changed file changes the signature. With
    `cache_dir`, a new process reads it from there when the content hash matches (cache.py)."""
    key = (str(directory.resolve()), str(Path(quizzes_dir).resolve()), signature)
    with _LOADED_LOCK:
        found = _LOADED.get(key)
    if found is not None:
        return found
    if cache_dir is None:
        loaded = load_catalog(directory, quizzes_dir)
    else:
        digest = content_cache.content_key(directory, Path(quizzes_dir))
        loaded = content_cache.cached(cache_dir, digest, lambda: load_catalog(directory, quizzes_dir))
    with _LOADED_LOCK:
        while len(_LOADED) >= _LOADED_KEEP:
            _LOADED.pop(next(iter(_LOADED)))
        _LOADED[key] = loaded
    return loaded


def install_catalog(app: Flask) -> None:
    """Load the content for this app. Invalid content stops start-up with `file:line: message`
    lines, except under the `flask` command line, where `flask content check` must still run."""
    directory = Path(app.config["CURRICULUM_DIR"])
    signature = content_signature(directory, Path(app.config["QUIZZES_DIR"]))
    quizzes_dir = app.config["QUIZZES_DIR"]
    try:
        cache_dir = (Path(app.config["CONTENT_CACHE_DIR"] or Path(app.instance_path) / "cache")
                     if app.config["CONTENT_CACHE"] else None)
        catalog_ = _loaded_catalog(directory, quizzes_dir, signature, cache_dir)
    except ContentInvalid as exc:
        import click

        if click.get_current_context(silent=True) is None:
            raise
        app.extensions["lectern.content_problems"] = tuple(exc.problems)
        return
    app.extensions["lectern.catalog"] = CatalogHolder(directory, float(app.config["CONTENT_RELOAD_SECONDS"]),
                                                      catalog_, signature, quizzes_dir=Path(quizzes_dir))


def catalog() -> Catalog:
    holder = current_app.extensions.get("lectern.catalog")
    if holder is None:
        problems = current_app.extensions.get("lectern.content_problems", ())
        raise ContentInvalid(list(problems))
    return holder.get()


def content_problems() -> tuple[ContentProblem, ...]:
    holder = current_app.extensions.get("lectern.catalog")
    return holder.problems if holder else tuple(current_app.extensions.get("lectern.content_problems", ()))
