"""render.py's entry points, importing WeasyPrint (about a second of start-up) on first use only:
a worker that never makes a PDF never pays for it."""
from __future__ import annotations

from typing import Any


def render_pdf(*args: Any, **kwargs: Any) -> bytes:
    from app.pdf.render import render_pdf as real

    return real(*args, **kwargs)


def render_many_parallel(*args: Any, **kwargs: Any) -> list[bytes]:
    from app.pdf.render import render_many_parallel as real

    return real(*args, **kwargs)
