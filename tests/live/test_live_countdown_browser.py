"""Countdown per poll in browsers (issue 20): the instructor launches a poll with a short countdown,
a phone (its clock an hour wrong), a guest's phone (who answers in time) and the projector count it down, and at zero the poll closes on both by itself: nobody
presses anything and nobody posts anything; the stream engine's timer closes it on the server."""
import os
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.content.catalog import catalog
from app.extensions import db
from app.live import rules
from app.live.models import LivePoll
from tests.plugins.browser import guest_phone, let_guests_in, start_live_session

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("LECTERN_SHOTS", "")) if os.environ.get("LECTERN_SHOTS") else None
SECONDS = 8


def _shot(page, name):
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))


def test_a_countdown_poll_closes_by_itself_on_the_projector_and_the_phone(browser, classroom, browser_sign_in):
    app, url = classroom
    with app.app_context():
        quiz = catalog().quiz("stage-03")
    question = next(q for q in quiz.questions if q.type == "single")
    teacher_ctx = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    projector_ctx = teacher_ctx
    phone_ctx = browser.new_context(base_url=url, viewport={"width": 390, "height": 844}, is_mobile=True,
                                    has_touch=True)
    # the phone's clock is an hour behind: it must count from the server's clock all the same
    phone_ctx.add_init_script("(() => { const real = Date.now; Date.now = () => real() - 3600 * 1000; })()")
    extra = []
    try:
        teacher, phone = teacher_ctx.new_page(), phone_ctx.new_page()
        for p in (teacher, phone):
            p.set_default_timeout(10_000)
        code = start_live_session(teacher, browser_sign_in)
        let_guests_in(teacher)
        guest_ctx, guest = guest_phone(browser, url, code, "Sam Visitor")     # a second phone: a guest
        extra.append(guest_ctx)

        browser_sign_in(phone, "tara@example.com", "demo-trainee-two")
        phone.goto("/join")
        phone.get_by_label("Session code").fill(code)
        phone.get_by_role("button", name="Join").click()
        expect(phone.get_by_role("heading", name="Waiting for the instructor")).to_be_visible()

        projector = projector_ctx.new_page()
        projector.set_viewport_size({"width": 1920, "height": 1080})
        projector.goto(teacher.url.split("#")[0].replace("/present", "/projector"))
        expect(projector.locator(".projector__code")).to_have_text(code)

        # the form offers 15 to 120 s; the test configuration accepts a few seconds, given here
        teacher.get_by_label("Question from the quiz bank").select_option(f"{quiz.id}/{question.id}")
        countdown = teacher.locator("#bank-countdown")
        expect(countdown.locator("option")).to_have_count(1 + len(rules.COUNTDOWN_CHOICES))
        countdown.evaluate(f"select => {{ select.add(new Option('{SECONDS} seconds', '{SECONDS}')); }}")
        countdown.select_option(str(SECONDS))
        teacher.get_by_role("button", name="Launch poll").first.click()

        # nobody reads the state by polling (every page streams), so only the stream engine's
        # timer can close the poll at zero
        polled = []
        for p in (phone, projector, teacher):
            p.on("request", lambda r: polled.append(r.url) if r.url.endswith("/state") else None)

        # all three count down from the server's deadline
        timer = phone.locator("[data-live-countdown] [role=timer]")
        expect(phone.locator(".live-poll--open")).to_be_visible()
        expect(timer).to_have_text(re.compile(r"0:0[1-8]"))
        expect(projector.locator(".projector__screen--poll [role=timer]")).to_have_text(re.compile(r"0:0[1-8]"))
        expect(teacher.locator("#present-panel [role=timer]")).to_have_text(re.compile(r"0:0[1-8]"))
        # the guest answers in time; their answer counts in the tally like anyone's
        expect(guest.locator("[data-live-countdown] [role=timer]")).to_have_text(re.compile(r"0:0[1-8]"))
        guest.locator("#poll input[type=radio]").first.check()
        guest.get_by_role("button", name="Send answer").click()
        expect(guest.locator(".live-poll__status")).to_contain_text("Your answer is in")
        _shot(projector, "projector-countdown-1920")
        _shot(phone, "phone-countdown-390")
        if SHOTS is not None:
            teacher.locator("#poll").screenshot(path=str(SHOTS / "presenter-countdown.png"))
        first = timer.inner_text()
        phone.wait_for_timeout(1200)
        assert timer.inner_text() != first                       # it moves by itself

        # at zero: time up on the phone (sending is over), then the server closes the poll and
        # every screen shows it closed; the instructor did nothing
        expect(timer).to_have_text("Time is up", timeout=SECONDS * 1000 + 2000)
        expect(phone.locator(".live-poll--closed")).to_be_visible(timeout=6000)
        assert polled == []
        expect(phone.locator(".live-poll--closed")).to_contain_text("The poll closed before you answered")
        expect(phone.locator("#poll-title")).to_contain_text("time is up")
        expect(projector.locator("#projector-poll-title")).to_contain_text("time is up", timeout=6000)
        expect(teacher.locator("#present-panel .status-pill--closed")).to_be_visible(timeout=6000)
        expect(teacher.locator("[data-live-stale]")).to_be_hidden()   # not "another instructor changed it"
        expect(teacher.get_by_role("button", name="Reveal the answer")).to_be_visible()
        expect(guest.locator(".live-poll--closed")).to_be_visible()
        expect(guest.locator(".live-poll--closed")).not_to_contain_text("before you answered")
        _shot(projector, "projector-closed-1920")
        _shot(phone, "phone-closed-390")
        if SHOTS is not None:
            teacher.locator("#poll").screenshot(path=str(SHOTS / "presenter-closed.png"))
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        with app.app_context():
            poll = db.session.scalar(sa.select(LivePoll))
            assert poll.closed_at == poll.closes_at + rules.COUNTDOWN_GRACE

        # the instructor reveals as before
        teacher.get_by_role("button", name="Reveal the answer").click()
        expect(phone.locator(".live-poll--revealed")).to_be_visible()
    finally:
        teacher_ctx.close()
        phone_ctx.close()
        for context in extra:
            context.close()
