"""Slides as a 16:9 PDF, through app/pdf (the static-only fetcher, the render queue, page caps).

A lesson's deck or a day's. The default edition is the slides alone, one page each; the presenter
edition adds a page of facilitator notes after each slide that has notes. PDFs are kept in memory
by a hash of their HTML (app/pdf/cache.py): a day's deck is made once per content version.
"""
from __future__ import annotations

from pathlib import Path

from flask import current_app, has_app_context, render_template

from app.content.catalog import Catalog, Lesson
from app.pdf import lazy_render
from app.pdf.cache import Made, PdfCache, content_key
from app.slides.deck import Deck, build_deck, day_deck

CSS = (Path(__file__).with_name("slides-pdf.css")).read_text(encoding="utf-8")
MAX_PAGES = 600
TIME_LIMIT = 60
_cache = PdfCache(max_bytes=64 * 1024 * 1024)


def day_label(catalog: Catalog, day_number: int) -> str:
    day = next((d for d in catalog.course.days if d.number == day_number), None)
    return day.label if day is not None else f"Day {day_number}"


def lesson_deck(catalog: Catalog, lesson: Lesson) -> Deck:
    return build_deck(lesson, day_label=day_label(catalog, lesson.day_number))


def deck_of_day(catalog: Catalog, day_number: int) -> Deck | None:
    day = next((d for d in catalog.course.days if d.number == day_number), None)
    if day is None:
        return None
    return day_deck(catalog.day_lessons(day_number), day_label=day.label, day_title=day.title)


def deck_html(deck: Deck, *, with_notes: bool) -> str:
    return render_template("slides/deck_pdf.html", deck=deck, with_notes=with_notes)


def deck_pdf(deck: Deck, *, with_notes: bool = False) -> Made:
    """The deck's PDF, from the cache or made now (rendered=True)."""
    html = deck_html(deck, with_notes=with_notes)
    waiting = current_app.config.get("PDF_RENDER_QUEUE") if has_app_context() else None
    return _cache.get_or_make(content_key(html, CSS), lambda: lazy_render.render_pdf(
        html, CSS, max_pages=MAX_PAGES, time_limit=TIME_LIMIT, max_waiting=waiting))


def clear_cache() -> None:
    _cache.clear()
