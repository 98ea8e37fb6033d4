"""Bulk import of people from CSV: a dry run shows every bad row; the real run is one transaction."""
from __future__ import annotations

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from app.cohorts.forms import ImportForm
from app.imports.services import check_people_csv
from app.jobs import services as jobs
from app.mail import mail_configured


def _uploaded_text() -> tuple[str | None, str]:
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None, "Choose a CSV file."
    try:
        return upload.read().decode("utf-8-sig"), upload.filename
    except UnicodeDecodeError:
        return None, "The file is not UTF-8 text. Save it from your spreadsheet as “CSV UTF-8”."


def _import_page():
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("admin/import.html", form=form, checked=None), 400 if request.method == "POST" else 200
    text, name = _uploaded_text()
    if text is None:
        return render_template("admin/import.html", form=form, checked=None, error=name), 422
    if request.form.get("mode") != "import":
        checked = check_people_csv(text)
        return render_template("admin/import.html", form=form, checked=checked, filename=name), 200 if checked.ok else 422
    job = jobs.start("users.import", current_user.id,
                     {"actor_id": current_user.id, "text": text, "source_name": name}, context={"file": name})
    return redirect(url_for("admin.job", job_id=job.id))


def job(job_id: int):
    current = jobs.get_job(job_id, current_user.id, is_admin=True)
    return render_template("admin/job.html", job=current, mail_on=mail_configured(current_app.config))


def register(bp: Blueprint) -> None:
    """Adds the import and job pages to admin's blueprint (create_app calls this)."""
    bp.add_url_rule("/import", endpoint="import_people", view_func=_import_page, methods=["GET", "POST"])
    bp.add_url_rule("/jobs/<int:job_id>", view_func=job, methods=["GET"])
