"""The course workbook: every lesson as a printed handbook, for trainees or for instructors.

Built from the same rendered content as the web lessons. The trainee edition leaves out facilitator
notes and answer keys; the instructor edition adds both. PDFs are cached by content hash and edition
(in memory, and on disk under the instance folder so every worker on the host shares them).
"""
from __future__ import annotations

import re
import threading
from pathlib import Path

from flask import current_app, render_template

from app.content.catalog import Catalog
from app.pdf import lazy_render
from app.pdf.cache import Made

CSS = (Path(__file__).with_name("workbook.css")).read_text(encoding="utf-8")
EDITIONS = ("trainee", "instructor")
_LESSON_LINK = re.compile(r'href="/lessons/([a-z0-9-]+)(#[\w-]+)?"')
_cache: dict[tuple[str, str], bytes] = {}
_lock = threading.Lock()


def _local_links(html: str) -> str:
    """Links between lessons point inside the workbook."""
    return _LESSON_LINK.sub(lambda m: f'href="#lesson-{m.group(1)}"', html)


def workbook_html(catalog: Catalog, edition: str) -> str:
    instructor = edition == "instructor"
    lessons = [{"lesson": lesson, "segments": [(s.kind, _local_links(str(s.html)), s.title) for s in lesson.segments
                                               if s.kind != "facilitator" or instructor],
                "quiz": catalog.lesson_quiz(lesson.slug) if instructor else None} for lesson in catalog.lessons]
    days = [(day, [entry for entry in lessons if entry["lesson"].day_number == day.number]) for day in catalog.course.days]
    return render_template("workbook/workbook.html", course=catalog.course, days=days, edition=edition,
                           glossary=catalog.glossary, catalog=catalog,
                           assessments=[q for q in catalog.quizzes if q.day] if instructor else [])


def workbook_pdf(catalog: Catalog, edition: str) -> Made:
    """The edition's PDF, from a cache when it can (rendered=False)."""
    if edition not in EDITIONS:
        raise ValueError(edition)
    key = (catalog.content_hash, edition)
    with _lock:
        if key in _cache:
            return Made(_cache[key], rendered=False)
        folder = Path(current_app.instance_path) / "cache"
        path = folder / f"workbook-{edition}-{catalog.content_hash[:16]}.pdf"
        if path.exists():
            _cache[key] = path.read_bytes()
            return Made(_cache[key], rendered=False)
        pdf = lazy_render.render_pdf(workbook_html(catalog, edition), CSS, max_pages=600, time_limit=60,
                                     max_waiting=current_app.config["PDF_RENDER_QUEUE"])
        try:
            folder.mkdir(parents=True, exist_ok=True)
            temporary = path.with_suffix(".tmp")
            temporary.write_bytes(pdf)
            temporary.replace(path)
        except OSError:
            current_app.logger.warning("Could not cache the workbook at %s", path)
        _cache.clear()  # keep only the current content's editions in memory
        _cache[key] = pdf
        return Made(pdf, rendered=True)
