"""A live Lectern on a free port and real headless Chromium driven by Playwright.

Never `playwright install`: the browser is Debian's chromium. Without it these tests skip, unless
LECTERN_REQUIRE_BROWSER=1 (as in CI), where a missing browser is a failure.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

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


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve `app` as production does (uvicorn with app/serving.py: pages in a thread pool, event
    streams on the event loop) on a free port of 127.0.0.1 while inside."""
    from tests.plugins.engine import engine

    with engine(app) as (url, _asgi):
        yield url
    from app.extensions import db

    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_server(database_uri: str) -> Iterator[str]:
    with serving(browser_app(database_uri)) as url:
        yield url


@pytest.fixture
def page(browser, live_server):
    # UTC, whatever the machine's zone: quiz.js shows deadlines in the browser's own time zone
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, timezone_id="UTC")
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()
