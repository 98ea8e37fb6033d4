from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user, login_required

from app.auth.models import Role
from app.content.catalog import catalog
from app.pdf.downloads import pdf_response, render_limited
from app.workbook.build import workbook_pdf

bp = Blueprint("workbook", __name__, template_folder="templates")


@bp.get("/workbook.pdf")
@login_required
@render_limited
def download():
    """The trainee edition for everyone; the instructor edition (notes and answer keys) for staff."""
    edition = request.args.get("edition", "trainee")
    if edition not in ("trainee", "instructor"):
        abort(404)
    if edition == "instructor" and not current_user.has_role(Role.INSTRUCTOR, Role.ADMIN):
        abort(403)
    return pdf_response(workbook_pdf(catalog(), edition),
                        "workbook-instructor-edition.pdf" if edition == "instructor" else "workbook.pdf")
