"""render.py's entry points, importing WeasyPrint (about a second of start-up) on first use only:
a worker that never makes a PDF never pays for it."""
from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from app.pdf.layers import FIT

__all__ = ["FIT", "RenderStopped", "measure", "render_layered_parallel", "render_many_parallel", "render_pdf",
           "render_pdf_apart", "render_pool", "stop_apart_renders"]

if TYPE_CHECKING:
    from concurrent.futures import Executor

_apart: set[Any] = set()              # the process pools of renders under way in child processes
_apart_lock = threading.Lock()
_stopping = threading.Event()


class RenderStopped(RuntimeError):
    """The process is stopping: a render in a child process was ended before it finished."""


def render_pdf(*args: Any, **kwargs: Any) -> bytes:
    from app.pdf.render import render_pdf as real

    return real(*args, **kwargs)


def render_many_parallel(*args: Any, **kwargs: Any) -> list[bytes]:
    from app.pdf.render import render_many_parallel as real

    return real(*args, **kwargs)




def render_layered_parallel(*args: Any, **kwargs: Any) -> list[bytes]:
    from app.pdf.render import render_layered_parallel as real

    return real(*args, **kwargs)


def measure(*args: Any, **kwargs: Any) -> dict[str, tuple[float, float, float]]:
    from app.pdf.render import measure as real

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

    if _stopping.is_set():
        raise RenderStopped("the server is stopping")
    pool = ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn"), initializer=os.nice, initargs=(niceness,))
    with _apart_lock:
        _apart.add(pool)
    try:
        return pool.submit(render_one, html, css_text, max_pages, time_limit).result()
    except Exception:
        if _stopping.is_set():
            raise RenderStopped("the server is stopping") from None
        raise
    finally:
        with _apart_lock:
            _apart.discard(pool)
        pool.shutdown(wait=not _stopping.is_set(), cancel_futures=True)


def stop_apart_renders() -> int:
    """End the renders under way in child processes at once, for a process that is stopping: left
    alone, the interpreter would wait at exit for a workbook build (ten seconds or more) and hold up
    a restart. Their callers get RenderStopped; the next process builds again. Returns how many."""
    _stopping.set()
    with _apart_lock:
        pools = list(_apart)
    for pool in pools:
        for process in list((getattr(pool, "_processes", None) or {}).values()):
            process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
    return len(pools)
