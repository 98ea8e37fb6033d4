"""Issue 15, finding 3: one person's PDFs must not starve everyone else's (app/pdf/limits.py, cache.py)."""
import threading
import time
from contextlib import contextmanager

import pytest

from app.config import ConfigError, finalise, from_environment
from app.pdf import render
from app.pdf.cache import PdfCache, content_key
from app.pdf.limits import PdfError, PdfQueueFull, RenderQueue


@contextmanager
def busy(queue: RenderQueue, waiting: int = 0):
    """Another document is being laid out (and `waiting` more wait) until the block ends."""
    release, holding = threading.Event(), threading.Event()

    def hold():
        with queue.turn():
            holding.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    queue.waiting += waiting  # as if that many threads were blocked in turn()
    try:
        yield
    finally:
        queue.waiting -= waiting
        release.set()
        holder.join(5)


def test_finding_3_a_full_render_queue_refuses_at_once_and_jobs_still_wait():
    queue = RenderQueue()
    with busy(queue, waiting=2):
        started = time.perf_counter()
        with pytest.raises(PdfQueueFull) as info, queue.turn(max_waiting=2):
            pass
        assert time.perf_counter() - started < 0.1
        assert info.value.status_code == 429 and info.value.retry_after == 60
        assert "try again in a minute" in str(info.value)
    with queue.turn(max_waiting=0):  # nobody is laying out a document: never refused
        pass
    done = []

    def job():
        with queue.turn():
            done.append(True)

    with busy(queue, waiting=5):
        waiter = threading.Thread(target=job)
        waiter.start()
        time.sleep(0.2)
        assert not done  # no limit (a background job): it waits its turn
    waiter.join(5)
    assert done == [True]


def test_finding_3_the_time_limit_starts_after_the_wait_for_the_lock():
    html = "<html><body><p>Short</p></body></html>"
    render.render_pdf(html, "p { color: black }")  # fonts and styles loaded once
    with busy(render._queue):
        result = []
        waiter = threading.Thread(target=lambda: result.append(render.render_pdf(html, "p { color: black }", time_limit=1.0)))
        waiter.start()
        time.sleep(1.5)  # longer than the time limit, spent waiting
    waiter.join(10)
    assert result and result[0].startswith(b"%PDF")
    with pytest.raises(PdfError, match="at most 1"):
        render.render_pdf('<p style="page-break-after: always">1</p><p>2</p>', "", max_pages=1)


def test_finding_3_pdf_cache_is_bounded_lru_and_makes_each_key_once():
    cache = PdfCache(max_bytes=10)
    cache.put("a", b"12345")
    cache.put("b", b"12345")
    assert cache.get("a") == b"12345"     # a is now the most recently used
    cache.put("c", b"123")
    assert cache.get("b") is None and cache.get("a") and cache.get("c")
    cache.put("huge", b"x" * 11)
    assert cache.get("huge") is None
    calls = []

    def make():
        calls.append(1)
        time.sleep(0.2)
        return b"pdf"

    results = []
    threads = [threading.Thread(target=lambda: results.append(cache.get_or_make("k", make))) for _ in range(5)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(calls) == 1 and sorted(m.rendered for m in results) == [False] * 4 + [True]
    assert content_key("<p>a</p>", "css") != content_key("<p>a</p>c", "ss")


def test_finding_3_pdf_settings_come_from_the_environment_and_are_checked():
    settings = from_environment({"PDF_RENDER_LIMIT": "3 per minute", "PDF_RENDER_QUEUE": "5"}, "/tmp")
    assert settings["PDF_RENDER_LIMIT"] == "3 per minute" and settings["PDF_RENDER_QUEUE"] == 5
    with pytest.raises(ConfigError, match="PDF_RENDER_QUEUE='many' is not a whole number"):
        from_environment({"PDF_RENDER_QUEUE": "many"}, "/tmp")
    from app.config import BaseConfig

    base = {k: getattr(BaseConfig, k) for k in dir(BaseConfig) if k.isupper()}
    base.update(SECRET_KEY="x" * 40, SQLALCHEMY_DATABASE_URI="sqlite://")
    finalise(dict(base))
    with pytest.raises(ConfigError, match="PDF_RENDER_LIMIT='lots' is not a rate limit"):
        finalise({**base, "PDF_RENDER_LIMIT": "lots"})
    with pytest.raises(ConfigError, match="PDF_RENDER_QUEUE=-1 must be a whole number"):
        finalise({**base, "PDF_RENDER_QUEUE": -1})
