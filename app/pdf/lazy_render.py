"""render.py's entry points, importing WeasyPrint (about a second of start-up) on first use only:
a worker that never makes a PDF never pays for it."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import Executor


def render_pdf(*args: Any, **kwargs: Any) -> bytes:
    from app.pdf.render import render_pdf as real

    return real(*args, **kwargs)


def render_many_parallel(*args: Any, **kwargs: Any) -> list[bytes]:
    from app.pdf.render import render_many_parallel as real

    return real(*args, **kwargs)


@contextmanager
def render_pool(documents: int, **kwargs: Any) -> Iterator[Executor | None]:
    from app.pdf.render import render_pool as real

    with real(documents, **kwargs) as pool:
        yield pool


def render_pdf_apart(html: str, css_text: str, *, max_pages: int, time_limit: float, niceness: int = 10) -> bytes:
    """render_pdf in a fresh child process at a lower CPU priority: a long document (the workbook)
    neither takes this process's render queue (people's downloads keep their turn) nor holds its
    interpreter lock (pages stay quick) while it is laid out. Started with "spawn", never forked
    from a threaded server process."""
    import os
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from app.pdf.render_child import render_one

    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"), initializer=os.nice,
                             initargs=(niceness,)) as pool:
        return pool.submit(render_one, html, css_text, max_pages, time_limit).result()
