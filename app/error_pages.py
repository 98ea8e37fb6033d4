"""The one place that turns exceptions into responses: a styled error page, or JSON for API callers.
(app/auth/views.py adds the answer to HashingBusy, the auth feature's own "busy" error.)"""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from app.errors import DomainError
from app.web import wants_json

TITLES = {
    400: "Bad request",
    401: "Sign in needed",
    403: "Not allowed",
    404: "Page not found",
    405: "Method not allowed",
    413: "Upload too large",
    429: "Too many requests",
    500: "Something went wrong",
    503: "Busy",
}

EXPLANATIONS = {
    400: "The request could not be understood. If you submitted a form, go back, reload the page and try again.",
    401: "Sign in to continue.",
    403: "Your account does not have access to this page.",
    404: "There is no page at this address. It may have moved, or the link may be mistyped.",
    405: "This page cannot be used that way.",
    413: "The file or form you sent is larger than this site accepts.",
    429: "Too many attempts in a short time. Wait a minute and try again.",
    500: "An unexpected error happened on our side. It has been logged; please try again in a moment.",
    503: "The server is busy. Try again in a few seconds.",
}


def error_response(status: int, detail: str | None = None):
    title = TITLES.get(status, "Error")
    message = detail or EXPLANATIONS.get(status, "")
    if wants_json():
        return jsonify(error=title, message=message), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        detail = None
        if status == 400 and exc.description and "CSRF" in str(exc.description):
            detail = "The form has expired or was not sent from this site. Reload the page and try again."
        if status == 429 and getattr(getattr(exc, "limit", None), "error_message", None):
            detail = exc.description  # a Flask-Limiter limit with its own message
        return error_response(status, detail)

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError):
        body, status = error_response(exc.status_code, str(exc) or None)
        retry_after = getattr(exc, "retry_after", None)  # "busy, come back later" errors (429)
        return body, status, ({"Retry-After": str(retry_after)} if retry_after else {})

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        propagate = app.config.get("PROPAGATE_EXCEPTIONS")
        if propagate or (propagate is None and (app.testing or app.debug)):
            raise exc
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        return error_response(500)
