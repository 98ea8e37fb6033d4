"""Instructors' views of the cohorts they teach (administrators see every cohort)."""
from __future__ import annotations

import re

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from app.activities import services as activities
from app.auth.access import instructor_required
from app.auth.models import Role
from app.cohorts import services as cohorts
from app.content.catalog import catalog
from app.csvout import csv_response
from app.db import utcnow
from app.live import screens, sessions
from app.progress import services as progress
from app.quizzes import services as quiz_services
from app.quizzes.services import finished_attempts, review, standings
from app.schedule import services as schedules
from app.teach.analytics import cue_cells, cue_figures, question_stats
from app.teach.grid import SORTS, build_rows

bp = Blueprint("teach", __name__, url_prefix="/teach", template_folder="templates")


@bp.before_request
@instructor_required
def _staff_only():
    return None


def _cohort(cohort_id: int):
    return cohorts.cohort_for_staff(current_user, cohort_id)


def _grid(cohort_id: int):
    cat = catalog()
    people = cohorts.trainees(cohort_id)
    sort = request.args.get("sort", "name")
    sort = sort if sort in SORTS else "name"
    descending = request.args.get("dir") == "desc"
    facts = progress.facts_for([p.id for p in people], now=utcnow())
    rows = build_rows(progress.outline_of(cat), [(p.id, p.display_name, p.email) for p in people], facts, sort, descending)
    return cat, rows, sort, descending


@bp.get("/")
def index():
    mine = cohorts.all_cohorts() if current_user.has_role(Role.ADMIN) else cohorts.cohorts_taught_by(current_user.id)
    return render_template("teach/index.html", cohorts=mine, counts=cohorts.enrolment_counts())


@bp.get("/cohorts/<int:cohort_id>")
def cohort(cohort_id: int):
    current = _cohort(cohort_id)
    cat, rows, sort, descending = _grid(cohort_id)
    sessions.end_left_open(now=utcnow())
    past = sessions.sessions_of(cohort_id)
    schedule = schedules.schedule_of(current, schedules.reader_zone_setting(current_user.id), cat, now=utcnow())
    return render_template("teach/grid.html", cohort=current, rows=rows, catalog=cat, sort=sort, descending=descending,
                           live_open=next((s for s in past if s.is_open), None), live_past=past, schedule=schedule)


@bp.get("/cohorts/<int:cohort_id>/grid.csv")
def grid_csv(cohort_id: int):
    current = _cohort(cohort_id)
    cat, rows, _sort, _desc = _grid(cohort_id)
    header = ["Name", "Email", "Lessons done", "Lessons", "Percent"] + [ls.title for ls in cat.lessons] + \
             [f"{q.title} (best %)" for q in cat.quizzes] + [f"{a.title} (activity)" for a in cat.activities] + \
             ["Eligible for certificate", "Still needed"]
    body = []
    for row in rows:
        quiz_cells = []
        for q in cat.quizzes:
            record = row.quiz(q.id)
            quiz_cells.append("" if record is None or record.best_percent is None else f"{record.best_percent:g}")
        body.append([row.name, row.email, row.report.course.done, row.report.course.total, row.report.course.percent]
                    + [row.lesson(ls.slug).label for ls in cat.lessons] + quiz_cells
                    + [row.report.activity_label(a.key) for a in cat.activities]
                    + ["yes" if row.report.eligible else "no", " | ".join(row.report.missing)])
    return csv_response(f"{_slug(current.name)}-progress.csv", header, body)


@bp.get("/cohorts/<int:cohort_id>/trainees/<int:user_id>")
def trainee(cohort_id: int, user_id: int):
    current = _cohort(cohort_id)
    person = cohorts.trainee_of(cohort_id, user_id)
    cat = catalog()
    return render_template("teach/trainee.html", cohort=current, person=person, catalog=cat,
                           report=progress.report_for(user_id, cat, now=utcnow()), standings=standings(user_id, cat.quizzes),
                           seconds=progress.study_seconds(user_id), live_days=progress.live_days(user_id, cat),
                           attempts=finished_attempts(user_id),
                           activity_submissions=activities.submissions_by_activity(user_id))


@bp.get("/cohorts/<int:cohort_id>/trainees/<int:user_id>/attempts/<int:attempt_id>")
def trainee_attempt(cohort_id: int, user_id: int, attempt_id: int):
    """A finished attempt of a trainee in one of the instructor's cohorts, question by question."""
    current = _cohort(cohort_id)
    person = cohorts.trainee_of(cohort_id, user_id)
    attempt = quiz_services.finished_attempt(user_id, attempt_id)
    cat = catalog()
    return render_template("teach/attempt.html", cohort=current, person=person, attempt=attempt,
                           quiz=cat.quiz(attempt.quiz_key), reviews=review(attempt))


def _analytics(cohort_id: int, quiz_id: str):
    cat = catalog()
    quiz = cat.quiz(quiz_id)
    if quiz is None:
        abort(404)
    rows = quiz_services.finished_answers(quiz_id, [p.id for p in cohorts.trainees(cohort_id)])
    return quiz, question_stats(rows, [q.id for q in quiz.questions]), len(rows)


@bp.get("/cohorts/<int:cohort_id>/quizzes/<quiz_id>")
def analytics(cohort_id: int, quiz_id: str):
    current = _cohort(cohort_id)
    quiz, stats, attempts = _analytics(cohort_id, quiz_id)
    answered = screens.bank_answers(cohort_id, quiz_id)
    cues, item_cues = cue_figures(quiz)
    return render_template("teach/analytics.html", cohort=current, quiz=quiz, stats=stats, attempts=attempts,
                           cues=cues, item_cues=item_cues,
                           catalog=catalog(), live_stats=question_stats(answered, [q.id for q in quiz.questions]),
                           live_answers=len(answered))


@bp.get("/cohorts/<int:cohort_id>/quizzes/<quiz_id>.csv")
def analytics_csv(cohort_id: int, quiz_id: str):
    current = _cohort(cohort_id)
    quiz, stats, _attempts = _analytics(cohort_id, quiz_id)
    cues, item_cues = cue_figures(quiz)
    return csv_response(f"{_slug(current.name)}-{quiz.id}-analytics.csv",
                        ["Question", "Type", "Prompt", "Answered", "Fully right", "Share right %", "Facility index",
                         "Most chosen wrong option", "Chosen by", "Key is the longest option",
                         "Cue-only expected %", "Quiz: key longest %", "Quiz: key/distractor length",
                         "Quiz: cue-only expected %", "Summary"],
                        [[s.question_id, s.type, s.prompt, s.answered, s.fully_right, s.share_right, s.facility,
                          s.common_wrong or "", s.common_wrong_count, *cue_cells(cues, item_cues.get(s.question_id)),
                          s.summary]
                         for s in stats])


@bp.get("/quizzes/<quiz_id>")
def quiz_key(quiz_id: str):
    """The quiz with its answer key and explanations, for instructors preparing a session."""
    quiz = catalog().quiz(quiz_id)
    if quiz is None:
        abort(404)
    return render_template("teach/quiz_key.html", quiz=quiz, catalog=catalog())


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "cohort"
