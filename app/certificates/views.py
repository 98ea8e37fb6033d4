"""Public verification, the holder's download, and the administrators' certificates pages."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.auth.access import admin_required
from app.auth.models import Role
from app.certificates import services
from app.certificates.codes import format_code, normalise
from app.cohorts import services as cohorts
from app.content.catalog import catalog
from app.db import utcnow
from app.errors import AlreadyIssued, CertificateNotMade, DomainError, InputRejected, NotEligible
from app.extensions import limiter
from app.jobs import services as jobs
from app.web import refusals

bp = Blueprint("certificates", __name__, template_folder="templates")

VERIFY_LIMIT = "60 per minute;600 per hour"
MAX_PDF_UPLOAD = 5 * 1024 * 1024


@bp.route("/verify", methods=["GET", "POST"])
@limiter.limit(VERIFY_LIMIT)
def verify_form():
    """Type a code, or upload a PDF to check it against what was issued."""
    if request.method == "POST":
        upload = request.files.get("pdf")
        if upload is not None and upload.filename:
            data = upload.read(MAX_PDF_UPLOAD + 1)
            if len(data) > MAX_PDF_UPLOAD:
                return _file_error(f"{upload.filename} is larger than any certificate we issue "
                                   f"({MAX_PDF_UPLOAD // (1024 * 1024)} MB at most).")
            if not services.looks_like_pdf(data):
                return _file_error(f"{upload.filename} is not a PDF{services.what_file(data)}. Upload the "
                                   "certificate's PDF file as you received it.")
            found = services.by_pdf(data)
            return render_template("certificates/verify_form.html", checked_file=upload.filename, match=found), 200
        if request.form.get("by") == "pdf":
            return _file_error("Choose the certificate's PDF file first.")
        code = normalise(request.form.get("code", ""))
        if code is None:
            return render_template("certificates/verify_form.html", error="That is not a certificate code. Codes look like "
                                   "ABCD-EFGH-JKMN-PQRS-T.", code=request.form.get("code", "")), 422
        return redirect(url_for("certificates.verify", code=format_code(code)))
    return render_template("certificates/verify_form.html")


def _file_error(message: str):
    return render_template("certificates/verify_form.html", file_error=message), 422


@bp.get("/verify/<code>")
@limiter.limit(VERIFY_LIMIT)
def verify(code: str):
    certificate = services.by_code(code)
    if certificate is None:
        return render_template("certificates/unknown.html"), 404
    return render_template("certificates/verify.html", c=certificate, current=services.successor_of(certificate),
                           linkedin=services.linkedin_url(certificate)
                           if certificate.status == "valid" and _holder(certificate.user_id) else None,
                           verify_url=services.verify_url(certificate.code))


def _holder(user_id: int) -> bool:
    """The person the certificate was issued to is the one looking (only they get "Add to LinkedIn")."""
    return bool(current_user.is_authenticated and current_user.id == user_id)


@bp.get("/certificates/<code>.pdf")
@login_required
def download(code: str):
    """The stored PDF, for its holder and administrators only (others get 404)."""
    certificate = services.by_code(code)
    if certificate is None or not (certificate.user_id == current_user.id or current_user.has_role(Role.ADMIN)):
        abort(404)
    return Response(services.pdf_of(certificate.id), mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="certificate-{certificate.display_code}.pdf"'})


# --- administrators --------------------------------------------------------------------------

@bp.get("/admin/cohorts/<int:cohort_id>/certificates")
@admin_required
def cohort_certificates(cohort_id: int):
    cohort = cohorts.get_cohort(cohort_id)
    people = cohorts.trainees(cohort_id)
    cat = catalog()
    status = services.eligibilities(cat, [p.id for p in people], now=utcnow())
    issued = services.certificates_for(p.id for p in people)
    return render_template("certificates/cohort.html", cohort=cohort, people=people, status=status, issued=issued)


@bp.post("/admin/cohorts/<int:cohort_id>/certificates/issue")
@admin_required
def issue_one(cohort_id: int):
    cohorts.get_cohort(cohort_id)
    user_id = request.form.get("user_id", type=int)
    if user_id not in {p.id for p in cohorts.trainees(cohort_id)}:
        abort(404)
    with refusals(NotEligible, AlreadyIssued, CertificateNotMade, message=_not_issued) as refused:
        certificate = services.issue(current_user.id, user_id, catalog(), now=utcnow(), cohort_id=cohort_id,
                                     override_reason=request.form.get("override_reason"))
    if not refused:
        flash(f"Certificate {certificate.display_code} issued to {certificate.holder_name}.", "success")
    return redirect(url_for("certificates.cohort_certificates", cohort_id=cohort_id))


def _not_issued(exc: DomainError) -> str:
    if isinstance(exc, NotEligible):
        return "Not eligible: " + "; ".join(exc.unmet) + ". To issue anyway, give an override reason."
    return str(exc)


@bp.post("/admin/cohorts/<int:cohort_id>/certificates/issue-all")
@admin_required
def issue_all(cohort_id: int):
    cohort = cohorts.get_cohort(cohort_id)
    ids = [p.id for p in cohorts.trainees(cohort_id)]
    job = jobs.start("certificates.issue", current_user.id,
                     {"actor_id": current_user.id, "cohort_id": cohort_id, "user_ids": ids},
                     total=len(ids), context={"cohort": cohort.name, "cohort_id": cohort_id})
    return redirect(url_for("admin.job", job_id=job.id))


@bp.post("/admin/certificates/<code>/revoke")
@admin_required
def revoke(code: str):
    certificate = services.by_code(code)
    if certificate is None:
        abort(404)
    with refusals(InputRejected) as refused:
        services.revoke(current_user.id, code, request.form.get("reason", ""), now=utcnow())
    if not refused:
        flash(f"Certificate {certificate.display_code} revoked.", "success")
    return redirect(url_for("certificates.verify", code=certificate.display_code))


@bp.post("/admin/certificates/<code>/reissue")
@admin_required
def reissue(code: str):
    with refusals(InputRejected, CertificateNotMade) as refused:
        new = services.reissue(current_user.id, code, catalog(), now=utcnow())
    if refused:
        return redirect(url_for("certificates.verify", code=code))
    flash(f"Reissued as {new.display_code} with the name “{new.holder_name}”; the old certificate is superseded.", "success")
    return redirect(url_for("certificates.verify", code=new.display_code))

