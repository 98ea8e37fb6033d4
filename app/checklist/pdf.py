"""The facilitator checklist as an A4 PDF (blank for class, or with a person's ticks and notes)."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from flask import render_template

from app.checklist.state import EntryState, progress
from app.content.checklist import Checklist
from app.content.course import Course
from app.pdf import lazy_render

CSS = (Path(__file__).with_name("checklist.css")).read_text(encoding="utf-8")


def checklist_pdf(checklist: Checklist, course: Course, *, name: str, entries: Mapping[str, EntryState],
                  blank: bool, person: str | None, generated: datetime) -> bytes:
    html = render_template("checklist/checklist_pdf.html", checklist=checklist, course=course, name=name,
                           entries=entries, blank=blank, person=person, generated=generated,
                           progress=progress(checklist, entries))
    return lazy_render.render_pdf(html, CSS, max_pages=40, time_limit=30)
