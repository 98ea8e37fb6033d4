"""Slides in a live session, in browsers (issue 20): the instructor presents Stage 5 as slides, moves
on with the keyboard (→), the projector (1920×1080) shows slide 2 full screen while the presenter
sees slide 2's facilitator notes; two phones keep the lesson until "Slides on phones" is on, then
follow; a poll sits between slides and "Back to slides" puts the same slide back."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from app.content.catalog import catalog
from tests.plugins.browser import guest_phone, let_guests_in, member_phone, start_live_session

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("LECTERN_SHOTS", "")) if os.environ.get("LECTERN_SHOTS") else None
SLUG = "stage-05-developing-the-clusters-vision"
SLIDE_2_NOTE = "Opening the slides"          # the facilitator note of slide 2 (the introduction)
TITLE_NOTE = "Trainees work alone on points 2"   # the lesson-wide notes, on the title slide


def _shot(page, name):
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))




def test_presenting_slides_to_the_projector_and_phones(browser, classroom, browser_sign_in):
    app, url = classroom
    with app.app_context():
        title = catalog().lesson(SLUG).title
        quiz = catalog().quiz("stage-05")
    question = next(q for q in quiz.questions if q.type == "single")
    teacher_ctx = browser.new_context(base_url=url, viewport={"width": 1440, "height": 1000})
    phones = []
    try:
        teacher = teacher_ctx.new_page()
        teacher.set_default_timeout(10_000)
        code = start_live_session(teacher, browser_sign_in)
        present_url = teacher.url.split("?")[0].split("#")[0]

        let_guests_in(teacher)
        phones = [member_phone(browser, url, code, browser_sign_in, "trainee@example.com", "demo-trainee"),
                  guest_phone(browser, url, code, "Tara Visitor")]           # the second phone: a guest

        projector = teacher_ctx.new_page()
        projector.set_viewport_size({"width": 1920, "height": 1080})
        projector.goto(present_url.replace("/present", "/projector"))
        expect(projector.locator(".projector__code")).to_have_text(code)

        # Present as slides: the lesson goes to the class, its title slide to the projector
        teacher.goto(f"{present_url}?lesson={SLUG}")
        teacher.get_by_role("button", name="Present as slides").click()
        expect(teacher.locator("[data-slide-position]")).to_have_text("1")
        expect(projector.locator('[data-projector-slide="0"] .slide--title')).to_be_visible()
        expect(teacher.locator(".live-slides__notes")).to_contain_text(TITLE_NOTE)
        for _context, phone in phones:     # phones keep the lesson
            expect(phone.locator("#live-lesson [data-lesson]")).to_have_attribute("data-lesson", SLUG)
            expect(phone.locator("#live-slide")).to_be_hidden()

        # → on the keyboard: slide 2 on the projector, its notes beside it on the presenter's screen
        teacher.locator("body").click(position={"x": 5, "y": 5})
        teacher.keyboard.press("ArrowRight")
        expect(teacher.locator("[data-slide-position]")).to_have_text("2")
        expect(teacher.locator(".live-slides__notes")).to_contain_text(SLIDE_2_NOTE)
        expect(teacher.locator(".live-slides__notes")).not_to_contain_text(TITLE_NOTE)
        expect(projector.locator('[data-projector-slide="1"]')).to_contain_text("Introduction")
        expect(projector.locator(".projector__join")).to_be_hidden()
        expect(teacher.locator("[data-live-stale]")).to_be_hidden()    # the presenter's own change
        projector_text = projector.locator("body").inner_text()
        assert SLIDE_2_NOTE not in projector_text and TITLE_NOTE not in projector_text
        box = projector.locator(".projector__slide .slide-screen").bounding_box()
        assert box["width"] >= 1700 and abs(box["width"] / box["height"] - 16 / 9) < 0.02
        assert projector.evaluate("document.documentElement.scrollHeight") <= 1080
        _shot(projector, "projector-slide-2-1920")
        _shot(teacher, "presenter-slides")

        # slides on phones: both follow, and keep following
        teacher.get_by_role("button", name="Slides on phones: off").click()
        for _context, phone in phones:
            expect(phone.locator('#live-slide [data-slide-index="1"]')).to_be_visible()
            expect(phone.locator("#live-lesson")).to_be_hidden()
        teacher.locator("body").click(position={"x": 5, "y": 5})
        teacher.keyboard.press("PageDown")
        expect(teacher.locator("[data-slide-position]")).to_have_text("3")
        expect(projector.locator('[data-projector-slide="2"]')).to_be_visible()
        _shot(projector, "projector-slide-3-1920")
        for _context, phone in phones:
            expect(phone.locator('#live-slide [data-slide-index="2"]')).to_be_visible()
            assert SLIDE_2_NOTE not in phone.locator("body").inner_text()
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390
        _shot(phones[0][1], "phone-slide-390")

        # a poll between slides takes the projector; "Back to slides" puts slide 3 back
        teacher.get_by_label("Question from the quiz bank").select_option(f"{quiz.id}/{question.id}")
        teacher.get_by_role("button", name="Launch poll").first.click()
        expect(projector.locator(".projector__screen--poll")).to_be_visible()
        for _context, phone in phones:
            expect(phone.locator(".live-poll--open")).to_be_visible()
        teacher.get_by_role("button", name="Back to slides").click()
        expect(projector.locator('[data-projector-slide="2"]')).to_be_visible()
        expect(teacher.locator("[data-slide-position]")).to_have_text("3")
        teacher.locator("body").click(position={"x": 5, "y": 5})
        teacher.keyboard.press("ArrowLeft")
        expect(projector.locator('[data-projector-slide="1"]')).to_be_visible()
        for _context, phone in phones:
            expect(phone.locator('#live-slide [data-slide-index="1"]')).to_be_visible()

        # slides off phones: back to the lesson text
        teacher.get_by_role("button", name="Slides on phones: on").click()
        for _context, phone in phones:
            expect(phone.locator("#live-slide")).to_be_hidden()
            expect(phone.locator("#live-lesson")).to_contain_text(title)
    finally:
        teacher_ctx.close()
        for context, _phone in phones:
            context.close()
