"""A new CSRF token at every sign-in and sign-out (issue 15, finding 11a).

Flask-WTF keeps one secret per session (`session["csrf_token"]`) and signs tokens from it. Kept
across a sign-in, a token seen before it (planted, or read from a shared computer's page) would
still be accepted for the signed-in person. Flask-Login's signals drop the secret (and this
request's cached token), so the next form rendered gets a fresh one and the old token is refused.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, session
from flask_login import user_logged_in, user_logged_out


def forget_csrf_token(sender: Any = None, **_: Any) -> None:
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    session.pop(field, None)
    g.pop(field, None)


def install(app: Flask) -> None:
    user_logged_in.connect(forget_csrf_token, app)
    user_logged_out.connect(forget_csrf_token, app)
