"""Administrators' exports page: the SCORM package download (fast enough to build in the request:
about 0.3 s with the catalog loaded, so no background job)."""
from __future__ import annotations

from flask import Blueprint, Response, render_template
from flask_login import current_user

from app.auth.access import admin_required
from app.content.catalog import catalog
from app.db import utcnow
from app.scorm import package, services

bp = Blueprint("scorm", __name__, url_prefix="/admin/exports", template_folder="templates")


@bp.before_request
@admin_required
def _only_admins():
    return None


@bp.get("/")
def exports():
    cat = catalog()
    the_plan = package.plan(cat)
    return render_template("scorm/exports.html", plan=the_plan, filename=services.filename(cat))


@bp.post("/scorm")
def scorm_download():
    export = services.download(current_user.id, now=utcnow())
    return Response(export.data, mimetype="application/zip",
                    headers={"Content-Disposition": f'attachment; filename="{export.filename}"'})
