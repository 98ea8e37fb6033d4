"""PDF downloads made on request (checklist, workbook): the per-person limit and the response.

PDF_RENDER_LIMIT counts the PDFs a person has made, not those served from a cache, in Flask-Limiter's
storage (Redis with REDIS_URL). Over it, and when this process's render queue is full
(PDF_RENDER_QUEUE, app/pdf/limits.py), the answer is a 429 page with Retry-After.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, g
from flask_login import current_user

from app.auth import throttle
from app.extensions import limiter
from app.pdf.cache import Made

TOO_MANY = "You have made many PDFs in a short time. Please try again in a minute."


def _person() -> str:
    return f"pdf:{current_user.id}" if current_user.is_authenticated else f"pdf-addr:{throttle.client_address()}"


def _rendered(response: Response) -> bool:
    return bool(g.get("pdf_rendered"))


def render_limited(view: Callable[..., Any]) -> Callable[..., Any]:
    """The view may make a PDF: limited per person by PDF_RENDER_LIMIT, one count over every such view
    (only renders count)."""
    return limiter.shared_limit(throttle.setting("PDF_RENDER_LIMIT"), scope="pdf-render", key_func=_person,
                                deduct_when=_rendered, error_message=TOO_MANY)(view)


def pdf_response(made: Made, filename: str) -> Response:
    g.pdf_rendered = made.rendered
    return Response(made.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
