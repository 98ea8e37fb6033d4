"""A live Lectern on a free port and real headless Chromium driven by Playwright.

Never `playwright install`: the browser is Debian's chromium. Without it these tests skip, unless
LECTERN_REQUIRE_BROWSER=1 (as in CI), where a missing browser is a failure.
"""
from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app import create_app
from app.auth.services import create_user, user_by_email
from app.cohorts import services as cohorts
from app.cohorts.models import Cohort
from app.db import utcnow
from app.demo.services import seed_demo
from app.extensions import db

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


@pytest.fixture
def classroom(database_uri):
    """The demo, with a second trainee (Tara, password demo-trainee-two) in the demo cohort, served
    as in production: (app, base URL)."""
    app = browser_app(database_uri)
    with app.app_context():
        admin = user_by_email("admin@example.com")
        second = create_user("tara@example.com", "Tara Second", ("trainee",), password="demo-trainee-two", now=utcnow())
        cohort = db.session.scalar(sa.select(Cohort).order_by(Cohort.id))
        cohorts.enrol(admin.id, cohort.id, [second.id], now=utcnow())
    with serving(app) as url:
        yield app, url


def sign_in_page(page, email="trainee@example.com", password="demo-trainee"):
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("form.account__signout")).to_be_attached()   # signed in (on a phone it sits in the menu)


@pytest.fixture
def browser_sign_in():
    """`browser_sign_in(page, email="trainee@example.com", password="demo-trainee")`: sign in through
    the form (a demo account by default) and wait for the signed-in page."""
    return sign_in_page


FOCUSED = """() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    return {tag: el.tagName.toLowerCase(), id: el.id, type: el.type || '', name: el.name || '', checked: !!el.checked,
            text: (el.innerText || el.value || '').trim(), href: el.getAttribute('href') || '',
            ring: (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) || style.boxShadow !== 'none'};
}"""


def focused(page) -> dict | None:
    return page.evaluate(FOCUSED)


def tab_to(page, selector: str, text: str | re.Pattern | None = None, *, key: str = "Tab", limit: int = 120) -> dict:
    """Press `key` until the focused element matches `selector` (and `text`); return what has focus."""
    for _ in range(limit):
        page.keyboard.press(key)
        now = focused(page)
        if now is None or not page.evaluate("s => document.activeElement.matches(s)", selector):
            continue
        if text is None or (text.search(now["text"]) if isinstance(text, re.Pattern) else now["text"] == text):
            return now
    raise AssertionError(f"{limit} presses of {key} never reached {selector} {text or ''}")


@pytest.fixture(name="focused")
def focused_fixture():
    """`focused(page)`: what has focus (tag, id, type, name, checked, text, href, ring), or None."""
    return focused


@pytest.fixture(name="tab_to")
def tab_to_fixture():
    """`tab_to(page, selector, text=None, key="Tab", limit=120)`: press Tab until `selector` has focus."""
    return tab_to


def answer_question(question, choice=0):
    """Answer one question somehow (the `choice`-th option where there is a choice), by the controls it offers."""
    radios = question.locator("input[type=radio]")
    boxes = question.locator("input[type=checkbox]")
    texts = question.locator("input[type=text]")
    selects = question.locator("select")
    if radios.count():
        radios.nth(min(choice, radios.count() - 1)).check()
    elif boxes.count():
        boxes.nth(min(choice, boxes.count() - 1)).check()
    elif texts.count():
        texts.first.fill(str(12 + choice))
    for i in range(selects.count()):
        select = selects.nth(i)
        values = select.locator("option").evaluate_all("els => els.map(e => e.value).filter(Boolean)")
        select.select_option(values[min(i, len(values) - 1)])


def answer_everything(page):
    """Answer each question somehow, using only the keyboard-friendly controls the page offers."""
    for question in page.locator("section.question").all():
        answer_question(question)


@pytest.fixture(name="answer_question")
def answer_question_fixture():
    """`answer_question(question_locator, choice=0)`: answer one quiz question by its own controls."""
    return answer_question


@pytest.fixture(name="answer_everything")
def answer_everything_fixture():
    """`answer_everything(page)`: answer every question on the quiz page somehow."""
    return answer_everything


@pytest.fixture(scope="session", name="browser_app")
def browser_app_fixture():
    """`browser_app(database_uri)`: the real app (CSRF and all) with the demo accounts."""
    return browser_app


@pytest.fixture(scope="session", name="serving")
def serving_fixture():
    """`with serving(app) as url:` the app served as in production on a free port."""
    return serving


def join_as_guest(page, code: str, nickname: str):
    """Join a live session as a guest (no account) the way a phone does: the QR link /join?code=…
    leads to "Join as a guest"; type the nickname, join, and wait for the participant page. The
    session must allow guests (its presenter switched them on)."""
    page.goto(f"/join?code={code}")
    expect(page.get_by_role("heading", name="Join as a guest")).to_be_visible()
    page.get_by_label("Session code").fill(code)
    page.get_by_label("Nickname").fill(nickname)
    page.get_by_role("button", name="Join as a guest").click()
    expect(page.locator("[data-live-participant]")).to_be_attached()


def start_live_session(teacher, sign_in, day: str = "1") -> str:
    """Sign in as the demo instructor, start a live session of the demo cohort for `day` from the
    cohort's page, and return its join code (the page is then the presenter view)."""
    sign_in(teacher, "instructor@example.com", "demo-instructor")
    teacher.goto("/teach/")
    teacher.get_by_role("link", name="Demo cohort").first.click()
    teacher.get_by_label("Run a course day in the room").select_option(day)
    teacher.get_by_role("button", name="Start a live session").click()
    return teacher.locator(".live-code").inner_text().strip()


def member_phone(browser, url: str, code: str, sign_in, email: str, password: str):
    """A phone (its own browser context, 390×844) signed in as `email` that joined the session with
    `code` → (context, page)."""
    context = browser.new_context(base_url=url, viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in(page, email, password)
    page.goto("/join")
    page.get_by_label("Session code").fill(code)
    page.get_by_role("button", name="Join").click()
    expect(page.locator("[data-live-participant]")).to_be_visible()
    return context, page


def let_guests_in(teacher):
    """On the presenter page: switch "Guests may join (no account)" on (it is off by default)."""
    guests = teacher.locator("#guests")
    guests.get_by_role("button", name="Let guests join").click()
    expect(teacher.locator("#guests")).to_contain_text("Guests may join (no account): on")


def guest_phone(browser, url: str, code: str, nickname: str):
    """A phone (its own browser context, 390×844) that joined the session as a guest → (context, page).
    The session must allow guests (let_guests_in)."""
    context = browser.new_context(base_url=url, viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    join_as_guest(page, code, nickname)
    return context, page


@pytest.fixture(name="join_as_guest")
def join_as_guest_fixture():
    """`join_as_guest(page, code, nickname)`: join the live session as a guest and wait for its page."""
    return join_as_guest
