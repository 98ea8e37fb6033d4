"""Word clouds, open answers and rating scales in browsers (issue 20): the instructor asks each from
the presenter's quick-question form, two phones answer (one a guest, no account), and the projector (1920×1080) shows the
cloud (a hidden word vanishes), only the approved open answers, and the scale's distribution and
mean. Screenshots of the projector go to $LECTERN_SHOTS when it is set."""
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.plugins.browser import guest_phone, let_guests_in, member_phone, start_live_session

pytestmark = pytest.mark.browser

SHOTS = Path(os.environ.get("LECTERN_SHOTS", "")) if os.environ.get("LECTERN_SHOTS") else None


def _shot(page, name):
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"))




def _ask(teacher, kind, prompt, **fields):
    """The presenter's "Ask a quick question of your own", with the kind chosen."""
    teacher.locator("#adhoc summary").click()
    form = teacher.locator("#adhoc form")
    form.get_by_label(kind, exact=True).check()
    form.get_by_label("Question", exact=True).fill(prompt)
    for label, value in fields.items():
        field = form.get_by_label(label)
        if field.evaluate("el => el.tagName") == "SELECT":
            field.select_option(value)
        elif value is True:
            field.check()
        else:
            field.fill(value)
    form.get_by_role("button", name="Launch poll").click()
    expect(teacher.locator("#present-panel .live-poll__prompt")).to_contain_text(prompt)


def test_word_cloud_open_answers_and_a_rating_scale_on_the_projector(browser, classroom, browser_sign_in):
    app, url = classroom
    teacher_ctx = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    contexts = [teacher_ctx]
    try:
        teacher = teacher_ctx.new_page()
        teacher.set_default_timeout(10_000)
        code = start_live_session(teacher, browser_sign_in)
        projector = teacher_ctx.new_page()
        projector.set_viewport_size({"width": 1920, "height": 1080})
        projector.goto(teacher.url.replace("/present", "/projector"))
        expect(projector.locator(".projector__code")).to_have_text(code)
        let_guests_in(teacher)
        context, toby = member_phone(browser, url, code, browser_sign_in, "trainee@example.com", "demo-trainee")
        contexts.append(context)
        context, tara = guest_phone(browser, url, code, "Tessa Visitor")       # the second phone: a guest
        contexts.append(context)

        # --- a word cloud: both phones answer, the projector draws it, a hidden word vanishes
        _ask(teacher, "Word cloud", "In one to three words: what makes a working group work?")
        for phone, words in ((toby, ("Trust", "Clear roles", "Pizza")), (tara, ("trust!", "Shared goals", "Clear roles"))):
            expect(phone.locator(".live-poll--open")).to_be_visible()
            for label, word in zip(("First", "Second", "Third"), words, strict=True):
                phone.get_by_label(label).fill(word)
            phone.get_by_role("button", name="Send answer").click()
            expect(phone.locator(".live-poll__status")).to_contain_text("Your answer is in")
        cloud = projector.locator("svg.cloud__svg")
        expect(cloud.locator("text", has_text="trust")).to_have_attribute("data-count", "2")
        expect(cloud.locator("text", has_text="clear roles")).to_have_attribute("data-count", "2")
        expect(cloud.locator("text", has_text="pizza")).to_have_count(1)
        _shot(projector, "projector-word-cloud-1920")
        teacher.get_by_role("button", name="Hide “pizza”").click()
        expect(cloud.locator("text", has_text="pizza")).to_have_count(0)
        expect(cloud.locator("text", has_text="trust")).to_have_count(1)
        expect(teacher.get_by_role("button", name="Show “pizza”")).to_be_visible()
        _shot(projector, "projector-word-cloud-hidden-1920")
        if SHOTS is not None:
            teacher.locator("#poll").screenshot(path=str(SHOTS / "presenter-word-cloud.png"))

        # --- an open question: answers queue for the instructor; only the approved one is projected
        _ask(teacher, "Open answer", "What worries you about the first meeting?")
        for phone, text in ((toby, "That nobody comes"), (tara, "Running out of time for the agenda")):
            expect(phone.locator(".live-poll--open")).to_be_visible()
            phone.get_by_label("Your answer").fill(text)
            phone.get_by_role("button", name="Send answer").click()
            expect(phone.locator(".live-poll__status")).to_contain_text("Your answer is in")
        queue = teacher.locator(".live-moderate__queue")
        expect(queue.locator("li")).to_have_count(2)
        expect(queue).to_contain_text("Tessa Visitor")                    # names: the instructor only
        teacher.get_by_role("button", name="Approve the answer of Tessa Visitor").click()
        wall = projector.locator(".wall")
        expect(wall).to_contain_text("Running out of time for the agenda")
        expect(wall).not_to_contain_text("That nobody comes")
        expect(wall).not_to_contain_text("Tessa")                         # anonymous by default
        expect(tara.locator(".live-poll__shown")).to_be_visible()           # without a reload
        expect(toby.locator(".live-poll__shown")).to_be_hidden()
        expect(toby.locator("#poll")).not_to_contain_text("Tessa")
        toby.reload()
        expect(toby.locator(".live-poll__shown")).to_be_hidden()
        _shot(projector, "projector-open-answers-1920")
        if SHOTS is not None:
            teacher.locator("#poll").screenshot(path=str(SHOTS / "presenter-open-answers.png"))

        # --- a rating scale asked on the spot: the distribution and the mean
        _ask(teacher, "Rating scale", "How ready do you feel to chair the meeting?",
             **{"From 1 to": "5", "1 means": "Not at all", "The top means": "Completely"})
        for phone, point in ((toby, "4"), (tara, "5")):
            expect(phone.locator(".live-poll--open")).to_be_visible()
            phone.locator(f"input[type=radio][value='{point}']").check()
            phone.get_by_role("button", name="Send answer").click()
            expect(phone.locator(".live-poll__status")).to_contain_text("Your answer is in")
        chart = projector.locator(".live-chart")
        expect(chart.locator(".live-chart__summary")).to_have_text("Mean 4.5 of 5 · 2 ratings")
        expect(chart.locator(".live-bar", has_text="5 (Completely)").locator(".live-bar__value")).to_contain_text("1")
        expect(chart.locator(".live-bar")).to_have_count(5)
        _shot(projector, "projector-rating-1920")
    finally:
        for context in contexts:
            context.close()
