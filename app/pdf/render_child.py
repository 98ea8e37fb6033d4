"""What a child process started by lazy_render.render_pdf_apart runs: importable without Flask."""
from __future__ import annotations


def render_one(html: str, css_text: str, max_pages: int, time_limit: float) -> bytes:
    from app.pdf.render import render_pdf

    return render_pdf(html, css_text, max_pages=max_pages, time_limit=time_limit)
