"""Assessed activities: the trainee's submit form (shown on the lesson page), the instructors' queue,
marking page and CSV export."""
from __future__ import annotations

import re

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.activities import services
from app.activities.marking import MAX_SUBMISSIONS, percent
from app.auth.access import instructor_required
from app.content.catalog import catalog
from app.csvout import csv_response
from app.db import utcnow
from app.errors import InputRejected, NotFound
from app.web import refusals

bp = Blueprint("activities", __name__, template_folder="templates")


def _lesson(slug: str):
    lesson = catalog().lesson(slug)
    if lesson is None:
        raise NotFound("There is no lesson at this address.")
    return lesson


@bp.post("/lessons/<slug>/activities/<key>/submit")
@login_required
def submit(slug: str, key: str):
    lesson = _lesson(slug)
    body = request.form.get("body", "")
    back = url_for("learn.lesson", slug=slug) + f"#activity-{key}"
    try:
        with refusals(services.SubmissionLimitReached) as refused:
            _submission, created = services.submit(current_user.id, lesson, key, body, now=utcnow())
    except InputRejected as exc:
        return render_template("activities/submit.html", lesson=lesson, activity=services.activity_of(lesson, key),
                               body=body, error=str(exc)), 422
    if refused:
        return redirect(back)
    flash("Your work is submitted for review. Your instructor will return it with marks and feedback."
          if created else "Your work is already with your instructor for review.", "success")
    return redirect(back)


def _choices(rubric) -> dict[int, int | None]:
    out: dict[int, int | None] = {}
    for index in range(len(rubric.criteria)):
        raw = request.form.get(f"criterion-{index}", "")
        out[index] = int(raw) if raw.isdigit() else None
    return out


@bp.get("/teach/cohorts/<int:cohort_id>/activities")
@instructor_required
def queue(cohort_id: int):
    cohort, submissions = services.cohort_submissions(current_user.id, cohort_id)
    return render_template("activities/queue.html", cohort=cohort, submissions=submissions, catalog=catalog())


@bp.route("/teach/cohorts/<int:cohort_id>/activities/submissions/<int:submission_id>", methods=["GET", "POST"])
@instructor_required
def mark(cohort_id: int, submission_id: int):
    cohort, submission = services.submission_for_staff(current_user.id, cohort_id, submission_id)
    cat = catalog()
    activity = cat.activity(submission.activity_key)
    error, chosen, feedback = None, {}, ""
    if request.method == "POST" and activity is not None:
        chosen, feedback = _choices(activity.rubric), request.form.get("feedback", "")
        try:
            with refusals(services.AlreadyReturned) as refused:
                services.return_submission(current_user.id, cohort_id, submission_id, cat, chosen, feedback,
                                           now=utcnow())
        except InputRejected as exc:
            error = str(exc)
        else:
            if refused:
                return redirect(url_for("activities.mark", cohort_id=cohort_id, submission_id=submission_id))
            flash(f"Returned to {submission.user.display_name} with marks and feedback.", "success")
            return redirect(url_for("activities.queue", cohort_id=cohort_id))
    return render_template("activities/mark.html", cohort=cohort, submission=submission, activity=activity,
                           lesson=cat.lesson(submission.lesson_key), earlier=services.earlier_submissions(submission),
                           error=error, chosen=chosen, feedback=feedback,
                           max_submissions=MAX_SUBMISSIONS), 422 if error else 200


@bp.get("/teach/cohorts/<int:cohort_id>/activities.csv")
@instructor_required
def export(cohort_id: int):
    cohort, submissions = services.cohort_submissions(current_user.id, cohort_id)
    cat = catalog()
    criteria = [(a.key, c.title) for a in cat.activities for c in a.rubric.criteria]
    header = ["Name", "Email", "Activity", "Submission", "Submitted (UTC)", "Status", "Returned (UTC)", "Marked by",
              "Points", "Out of", "Percent"] + [f"{title} ({key})" for key, title in criteria] + ["Feedback", "Text"]
    rows = []
    for s in sorted(submissions, key=lambda s: (s.user.display_name.casefold(), s.activity_key, s.number)):
        activity = cat.activity(s.activity_key)
        levels = {(s.activity_key, m.criterion): f"{m.level} ({m.points}/{m.out_of})" for m in s.mark_list}
        rows.append([s.user.display_name, s.user.email, activity.title if activity else s.activity_key, s.number,
                     s.submitted_at.strftime("%Y-%m-%d %H:%M"), "returned" if s.is_returned else "awaiting review",
                     s.returned_at.strftime("%Y-%m-%d %H:%M") if s.returned_at else "",
                     s.marked_by.display_name if s.marked_by else "", "" if s.points is None else s.points,
                     "" if s.out_of is None else s.out_of,
                     "" if s.points is None or not s.out_of else round(percent(s.points, s.out_of)),
                     ] + [levels.get(c, "") for c in criteria] + [s.feedback or "", s.body])
    name = re.sub(r"[^a-z0-9]+", "-", cohort.name.lower()).strip("-") or "cohort"
    return csv_response(f"{name}-activities.csv", header, rows)
