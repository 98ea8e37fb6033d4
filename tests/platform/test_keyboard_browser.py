"""A trainee who uses only the keyboard: sign in, a lesson, a knowledge check, progress, certificate.

No mouse and no Playwright clicks, checks or fills: only key presses and typing. `tab_to` presses
Tab (or Shift+Tab) until the element wanted has focus, as a person tabbing through a page would.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from app.auth.services import user_by_email
from app.certificates import services as certificates
from app.content.catalog import catalog
from app.db import utcnow

pytestmark = pytest.mark.browser

FIRST_LESSON = "what-are-clusters"
QUIZ_LESSON = "cluster-navigators-development-process"  # its knowledge check has every kind of control


@pytest.fixture
def keyboard_page(browser, database_uri, browser_app, serving) -> Iterator:
    """The demo trainee already holds a certificate (issued by an administrator with a reason)."""
    app = browser_app(database_uri)
    with app.app_context():
        admin, trainee = user_by_email("admin@example.com"), user_by_email("trainee@example.com")
        certificates.issue(admin.id, trainee.id, catalog(), now=utcnow(),
                           override_reason="Completed the course in the room")
    with serving(app) as url:
        context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900}, accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        yield page
        context.close()


def assert_focus_visible(page, focused) -> None:
    now = focused(page)
    assert now is not None and now["ring"], f"no visible focus indicator on {now}"


def answer_by_keyboard(page, focused) -> int:
    """Tab through the quiz form, answering each control on the way, until the submit button has focus.
    Radios by arrow key or Space, checkboxes by Space, selects by arrow key, text by typing. Every
    question gets an answer, so submitting asks nothing more."""
    answered, groups_seen, arrowed = 0, set(), False
    for _ in range(200):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now is not None, "focus left the page before the submit button"
        if now["tag"] == "button" and now["text"] == "Submit answers":
            return answered
        if now["type"] == "radio" and now["name"] not in groups_seen:
            groups_seen.add(now["name"])
            # a radio group is one Tab stop; the arrow keys move the choice, Space takes the one in focus
            page.keyboard.press("ArrowDown" if not arrowed else "Space")
            after = focused(page)
            if not arrowed:
                assert after["id"] != now["id"], "the arrow key did not move to the next choice"
                arrowed = True
            assert after["checked"], "the radio in focus is not chosen"
            assert_focus_visible(page, focused)
            answered += 1
        elif now["type"] == "checkbox" and now["name"] not in groups_seen:
            groups_seen.add(now["name"])
            page.keyboard.press("Space")
            assert focused(page)["checked"], "Space did not tick the box"
            answered += 1
        elif now["tag"] == "select":
            value, last = page.evaluate("() => [document.activeElement.value, "
                                        "document.activeElement.selectedIndex === document.activeElement.length - 1]")
            key = "ArrowUp" if last else "ArrowDown"
            # an ordering question's positions start blank: the n-th item goes n-th (each its own position)
            steps = page.evaluate("() => { const s = document.activeElement, f = s.closest('.ordering');"
                                  " return f ? [...f.querySelectorAll('select')].indexOf(s) + 1 : 1; }")
            for _step in range(steps):
                page.keyboard.press(key)
            assert page.evaluate("() => document.activeElement.value") != value, f"{key} did not change the select"
            assert_focus_visible(page, focused)
            answered += 1
        elif now["tag"] == "input" and now["type"] == "text":
            page.keyboard.type("12")
            answered += 1
    raise AssertionError("never reached the Submit answers button")


def test_trainee_goes_from_sign_in_to_certificate_by_keyboard_alone(keyboard_page, tab_to, focused):
    page = keyboard_page

    # sign in: the email box has focus at once
    page.goto("/login")
    expect(page.get_by_label("Email")).to_be_focused()
    page.keyboard.type("trainee@example.com")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    assert_focus_visible(page, focused)
    page.keyboard.type("demo-trainee")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()  # signed in, on the course home
    page.wait_for_load_state()

    # the first Tab reaches the skip link, which shows itself and moves focus to the content
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    assert_focus_visible(page, focused)
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 0, "the focused skip link is off screen"
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    # from the content, the next Tab stops are in it: start Day 1, finish the first lesson and go on
    now = tab_to(page, "a", re.compile(r"^Start Day 1"), limit=10)
    assert now["ring"]
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/lessons/{FIRST_LESSON}$"))
    page.wait_for_load_state()
    tab_to(page, "button", "Mark complete and go to the next lesson")
    assert_focus_visible(page, focused)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/lessons/{QUIZ_LESSON}"))
    page.wait_for_load_state()

    # the on-page contents lead to the end of the lesson; mark it complete there
    tab_to(page, "a", "Finish the lesson")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile("#lesson-complete$"))
    tab_to(page, "button", "Mark complete", limit=10)
    assert_focus_visible(page, focused)
    page.keyboard.press("Space")
    expect(page.get_by_text("You completed this lesson")).to_be_visible()
    page.wait_for_load_state()

    # the knowledge check: back up to its link, start it, answer every question, submit
    tab_to(page, "a", "Take the knowledge check")
    assert_focus_visible(page, focused)
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Start the quiz")).to_be_visible()
    page.wait_for_load_state()
    tab_to(page, "button", "Start the quiz")
    page.keyboard.press("Enter")
    expect(page.get_by_role("button", name="Submit answers")).to_be_visible()
    page.wait_for_load_state()
    questions = page.locator("section.question").count()
    answered = answer_by_keyboard(page, focused)
    assert answered >= questions, f"answered {answered} controls for {questions} questions"
    assert_focus_visible(page, focused)
    page.keyboard.press("Enter")
    expect(page.locator(".score__value")).to_have_text(re.compile(r"^\d+%$"))
    expect(page.locator(".verdict")).to_have_count(questions)
    expect(page.get_by_text("Not answered")).to_have_count(0)  # every answer typed and chosen arrived
    page.wait_for_load_state()

    # the progress page through the main navigation
    tab_to(page, "nav a", "Progress")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your progress")
    page.wait_for_load_state()

    # and the certificate
    tab_to(page, "a", "Download certificate")
    assert_focus_visible(page, focused)
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
