"""A form posted after its session or CSRF token expired loses nothing.

Instead of a bare 400 (or a redirect that drops the body), the person sees what they typed, signs in
again on the same page if they need to, and sends it again with a fresh token from a review page
that says where it goes. Nothing is stored on the server: the text travels in the page's own form.

Only a post from our own pages gets this (a cross-site post, told by its Origin or
Sec-Fetch-Site header, gets the plain 400), and the review is one more deliberate click, so a
forged form cannot be pushed through someone's sign-in. Passwords and the old token are never
echoed back; uploaded files cannot be kept and the page says so.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Flask, Response, make_response, render_template, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from werkzeug.datastructures import MultiDict

from app.auth.redirects import safe_next

FIELD_PREFIX = "resume:"            # kept fields ride along the sign-in form under this prefix
ACTION_FIELD = "resume_action"      # where the kept form was going
SECRET_NAMES = ("csrf_token", "password", "current", "confirm")


@dataclass(frozen=True)
class KeptField:
    name: str
    value: str

    @property
    def is_text(self) -> bool:
        """Typed text worth showing (a note, an answer), rather than an option id or a flag."""
        return "\n" in self.value or " " in self.value.strip() or len(self.value) > 40

    @property
    def label(self) -> str:
        if self.name in ("body", "text", "note", "notes"):
            return "What you typed"
        words = self.name.replace("-", " ").replace("_", " ").split()
        return (" ".join(words) or "Text").capitalize()


def kept_fields(pairs: Iterable[tuple[str, str]]) -> list[KeptField]:
    """The fields of a posted form worth sending again: everything but secrets and our own markers."""
    kept = []
    for name, value in pairs:
        folded = name.lower()
        if not name or folded == ACTION_FIELD or any(secret in folded for secret in SECRET_NAMES):
            continue
        kept.append(KeptField(name, value))
    return kept


def _from_our_pages() -> bool:
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return False
    origin = request.headers.get("Origin")
    return origin is None or urlsplit(origin).netloc == request.host


def _is_browser_form() -> bool:
    return request.method == "POST" and request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")


def _back_to() -> str:
    """The page the form was on (its Referer when on this site), else the course home."""
    referrer = request.referrer or ""
    parts = urlsplit(referrer)
    if parts.netloc == request.host:
        return safe_next(parts.path + (f"?{parts.query}" if parts.query else ""), url_for("learn.home"))
    return url_for("learn.home")


def recovery_page(status: int) -> Response | None:
    """The page for a browser form whose session or token expired, or None (send the plain error)."""
    if not _is_browser_form() or not _from_our_pages():
        return None
    fields = kept_fields(request.form.items(multi=True))
    action = safe_next(request.full_path.rstrip("?"), "")
    if not action:
        return None
    had_files = any(f.filename for f in request.files.values())
    if current_user.is_authenticated:
        return make_response(render_template("auth/resume.html", fields=fields, action=action, back=_back_to(),
                                             had_files=had_files, expired="token"), status)
    from app.auth.forms import SignInForm

    form = SignInForm(formdata=None)
    return make_response(render_template("auth/resume_sign_in.html", form=form, fields=fields, action=action,
                                         back=_back_to(), had_files=had_files), status)


def _carried(form: MultiDict[str, str]) -> tuple[str, list[KeptField]]:
    action = safe_next(form.get(ACTION_FIELD), "")
    pairs = [(name[len(FIELD_PREFIX):], value) for name, value in form.items(multi=True)
             if name.startswith(FIELD_PREFIX)]
    return action, kept_fields(pairs)


def resumed_after_sign_in(form: MultiDict[str, str]) -> Response | None:
    """After a sign-in that carried a kept form: the review page to send it again, or None."""
    action, fields = _carried(form)
    if not action:
        return None
    return make_response(render_template("auth/resume.html", fields=fields, action=action,
                                         back=safe_next(request.args.get("next"), url_for("learn.home")),
                                         had_files=form.get("resume_had_files") == "1", expired="session"))


def sign_in_again(sign_in_form: object, form: MultiDict[str, str], status: int) -> Response | None:
    """A failed sign-in that carried a kept form shows the form again with it, or None."""
    action, fields = _carried(form)
    if not action:
        return None
    return make_response(render_template("auth/resume_sign_in.html", form=sign_in_form, fields=fields,
                                         action=action, had_files=form.get("resume_had_files") == "1",
                                         back=safe_next(request.args.get("next"), url_for("learn.home"))), status)


def _sign_in_expired() -> Response:
    """The sign-in form itself expired: show it again with the email (and any kept form) and say so."""
    from app.auth.forms import SignInForm

    form = SignInForm(formdata=None, email=request.form.get("email", "")[:254])
    form.password.errors = ["The sign-in form has expired (it was open a long time). Enter your password again."]
    return sign_in_again(form, request.form, 400) or make_response(render_template("auth/login.html", form=form), 400)


def install(app: Flask) -> None:
    from app.error_pages import error_response
    from app.extensions import login_manager

    @app.errorhandler(CSRFError)
    def _csrf(exc: CSRFError):
        if request.endpoint == "auth.login" and _is_browser_form():
            return _sign_in_expired()
        page = recovery_page(400)
        if page is not None:
            return page
        return error_response(400, "The form has expired or was not sent from this site. Reload the page and try again.")

    @login_manager.unauthorized_handler
    def _unauthorized():
        """Flask-Login's own behaviour (flash, redirect to sign in and back), except for a posted form."""
        from flask import flash, redirect
        from flask_login.utils import login_url

        if request.method == "POST":
            page = recovery_page(401)
            if page is not None:
                return page
        flash(login_manager.login_message, login_manager.login_message_category)
        return redirect(login_url("auth.login", next_url=request.url))
