"""HTML that travels inside live events (rendered once per change, not once per participant)."""
from __future__ import annotations

from typing import Any

from flask import get_template_attribute, render_template

from app.content.catalog import Catalog, Lesson
from app.db import utcnow
from app.live.decks import presented
from app.live.models import LivePoll, LiveSession
from app.quizzes.snapshot import public_question


def lesson_html(lesson: Lesson | None, session_id: int) -> str:
    """The shown lesson as the participant page displays it (the same template as GET /lesson).
    Needs an app context only: no per-person content, no request."""
    return render_template("live/_lesson.html", lesson=lesson, session_id=session_id)


def answer_path(session_id: int, poll_id: int) -> str:
    return f"/live/{session_id}/polls/{poll_id}/answer"


def shared_poll_html(session: LiveSession, poll: LivePoll, revealed: dict[str, Any] | None = None) -> str:
    """The poll panel as everyone sees it, without anything personal: a new poll's question, or
    the reveal (results and explanation) before the person's own verdict is fetched."""
    poll_state: dict[str, Any] = {"my_answer": None, **(revealed or {})}
    return render_template("live/_poll.html", session=session, poll=poll, question=public_question(poll.question),
                           poll_state=poll_state, me=None, answer_url=answer_path(session.id, poll.id), csrf="",
                           now=utcnow())


def personal_html(poll: LivePoll | None, answered: bool, points: int, me: dict[str, int] | None) -> dict[str, str]:
    """One person's own parts of the poll panel (verdict, rank), as the slots of _poll.html hold them."""
    verdict = get_template_attribute("live/_personal.html", "verdict")
    rank = get_template_attribute("live/_personal.html", "rank")
    return {"verdict": str(verdict(poll, answered, points)).strip(), "me": str(rank(me)).strip()}


def slide_html(session: LiveSession, cat: Catalog) -> str:
    """The slide on screen as projector and phones show it: Slide.public(), no facilitator notes."""
    found = presented(session, cat)
    if found is None:
        return ""
    deck, index = found
    return render_template("live/_slide_public.html", slide=deck.slides[index].public(), total=len(deck))
