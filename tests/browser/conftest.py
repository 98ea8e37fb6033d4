"""A live Lectern on a free port and real headless Chromium driven by Playwright.

Never `playwright install`: the browser is Debian's chromium. Without it these tests skip, unless
LECTERN_REQUIRE_BROWSER=1 (as in CI), where a missing browser is a failure.
"""
from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from werkzeug.serving import make_server

from app import create_app
from app.db import utcnow
from app.demo.services import seed_demo

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def _browser_available() -> bool:
    return os.path.exists(CHROMIUM) or shutil.which(CHROMIUM) is not None


@pytest.fixture(scope="session")
def browser():
    if not _browser_available():
        if os.environ.get("LECTERN_REQUIRE_BROWSER") == "1":
            pytest.fail(f"LECTERN_REQUIRE_BROWSER=1 but no Chromium at {CHROMIUM}")
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def browser_app(database_uri: str):
    """The real app (CSRF and all) with the demo accounts."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "WTF_CSRF_ENABLED": True,
                      "PROPAGATE_EXCEPTIONS": False})
    with app.app_context():
        seed_demo(now=utcnow())
    return app


def _closing_before_send(app):
    """Read each finished response (files included) and close it before the dev server writes it.

    Werkzeug's dev server skips `close()` on the response when the browser drops the connection
    mid-send (a navigation away, say): its clean-up reads the reset socket and raises first. The
    open static file then warns at some later garbage collection, inside whichever test runs, and
    pytest's `error` filter fails that test. Event streams are endless, so they pass through as
    they are; gunicorn, which serves production, closes responses itself.
    """
    def wsgi(environ, start_response):
        sent: dict[str, str] = {}

        def remember(status, headers, exc_info=None):
            sent.update((name.lower(), value) for name, value in headers)
            return start_response(status, headers, exc_info)

        body = app(environ, remember)
        if sent.get("content-type", "").startswith("text/event-stream"):
            return body
        try:
            return [b"".join(body)]
        finally:
            if hasattr(body, "close"):
                body.close()

    return wsgi


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve `app` on a free port of 127.0.0.1 (threaded, like a gthread worker) while inside."""
    server = make_server("127.0.0.1", 0, _closing_before_send(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        from app.live.broker import close_all

        close_all()          # end open event streams so the server can stop
        server.shutdown()
        thread.join(timeout=10)
        from app.extensions import db

        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def live_server(database_uri: str) -> Iterator[str]:
    with serving(browser_app(database_uri)) as url:
        yield url


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()
