"""The course as a SCORM 1.2 package: the plan (which SCOs, in which order), the pages and the
manifest, from the content catalog alone. Pure: no Flask, no database; `build_zip` gives the bytes.

One SCO per lesson (completed when the trainee marks it complete), one per knowledge check and one
per day assessment (passed or failed against the quiz's pass mark, with the score). Quizzes are
SCOs of their own rather than part of their lesson's page because SCORM 1.2 gives a SCO a single
`lesson_status`: an LMS shows "completed" for reading and "passed/failed + score" for a check in
its reports and gradebook only if they are separate items, which is what Lectern tracks too.

Facilitator notes and slide-only content never reach the package: lessons are built from the
catalog's segments without the `facilitator` ones, and slide marks are kept apart from segments by
the catalog. The answer keys do travel with the package (the quizzes are scored in the browser).
"""
from __future__ import annotations

import io
import json
import random
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol
from xml.sax.saxutils import escape, quoteattr

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from app.content.lessons import LESSON_PATH
from app.content.quizzes import Question, Quiz
from app.content.rendering import render_fragment
from app.quizzes.types.base import normalise_text

SCORM_VERSION = "1.2"
# What the package can score in the browser; other types (opinion scales, word clouds, open
# answers: none in the course's quizzes today) are shown as "asked in Lectern only" and not scored.
SCORED_TYPES = ("single", "multiple", "true_false", "ordering", "matching", "numeric", "short_text")
ZIP_TIME = (2000, 1, 1, 0, 0, 0)    # every entry's timestamp: the same content gives the same bytes

HERE = Path(__file__).resolve().parent
STATIC = HERE.parent / "static"
ASSETS = HERE / "assets"
# Files every SCO uses (path in the package → file on disk): the app's stylesheet and fonts (with
# their licences, which the fonts' licence asks to travel with them), the logo and the package's JS.
SHARED: tuple[tuple[str, Path], ...] = (
    ("shared/lectern.css", STATIC / "css" / "lectern.css"),
    ("shared/scorm.css", ASSETS / "scorm.css"),
    ("shared/lectern.svg", STATIC / "img" / "lectern.svg"),
    ("shared/sco.js", ASSETS / "sco.js"),
    ("shared/lesson.js", ASSETS / "lesson.js"),
    ("shared/quiz.js", ASSETS / "quiz.js"),
    ("shared/fonts/fonts.css", STATIC / "fonts" / "fonts.css"),
    *((f"shared/fonts/{p.name}", p) for p in sorted((STATIC / "fonts").glob("*.woff2"))),
    *((f"shared/fonts/{p.name}", p) for p in sorted((STATIC / "fonts").glob("LICENSE-*.txt"))),
)


class LessonLike(Protocol):
    @property
    def slug(self) -> str: ...
    @property
    def segments(self) -> Sequence[Any]: ...


class CatalogLike(Protocol):
    """What the builder reads of app/content/catalog.py's Catalog (which imports Flask, so this
    pure module names it only by shape)."""

    @property
    def course(self) -> Any: ...
    @property
    def lessons(self) -> Sequence[Any]: ...
    @property
    def quizzes(self) -> Sequence[Quiz]: ...

    def lesson_quiz(self, slug: str) -> Quiz | None: ...


@dataclass(frozen=True)
class Sco:
    """One launchable item: a lesson or a quiz."""

    identifier: str          # the manifest item's identifier; the resource is "res-" + this
    title: str
    href: str                # launch file in the package
    kind: str                # "lesson", "knowledge-check" or "day-assessment"
    mastery: float | None = None     # the quiz's pass mark (adlcp:masteryscore)
    minutes: int | None = None       # the quiz's time limit (adlcp:maxtimeallowed, not enforced)


@dataclass(frozen=True)
class DayPlan:
    identifier: str
    title: str
    scos: tuple[Sco, ...]


@dataclass(frozen=True)
class Plan:
    identifier: str
    title: str
    days: tuple[DayPlan, ...]

    @property
    def scos(self) -> tuple[Sco, ...]:
        return tuple(sco for day in self.days for sco in day.scos)


def plan(catalog: CatalogLike) -> Plan:
    """Day by day: each lesson, followed by its knowledge check; the day's assessment last."""
    days = []
    for day in catalog.course.days:
        scos: list[Sco] = []
        for lesson in (lesson for lesson in catalog.lessons if lesson.day_number == day.number):
            scos.append(Sco(f"lesson-{lesson.slug}", lesson.title, f"lessons/{lesson.slug}.html", "lesson"))
            quiz = catalog.lesson_quiz(lesson.slug)
            if quiz is not None:
                scos.append(_quiz_sco(quiz))
        scos.extend(_quiz_sco(quiz) for quiz in catalog.quizzes if quiz.day == day.number)
        days.append(DayPlan(f"day-{day.number}", day.title, tuple(scos)))
    return Plan(f"lectern-{ident(catalog.course.code)}", catalog.course.title, tuple(days))


def _quiz_sco(quiz: Quiz) -> Sco:
    return Sco(f"quiz-{quiz.id}", quiz.title, f"quizzes/{quiz.id}.html", quiz.kind, mastery=quiz.pass_mark,
               minutes=quiz.time_limit_minutes)


def ident(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "-", text)


# --- the manifest --------------------------------------------------------------------------------

def manifest(the_plan: Plan, files_of: dict[str, tuple[str, ...]], shared: Sequence[str]) -> str:
    """imsmanifest.xml (IMS Content Packaging 1.1.2 with the ADL SCORM 1.2 extensions)."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           f'<manifest identifier={quoteattr(the_plan.identifier)} version="1.0"',
           '          xmlns="http://www.imsproject.org/xsd/imscp_rootv1p1p2"',
           '          xmlns:adlcp="http://www.adlnet.org/xsd/adlcp_rootv1p2">',
           "  <metadata>", "    <schema>ADL SCORM</schema>", f"    <schemaversion>{SCORM_VERSION}</schemaversion>",
           "  </metadata>",
           f'  <organizations default="org-{the_plan.identifier}">',
           f'    <organization identifier="org-{the_plan.identifier}">',
           f"      <title>{escape(the_plan.title)}</title>"]
    for day in the_plan.days:
        out.append(f'      <item identifier="{day.identifier}">')
        out.append(f"        <title>{escape(day.title)}</title>")
        for sco in day.scos:
            out.append(f'        <item identifier="{sco.identifier}" identifierref="res-{sco.identifier}">')
            out.append(f"          <title>{escape(sco.title)}</title>")
            if sco.minutes:
                out.append(f"          <adlcp:maxtimeallowed>{sco.minutes // 60:02d}:{sco.minutes % 60:02d}:00"
                           "</adlcp:maxtimeallowed>")
                out.append("          <adlcp:timelimitaction>continue,message</adlcp:timelimitaction>")
            if sco.mastery is not None:
                out.append(f"          <adlcp:masteryscore>{sco.mastery:g}</adlcp:masteryscore>")
            out.append("        </item>")
        out.append("      </item>")
    out += ["    </organization>", "  </organizations>", "  <resources>"]
    for sco in the_plan.scos:
        out.append(f'    <resource identifier="res-{sco.identifier}" type="webcontent" adlcp:scormtype="sco" '
                   f"href={quoteattr(sco.href)}>")
        out.extend(f"      <file href={quoteattr(name)}/>" for name in files_of[sco.identifier])
        out.append('      <dependency identifierref="res-shared"/>')
        out.append("    </resource>")
    out.append('    <resource identifier="res-shared" type="webcontent" adlcp:scormtype="asset">')
    out.extend(f"      <file href={quoteattr(name)}/>" for name in shared)
    out += ["    </resource>", "  </resources>", "</manifest>", ""]
    return "\n".join(out)


# --- the pages -----------------------------------------------------------------------------------

_ENV = Environment(loader=FileSystemLoader(str(HERE / "templates" / "scorm")), autoescape=select_autoescape(["html"]),
                   trim_blocks=True, lstrip_blocks=True)
_LESSON_LINK = re.compile(r'<a href="' + re.escape(LESSON_PATH) + r'[^"]*"[^>]*>(.*?)</a>', re.S)


def offline_links(fragment: str) -> Markup:
    """Links to other lessons, unwrapped: inside a SCO they would leave it (and its tracking); the
    LMS's course menu is how a trainee moves between items."""
    return Markup(_LESSON_LINK.sub(r'<span class="xref">\1</span>', str(fragment)))  # noqa: S704 - sanitised catalog HTML


def lesson_page(course: Any, lesson: LessonLike, quiz: Quiz | None) -> str:
    segments = [s for s in lesson.segments if s.kind != "facilitator"]
    return _ENV.get_template("lesson.html").render(
        course=course, lesson=lesson, quiz=quiz, root="../",
        segments=[(s, offline_links(s.html)) for s in segments])


def quiz_page(course: Any, quiz: Quiz, lessons: dict[str, str]) -> str:
    questions = [(_shown(q), q.type in SCORED_TYPES) for q in quiz.questions]
    data = quiz_data(quiz)
    return _ENV.get_template("quiz.html").render(
        course=course, quiz=quiz, questions=questions, root="../", md=lambda text: offline_links(render_fragment(text)),
        data=Markup(_script_json(data)),  # noqa: S704 - JSON escaped for a script element by _script_json
        lessons=lessons)


def _shown(question: Question) -> Question:
    """An ordering question's items in a fixed order that is not the answer (quiz.js shuffles
    them again); the key stays in quiz_data."""
    if question.type != "ordering" or len(question.body.options) < 2:
        return question
    items = list(question.body.options)
    rng = random.Random(question.id)  # noqa: S311 - a fixed display order, not a secret
    while items == list(question.body.options):
        rng.shuffle(items)
    return replace(question, body=replace(question.body, options=tuple(items)))


def quiz_data(quiz: Quiz) -> dict[str, Any]:
    """What quiz.js needs to draw, score and report: settings and, per scored question, its key."""
    return {
        "id": quiz.id, "kind": quiz.kind, "passMark": quiz.pass_mark, "attempts": quiz.attempts,
        "draw": quiz.draw or quiz.subset, "stratified": bool(quiz.draw), "feedback": quiz.feedback,
        "shuffleOptions": quiz.shuffle_options, "shuffleQuestions": quiz.shuffle_questions,
        "questions": [question_data(q) for q in quiz.questions if q.type in SCORED_TYPES],
    }


def question_data(question: Question) -> dict[str, Any]:
    body = question.body
    key: Any
    if question.type in ("single", "true_false", "multiple", "ordering"):   # ordering: the ids in order
        key = list(body.correct)
    elif question.type == "matching":
        key = {p.id: p.right for p in body.pairs}
    elif question.type == "numeric":
        key = {"number": body.number, "tolerance": body.tolerance}
    else:   # short_text: the accepted answers, normalised as the scorer compares them
        key = sorted({normalise_text(a) for a in body.accept})
    return {"id": question.id, "type": question.type, "points": question.points, "key": key,
            "group": question.main_lesson}


def _script_json(data: Any) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# --- the package ---------------------------------------------------------------------------------

def package_files(catalog: CatalogLike) -> dict[str, bytes]:
    """Every file of the package, path → bytes, manifest included."""
    the_plan = plan(catalog)
    files: dict[str, bytes] = {}
    files_of: dict[str, tuple[str, ...]] = {}
    titles = {lesson.slug: lesson.title for lesson in catalog.lessons}
    for lesson in catalog.lessons:
        path = f"lessons/{lesson.slug}.html"
        files[path] = lesson_page(catalog.course, lesson, catalog.lesson_quiz(lesson.slug)).encode()
        files_of[f"lesson-{lesson.slug}"] = (path,)
    for quiz in catalog.quizzes:
        sco = f"quiz-{quiz.id}"
        if not any(s.identifier == sco for s in the_plan.scos):
            continue  # a quiz placed on no day (none today)
        path = f"quizzes/{quiz.id}.html"
        files[path] = quiz_page(catalog.course, quiz, titles).encode()
        files_of[sco] = (path,)
    shared = [name for name, _ in SHARED]
    for name, source in SHARED:
        files[name] = source.read_bytes()
    files["imsmanifest.xml"] = manifest(the_plan, files_of, shared).encode()
    return files


def build_zip(files: dict[str, bytes]) -> bytes:
    """A deterministic zip: manifest first, then the files by name, fixed timestamps."""
    buffer = io.BytesIO()
    names = ["imsmanifest.xml", *sorted(n for n in files if n != "imsmanifest.xml")]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[name], compresslevel=9)
    return buffer.getvalue()


def build(catalog: CatalogLike) -> bytes:
    return build_zip(package_files(catalog))


def file_list(data: bytes) -> Iterable[tuple[str, int]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [(info.filename, info.file_size) for info in archive.infolist()]
