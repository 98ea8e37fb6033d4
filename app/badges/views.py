"""Open Badges 3.0: the holder's downloads, the public documents verifiers fetch, and the check of a
credential on the verification page."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from app.badges import services
from app.certificates.codes import format_code, normalise
from app.db import utcnow
from app.extensions import limiter

bp = Blueprint("badges", __name__, template_folder="templates")

VERIFY_LIMIT = "60 per minute;600 per hour"
MAX_UPLOAD = 2 * 1024 * 1024


def _public_json(document: dict[str, Any], mimetype: str = "application/json") -> Response:
    """A public JSON document: any site's verifier may fetch it from a browser."""
    response = Response(json.dumps(document, indent=2, ensure_ascii=False), mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.get("/badges/issuer")
def issuer():
    return _public_json(services.profile_document())


@bp.get("/badges/achievements/<course_code>")
def achievement(course_code: str):
    return _public_json(services.achievement_json(course_code))


@bp.get("/badges/achievements/<course_code>.png")
def image(course_code: str):
    response = Response(services.badge_image(course_code), mimetype="image/png")
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/badges/revocations")
def revocations():
    response = _public_json(services.revocations())
    response.headers["Cache-Control"] = "no-cache"     # a revocation shows at once
    return response


@bp.get("/.well-known/jwks.json")
def jwks():
    return _public_json(services.jwks(), "application/jwk-set+json")


@bp.get("/badges/keys/<thumbprint>")
def key(thumbprint: str):
    return _public_json(services.jwk(thumbprint), "application/jwk+json")


@bp.get("/badges/credentials/<code>")
def credential(code: str):
    """A credential's id: people who follow it see the certificate's verification page."""
    canonical = normalise(code)
    if canonical is None:
        return render_template("certificates/unknown.html"), 404
    return redirect(url_for("certificates.verify", code=format_code(canonical)), 303)


@bp.get("/badges/credentials/<code>.<any(json, jwt, png):kind>")
@login_required
def download(code: str, kind: str):
    """The holder's credential (and administrators'): the JSON, the signed JWT or the baked PNG."""
    certificate, badge = services.holder_badge(code, current_user, now=utcnow())
    stem = services.file_stem(certificate)
    if kind == "png":
        body, mimetype = services.baked_png(certificate, badge), "image/png"
    elif kind == "jwt":
        body, mimetype = badge.jwt.encode("ascii"), "application/jwt"
    else:
        body = json.dumps(services.credential_of(badge), indent=2, ensure_ascii=False).encode("utf-8")
        mimetype = "application/json"
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{stem}.{kind}"'})


@bp.route("/verify/badge", methods=["GET", "POST"])
@limiter.limit(VERIFY_LIMIT)
def verify():
    """Check an Open Badge: an uploaded file (baked PNG, .jwt or .json) or pasted text."""
    if request.method == "GET":
        return redirect(url_for("certificates.verify_form") + "#badge")
    upload = request.files.get("badge")
    pasted = (request.form.get("credential") or "").strip()
    if upload is not None and upload.filename:
        data, name = upload.read(MAX_UPLOAD + 1), upload.filename
    elif pasted:
        data, name = pasted.encode("utf-8"), "The pasted credential"
    else:
        return render_template("badges/verify.html", error="Choose a badge file or paste a credential first."), 422
    if len(data) > MAX_UPLOAD:
        return render_template("badges/verify.html", error=f"{name} is larger than any badge we issue."), 422
    verdict = services.check(data)
    return render_template("badges/verify.html", verdict=verdict, checked=name), 200
