"""A render in a child process (the workbook's) ends at once when the worker stops, instead of
holding the process's exit until the book is laid out (gunicorn's worker_exit calls
stop_apart_renders)."""
from __future__ import annotations

import threading
import time

import pytest

from app.pdf import lazy_render


@pytest.fixture
def fresh_stop_flag():
    yield
    lazy_render._stopping.clear()


def test_stopping_ends_a_long_render_at_once_and_says_so(fresh_stop_flag):
    html = "<body>" + "".join(f"<h1>Page {n}</h1><p>{'Cluster text. ' * 400}</p>" for n in range(400)) + "</body>"
    outcome: dict[str, object] = {}

    def build() -> None:
        try:
            lazy_render.render_pdf_apart(html, "h1 { break-before: page; }", max_pages=1000, time_limit=300.0)
            outcome["result"] = "finished"
        except lazy_render.RenderStopped as exc:
            outcome["result"] = exc

    worker = threading.Thread(target=build)
    worker.start()
    deadline = time.monotonic() + 30
    while not lazy_render._apart and time.monotonic() < deadline:
        time.sleep(0.05)
    assert lazy_render._apart, "the render never started"
    time.sleep(1.0)                                   # the child is laying the book out
    stopped_at = time.monotonic()
    assert lazy_render.stop_apart_renders() == 1
    worker.join(timeout=10)
    assert not worker.is_alive() and time.monotonic() - stopped_at < 5
    assert isinstance(outcome["result"], lazy_render.RenderStopped)
    with pytest.raises(lazy_render.RenderStopped):     # nothing new starts in a stopping process
        lazy_render.render_pdf_apart("<p>x</p>", "", max_pages=1, time_limit=10.0)
