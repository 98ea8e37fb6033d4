"""The deck a live session presents: the shown lesson's slides (app/slides/deck.py), built once per
content version and lesson, and the slide the session is on."""
from __future__ import annotations

import threading

from app.content.catalog import Catalog
from app.live.models import LiveSession
from app.slides.deck import Deck, Slide, build_deck

_decks: dict[tuple[str, str], Deck] = {}
_lock = threading.Lock()


def lesson_deck(cat: Catalog, slug: str) -> Deck | None:
    key = (cat.content_hash, slug)
    with _lock:
        deck = _decks.get(key)
    if deck is not None:
        return deck
    lesson = cat.lesson(slug)
    if lesson is None:
        return None
    day = next((d for d in cat.course.days if d.number == lesson.day_number), None)
    deck = build_deck(lesson, day_label=day.label if day else "")
    with _lock:
        if len(_decks) > 64:
            _decks.clear()
        _decks[key] = deck
    return deck


def presented(session: LiveSession, cat: Catalog) -> tuple[Deck, int] | None:
    """(deck, index of the slide on screen) while the session presents slides, else None."""
    if session.slide_index is None or not session.lesson_key:
        return None
    deck = lesson_deck(cat, session.lesson_key)
    if deck is None or not deck.slides:
        return None
    return deck, min(session.slide_index, len(deck) - 1)


def shown_slide(session: LiveSession, cat: Catalog) -> Slide | None:
    """The slide on screen as the room may see it: no facilitator notes."""
    found = presented(session, cat)
    return found[0].slides[found[1]].public() if found else None
