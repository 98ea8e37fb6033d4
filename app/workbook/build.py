"""The course workbook: every lesson as a printed handbook, for trainees or for instructors.

Built from the same rendered content as the web lessons. The trainee edition leaves out facilitator
notes and answer keys; the instructor edition adds both. PDFs are cached by content hash and edition
(in memory, and on disk under the instance folder so every worker on the host shares them). They
are made ahead of time, in a child process (app/workbook/background.py).
"""
from __future__ import annotations

import re
import threading
from pathlib import Path
from typing import Any

from flask import current_app, render_template

from app.content.catalog import Catalog
from app.content.lessons import LESSON_PATH
from app.pdf import lazy_render
from app.pdf.cache import Made
from app.workbook.readiness import cache_name

CSS = (Path(__file__).with_name("workbook.css")).read_text(encoding="utf-8")
EDITIONS = ("trainee", "instructor")
MAX_PAGES = 600
TIME_LIMIT = 90     # seconds of layout, at a lower priority than pages
_LESSON_LINK = re.compile(r'href="' + re.escape(LESSON_PATH) + r'([a-z0-9-]+)(#[\w-]+)?"')
_cache: dict[tuple[str, str, str], bytes] = {}   # (cache folder, content hash, edition) → PDF
_lock = threading.Lock()


def _local_links(html: str) -> str:
    """Links between lessons point inside the workbook."""
    return _LESSON_LINK.sub(lambda m: f'href="#lesson-{m.group(1)}"', html)


def workbook_html(catalog: Catalog, edition: str) -> str:
    instructor = edition == "instructor"
    lessons: list[dict[str, Any]] = [{"lesson": lesson, "segments": [(s.kind, _local_links(str(s.html)), s.title) for s in lesson.segments
                                               if s.kind != "facilitator" or instructor],
                "quiz": catalog.lesson_quiz(lesson.slug) if instructor else None} for lesson in catalog.lessons]
    days = [(day, [entry for entry in lessons if entry["lesson"].day_number == day.number]) for day in catalog.course.days]
    return render_template("workbook/workbook.html", course=catalog.course, days=days, edition=edition,
                           glossary=catalog.glossary, catalog=catalog,
                           assessments=[q for q in catalog.quizzes if q.day] if instructor else [])


def cache_folder() -> Path:
    return Path(current_app.instance_path) / "cache"


def cached_pdf(catalog: Catalog, edition: str) -> bytes | None:
    """The edition for this content if it has been made (this process's memory, then the disk)."""
    if edition not in EDITIONS:
        raise ValueError(edition)
    folder = cache_folder()
    key = (str(folder), catalog.content_hash, edition)
    with _lock:
        if key in _cache:
            return _cache[key]
        try:
            pdf = (folder / cache_name(edition, catalog.content_hash)).read_bytes()
        except OSError:
            return None
        _remember(key, pdf)
        return pdf


def _remember(key: tuple[str, str, str], pdf: bytes) -> None:
    """Keep only the current content's editions in memory (called with _lock held)."""
    for old in [k for k in _cache if k[:2] != key[:2]]:
        del _cache[old]
    _cache[key] = pdf


def make_edition(catalog: Catalog, edition: str) -> bytes:
    """Lay the edition out (in a child process) and store it, on disk for every worker and in memory."""
    pdf = lazy_render.render_pdf_apart(workbook_html(catalog, edition), CSS, max_pages=MAX_PAGES,
                                       time_limit=TIME_LIMIT)
    folder = cache_folder()
    path = folder / cache_name(edition, catalog.content_hash)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{threading.get_ident()}.tmp")
        temporary.write_bytes(pdf)
        temporary.replace(path)     # atomic: another worker never reads half a file
    except OSError:
        current_app.logger.warning("Could not cache the workbook at %s", path)
    with _lock:
        _remember((str(folder), catalog.content_hash, edition), pdf)
    return pdf


def workbook_pdf(catalog: Catalog, edition: str) -> Made:
    """The edition's PDF, made here and now if it is missing (rendered=True). Requests go through
    app/workbook/background.py instead, which builds once per host and shows progress meanwhile."""
    pdf = cached_pdf(catalog, edition)
    if pdf is not None:
        return Made(pdf, rendered=False)
    return Made(make_edition(catalog, edition), rendered=True)
