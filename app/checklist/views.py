"""The facilitator checklist: interactive (works without JavaScript) and as PDF, blank or personal."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.checklist import services, state
from app.checklist.pdf import checklist_pdf
from app.content.catalog import catalog
from app.db import utcnow
from app.pdf.downloads import pdf_response, render_limited

bp = Blueprint("checklist", __name__, template_folder="templates")
ICONS = {"yes": "✓", "partly": "◐", "no": "✗", "unanswered": "○"}   # beside the words, never instead


def _checklist():
    checklist = catalog().checklist
    if checklist is None:
        abort(404)
    return checklist


@bp.route("/checklist", methods=["GET", "POST"])
@login_required
def checklist():
    current = _checklist()
    if request.method == "POST":
        name, entries, errors = services.parse_form(current, request.form)
        if not errors:
            services.save(current_user.id, current, name, entries, now=utcnow())
            flash("Your checklist is saved.", "success")
            anchor = request.form.get("group", "")  # back to the group saved, if it is one of the checklist's
            known = anchor in {group.id for group in current.groups}
            return redirect(url_for("checklist.checklist") + (f"#group-{anchor}" if known else ""))
        return _page(current, name, entries, errors), 422
    name, entries = services.load(current_user.id)
    return _page(current, name, entries, {})


def _page(current, name, entries, errors):
    groups = state.progress(current, entries)
    return render_template("checklist/checklist.html", checklist=current, name=name, entries=entries, errors=errors,
                           progress=groups, total=state.overall(groups), states=state.STATES, labels=state.LABELS,
                           icons=ICONS, catalog=catalog())


@bp.get("/checklist.pdf")
@login_required
@render_limited
def checklist_download():
    current = _checklist()
    blank = request.args.get("blank") == "1"
    name, entries = ("", {}) if blank else services.load(current_user.id)
    made = checklist_pdf(current, catalog().course, name=name, entries=entries, blank=blank,
                         person=None if blank else current_user.display_name, generated=utcnow())
    return pdf_response(made, "facilitator-checklist-blank.pdf" if blank else "facilitator-checklist.pdf")
