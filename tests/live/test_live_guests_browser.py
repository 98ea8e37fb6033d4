"""Guests in browsers (issue 20): the instructor lets guests join; on the projector the code; a
trainee's phone signed in and a guest's phone (nickname, no account) both answer a poll; the
presenter sees the guest and removes them, and the guest's phone says their access has ended."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.content.catalog import catalog
from tests.plugins.browser import start_live_session

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("LECTERN_SHOTS", "")) if os.environ.get("LECTERN_SHOTS") else None
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
AXE_JS = os.environ.get("LECTERN_AXE_JS", "")


def _axe(page, where):
    """No serious or critical axe-core findings on the page (when axe-core is installed, as in CI)."""
    if not os.path.isfile(AXE_JS):
        return
    found = page.evaluate("""async () => (await axe.run(document)).violations
        .filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ': ' + v.help)""")
    assert found == [], f"{where}: {found}"


def _shot(page, name):
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_a_guest_answers_a_poll_and_is_removed(browser, classroom, browser_sign_in, join_as_guest):
    app, url = classroom
    with app.app_context():
        quiz = catalog().quiz("stage-03")
    question = next(q for q in quiz.questions if q.type == "single")
    right = question.body.option(question.body.correct[0]).text
    wrong = next(o.text for o in question.body.options if o.id not in question.body.correct)
    teacher_ctx = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    trainee_ctx = browser.new_context(base_url=url, **PHONE)
    guest_ctx = browser.new_context(base_url=url, **PHONE)
    if os.path.isfile(AXE_JS):
        for ctx in (teacher_ctx, guest_ctx):
            ctx.add_init_script(path=AXE_JS)     # the CSP refuses an injected script tag
    try:
        teacher, trainee, guest = teacher_ctx.new_page(), trainee_ctx.new_page(), guest_ctx.new_page()
        for p in (teacher, trainee, guest):
            p.set_default_timeout(10_000)
        code = start_live_session(teacher, browser_sign_in)

        # guests are off until the presenter lets them in
        guest.goto(f"/join?code={code}")
        expect(guest.get_by_role("heading", name="Sign in")).to_be_visible()
        guests = teacher.locator("#guests")
        expect(guests).to_contain_text("Guests may join (no account): off")
        guests.get_by_role("button", name="Let guests join").click()
        expect(teacher.locator("#guests")).to_contain_text("Guests may join (no account): on")

        projector = teacher_ctx.new_page()
        projector.set_viewport_size({"width": 1920, "height": 1080})
        projector.goto(teacher.url.split("#")[0].replace("/present", "/projector"))
        expect(projector.locator(".projector__code")).to_have_text(code)

        browser_sign_in(trainee, "tara@example.com", "demo-trainee-two")
        trainee.goto("/join")
        trainee.get_by_label("Session code").fill(code)
        trainee.get_by_role("button", name="Join").click()
        expect(trainee.get_by_role("heading", name="Waiting for the instructor")).to_be_visible()

        # the guest's phone, from the QR link: no account, a nickname
        guest.goto(f"/join?code={code}")
        expect(guest.get_by_role("heading", name="Join as a guest")).to_be_visible()
        expect(guest.get_by_label("Session code")).to_have_value(code)
        guest.get_by_label("Nickname").fill("Instructor")          # refused: says why, on the field
        guest.get_by_role("button", name="Join as a guest").click()
        expect(guest.locator("#nickname-error")).to_contain_text("Choose another")
        expect(guest.get_by_label("Nickname")).to_have_attribute("aria-invalid", "true")
        _axe(guest, "guest join, nickname refused")
        guest.get_by_label("Nickname").fill("Sam Visitor")
        _shot(guest, "guest-phone-join-390")
        _axe(guest, "guest join")
        assert guest.evaluate("document.documentElement.scrollWidth") <= 390
        join_as_guest(guest, code, "Sam Visitor")
        expect(guest.get_by_role("heading", name="Waiting for the instructor")).to_be_visible()
        guest.get_by_role("button", name="Menu").click()
        expect(guest.locator("#site-nav")).to_contain_text("Sam Visitor (guest)")
        expect(guest.locator("#site-nav").get_by_role("link", name="Course")).to_have_count(0)
        _shot(guest, "guest-phone-waiting-390")
        _axe(guest, "guest participant page")
        guest.get_by_role("button", name="Menu").click()
        # nowhere else: the course sends them to sign in
        other = guest_ctx.new_page()
        other.goto("/")
        expect(other.get_by_role("heading", name="Sign in")).to_be_visible()
        other.close()

        # a poll answered by both
        teacher.goto(teacher.url.split("#")[0])
        teacher.get_by_label("Question from the quiz bank").select_option(f"{quiz.id}/{question.id}")
        teacher.get_by_role("button", name="Launch poll").first.click()
        for page, choice in ((trainee, right), (guest, wrong)):
            expect(page.locator(".live-poll--open")).to_be_visible()
            page.get_by_label(choice, exact=True).check()
            page.get_by_role("button", name="Send answer").click()
            expect(page.locator(".live-poll__status")).to_contain_text("Your answer is in")
        expect(teacher.locator("#present-panel .live-chart__count")).to_contain_text("2 answers")
        expect(projector.locator(".live-chart__count")).to_contain_text("2 answers")
        _shot(projector, "guests-projector-1920")

        # the presenter sees the guest and removes them: their phone is told at once
        teacher.goto(teacher.url.split("#")[0])
        guests = teacher.locator("#guests")
        expect(guests.get_by_role("heading", name="Guests (1)")).to_be_visible()
        expect(guests).to_contain_text("Sam Visitor")
        if SHOTS is not None:
            guests.screenshot(path=str(SHOTS / "presenter-guests.png"))
        _axe(teacher, "presenter with a guest")
        guests.get_by_role("button", name="Remove Sam Visitor").click()
        expect(teacher.locator("#guests")).to_contain_text("Guests (0)")
        expect(guest.get_by_role("heading", name="Your guest access has ended")).to_be_visible(timeout=8000)
        _shot(guest, "guest-phone-removed-390")
        _axe(guest, "guest access ended")
        expect(teacher.locator("#present-panel .live-chart__count")).to_contain_text("1 answer")
        # the trainee carries on
        expect(trainee.locator(".live-poll__status")).to_contain_text("Your answer is in")
    finally:
        teacher_ctx.close()
        trainee_ctx.close()
        guest_ctx.close()
