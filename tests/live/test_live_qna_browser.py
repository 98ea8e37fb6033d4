"""Q&A in browsers (issue 20): two phones, the presenter view and the projector, on the real stream
engine. Phone A asks, phone B (a guest, no account) upvotes (from the keyboard), the presenter sees the vote, puts the
question on screen (the projector shows it big) and marks it answered (the phones move it to
"Answered"). Anonymous by default: the presenter sees who asked, phone B and the projector do not.
axe finds no serious or critical problem on the phone or the presenter view."""
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.plugins.browser import join_as_guest, let_guests_in, start_live_session

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("LECTERN_SHOTS", "")) if os.environ.get("LECTERN_SHOTS") else None
REPO = Path(__file__).resolve().parents[2]
AXE_JS = os.environ.get("LECTERN_AXE_JS") or str(REPO / ".ci/vendor/node_modules/axe-core/axe.min.js")
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
QUESTION = "Could we get the checklist as a PDF to print for the team?"
ASKER = "Toby Trainee"


def _shot(page, name):
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))


def _axe(page) -> list[str]:
    """Serious and critical axe findings on the page, one line each (axe is loaded into every page
    of the contexts made with it; they bypass the CSP, which forbids any script but our own)."""
    found = page.evaluate("""async () => {
        const result = await axe.run(document);
        return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
            .map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', '));
    }""")
    return list(found)


def join_phone(browser, url, sign_in, email, password, code, *, axe=False, guest=False):
    """A phone (390×844) that has joined with `code`: signed in as `email`, or with guest=True as a
    guest whose nickname is `email` (no account): (context, page)."""
    options = {**PHONE, "bypass_csp": True} if axe else PHONE
    context = browser.new_context(base_url=url, **options)
    if axe:
        context.add_init_script(path=AXE_JS)
    page = context.new_page()
    page.set_default_timeout(10_000)
    if guest:
        join_as_guest(page, code, email)
    else:
        sign_in(page, email, password)
        page.goto("/join")
        page.get_by_label("Session code").fill(code)
        page.get_by_role("button", name="Join").click()
    expect(page.get_by_role("heading", name="Questions for the instructor")).to_be_visible()
    return context, page


def test_phones_ask_and_upvote_the_presenter_puts_a_question_on_screen_and_marks_it_answered(
        browser, classroom, browser_sign_in):
    if not os.path.isfile(AXE_JS):
        if os.environ.get("LECTERN_REQUIRE_BROWSER"):
            pytest.fail(f"no axe-core at {AXE_JS}")
        pytest.skip(f"no axe-core at {AXE_JS}")
    _app, url = classroom
    teacher_ctx = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900}, bypass_csp=True)
    teacher_ctx.add_init_script(path=AXE_JS)
    contexts = [teacher_ctx]
    try:
        teacher = teacher_ctx.new_page()
        teacher.set_default_timeout(10_000)
        code = start_live_session(teacher, browser_sign_in)
        present_url = teacher.url

        projector = teacher_ctx.new_page()
        projector.set_default_timeout(10_000)
        projector.set_viewport_size({"width": 1920, "height": 1080})
        projector.goto(present_url.replace("/present", "/projector"))
        expect(projector.locator(".projector__code")).to_have_text(code)

        phone_a_ctx, phone_a = join_phone(browser, url, browser_sign_in, "trainee@example.com", "demo-trainee", code)
        contexts.append(phone_a_ctx)
        let_guests_in(teacher)
        # phone B is a guest: a nickname and the code, no account
        phone_b_ctx, phone_b = join_phone(browser, url, browser_sign_in, "Tara Visitor", "", code, axe=True, guest=True)
        contexts.append(phone_b_ctx)
        teacher.goto(present_url)          # the presenter view, following its stream from here on

        # phone A asks
        phone_a.get_by_label("Your question").fill(QUESTION)
        phone_a.get_by_role("button", name="Ask", exact=True).click()
        expect(phone_a.locator("[data-qna-status]")).to_have_text("Your question is in.")
        mine = phone_a.locator("#qna [data-question]").filter(has_text=QUESTION)
        expect(mine.get_by_text("You asked this")).to_be_visible()
        expect(mine.locator("form[data-qna-vote]:visible")).to_have_count(0)      # no vote for one's own

        # phone B sees it through its stream, without its name, and upvotes from the keyboard
        theirs = phone_b.locator("#qna [data-question]").filter(has_text=QUESTION)
        expect(theirs).to_be_visible()
        expect(phone_b.locator("#qna")).not_to_contain_text(ASKER)
        expect(phone_b.locator("#qna")).to_contain_text("Questions are anonymous")
        upvote = theirs.get_by_role("button", name="Upvote", exact=True)     # described by the question
        upvote.focus()
        phone_b.keyboard.press("Enter")
        expect(theirs.get_by_role("button", name=re.compile("Upvoted · withdraw"))).to_be_visible()
        expect(theirs.locator(".live-qna__votes")).to_have_text("1 vote")
        expect(mine.locator(".live-qna__votes")).to_have_text("1 vote")        # phone A, by its stream
        _shot(phone_b, "phone-qna-390")
        assert phone_b.evaluate("document.documentElement.scrollWidth") <= 390
        assert _axe(phone_b) == []

        # the presenter sees the vote and who asked (staff only), then puts it on screen
        board = teacher.locator("#qna-board [data-question]").filter(has_text=QUESTION)
        expect(board.locator(".live-qna__votes")).to_have_text("1 vote")
        expect(board.locator(".live-qna__author")).to_have_text(ASKER)
        expect(teacher.locator("[data-live-stale]")).to_be_hidden()
        assert _axe(teacher) == []
        if SHOTS is not None:
            teacher.locator("#qna").screenshot(path=str(SHOTS / "presenter-qna.png"))
        board.get_by_role("button", name=re.compile("^Put on screen")).click()

        # the projector shows it big, with its votes and without the name
        shown = projector.locator(".projector__screen--qna .projector__qna-text")
        expect(shown).to_have_text(QUESTION)
        expect(projector.locator(".projector__qna-votes")).to_have_text("1 vote")
        expect(projector.locator(".projector__screen--qna")).not_to_contain_text(ASKER)
        # measured in one step in the page: the panel may be replaced (a refresh) between two steps
        size, bottom = projector.evaluate("""() => {
            const el = document.querySelector('.projector__qna-text');
            return [parseFloat(getComputedStyle(el).fontSize), el.getBoundingClientRect().bottom];
        }""")
        assert size >= 48 and bottom <= 1080          # big, and all of it on the screen
        _shot(projector, "projector-qna-1920")
        expect(phone_b.locator("#qna")).to_contain_text("on the projector")

        # marked answered: the phones move it to "Answered"; the projector says so
        board = teacher.locator("#qna-board [data-question]").filter(has_text=QUESTION)
        board.get_by_role("button", name=re.compile("^Mark answered")).click()
        for phone in (phone_a, phone_b):
            expect(phone.locator(".live-qna__items--answered")).to_contain_text(QUESTION)
            expect(phone.locator("#qna").get_by_role("heading", name="Answered")).to_be_visible()
        expect(projector.locator("#projector-qna-title")).to_contain_text("answered")
        _shot(phone_a, "phone-qna-answered-390")
        _shot(projector, "projector-qna-answered-1920")

        # taken off the screen, the projector goes back to what it showed (the join code: no lesson yet)
        teacher.locator("#qna-board [data-question]").filter(has_text=QUESTION) \
            .get_by_role("button", name=re.compile("^Not answered yet")).click()
        teacher.locator("#qna-board [data-question]").filter(has_text=QUESTION) \
            .get_by_role("button", name=re.compile("^Take off screen")).click()
        expect(projector.locator(".projector__code")).to_have_text(code)
    finally:
        for context in contexts:
            context.close()
