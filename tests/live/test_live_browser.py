"""A live session in three browsers: the instructor and two trainees (one on a phone)."""
import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.auth.services import user_by_email
from app.cohorts import services as cohorts
from app.cohorts.models import Cohort
from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.live import sessions
from app.live.models import LiveParticipant

pytestmark = pytest.mark.browser


def test_instructor_runs_a_session_two_trainees_follow_answer_and_see_the_reveal(browser, classroom, browser_sign_in):
    app, url = classroom
    with app.app_context():
        lesson = catalog().day_lessons(1)[4]
        quiz = catalog().quiz("stage-03")
    question = next(q for q in quiz.questions if q.type == "single")
    contexts = [browser.new_context(base_url=url, viewport={"width": 1280, "height": 900}),
                browser.new_context(base_url=url, viewport={"width": 1280, "height": 900}),
                browser.new_context(base_url=url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)]
    try:
        teacher, toby, tara = (c.new_page() for c in contexts)
        for p in (teacher, toby, tara):
            p.set_default_timeout(10_000)

        # the instructor starts Day 1 for the demo cohort
        browser_sign_in(teacher, "instructor@example.com", "demo-instructor")
        teacher.goto("/teach/")
        teacher.get_by_role("link", name="Demo cohort").first.click()
        teacher.get_by_label("Run a course day in the room").select_option("1")
        teacher.get_by_role("button", name="Start a live session").click()
        expect(teacher.get_by_role("heading", name=re.compile("Day 1"))).to_be_visible()
        code = teacher.locator(".live-code").inner_text().strip()
        assert re.fullmatch(r"[23456789ABCDEFGHJKMNPQRSTWXYZ]{6}", code)

        # two trainees join by code, one typing it in lower case on a phone
        browser_sign_in(toby, "trainee@example.com", "demo-trainee")
        browser_sign_in(tara, "tara@example.com", "demo-trainee-two")
        for page, typed in ((toby, code), (tara, code.lower())):
            page.goto("/join")
            page.get_by_label("Session code").fill(typed)
            page.get_by_role("button", name="Join").click()
            expect(page.get_by_role("heading", name="Waiting for the instructor")).to_be_visible()
        expect(teacher.locator("[data-live-presence]")).to_contain_text("2 joined")

        # "show to class": both screens move without reloading
        teacher.get_by_label("Preview a lesson").select_option(lesson.slug)
        teacher.get_by_role("button", name="Preview").click()
        teacher.get_by_role("button", name="Show to class").click()
        for page in (toby, tara):
            expect(page.get_by_role("heading", name=lesson.title, level=2)).to_be_visible()
            expect(page.locator(".block--facilitator")).to_have_count(0)

        # a poll from the quiz bank
        right = question.body.option(question.body.correct[0]).text
        wrong = next(o.text for o in question.body.options if o.id not in question.body.correct)
        teacher.get_by_label("Question from the quiz bank").select_option(f"{quiz.id}/{question.id}")
        teacher.get_by_role("button", name="Launch poll").first.click()
        for page, choice in ((toby, right), (tara, wrong)):
            expect(page.locator(".live-poll--open")).to_be_visible()
            page.get_by_label(choice, exact=True).check()
            page.get_by_role("button", name="Send answer").click()
            expect(page.locator(".live-poll__status")).to_contain_text("Your answer is in")
        expect(teacher.locator("#present-panel .live-chart__count")).to_contain_text("2 answers")

        # the reveal reaches both, each with their own verdict (from the stream's "personal"
        # event: no page asks for it) and the explanation
        asked = []
        for page in (toby, tara):
            page.on("request", lambda request: asked.append(request.url) if request.url.endswith("/poll") else None)
        teacher.get_by_role("button", name="Reveal the answer").click()
        expect(toby.locator(".live-verdict")).to_contain_text("You got it")
        expect(tara.locator(".live-verdict")).to_contain_text("Not this time")
        for page in (toby, tara):
            expect(page.locator(".live-bar--right")).to_contain_text(right)
        toby.wait_for_timeout(1800)             # longer than the fallback fetch's jitter
        assert asked == []

        # nothing scrolls sideways on the phone, nor the presenter view at phone width
        assert tara.evaluate("document.documentElement.scrollWidth") <= 390
        narrow = contexts[0].new_page()
        narrow.set_viewport_size({"width": 360, "height": 800})
        narrow.goto(teacher.url)
        assert narrow.evaluate("document.documentElement.scrollWidth") <= 360
        narrow.close()

        # the projector shows the code and the results
        projector = contexts[0].new_page()
        projector.goto(teacher.url.replace("/present", "/projector"))
        expect(projector.locator(".projector__code")).to_have_text(code)
        expect(projector.locator(".live-chart__count")).to_contain_text("2 answers")

        # the leaderboard: each sees their own rank, again without asking
        teacher.get_by_role("button", name="Show the leaderboard to the room").click()
        expect(toby.locator(".live-me")).to_contain_text("you are 1 of 2")
        expect(tara.locator(".live-me")).to_contain_text("you are 2 of 2")
        assert asked == []

        # attendance is recorded for both
        teacher.reload()
        people = teacher.locator("#people table")
        expect(people).to_contain_text("Toby Trainee")
        expect(people).to_contain_text("Tara Second")
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveParticipant)) == 2
    finally:
        for c in contexts:
            c.close()


def test_a_trainee_removed_from_the_cohort_is_shown_why_within_15_s(browser, classroom, browser_sign_in):
    """The stream ends with an "end" event; the page reloads and shows the refusal instead of
    following the class silently."""
    app, url = classroom
    with app.app_context():
        cohort = db.session.scalar(sa.select(Cohort))
        instructor = user_by_email("instructor@example.com")
        cohort_id = cohort.id
        session = sessions.start_session(instructor.id, cohort_id, 1, catalog(), now=utcnow())
        code, session_id = session.code, session.id
        db.session.remove()
    context = browser.new_context(base_url=url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        browser_sign_in(page, "tara@example.com", "demo-trainee-two")
        page.goto("/join")
        page.get_by_label("Session code").fill(code)
        page.get_by_role("button", name="Join").click()
        expect(page.get_by_role("heading", name="Waiting for the instructor")).to_be_visible()
        page.wait_for_timeout(500)   # the stream is open
        with app.app_context():
            admin = user_by_email("admin@example.com")
            tara = user_by_email("tara@example.com")
            cohorts.unenrol(admin.id, cohort_id, tara.id, now=utcnow())
            db.session.remove()
        expect(page.get_by_text("no longer a member of this session's cohort")).to_be_visible(timeout=15_000)
        assert page.url.endswith(f"/live/{session_id}")
    finally:
        context.close()
