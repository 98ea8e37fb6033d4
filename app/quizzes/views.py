from __future__ import annotations

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.content.catalog import catalog
from app.db import utcnow
from app.errors import AttemptClosed, AttemptLimitReached, UnansweredQuestions
from app.quizzes import completeness, services, timing
from app.quizzes.answers import answers_from_form
from app.quizzes.snapshot import public_question
from app.web import refusals

bp = Blueprint("quizzes", __name__, template_folder="templates")


@bp.get("/quizzes/<quiz_id>")
@login_required
def quiz(quiz_id: str):
    cat = catalog()
    current = services.get_quiz(cat, quiz_id)
    services.close_overdue(now=utcnow(), user_ids=[current_user.id])
    standing = services.standings(current_user.id, [current])[current.id]
    return render_template("quizzes/quiz.html", quiz=current, standing=standing, grace_minutes=timing.GRACE_MINUTES,
                           lesson=cat.lesson(current.lesson) if current.lesson else None)


@bp.post("/quizzes/<quiz_id>/start")
@login_required
def start(quiz_id: str):
    current = services.get_quiz(catalog(), quiz_id)
    with refusals(AttemptLimitReached) as refused:
        attempt = services.start_attempt(current_user.id, current, now=utcnow())
    if refused:
        return redirect(url_for("quizzes.quiz", quiz_id=quiz_id))
    return redirect(url_for("quizzes.attempt", attempt_id=attempt.id))


@bp.get("/attempts/<int:attempt_id>")
@login_required
def attempt(attempt_id: int):
    page = services.attempt_page(current_user.id, attempt_id, now=utcnow())
    current, cat = page.attempt, catalog()
    quiz = cat.quiz(current.quiz_key)
    review_links = services.review_links(current, quiz)
    if current.is_finished:
        allowed = quiz.attempts if quiz else current.max_attempts
        return render_template("quizzes/results.html", attempt=current, quiz=quiz, reviews=services.review(current),
                               review_links=review_links,
                               lesson=cat.lesson(quiz.lesson) if quiz and quiz.lesson else None,
                               can_start=quiz is not None and page.can_start(allowed),
                               attempts_left=page.attempts_left(allowed))
    public = [public_question(q) for q in current.questions]
    checked = services.review(current, only=set(current.checked))
    if request.accept_mimetypes.best == "application/json":
        return jsonify(attempt=current.id, quiz=current.quiz_key, feedback=current.feedback_mode,
                       deadline=current.deadline_at.isoformat() if current.deadline_at else None,
                       closes=current.closes_at.isoformat() if current.closes_at else None,
                       questions=public, checked={qid: {"fraction": r.mark.fraction} for qid, r in checked.items()})
    gaps = completeness.gaps(current.questions, current.answers, current.checked) if request.args.get("confirm") else ()
    return render_template("quizzes/take.html", attempt=current, quiz=quiz, questions=public, checked=checked,
                           saved=current.answers, review_links=review_links, now=utcnow(), gaps=gaps)


@bp.post("/attempts/<int:attempt_id>")
@login_required
def answer(attempt_id: int):
    def answers(questions):  # the form read against the questions the attempt asked (loaded by the service)
        return answers_from_form(questions, request.form)

    with refusals(AttemptClosed) as refused:
        try:
            if request.form.get("check"):
                question_id = request.form["check"]
                services.check_question(current_user.id, attempt_id, question_id, answers, now=utcnow())
                return redirect(url_for("quizzes.attempt", attempt_id=attempt_id) + f"#question-{question_id}")
            if request.form.get("action") == "save":
                saved = services.save_answers(current_user.id, attempt_id, answers, now=utcnow())
                flash(f"Your answers are saved. Submit them by {saved.deadline_at:%H:%M} UTC." if saved.deadline_at
                      else "Your answers are saved. Come back to finish any time.", "success")
                return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))
            _finished, first_time = services.submit_attempt(current_user.id, attempt_id, request.form.get("token", ""),
                                                            answers, now=utcnow(),
                                                            allow_unanswered=request.form.get("allow_unanswered") == "1")
        except UnansweredQuestions:
            # nothing graded; the answers sent are saved and the page asks (take.html, #unanswered)
            return redirect(url_for("quizzes.attempt", attempt_id=attempt_id, confirm=1) + "#unanswered")
    if refused:
        return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))
    if not first_time:
        flash("This attempt had already been submitted; it was recorded once.", "info")
    return redirect(url_for("quizzes.attempt", attempt_id=attempt_id))


@bp.post("/attempts/<int:attempt_id>/autosave")
@login_required
def autosave(attempt_id: int):
    """The answers so far, saved as "Save and finish later" does, from the page's script (quiz.js)."""
    now = utcnow()
    try:
        services.save_answers(current_user.id, attempt_id, lambda questions: answers_from_form(questions, request.form),
                              now=now)
    except AttemptClosed as exc:
        return jsonify(error="closed", message=str(exc), results=url_for("quizzes.attempt", attempt_id=attempt_id)), 409
    return jsonify(saved_at=now.isoformat())
