"""Slides as PDF for staff: a lesson's deck and a day's (`?notes=1`: the presenter edition)."""
from __future__ import annotations

from flask import Blueprint, abort, request

from app.auth.access import instructor_required
from app.content.catalog import catalog
from app.pdf.downloads import pdf_response, render_limited
from app.slides.pdf import deck_of_day, deck_pdf, lesson_deck

bp = Blueprint("slides", __name__, template_folder="templates")


def _with_notes() -> bool:
    return request.args.get("notes", "") in ("1", "yes", "true")


def _suffix() -> str:
    return "-presenter" if _with_notes() else ""


@bp.get("/lessons/<slug>/slides.pdf")
@instructor_required
@render_limited
def lesson_pdf(slug: str):
    current = catalog()
    lesson = current.lesson(slug) or abort(404)
    made = deck_pdf(lesson_deck(current, lesson), with_notes=_with_notes())
    return pdf_response(made, f"{slug}-slides{_suffix()}.pdf")


@bp.get("/days/<int:number>/slides.pdf")
@instructor_required
@render_limited
def day_pdf(number: int):
    deck = deck_of_day(catalog(), number) or abort(404)
    return pdf_response(deck_pdf(deck, with_notes=_with_notes()), f"day-{number}-slides{_suffix()}.pdf")
