"""The workbook downloads. A missing edition is being made in the background: the request gets a
progress page (202) that refreshes itself (no JavaScript needed) and delivers the file when ready."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.models import Role
from app.content.catalog import catalog
from app.pdf.cache import Made
from app.pdf.downloads import pdf_response, render_limited
from app.workbook.background import Waiting, edition_or_wait

bp = Blueprint("workbook", __name__, template_folder="templates")
FILENAMES = {"trainee": "workbook.pdf", "instructor": "workbook-instructor-edition.pdf"}


def _edition() -> str:
    """The trainee edition for everyone; the instructor edition (notes and answer keys) for staff."""
    edition = request.args.get("edition", "trainee")
    if edition not in FILENAMES:
        abort(404)
    if edition == "instructor" and not current_user.has_role(Role.INSTRUCTOR, Role.ADMIN):
        abort(403)
    return edition


def _waiting_page(edition: str, waiting: Waiting):
    page = render_template("workbook/preparing.html", edition=edition, waiting=waiting, ready=False)
    if waiting.failed:
        return page, 503, {"Retry-After": "300"}
    return page, 202, {"Retry-After": "3"}


@bp.get("/workbook.pdf")
@login_required
@render_limited
def download():
    edition = _edition()
    found = edition_or_wait(catalog(), edition)
    if isinstance(found, Made):
        return pdf_response(found, FILENAMES[edition])
    return _waiting_page(edition, found)


@bp.get("/workbook/preparing")
@login_required
def preparing():
    """Where the progress page refreshes to: still preparing (202), or ready (200: the download starts)."""
    edition = _edition()
    found = edition_or_wait(catalog(), edition)
    if isinstance(found, Made):
        return render_template("workbook/preparing.html", edition=edition, waiting=None, ready=True)
    return _waiting_page(edition, found)


@bp.get("/workbook/status")
@login_required
def status():
    """The same as JSON, for the progress page's script."""
    edition = _edition()
    found = edition_or_wait(catalog(), edition)
    if isinstance(found, Made):
        return jsonify(ready=True, failed=False, percent=100, message="Ready",
                       url=url_for("workbook.preparing", edition=edition))
    message = "The workbook could not be prepared." if found.failed else found.estimate.message
    return jsonify(ready=False, failed=found.failed, percent=found.estimate.percent, message=message,
                   url=url_for("workbook.preparing", edition=edition))
