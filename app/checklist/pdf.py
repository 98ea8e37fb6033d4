"""The facilitator checklist as an A4 PDF (blank for class, or with a person's answers and notes)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from flask import current_app, render_template

from app.checklist.state import ANSWERS, LABELS, EntryState, overall, progress
from app.content.checklist import Checklist
from app.content.course import Course
from app.pdf import lazy_render
from app.pdf.cache import Made, PdfCache, content_key

CSS = (Path(__file__).with_name("checklist.css")).read_text(encoding="utf-8")
# The blank checklist and personal ones, by a hash of their HTML (which prints the day, not the
# time, so a checklist unchanged since it was last made is served from here all day).
MARKS = {"yes": "✓", "partly": "½", "no": "×"}   # in the chosen box, beside the word in bold
_cache = PdfCache(max_bytes=32 * 1024 * 1024)


def checklist_pdf(checklist: Checklist, course: Course, *, name: str, entries: Mapping[str, EntryState],
                  blank: bool, person: str | None, generated: datetime) -> Made:
    groups = progress(checklist, entries)
    html = render_template("checklist/checklist_pdf.html", checklist=checklist, course=course, name=name,
                           entries=entries, blank=blank, person=person, generated=generated, progress=groups,
                           total=overall(groups), answers=ANSWERS, labels=LABELS, marks=MARKS)
    max_waiting = current_app.config["PDF_RENDER_QUEUE"]
    return _cache.get_or_make(content_key(html, CSS), lambda: lazy_render.render_pdf(
        html, CSS, max_pages=40, time_limit=30, max_waiting=max_waiting))
