"""Presenting the shown lesson as slides: start, move, stop, phones follow or not. One unit of work
per action, then one "state" event carrying the slide's HTML (without facilitator notes) to every
screen, as a lesson change carries the lesson (screens.publish_state(with_slide=True)).

The slide position lives in the session row (`slide_index`, `slides_on_phones`), so a screen that
reconnects catches up from the database. A poll launched between slides takes the projector
(polls.launch_poll); "Back to slides" puts the same slide back (sessions.set_projector("slide"))."""
from __future__ import annotations

from app.content.catalog import Catalog
from app.db import write_transaction
from app.errors import InputRejected
from app.extensions import db
from app.live import rules, screens
from app.live.broker import LocalBroker
from app.live.decks import lesson_deck, presented
from app.live.models import LiveSession
from app.live.sessions import staff_change


def start_slides(broker: LocalBroker, actor_id: int, session_id: int, slug: str, cat: Catalog) -> LiveSession:
    """"Present as slides": the lesson goes to the class (if it was not there) and the projector
    shows its first slide."""
    deck = lesson_deck(cat, slug)
    if deck is None or not deck.slides:
        raise InputRejected("Choose a lesson of the course.", "lesson")
    with write_transaction(db.session):
        session = staff_change(actor_id, session_id)
        new_lesson = session.lesson_key != slug
        if new_lesson:
            agenda = screens.day_of(cat, session.day).agenda
            if session.agenda_index is not None and 0 <= session.agenda_index < len(agenda) \
                    and agenda[session.agenda_index].kind in rules.PAUSE_KINDS:
                session.agenda_index = session.item_started_at = None
            session.lesson_key = slug
        session.slide_index = 0
        session.projector = "slide"
        session.version += 1
        screens.publish_state(broker, session.id, with_lesson=new_lesson, with_slide=True)
    return session


def move_slide(broker: LocalBroker, actor_id: int, session_id: int, cat: Catalog, *, step: int = 0,
               index: int | None = None) -> LiveSession:
    """Next (step=1), previous (step=-1) or a given slide (index, from 0), kept within the deck; the
    projector goes back to the slides (after a poll, say)."""
    with write_transaction(db.session):
        session = staff_change(actor_id, session_id)
        found = presented(session, cat)
        if found is None:
            raise InputRejected("Present the lesson as slides first.", "slide")
        deck, current = found
        target = max(0, min((current + step) if index is None else index, len(deck) - 1))
        if target != session.slide_index or session.projector != "slide":
            session.slide_index = target
            session.projector = "slide"
            session.version += 1
            screens.publish_state(broker, session.id, with_slide=True)
    return session


def set_slides_on_phones(broker: LocalBroker, actor_id: int, session_id: int, on: bool) -> LiveSession:
    with write_transaction(db.session):
        session = staff_change(actor_id, session_id)
        if session.slides_on_phones != on:
            session.slides_on_phones = on
            session.version += 1
            screens.publish_state(broker, session.id, with_slide=True)
    return session


def stop_slides(broker: LocalBroker, actor_id: int, session_id: int) -> LiveSession:
    """Back to the lesson: the projector shows the lesson, phones the lesson text."""
    with write_transaction(db.session):
        session = staff_change(actor_id, session_id)
        if session.slide_index is not None:
            session.slide_index = None
            if session.projector == "slide":
                session.projector = "lesson"
            session.version += 1
            screens.publish_state(broker, session.id)
    return session
