"""Guests over HTTP (docs/LIVE.md, "Guests"): joining with the code and a nickname, the presenter's
switch and removal, and the one check that confines a guest to their session.

`register(bp)` adds these pages to the live blueprint (app/live/views.py calls it once, as admin's
views module does for its route modules).
"""
from __future__ import annotations

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user

from app.auth.access import instructor_required
from app.db import utcnow
from app.errors import InputRejected, NotFound
from app.extensions import limiter, login_manager
from app.live import guests, sessions
from app.live.broker import current_broker
from app.web import wants_json

# as for members (views.JOIN_*): wrong codes only, per browser's address; a whole room may share one
GUEST_JOIN_LIMIT = "10 per minute;60 per hour"
GUEST_JOIN_ADDRESS_LIMIT = "60 per minute"
# what a guest may reach, and only for their own session (view argument session_id)
GUEST_ENDPOINTS = frozenset({"live.participant", "live.state", "live.events", "live.lesson_fragment",
                             "live.poll_fragment", "live.answer", "live.heartbeat", "live.slide_fragment",
                             "live.qna_fragment", "live.qna_state", "live.qna_post", "live.qna_vote",
                             "live.qna_unvote"})
# reached whoever asks; a guest needs no session there
OPEN_ENDPOINTS = frozenset({"static", "auth.logout", "live.guest_gone"})
GUEST_MARK = "live_guest"    # in the cookie session: this browser joined as a guest of that session


def _wrong_code(response) -> bool:
    return bool(g.get("live_wrong_code"))


def _address() -> str:
    return request.remote_addr or "?"


def guest_confined(endpoint: str | None, view_args: dict | None, guest_session_id: int) -> bool:
    """Whether a guest of `guest_session_id` may reach this endpoint at all (pure; the session must
    also still run, checked by the caller)."""
    if endpoint in OPEN_ENDPOINTS:
        return True
    return endpoint in GUEST_ENDPOINTS and (view_args or {}).get("session_id") == guest_session_id


def confine_guests():
    """Before every request: a guest is signed in only on their session's participant endpoints while
    it runs; everywhere else they are not signed in (a page needing an account sends them to sign
    in, and signing in replaces the guest). A browser whose guest is gone (removed, session over)
    is told so on the participant endpoints of that session."""
    user = current_user._get_current_object()
    guest_of = getattr(user, "guest_session_id", None)
    if guest_of is not None:
        if guest_confined(request.endpoint, request.view_args, guest_of) and \
                (request.endpoint in OPEN_ENDPOINTS or guests.may_stay(guest_of)):
            return None
        g._login_user = login_manager.anonymous_user()      # Flask-Login's current_user for this request
        if request.endpoint not in GUEST_ENDPOINTS:
            return None
    elif not user.is_authenticated and request.endpoint == "live.join" and request.method == "GET" \
            and guests.open_session_for_guests(request.args.get("code", "")) is not None:
        return redirect(url_for("live.guest_join", code=request.args["code"]), 303)    # the QR link, no account
    elif user.is_authenticated or session.get(GUEST_MARK) is None or request.endpoint not in GUEST_ENDPOINTS:
        return None
    if (request.view_args or {}).get("session_id") != session.get(GUEST_MARK):
        return None
    if wants_json() or request.endpoint != "live.participant":
        response = jsonify(error="Guest access ended", message="You are no longer a guest of this session.")
        response.status_code = 401
        return response
    return redirect(url_for("live.guest_gone"), 303)


def guest_join():
    """Join as a guest: the code (from the QR link or typed) and a nickname. Someone signed in joins
    with their account instead (the guest would replace their sign-in)."""
    code = request.values.get("code", "")
    if current_user.is_authenticated:
        return redirect(url_for("live.join", code=code) if code else url_for("live.join"), 303)
    if request.is_json:
        body = request.get_json(silent=True)
        body = body if isinstance(body, dict) else {}
        code, nickname = str(body.get("code", "")), str(body.get("nickname", ""))
    else:
        nickname = request.form.get("nickname", "")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            guest = guests.join_as_guest(current_broker(), code, nickname, now=utcnow())
        except InputRejected as exc:
            # a refused nickname is not a wrong code: only sessions.CodeRejected counts for the limits
            g.live_wrong_code = isinstance(exc, sessions.CodeRejected)
            errors[exc.field or "nickname"] = str(exc)
            if wants_json():
                return jsonify(error="Not joined", message=str(exc), field=exc.field), 422
            return render_template("live/guest_join.html", code=code, nickname=nickname, errors=errors), 422
        login_user(guest)
        session[GUEST_MARK] = guest.guest_session_id
        target = url_for("live.participant", session_id=guest.guest_session_id)
        if wants_json():
            return jsonify(session=guest.guest_session_id, url=target, nickname=guest.display_name)
        return redirect(target, 303)
    return render_template("live/guest_join.html", code=code, nickname=nickname, errors=errors)


def guest_gone():
    """Where a guest's page lands once their access has ended."""
    session.pop(GUEST_MARK, None)
    return render_template("live/guest_gone.html")


def guests_switch(session_id: int):
    sessions.staff_session(current_user.id, session_id)
    body = request.get_json(silent=True) if request.is_json else None
    allowed = request.form.get("allowed") == "1" or (isinstance(body, dict) and body.get("allowed") is True)
    guests.set_guests_allowed(current_broker(), current_user.id, session_id, allowed, now=utcnow())
    if wants_json():
        return jsonify(ok=True, guests_allowed=allowed)
    flash("Guests may now join with the code and a nickname." if allowed else "New guests can no longer join.",
          "success")
    return redirect(url_for("live.present", session_id=session_id) + "#guests", 303)


def guest_remove(session_id: int, guest_id: int):
    try:
        nickname = guests.remove_guest(current_broker(), current_user.id, session_id, guest_id, now=utcnow())
    except NotFound:
        if wants_json():
            return jsonify(error="Not found", message="There is no such guest in this session."), 404
        raise
    if wants_json():
        return jsonify(ok=True)
    flash(f"The guest “{nickname}” was removed, with their answers.", "success")
    return redirect(url_for("live.present", session_id=session_id) + "#guests", 303)


def _guest_list(session_id: int):
    return guests.guests_of(session_id)


def register(bp: Blueprint) -> None:
    bp.before_app_request(confine_guests)
    limited = limiter.limit(GUEST_JOIN_LIMIT, methods=["POST"], key_func=_address, deduct_when=_wrong_code)(
        limiter.limit(GUEST_JOIN_ADDRESS_LIMIT, methods=["POST"], deduct_when=_wrong_code)(guest_join))
    bp.add_url_rule("/join/guest", "guest_join", limited, methods=["GET", "POST"])
    bp.add_url_rule("/live/guest-ended", "guest_gone", guest_gone)
    bp.add_url_rule("/live/<int:session_id>/guests", "guests_switch", instructor_required(guests_switch),
                    methods=["POST"])
    bp.add_url_rule("/live/<int:session_id>/guests/<int:guest_id>/remove", "guest_remove",
                    instructor_required(guest_remove), methods=["POST"])
    bp.add_app_template_global(_guest_list, "live_guests")
