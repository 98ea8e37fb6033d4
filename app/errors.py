"""Domain errors and the one place that turns exceptions into responses."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from app.auth.passwords import HashingBusy


class DomainError(Exception):
    """A rule of the domain was broken; the message is safe to show to the user."""

    status_code = 400


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class InvalidToken(DomainError):
    """A reset or invitation link is unknown, expired or already used."""


class PasswordRejected(DomainError):
    """A new password does not meet the rules."""


class CurrentPasswordWrong(PasswordRejected):
    """The current password given to change it is not the account's."""


class InputRejected(DomainError):
    """What the person typed cannot be saved as it is (too long, wrong shape); say why, and which field."""

    status_code = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class InvalidEmail(DomainError):
    """The text given is not a usable email address."""

    status_code = 422


class EmailTaken(DomainError):
    status_code = 409


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


def _wants_json() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.is_json or (best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"])


def error_response(status: int, detail: str | None = None):
    title = TITLES.get(status, "Error")
    message = detail or EXPLANATIONS.get(status, "")
    if _wants_json():
        return jsonify(error=title, message=message), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        status = exc.code or 500
        detail = None
        if status == 400 and getattr(exc, "description", "") and "CSRF" in str(exc.description):
            detail = "The form has expired or was not sent from this site. Reload the page and try again."
        if status == 429 and getattr(getattr(exc, "limit", None), "error_message", None):
            detail = exc.description  # a Flask-Limiter limit with its own message
        return error_response(status, detail)

    @app.errorhandler(HashingBusy)
    def _hashing_busy(exc: HashingBusy):
        # pages with a password form catch this themselves and keep what was typed; this is the rest
        body, status = error_response(503, str(exc))
        response = app.make_response((body, status))
        response.headers["Retry-After"] = str(exc.retry_after)
        return response

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


class AttemptLimitReached(DomainError):
    status_code = 409


class AttemptClosed(DomainError):
    """The attempt is already finished; nothing more can be answered in it."""

    status_code = 409


class UnansweredQuestions(DomainError):
    """A submission would leave questions unanswered and was not confirmed: nothing was graded.
    `gaps` lists them (app/quizzes/completeness.py)."""

    status_code = 409

    def __init__(self, gaps: tuple[object, ...] = ()):
        n = len(gaps)
        super().__init__(f"{n} question{'s are' if n != 1 else ' is'} unanswered. Submit anyway, or go back and answer "
                         f"{'them' if n != 1 else 'it'}.")
        self.gaps = gaps


class NotEligible(DomainError):
    """The trainee does not meet the completion rule (and no override reason was given)."""

    status_code = 409

    def __init__(self, unmet: tuple[str, ...]):
        super().__init__("Not eligible yet: " + "; ".join(unmet))
        self.unmet = unmet


class AlreadyIssued(DomainError):
    status_code = 409


class CertificateNotMade(DomainError):
    """The certificate's PDF could not be made within its limits; nothing was issued."""

    status_code = 422

    def __init__(self, holder_name: str, reason: str):
        super().__init__(f"The certificate for {holder_name} could not be made, so it was not issued: {reason}")
        self.holder_name, self.reason = holder_name, reason
