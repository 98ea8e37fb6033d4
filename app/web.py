"""Cross-cutting HTTP behaviour: security headers, template globals, and the shapes of input every
route can rely on (ids that fit a table, no NUL characters, HTML forms read from form posts)."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from flask import Flask, Response, abort, current_app, flash, has_request_context, request
from flask.json.provider import DefaultJSONProvider
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.routing import IntegerConverter, Map
from wtforms import SelectMultipleField
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.errors import DomainError

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


MAX_ID = 2**31 - 1  # the largest key any table can hold (PostgreSQL INTEGER)


def record_id(value: Any) -> int:
    """A form field's record id (`coerce=record_id`): a whole number a table can hold, else
    ValueError, which WTForms reports on the field. Without it a number beyond PostgreSQL's INTEGER
    reached a query and failed there with a 500 (found by tests/platform/test_robust_fuzz.py)."""
    number = int(value)
    if not 1 <= number <= MAX_ID:
        raise ValueError(f"{value!r} is not a record id")
    return number


def id_converter(url_map: Map, *args: Any, **kwargs: Any) -> IntegerConverter:
    """`<int:…>` in every route: a number no table can hold does not match (404) instead of
    overflowing the database driver (SQLite refuses integers above 2**63 - 1 with a 500)."""
    kwargs.setdefault("max", MAX_ID)
    return IntegerConverter(url_map, *args, **kwargs)


class HtmlForm(FlaskForm):
    """A form posted by a browser: it reads form fields and files, never a JSON body.

    Flask-WTF would feed a JSON body to the form as its data; a JSON string, list or number there
    raised a TypeError (a 500) and a nested object reached the services as a dict. A JSON post now
    simply leaves the form empty, so it fails validation like any other empty form."""

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if has_request_context() and request.is_json:
                return None
            return super().wrap_formdata(form, formdata)


class MultiCheckboxField(SelectMultipleField):
    """Several choices as a list of checkboxes (render_field draws them as a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MaxLength:
    """Length(max=…) whose message names the field and counts ("Full name can be up to 120
    characters; this one has 300."); the field still renders maxlength for the browser."""

    def __init__(self, limit: int) -> None:
        self.max = limit
        self.field_flags = {"maxlength": limit}

    def __call__(self, form: Any, field: Any) -> None:
        length = len(field.data or "")
        if length > self.max:
            raise ValidationError(f"{field.label.text} can be up to {self.max:,} characters; this one has {length:,}.")


def public_url(path: str) -> str:
    """An absolute address for people outside this request (join links, QR codes, mails): always the
    configured public address (LECTERN_BASE_URL), never the request's Host or X-Forwarded-Host."""
    return str(current_app.config["LECTERN_BASE_URL"]).rstrip("/") + path


def wants_json() -> bool:
    """Whether to answer this request in JSON: it sent JSON, or its Accept header prefers JSON to
    HTML (the live, quiz and workbook scripts send `Accept: application/json`; browsers prefer HTML)."""
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return request.is_json or (best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"])


class Refusal:
    """What `refusals()` caught: false while the block ran through, true once a domain error was shown."""

    def __init__(self) -> None:
        self.error: DomainError | None = None

    def __bool__(self) -> bool:
        return self.error is not None


@contextmanager
def refusals(*kinds: type[DomainError], form: Any = None, field: str | None = None,
             message: Callable[[DomainError], str] = str) -> Iterator[Refusal]:
    """A service refusing what was asked (a DomainError of one of `kinds`, any DomainError if none are
    given) becomes what the page shows, in one way everywhere:

    - without `form`: the message is flashed as an error, and the view redirects as it would anyway;
    - with `form`: the message goes on the form field the error names (`exc.field`), else on `field`,
      and the view renders the form again with what was typed (its status then 422: `form.errors`).

    The block's `Refusal` says whether it happened (and which error); other exceptions pass through.

        with refusals(AttemptLimitReached) as refused:
            attempt = services.start_attempt(...)
        if refused:
            return redirect(url_for("quizzes.quiz", quiz_id=quiz_id))
    """
    refusal, caught = Refusal(), kinds or (DomainError,)
    try:
        yield refusal
    except caught as exc:
        refusal.error = exc
        text = message(exc)
        if form is None:
            flash(text, "error")
            return
        target = getattr(form, exc.field, None) if exc.field else None
        if target is None:
            if field is None:
                raise TypeError("refusals(form=…) needs field= for errors that name no field of the form") from exc
            target = getattr(form, field)
        target.errors = [*target.errors, text]


def _carries_nul() -> bool:
    """Whether the address, query or form fields of the request contain a NUL character."""
    if "\x00" in request.path:
        return True
    return any("\x00" in (key or "") or "\x00" in (value or "")  # a malformed multipart part has no name
               for fields in (request.args, request.form) for key, value in fields.items(multi=True))


def _private(response: Response) -> bool:
    """Whether no cache (browser, proxy or shared computer) may keep this response: every page,
    and anything at all answered to a signed-in person (PDFs, CSV and Markdown exports, JSON)
    except the course's static files."""
    if response.mimetype == "text/html":
        return True
    if request.endpoint == "static":
        return False
    return bool(getattr(current_user, "is_authenticated", False))


class JSONProvider(DefaultJSONProvider):
    """Flask's JSON, except that a document nested too deeply to parse (50,000 brackets) is
    invalid JSON (a 400, or None for get_json(silent=True)) rather than a RecursionError (a 500)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            raise ValueError("JSON nested too deeply") from None


def install_web_hooks(app: Flask) -> None:
    from app.content.rendering import render_fragment

    app.json = JSONProvider(app)
    app.url_map.converters["int"] = id_converter  # type: ignore[assignment]  # before any blueprint adds routes

    app.jinja_env.filters["md"] = render_fragment

    @app.before_request
    def _refuse_nul_characters() -> None:
        """Nothing a person types contains NUL, and PostgreSQL can neither store nor compare it
        (psycopg raises DataError: a 500 on every text field). Such a request is malformed: 400."""
        if _carries_nul():
            abort(400)

    @app.after_request
    def _security_headers(response: Response) -> Response:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if app.config.get("SESSION_COOKIE_SECURE"):
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        if _private(response):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.context_processor
    def _globals() -> dict[str, object]:
        from app.content.catalog import catalog, content_problems

        return {"course": catalog().course, "content_problems": content_problems()}
