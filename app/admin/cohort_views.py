"""Administration of cohorts, enrolments, the audit log and site settings (rules live in services)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.audit import services as audit
from app.auth import services as accounts
from app.cohorts import services as cohorts
from app.cohorts.forms import CohortForm, EnrolForm
from app.content.catalog import catalog
from app.csvout import csv_response
from app.db import utcnow
from app.errors import InputRejected
from app.progress import services as progress
from app.schedule import services as schedules
from app.teach.grid import build_rows
from app.web import refusals


def _instructor_choices(form: CohortForm) -> None:
    from wtforms.fields.choices import SelectChoice

    form.instructors.choices = [SelectChoice(u.id, f"{u.display_name} ({u.email})") for u in cohorts.instructors()]


def cohorts_list():
    return render_template("admin/cohorts.html", cohorts=cohorts.all_cohorts(), counts=cohorts.enrolment_counts(),
                           self_registration=cohorts.self_registration_open())


def cohort_new():
    return _cohort_form(None)


def cohort_edit(cohort_id: int):
    return _cohort_form(cohort_id)


def _cohort_form(cohort_id: int | None):
    current = cohorts.get_cohort(cohort_id) if cohort_id else None
    form = CohortForm(obj=current if request.method == "GET" else None)
    _instructor_choices(form)
    if request.method == "GET" and current:
        form.instructors.data = [u.id for u in current.instructors]
    if form.validate_on_submit():
        with refusals(InputRejected, form=form, field="name") as refused:
            saved = cohorts.save_cohort(current_user.id, cohort_id, name=form.name.data or "", track=form.track.data,
                                        starts_on=form.starts_on.data, ends_on=form.ends_on.data,
                                        instructor_ids=form.instructors.data or [], now=utcnow())
        if not refused:
            flash(f"Cohort “{saved.name}” saved.", "success")
            return redirect(url_for("admin.cohort", cohort_id=saved.id))
    return render_template("admin/cohort_form.html", form=form, cohort=current), 422 if form.errors else 200


def _schedule(current):
    return schedules.schedule_of(current, schedules.reader_zone_setting(current_user.id), catalog(), now=utcnow())


def cohort(cohort_id: int):
    current = cohorts.get_cohort(cohort_id)
    return render_template("admin/cohort.html", cohort=current, people=cohorts.trainees(cohort_id), form=EnrolForm(),
                           schedule=_schedule(current))


def cohort_enrol(cohort_id: int):
    current = cohorts.get_cohort(cohort_id)
    form = EnrolForm()
    if form.validate_on_submit():
        wanted, wrong = cohorts.parse_emails(form.emails.data or "")
        found = accounts.ids_by_email(wanted)
        unknown = [e for e in wanted if e not in found]
        if wrong:
            shown = "; ".join(f"“{w[:80]}”" for w in wrong[:5]) + (f" and {len(wrong) - 5} more" if len(wrong) > 5 else "")
            form.emails.errors = [f"Not an email address: {shown}. Give one address per line (or separate them "
                                  "with commas)."]
        elif not wanted:
            form.emails.errors = ["Give at least one email address."]
        elif unknown:
            form.emails.errors = [f"No account for: {', '.join(unknown[:10])}. Invite them first, or import a CSV."]
        else:
            added = cohorts.enrol(current_user.id, cohort_id, found.values(), now=utcnow())
            flash(f"{added} {'trainee' if added == 1 else 'trainees'} added to {current.name}.", "success")
            return redirect(url_for("admin.cohort", cohort_id=cohort_id))
    return render_template("admin/cohort.html", cohort=current, people=cohorts.trainees(cohort_id), form=form,
                           schedule=_schedule(current)), 422


def cohort_unenrol(cohort_id: int, user_id: int):
    cohorts.unenrol(current_user.id, cohort_id, user_id, now=utcnow())
    flash("Removed from the cohort. Their progress and results are kept.", "success")
    return redirect(url_for("admin.cohort", cohort_id=cohort_id))


def cohort_code(cohort_id: int):
    cohorts.new_code(current_user.id, cohort_id, now=utcnow())
    flash("A new enrolment code was made; the old one no longer works.", "success")
    return redirect(url_for("admin.cohort", cohort_id=cohort_id))


def cohort_report(cohort_id: int):
    current = cohorts.get_cohort(cohort_id)
    people = cohorts.trainees(cohort_id)
    rows = build_rows(progress.outline_of(catalog()), [(p.id, p.display_name, p.email) for p in people],
                      progress.facts_for([p.id for p in people], now=utcnow()))
    return csv_response(f"completion-{current.id}.csv",
                        ["Name", "Email", "Lessons done", "Lessons", "Percent", "Quizzes passed", "Eligible",
                         "Still needed", "Report date"],
                        [[r.name, r.email, r.report.course.done, r.report.course.total, r.report.course.percent,
                          r.quizzes_passed, "yes" if r.report.eligible else "no", " | ".join(r.report.missing),
                          date.today().isoformat()] for r in rows])


def self_registration():
    on = request.form.get("on") == "1"
    cohorts.set_self_registration(current_user.id, on, now=utcnow())
    flash(f"Self-registration is now {'on' if on else 'off'}.", "success")
    return redirect(url_for("admin.cohorts_list"))


def audit_log():
    def parse(value: str | None) -> date | None:
        try:
            return date.fromisoformat(value) if value else None
        except ValueError:
            return None

    flt = audit.AuditFilter(action=request.args.get("action", ""), actor=request.args.get("actor", "")[:100],
                            target=request.args.get("target", "")[:100], since=parse(request.args.get("since")),
                            until=parse(request.args.get("until")))
    return render_template("admin/audit.html", events=audit.events(flt), flt=flt, actions=audit.actions())


def register(bp: Blueprint) -> None:
    """Adds the cohort, audit-log and settings pages to admin's blueprint (create_app calls this)."""
    bp.add_url_rule("/cohorts", view_func=cohorts_list, methods=["GET"])
    bp.add_url_rule("/cohorts/new", view_func=cohort_new, methods=["GET", "POST"])
    bp.add_url_rule("/cohorts/<int:cohort_id>/edit", view_func=cohort_edit, methods=["GET", "POST"])
    bp.add_url_rule("/cohorts/<int:cohort_id>", view_func=cohort, methods=["GET"])
    bp.add_url_rule("/cohorts/<int:cohort_id>/enrol", view_func=cohort_enrol, methods=["POST"])
    bp.add_url_rule("/cohorts/<int:cohort_id>/unenrol/<int:user_id>", view_func=cohort_unenrol, methods=["POST"])
    bp.add_url_rule("/cohorts/<int:cohort_id>/code", view_func=cohort_code, methods=["POST"])
    bp.add_url_rule("/cohorts/<int:cohort_id>/completion.csv", view_func=cohort_report, methods=["GET"])
    bp.add_url_rule("/settings/self-registration", view_func=self_registration, methods=["POST"])
    bp.add_url_rule("/audit", view_func=audit_log, methods=["GET"])
