"""Q&A in a live session over HTTP (services in qna.py). Added to the live blueprint by
live/views.py calling register(bp), as admin's route modules are. Participant actions answer JSON
to scripts (`Accept: application/json`, CSRF in the X-CSRFToken header) and redirect forms back to
the page; staff actions are the presenter view's forms. docs/LIVE.md, "Questions from the room"."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf

from app.auth.access import instructor_required
from app.csvout import csv_response
from app.db import utcnow
from app.errors import DomainError
from app.live import exports, qna, sessions
from app.live.broker import current_broker
from app.live.models import LiveSession
from app.web import wants_json


def _room(session: LiveSession, user_id: int) -> dict[str, Any]:
    """For participant.html's include: the room's list with this person's own parts."""
    return {"board": qna.board(session, "room"), "me": qna.mine(user_id, session.id)}


def _staff_board(session: LiveSession) -> qna.Board:
    return qna.board(session, "staff")


def _text() -> str:
    body = request.get_json(silent=True) if request.is_json else None
    raw = body.get("text") if isinstance(body, dict) else request.form.get("text")
    return raw if isinstance(raw, str) else ""


def _participant_action(action: Callable[..., Any]) -> Callable[..., Any]:
    """A participant's POST: JSON for the page's script (errors through the app's error handler,
    429 with Retry-After for the posting limit), a flash and a redirect for a form."""
    @wraps(action)
    @login_required
    def view(session_id: int, **kwargs: int):
        try:
            result, message = action(session_id, **kwargs)
        except DomainError as exc:
            if wants_json():
                raise
            flash(str(exc), "error")
        else:
            if wants_json():
                return jsonify(result)
            flash(message, "success")
        return redirect(url_for("live.participant", session_id=session_id) + "#qna", 303)
    return view


def _staff_action(action: Callable[..., Any]) -> Callable[..., Any]:
    """A presenter's Q&A POST: the cohort's staff only; back to the presenter view's Q&A panel."""
    @wraps(action)
    @instructor_required
    def view(session_id: int, **kwargs: int):
        sessions.staff_session(current_user.id, session_id)
        try:
            action(session_id, **kwargs)
        except DomainError as exc:
            if wants_json():
                raise
            flash(str(exc), "error")
        if wants_json():
            return jsonify(ok=True)
        return redirect(url_for("live.present", session_id=session_id) + "#qna", 303)
    return view


def register(bp: Blueprint) -> None:
    """Add the Q&A pages to the live blueprint, and the template globals its includes use."""
    bp.add_app_template_global(_room, "live_qna_room")
    bp.add_app_template_global(_staff_board, "live_qna_staff")
    bp.add_app_template_global(qna.on_screen, "live_qna_on_screen")

    @bp.get("/live/<int:session_id>/qna")
    @login_required
    def qna_fragment(session_id: int):
        session = sessions.participant_session(current_user.id, session_id)
        return render_template("live/_qna_list.html", session=session, board=qna.board(session, "room"),
                               me=qna.mine(current_user.id, session.id), shared=False, csrf=generate_csrf())

    @bp.get("/live/<int:session_id>/questions")
    @login_required
    def qna_state(session_id: int):
        session = sessions.participant_session(current_user.id, session_id)
        me = qna.mine(current_user.id, session.id)
        return jsonify({**qna.board(session, "room").as_dict(), "mine": sorted(me.asked), "voted": sorted(me.voted)})

    @bp.post("/live/<int:session_id>/qna")
    @_participant_action
    def qna_post(session_id: int):
        question = qna.post_question(current_broker(), current_user.id, session_id, _text(), now=utcnow())
        return {"question": question.id, "text": question.text}, "Your question is in."

    @bp.post("/live/<int:session_id>/qna/<int:question_id>/vote")
    @_participant_action
    def qna_vote(session_id: int, question_id: int):
        votes = qna.vote(current_broker(), current_user.id, session_id, question_id, now=utcnow())
        return {"question": question_id, "votes": votes, "voted": True}, "Your vote is in."

    @bp.post("/live/<int:session_id>/qna/<int:question_id>/unvote")
    @_participant_action
    def qna_unvote(session_id: int, question_id: int):
        votes = qna.unvote(current_broker(), current_user.id, session_id, question_id)
        return {"question": question_id, "votes": votes, "voted": False}, "Your vote is withdrawn."

    @bp.get("/live/<int:session_id>/qna/staff")
    @instructor_required
    def qna_staff(session_id: int):
        session, _cohort = sessions.staff_session(current_user.id, session_id)
        return render_template("live/_qna_board.html", session=session, board=qna.board(session, "staff"))

    @bp.post("/live/<int:session_id>/qna/<int:question_id>/screen")
    @_staff_action
    def qna_screen(session_id: int, question_id: int):
        qna.set_on_screen(current_broker(), current_user.id, session_id, question_id, request.form.get("on") == "1",
                          now=utcnow())

    @bp.post("/live/<int:session_id>/qna/<int:question_id>/answered")
    @_staff_action
    def qna_answered(session_id: int, question_id: int):
        qna.set_answered(current_broker(), current_user.id, session_id, question_id,
                         request.form.get("answered") == "1", now=utcnow())

    @bp.post("/live/<int:session_id>/qna/<int:question_id>/hide")
    @_staff_action
    def qna_hide(session_id: int, question_id: int):
        qna.hide_question(current_broker(), current_user.id, session_id, question_id, now=utcnow())

    @bp.post("/live/<int:session_id>/qna/anonymous")
    @_staff_action
    def qna_anonymous(session_id: int):
        qna.set_anonymous(current_broker(), current_user.id, session_id, request.form.get("anonymous") == "1")

    @bp.get("/live/<int:session_id>/questions.csv")
    @instructor_required
    def qna_csv(session_id: int):
        session, cohort = sessions.staff_session(current_user.id, session_id)
        header, rows = qna.export_rows(session)
        return csv_response(exports.filename(cohort, session, "questions"), header, rows)
