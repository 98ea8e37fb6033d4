"""Presenting a lesson as slides in a live session: the presenter's POSTs (forms without JavaScript,
fetch with the CSRF header for the keyboard), the presenter's slide panel and the participant's slide.

Registered on live's blueprint by register(bp) (views.py); the actions are app/live/slides.py."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.access import instructor_required
from app.content.catalog import Catalog, Lesson, catalog
from app.errors import InputRejected
from app.live import sessions, slides
from app.live.broker import current_broker
from app.live.decks import lesson_deck, presented
from app.live.fragments import slide_html
from app.live.models import LiveSession
from app.web import wants_json


def presenter_context(session: LiveSession, cat: Catalog, preview: Lesson) -> dict[str, Any]:
    """What the presenter's slide panel shows: the slide on screen with its notes, the next title."""
    found = presented(session, cat)
    preview_deck = lesson_deck(cat, preview.slug)
    context: dict[str, Any] = {"preview": preview, "preview_count": len(preview_deck) if preview_deck else 0,
                               "deck": None, "slide": None, "next": None, "index": 0, "total": 0}
    if found is not None:
        deck, index = found
        context.update(deck=deck, index=index, total=len(deck), slide=deck.slides[index],
                       next=deck.slides[index + 1] if index + 1 < len(deck) else None)
    return context


def projector_slide(session: LiveSession, cat: Catalog) -> dict[str, Any] | None:
    found = presented(session, cat)
    if found is None:
        return None
    deck, index = found
    return {"slide": deck.slides[index].public(), "total": len(deck)}


def _panel(session_id: int) -> str:
    session = sessions.get_session(session_id)
    cat = catalog()
    preview = cat.lesson(session.lesson_key or "") or cat.day_lessons(session.day)[0]
    return render_template("live/_present_slides_panel.html", session=session,
                           slides=presenter_context(session, cat, preview))


def _action(action: Callable[[int], Any]) -> Callable[..., Any]:
    """A presenter's POST: staff check, the action, then the presenter view (or JSON with the fresh
    slide panel, for the keyboard)."""

    @wraps(action)
    @instructor_required
    def view(session_id: int) -> Any:
        sessions.staff_session(current_user.id, session_id)
        try:
            action(session_id)
        except InputRejected as exc:
            if wants_json():
                return jsonify(error="Not done", message=str(exc), field=exc.field), 422
            flash(str(exc), "error")
        else:
            if wants_json():
                session = sessions.get_session(session_id)
                return jsonify(ok=True, version=session.version, index=session.slide_index, html=_panel(session_id))
        return redirect(url_for("live.present", session_id=session_id) + "#slides", 303)

    return view


def _start(session_id: int) -> None:
    slides.start_slides(current_broker(), current_user.id, session_id, request.form.get("lesson", ""), catalog())


def _next(session_id: int) -> None:
    slides.move_slide(current_broker(), current_user.id, session_id, catalog(), step=1)


def _previous(session_id: int) -> None:
    slides.move_slide(current_broker(), current_user.id, session_id, catalog(), step=-1)


def _back(session_id: int) -> None:
    """"Back to slides" after a poll: the same slide again."""
    slides.move_slide(current_broker(), current_user.id, session_id, catalog(), step=0)


def _phones(session_id: int) -> None:
    slides.set_slides_on_phones(current_broker(), current_user.id, session_id, request.form.get("on") == "1")


def _stop(session_id: int) -> None:
    slides.stop_slides(current_broker(), current_user.id, session_id)


@instructor_required
def presenter_panel(session_id: int) -> str:
    sessions.staff_session(current_user.id, session_id)
    return _panel(session_id)


@login_required
def participant_slide(session_id: int) -> Response | str:
    """The slide on screen for a phone that follows slides (after a reconnect, or on opening the page);
    204 when phones keep the lesson."""
    session = sessions.participant_session(current_user.id, session_id)
    if not session.slides_on_phones or session.ended_at is not None:
        return Response(status=204)
    return slide_html(session, catalog()) or Response(status=204)


def register(bp: Blueprint) -> None:
    for rule, name, action in (("start", "slides_start", _start), ("next", "slides_next", _next),
                               ("previous", "slides_previous", _previous), ("back", "slides_back", _back),
                               ("phones", "slides_phones", _phones), ("stop", "slides_stop", _stop)):
        bp.add_url_rule(f"/live/<int:session_id>/slides/{rule}", name, _action(action), methods=["POST"])
    bp.add_url_rule("/live/<int:session_id>/slides/panel", "slides_panel", presenter_panel, methods=["GET"])
    bp.add_url_rule("/live/<int:session_id>/slide", "slide_fragment", participant_slide, methods=["GET"])
