from __future__ import annotations

from itertools import groupby

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.activities import services as activities
from app.auth import throttle
from app.auth.forms import JoinForm
from app.auth.models import Role
from app.cohorts import services as cohorts
from app.content.catalog import catalog
from app.db import utcnow
from app.errors import InputRejected
from app.extensions import limiter
from app.learn import services
from app.learn.search import search as search_lessons
from app.live import sessions
from app.quizzes.services import standings
from app.schedule import services as schedules
from app.web import refusals

bp = Blueprint("learn", __name__, template_folder="templates")


@bp.get("/")
@login_required
def home():
    cat = catalog()
    view = services.overview(cat, services.learner_state(current_user.id))
    return render_template("learn/home.html", overview=view, catalog=cat,
                           standings=standings(current_user.id, cat.quizzes),
                           live_now=sessions.open_sessions_for_member(current_user.id, now=utcnow()),
                           upcoming=schedules.upcoming_for(current_user.id, cat, now=utcnow()))


@bp.get("/days/<int:number>")
@login_required
def day(number: int):
    cat = catalog()
    view = services.overview(cat, services.learner_state(current_user.id))
    day_view = next((d for d in view.days if d.number == number), None)
    if day_view is None:
        abort(404)
    quizzes = cat.day_quizzes(number)
    return render_template("learn/day.html", day=day_view, overview=view, catalog=cat, quizzes=quizzes,
                           standings=standings(current_user.id, quizzes))


@bp.get("/lessons/<slug>")
@login_required
def lesson(slug: str):
    return _lesson_page(slug, record_visit=True)


def _lesson_page(slug: str, *, record_visit: bool = False, draft: tuple[str, str, str] | None = None, status: int = 200):
    """The lesson page; `draft` = (prompt key, text, error) re-shows a note that could not be saved."""
    cat = catalog()
    current = services.get_lesson(cat, slug)
    state = services.learner_state(current_user.id)
    if record_visit:
        services.record_visit(current_user.id, current, state, now=utcnow())
    previous, following = cat.neighbours(current)
    quiz = cat.lesson_quiz(current.slug)
    notes = services.notes_for(current_user.id, current)
    return render_template(
        "learn/lesson.html", lesson=current, previous=previous, following=following, quiz=quiz,
        quiz_standing=standings(current_user.id, [quiz])[quiz.id] if quiz else None,
        completed_at=state.completed.get(current.key), notes=notes,
        activities=activities.panels_for(current_user.id, current, {k: n.body for k, n in notes.items()}),
        draft=draft, day=cat.course.days[current.day_number - 1],
        day_share=services.share_done([les.slug for les in cat.day_lessons(current.day_number)], state.completed),
        show_facilitator=current_user.has_role(Role.INSTRUCTOR, Role.ADMIN),
        live_session=sessions.followed_session(current_user.id, request.args.get("live")),
    ), status


@bp.post("/lessons/<slug>/complete")
@login_required
def complete(slug: str):
    current = services.get_lesson(catalog(), slug)
    completed = services.complete_lesson(current_user.id, current, now=utcnow())
    following = catalog().neighbours(current)[1]
    if request.form.get("next") == "1" and following is not None:
        if completed:
            flash(f"“{current.title}” marked complete.", "success")
        return redirect(url_for("learn.lesson", slug=following.slug))
    # back to the finish section, which says so itself (a message at the top would be off-screen)
    return redirect(url_for("learn.lesson", slug=slug) + "#lesson-complete")


@bp.post("/lessons/<slug>/notes/<prompt_key>")
@login_required
def save_note(slug: str, prompt_key: str):
    current = services.get_lesson(catalog(), slug)
    body = request.form.get("body", "")
    try:
        services.save_note(current_user.id, current, prompt_key, body, now=utcnow())
    except InputRejected as exc:
        return _lesson_page(slug, draft=(prompt_key, body, str(exc)), status=422)
    flash("Your note is saved. Only you can read it.", "success")
    return redirect(url_for("learn.lesson", slug=slug) + f"#reflect-{prompt_key}")


@bp.get("/glossary")
@login_required
def glossary():
    cat = catalog()
    groups = [(letter, list(entries)) for letter, entries in groupby(cat.glossary, key=lambda e: e.term[:1].upper())]
    return render_template("learn/glossary.html", groups=groups, catalog=cat)


@bp.get("/search")
@login_required
def search():
    query = request.args.get("q", "").strip()[:200]
    hits = search_lessons(catalog().lessons, query) if query else []
    return render_template("learn/search.html", query=query, hits=hits)


@bp.route("/cohorts/join", methods=["GET", "POST"])
@login_required
@limiter.limit(throttle.setting("ENROL_CODE_LIMIT"), methods=["POST"], deduct_when=throttle.noted_failure)
@limiter.limit(throttle.setting("ENROL_CODE_USER_LIMIT"), methods=["POST"], deduct_when=throttle.noted_failure,
               key_func=lambda: f"user:{current_user.id}")
def join():
    """Enter a cohort's enrolment code. (/join is kept for live-session codes.)"""
    form = JoinForm()
    if form.validate_on_submit():
        with refusals(InputRejected, form=form, field="code") as refused:
            cohort = cohorts.join_with_code(current_user.id, form.code.data or "", now=utcnow())
        if refused:
            throttle.note_failure()
        else:
            flash(f"You are enrolled in {cohort.name}.", "success")
            return redirect(url_for("learn.home"))
    return render_template("learn/join.html", form=form, mine=cohorts.cohorts_of(current_user.id)), 422 if form.errors else 200
