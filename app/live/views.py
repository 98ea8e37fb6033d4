"""Live sessions over HTTP: joining, the participant page and API, the presenter and projector.

Thin: actions live in sessions.py and polls.py, what screens show in screens.py, streams in streams.py (held by the event loop, app/serving.py);
presenter actions share one decorator (presenter_action). The participant API (join, state, events,
answer, heartbeat) is documented in docs/LIVE.md.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from app.auth.access import instructor_required
from app.content.catalog import catalog
from app.csvout import csv_response
from app.db import utcnow
from app.errors import InputRejected, NotFound
from app.extensions import limiter
from app.live import (
    attendance,
    exports,
    guest_views,
    kinds,
    polls,
    qna_views,
    rules,
    screens,
    sessions,
    slide_views,
    streams,
)
from app.live.broker import current_broker
from app.live.forms import AttendanceCorrectionForm
from app.live.fragments import answer_path
from app.live.models import LiveSession
from app.quizzes.snapshot import public_question
from app.web import public_url, record_id, refusals, wants_json

bp = Blueprint("live", __name__, template_folder="templates")
qna_views.register(bp)   # Q&A pages live in their own module (as admin's route modules do)
slide_views.register(bp)     # presenting a lesson as slides (app/live/slide_views.py)
guest_views.register(bp)     # guests: joining with a nickname, the presenter's switch and list (guest_views.py)

JOIN_USER_LIMIT = "10 per minute;60 per hour"     # wrong codes only
JOIN_ADDRESS_LIMIT = "60 per minute"               # a whole room may share one address


def _wrong_code(response: Response) -> bool:
    return response.status_code == 422


def _user_key() -> str:
    return f"user:{current_user.get_id()}" if current_user.is_authenticated else request.remote_addr or "?"


def _json_body() -> dict:
    """The JSON object sent, or {} for anything else (a list, a string, a number, invalid JSON)."""
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _same_origin() -> None:
    """Event streams are read by our own pages only: a cross-site EventSource is refused."""
    origin = request.headers.get("Origin")
    if origin and urlsplit(origin).netloc != request.host:
        abort(403)


# --- joining -------------------------------------------------------------------------------

@bp.route("/join", methods=["GET", "POST"])
@login_required
@limiter.limit(JOIN_USER_LIMIT, methods=["POST"], key_func=_user_key, deduct_when=_wrong_code)
@limiter.limit(JOIN_ADDRESS_LIMIT, methods=["POST"], deduct_when=_wrong_code)
def join():
    code = request.values.get("code", "")
    if request.is_json:
        code = str(_json_body().get("code", ""))
    error = None
    if request.method == "POST":
        try:
            session = sessions.join(current_broker(), current_user.id, code, now=utcnow())
        except sessions.CodeRejected as exc:
            error = str(exc)
            if request.is_json:
                return jsonify(error="Code rejected", message=error), 422
        else:
            target = url_for("live.participant", session_id=session.id)
            if request.is_json:
                return jsonify(session=session.id, url=target,
                               state=url_for("live.state", session_id=session.id),
                               events=url_for("live.events", session_id=session.id))
            return redirect(target, 303)
    return render_template("live/join.html", code=code, error=error), 422 if error else 200


# --- participants --------------------------------------------------------------------------

@bp.get("/live/<int:session_id>")
@login_required
def participant(session_id: int):
    session = sessions.get_session(session_id)
    if _is_staff(session) and not sessions.is_participant(current_user.id, session_id):
        return redirect(url_for("live.present", session_id=session_id))
    _settle(session_id)
    session = sessions.participant_session(current_user.id, session_id)
    cat = catalog()
    state = screens.participant_state(current_user.id, session, cat)
    resume_until = rules.resumable_until(session.ended_at) if rules.can_resume(session.ended_at, utcnow()) else None
    return render_template("live/participant.html", session=session, state=state, catalog=cat, resume_until=resume_until,
                           lesson=cat.lesson(session.lesson_key) if session.lesson_key else None,
                           poll=screens.current_poll(session.id), **_panel_context(session, state))


@bp.get("/live/<int:session_id>/state")
@login_required
def state(session_id: int):
    now = _settle(session_id)
    session = sessions.participant_session(current_user.id, session_id)
    return jsonify({**screens.participant_state(current_user.id, session, catalog()), "now": now.isoformat(timespec="milliseconds")})


STREAM_OPEN_LIMIT = "60 per minute"   # per person: a reconnecting page needs far fewer; a flood gets 429


@bp.get("/live/<int:session_id>/events")
@login_required
@limiter.limit(STREAM_OPEN_LIMIT, key_func=_user_key)
def events(session_id: int):
    """The participant's event stream: checked here, then held by the stream engine (streams.py)."""
    _same_origin()
    sessions.participant_session(current_user.id, session_id)
    return streams.admit(session_id, current_user.id, current_user.session_epoch, staff=False)


@bp.get("/live/<int:session_id>/lesson")
@login_required
def lesson_fragment(session_id: int):
    session = sessions.participant_session(current_user.id, session_id)
    lesson = catalog().lesson(session.lesson_key) if session.lesson_key else None
    return render_template("live/_lesson.html", session_id=session.id, lesson=lesson)


@bp.get("/live/<int:session_id>/poll")
@login_required
def poll_fragment(session_id: int):
    _settle(session_id)
    session = sessions.participant_session(current_user.id, session_id)
    state = screens.participant_state(current_user.id, session, catalog())
    return render_template("live/_poll.html", session=session, poll=screens.current_poll(session.id),
                           **_panel_context(session, state))


@bp.post("/live/<int:session_id>/polls/<int:poll_id>/answer")
@login_required
def answer(session_id: int, poll_id: int):
    # polls.answer checks the person takes part (joined, still a member) inside its transaction
    if request.is_json:
        raw = _json_body().get("answer")
    else:
        poll = screens.current_poll(session_id)
        raw = polls.answer_from_form(poll, request.form) if poll is not None and poll.id == poll_id else None
    try:
        mine = polls.answer(current_broker(), current_user.id, session_id, poll_id, raw, now=utcnow())
    except InputRejected as exc:
        _settle(session_id)         # a late answer may be the first to notice that time is up
        if wants_json():
            return jsonify(error="Answer not counted", message=str(exc)), 422
        flash(str(exc), "error")
    else:
        if wants_json():
            return jsonify(poll=poll_id, answer=mine.answer, changes=mine.changes)
        flash("Your answer is in. You can change it until the poll closes.", "success")
    return redirect(url_for("live.participant", session_id=session_id) + "#poll", 303)


@bp.post("/live/<int:session_id>/heartbeat")
@login_required
def heartbeat(session_id: int):
    live = sessions.heartbeat(current_user.id, session_id, now=utcnow())
    return jsonify(live=live)


def _settle(session_id: int):
    """Before a screen reads the session: close a poll whose countdown ran out (polls.close_expired;
    the stream engine also does it at time-up). Returns the `now` it used."""
    now = utcnow()
    polls.close_expired(current_broker(), session_id, now=now)
    return now


def _panel_context(session: LiveSession, state: dict) -> dict:
    poll_state = state.get("poll")
    return {"poll_state": poll_state, "question": poll_state.get("question") if poll_state else None,
            "me": state.get("me"), "csrf": generate_csrf(), "now": utcnow(),
            "answer_url": answer_path(session.id, poll_state["id"]) if poll_state else ""}


# --- staff ---------------------------------------------------------------------------------

def _is_staff(session: LiveSession) -> bool:
    try:
        sessions.staff_session(current_user.id, session.id)
    except NotFound:
        return False
    return True


def _staff(session_id: int):
    """The session and cohort, if the signed-in instructor runs it (instructor_required ran first)."""
    return sessions.staff_session(current_user.id, session_id)


def _done(session_id: int, message: str | None = None, anchor: str = ""):
    """After a presenter action: back to the presenter view (or JSON for scripts)."""
    if wants_json():
        return jsonify(ok=True, version=sessions.get_session(session_id).version)
    if message:
        flash(message, "success")
    return redirect(url_for("live.present", session_id=session_id) + anchor, 303)


def _rejected(session_id: int, exc: InputRejected, anchor: str = ""):
    if wants_json():
        return jsonify(error="Not done", message=str(exc), field=exc.field), 422
    flash(str(exc), "error")
    return redirect(url_for("live.present", session_id=session_id) + anchor, 303)


@bp.post("/live/start")
@instructor_required
def start():
    try:
        day = int(request.form.get("day", "0"))
        cohort_id = record_id(request.form.get("cohort_id", "0"))
    except ValueError:
        abort(400)
    with refusals(InputRejected) as refused:
        session = sessions.start_session(current_user.id, cohort_id, day, catalog(), now=utcnow())
    if refused:
        return redirect(url_for("teach.cohort", cohort_id=cohort_id) + "#live", 303)
    return redirect(url_for("live.present", session_id=session.id), 303)


@bp.get("/live/<int:session_id>/present")
@instructor_required
def present(session_id: int):
    _staff(session_id)
    _settle(session_id)
    session, cohort = _staff(session_id)
    cat = catalog()
    day = next(d for d in cat.course.days if d.number == session.day)
    preview_slug = request.args.get("lesson") or session.lesson_key or (cat.day_lessons(session.day)[0].slug)
    preview = cat.lesson(preview_slug) or cat.day_lessons(session.day)[0]
    poll = screens.current_poll(session.id)
    now = utcnow()
    return render_template(
        "live/present.html", session=session, cohort=cohort, catalog=cat, day=day, preview=preview,
        resume_until=rules.resumable_until(session.ended_at) if rules.can_resume(session.ended_at, now) else None,
        resume_problem=sessions.resume_problem(session, now=now) if session.ended_at else None,
        screen=screens.projector_screen(session, poll is not None, cat),
        shown=cat.lesson(session.lesson_key) if session.lesson_key else None, poll=poll,
        tally=screens.tally_of(poll, with_key=True) if poll else None,
        presence=screens.presence(session.id, now=utcnow()), people=screens.participants(session.id),
        standings=screens.standings(session.id), polls=screens.polls_of(session.id), qr=_qr(session),
        join_url=_join_url(session), bank=_bank(cat, preview.slug), now=now,
        countdowns=rules.COUNTDOWN_CHOICES, board=kinds.board(poll, staff=True), adhoc_kinds=kinds.ADHOC_KINDS,
        slides=slide_views.presenter_context(session, cat, preview))


@bp.get("/live/<int:session_id>/present/panel")
@instructor_required
def present_panel(session_id: int):
    _staff(session_id)
    _settle(session_id)
    session, _cohort = _staff(session_id)
    poll = screens.current_poll(session.id)
    return render_template("live/_present_panel.html", session=session, poll=poll,
                           screen=screens.projector_screen(session, poll is not None, catalog()),
                           tally=screens.tally_of(poll, with_key=True) if poll else None,
                           presence=screens.presence(session.id, now=utcnow()),
                           standings=screens.standings(session.id), now=utcnow(), board=kinds.board(poll, staff=True))


@bp.get("/live/<int:session_id>/projector")
@instructor_required
def projector(session_id: int):
    _staff(session_id)
    _settle(session_id)
    session, cohort = _staff(session_id)
    return render_template("live/projector.html", session=session, cohort=cohort, qr=_qr(session),
                           join_url=_join_url(session), **_projector_context(session))


@bp.get("/live/<int:session_id>/projector/panel")
@instructor_required
def projector_panel(session_id: int):
    _staff(session_id)
    _settle(session_id)
    session, _cohort = _staff(session_id)
    return render_template("live/_projector_panel.html", session=session, qr=_qr(session),
                           join_url=_join_url(session), **_projector_context(session))


def _projector_context(session: LiveSession) -> dict:
    poll = screens.current_poll(session.id)
    revealed = poll is not None and poll.revealed_at is not None
    now_on = screens.now_on(session, catalog())
    screen = screens.projector_screen(session, poll is not None, catalog())
    return {"poll": poll, "question": public_question(poll.question) if poll else None, "screen": screen,
            "now_on": now_on, "now": utcnow(),
            "tally": screens.tally_of(poll, with_key=revealed) if poll else None,
            "presence": screens.presence(session.id, now=utcnow()),
            "standings": screens.standings(session.id)[:10] if session.leaderboard_visible else [],
            "board": kinds.board(poll, staff=False),
            "slide_screen": slide_views.projector_slide(session, catalog())}


@bp.get("/live/<int:session_id>/staff/state")
@instructor_required
def staff_state(session_id: int):
    _staff(session_id)
    _settle(session_id)
    session, _cohort = _staff(session_id)
    return jsonify(screens.staff_payload(session, "state", catalog(), now=utcnow()))


@bp.get("/live/<int:session_id>/staff/events")
@instructor_required
@limiter.limit(STREAM_OPEN_LIMIT, key_func=_user_key)
def staff_events(session_id: int):
    _same_origin()
    _staff(session_id)
    return streams.admit(session_id, current_user.id, current_user.session_epoch, staff=True)


def presenter_action(anchor: str = ""):
    """A presenter's POST: the staff check, the action, then back to the presenter view (or JSON
    for scripts). The action returns the message to flash (or None), or a response of its own;
    an action refused (InputRejected) says why, the same way for every action."""

    def decorator(action):
        @wraps(action)
        @instructor_required
        def view(session_id: int, **kwargs: int):
            _staff(session_id)
            try:
                outcome = action(session_id, **kwargs)
            except InputRejected as exc:
                return _rejected(session_id, exc, anchor)
            if isinstance(outcome, Response):
                return outcome
            return _done(session_id, outcome, anchor)

        return view

    return decorator


@bp.post("/live/<int:session_id>/show")
@presenter_action()
def show(session_id: int):
    session = sessions.show_lesson(current_broker(), current_user.id, session_id, request.form.get("lesson", ""),
                                   catalog())
    lesson = catalog().lesson(session.lesson_key or "")
    return f"Everyone is now on “{lesson.title if lesson else session.lesson_key}”."


@bp.post("/live/<int:session_id>/item")
@presenter_action("#agenda")
def item(session_id: int):
    try:
        index = int(request.form.get("index", "-1"))
    except ValueError:
        raise InputRejected("Choose an item of the day's agenda.", "item") from None
    sessions.start_item(current_broker(), current_user.id, session_id, index, catalog(), now=utcnow())


@bp.post("/live/<int:session_id>/polls")
@presenter_action("#poll")
def launch(session_id: int):
    form = request.form
    try:
        countdown = polls.countdown_from_form(form.get("countdown"), current_app.config["LIVE_COUNTDOWN_MIN_SECONDS"])
        if form.get("source") == "adhoc" and form.get("kind", "choice") != "choice":
            question, scored = kinds.adhoc_question(form.get("kind", ""), form.get("prompt", ""),
                                                    scale=form.get("scale", ""), low=form.get("low", ""),
                                                    high=form.get("high", ""), lang=form.get("lang", "")), False
            quiz_key = None
        elif form.get("source") == "adhoc":
            question, scored = polls.adhoc_question(form.get("prompt", ""), form.get("options", ""),
                                                       polls.option_numbers(form.get("correct", "")),
                                                       form.get("multiple") == "1")
            quiz_key = None
        else:
            quiz_key, question = polls.bank_question(catalog(), form.get("question", ""))
            scored = question.has_key          # a question with no right answer is an opinion poll
        polls.launch_poll(current_broker(), current_user.id, session_id, question, quiz_key=quiz_key, scored=scored,
                          now=utcnow(), countdown=countdown, show_names=form.get("show_names") == "1")
    except InputRejected as exc:
        if wants_json() or form.get("source") != "adhoc":
            raise
        # an ad hoc question comes back with what was typed, to correct it
        flash(str(exc), "error")
        return redirect(url_for("live.present", session_id=session_id, prompt=form.get("prompt", "")[:500],
                                options=form.get("options", "")[:2000], kind=form.get("kind", "")[:20]) + "#adhoc", 303)
    return None


@bp.post("/live/<int:session_id>/polls/<int:poll_id>/close")
@presenter_action("#poll")
def close(session_id: int, poll_id: int):
    polls.close_poll(current_broker(), current_user.id, session_id, poll_id, now=utcnow())


@bp.post("/live/<int:session_id>/polls/<int:poll_id>/reveal")
@presenter_action("#poll")
def reveal(session_id: int, poll_id: int):
    polls.reveal_poll(current_broker(), current_user.id, session_id, poll_id, now=utcnow())


@bp.post("/live/<int:session_id>/polls/<int:poll_id>/terms")
@presenter_action("#poll")
def poll_term(session_id: int, poll_id: int):
    """Hide a word-cloud term from the room (hidden=1) or show it again (hidden=0)."""
    kinds.set_term_hidden(current_broker(), current_user.id, session_id, poll_id, request.form.get("term", ""),
                          request.form.get("hidden") == "1")


@bp.post("/live/<int:session_id>/polls/<int:poll_id>/answers/<int:answer_id>")
@presenter_action("#poll")
def moderate(session_id: int, poll_id: int, answer_id: int):
    """An open answer: action=approve (on the projector), unapprove, reject or restore."""
    kinds.moderate_answer(current_broker(), current_user.id, session_id, poll_id, answer_id,
                          request.form.get("action", ""), now=utcnow())


@bp.post("/live/<int:session_id>/leaderboard")
@presenter_action("#leaderboard")
def leaderboard(session_id: int):
    sessions.set_leaderboard(current_broker(), current_user.id, session_id, request.form.get("visible") == "1")


@bp.post("/live/<int:session_id>/projector/show")
@presenter_action("#projector")
def projector_show(session_id: int):
    sessions.set_projector(current_broker(), current_user.id, session_id, request.form.get("screen", ""))


@bp.route("/live/<int:session_id>/end", methods=["GET", "POST"])
@instructor_required
def end(session_id: int):
    """Ending asks first (a page of its own, so it works without JavaScript); the POST that ends
    carries confirm=yes (JSON: {"confirm": true})."""
    session, cohort = _staff(session_id)
    confirmed = request.method == "POST" and (request.form.get("confirm") == "yes" or _json_body().get("confirm") is True)
    if confirmed:
        sessions.end_session(current_broker(), current_user.id, session_id, now=utcnow())
        minutes = int(rules.RESUME_WINDOW.total_seconds() // 60)
        return _done(session_id, f"The session has ended. Ended by mistake? Resume it within {minutes} minutes "
                                 "with the same code. Attendance and poll results are kept below.")
    if request.method == "POST" and wants_json():
        return jsonify(error="Not done", message="Confirm with confirm=yes to end the session.", field="confirm"), 422
    if not session.is_open:
        return redirect(url_for("live.present", session_id=session_id), 303)
    return render_template("live/end.html", session=session, cohort=cohort,
                           presence=screens.presence(session.id, now=utcnow()),
                           window=int(rules.RESUME_WINDOW.total_seconds() // 60))


@bp.post("/live/<int:session_id>/resume")
@instructor_required
def resume(session_id: int):
    _staff(session_id)
    try:
        sessions.resume_session(current_broker(), current_user.id, session_id, now=utcnow())
    except InputRejected as exc:
        return _rejected(session_id, exc)
    return _done(session_id, "The session is running again with the same code. Participants' pages pick it up "
                             "by themselves.")


@bp.route("/live/<int:session_id>/attendance", methods=["GET", "POST"])
@instructor_required
def attendance_register(session_id: int):
    """The register; its POST marks the ticked people present with one reason ("mark selected present")."""
    session, cohort = _staff(session_id)
    now = utcnow()
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            people = [record_id(v) for v in request.form.getlist("people")]
            minutes = int(request.form.get("minutes", ""))
        except ValueError:
            people, minutes = [], None
            errors["minutes"] = "Give a whole number of minutes."
        if not errors:
            try:
                done = attendance.credit_many(current_user.id, session.id, people, minutes,
                                              request.form.get("note", ""), now=now)
            except InputRejected as exc:
                errors[exc.field or "minutes"] = str(exc)
            else:
                flash(f"Marked present for {minutes} min: {', '.join(line.user.display_name for line in done)}.",
                      "success")
                return redirect(url_for("live.attendance_register", session_id=session.id), 303)
    return render_template("live/attendance.html", session=session, cohort=cohort, lines=attendance.register(session),
                           required=catalog().course.completion.live_attendance_minutes, errors=errors,
                           length=rules.session_minutes(session.started_at, session.ended_at, now),
                           limit_hint=attendance.limit_text(session, now=now)), 422 if errors else 200


@bp.route("/live/<int:session_id>/attendance/<int:user_id>", methods=["GET", "POST"])
@instructor_required
def attendance_correct(session_id: int, user_id: int):
    """Correct one person's minutes by hand (with a reason), or undo the correction."""
    session, cohort = _staff(session_id)
    line = attendance.line_for(session, user_id)
    form = AttendanceCorrectionForm()
    if request.method == "GET":
        form.minutes.data = line.credit.minutes if line.credit else line.measured_minutes
        form.note.data = line.credit.note if line.credit else ""
    elif request.form.get("action") == "undo":     # CSRF was checked for every POST (CSRFProtect)
        attendance.clear_credit(current_user.id, session.id, user_id, now=utcnow())
        flash(f"{line.user.display_name}: the measured {line.measured_minutes} min count again.", "success")
        return redirect(url_for("live.attendance_register", session_id=session.id), 303)
    elif form.validate_on_submit():
        with refusals(InputRejected, form=form, field="minutes") as refused:
            attendance.credit(current_user.id, session.id, user_id, form.minutes.data, form.note.data or "", now=utcnow())
        if not refused:
            flash(f"{line.user.display_name}: {form.minutes.data} min now count for this session.", "success")
            return redirect(url_for("live.attendance_register", session_id=session.id), 303)
    return render_template("live/attendance_correct.html", session=session, cohort=cohort, line=line, form=form,
                           required=catalog().course.completion.live_attendance_minutes,
                           limit_hint=attendance.limit_text(session, now=utcnow())), 422 if form.errors else 200


@bp.get("/live/<int:session_id>/attendance.csv")
@instructor_required
def attendance_csv(session_id: int):
    session, cohort = _staff(session_id)
    header, rows = exports.attendance_rows(session)
    return csv_response(exports.filename(cohort, session, "attendance"), header, rows)


@bp.get("/live/<int:session_id>/polls.csv")
@instructor_required
def polls_csv(session_id: int):
    session, cohort = _staff(session_id)
    header, rows = exports.poll_rows(session)
    return csv_response(exports.filename(cohort, session, "polls"), header, rows)


# --- helpers -------------------------------------------------------------------------------

def _join_url(session: LiveSession) -> str:
    return public_url(url_for("live.join", code=session.code))


def _qr(session: LiveSession) -> Markup:
    """The join link as an inline SVG QR code (no external service, no file)."""
    qr = segno.make(_join_url(session), error="m")
    svg = qr.svg_inline(scale=8, border=2, dark="#0b1f3a", light="#ffffff", omitsize=True)
    return Markup(svg.replace("<svg ", '<svg role="img" aria-label="QR code for the join link" ', 1))  # noqa: S704 - an SVG segno made from our own join URL


def _bank(cat, preview_slug: str):
    """Quiz-bank questions grouped by quiz, the previewed lesson's quiz first."""
    first = cat.lesson_quiz(preview_slug)
    quizzes = ([first] if first else []) + [q for q in cat.quizzes if q is not first]
    return quizzes
