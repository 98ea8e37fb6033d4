"""Issue 16 in the browser: the projector during a reveal (at 1280×720) and while a lesson is shown,
ending with a confirmation and resuming, the lesson page's heartbeat, and marking people present."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.auth.services import user_by_email
from app.cohorts.models import Cohort
from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.live import polls, sessions
from app.live.broker import current_broker
from app.live.models import LiveAttendanceCredit, LiveParticipant, LiveSession

pytestmark = pytest.mark.browser

LONGEST = ("day-1-assessment", "warning-signs-audit")    # the bank's longest explanation


def _session(app, *, day=1):
    """A session of the demo cohort that Toby (trainee) and Tara have joined."""
    with app.app_context():
        cohort = db.session.scalar(sa.select(Cohort).order_by(Cohort.id))
        instructor = user_by_email("instructor@example.com")
        session = sessions.start_session(instructor.id, cohort.id, day, catalog(), now=utcnow())
        for email in ("trainee@example.com", "tara@example.com"):
            sessions.join(current_broker(), user_by_email(email).id, session.code, now=utcnow())
        ids = {"session": session.id, "code": session.code, "instructor": instructor.id, "cohort": cohort.id,
               "toby": user_by_email("trainee@example.com").id, "tara": user_by_email("tara@example.com").id}
        db.session.remove()
    return ids


def _fits(page, selector):
    """The element is wholly inside the viewport and nothing needs scrolling: not clipped, not below the fold."""
    return page.evaluate("""(sel) => {
        const el = document.querySelector(sel), box = el.getBoundingClientRect();
        const doc = document.scrollingElement;
        return {top: box.top, bottom: box.bottom, left: box.left, right: box.right,
                innerWidth: innerWidth, innerHeight: innerHeight, scrollH: doc.scrollHeight, scrollW: doc.scrollWidth,
                clipped: el.scrollHeight > el.clientHeight + 1};
    }""", selector)


def _assert_fits(page, selector):
    m = _fits(page, selector)
    assert m["top"] >= 0 and m["left"] >= 0, m
    assert m["bottom"] <= m["innerHeight"] and m["right"] <= m["innerWidth"], m
    assert m["scrollH"] <= m["innerHeight"] and m["scrollW"] <= m["innerWidth"], m
    assert not m["clipped"], m


def test_reveal_shows_answer_chart_and_explanation_on_a_720p_projector_then_the_leaderboard(browser, classroom, browser_sign_in):
    app, url = classroom
    ids = _session(app)
    with app.app_context():
        quiz_id, question = polls.bank_question(catalog(), "/".join(LONGEST))
        broker = current_broker()
        sessions.set_leaderboard(broker, ids["instructor"], ids["session"], True)        # the leaderboard is on
        poll = polls.launch_poll(broker, ids["instructor"], ids["session"], question, quiz_key=quiz_id, scored=True,
                                 now=utcnow())
        polls.answer(broker, ids["toby"], ids["session"], poll.id, list(question.body.correct), now=utcnow())
        polls.answer(broker, ids["tara"], ids["session"], poll.id, [question.body.options[0].id], now=utcnow())
        right = question.body.option(question.body.correct[0]).text
        db.session.remove()
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    try:
        teacher = context.new_page()
        teacher.set_default_timeout(10_000)
        browser_sign_in(teacher, "instructor@example.com", "demo-instructor")
        projector = context.new_page()
        projector.set_default_timeout(10_000)
        projector.set_viewport_size({"width": 1280, "height": 720})
        projector.goto(f"/live/{ids['session']}/projector")
        expect(projector.locator("#projector-panel")).to_have_attribute("data-screen", "poll")
        expect(projector.locator(".live-chart__count")).to_contain_text("2 answers")

        teacher.goto(f"/live/{ids['session']}/present")
        teacher.get_by_role("button", name="Reveal the answer").click()
        # the projector follows by itself: the right answer, the chart and the whole explanation
        explanation = projector.locator("[data-projector-explanation]")
        expect(explanation).to_be_visible()
        expect(projector.locator(".live-bar--right").first).to_contain_text(right[:40])
        expect(projector.get_by_role("heading", name="Leaderboard")).to_have_count(0)
        _assert_fits(projector, "[data-projector-explanation]")
        _assert_fits(projector, "#projector-panel")
        expect(projector.locator(".projector__code")).to_have_text(ids["code"])       # still in its corner

        # the leaderboard is the presenter's next step
        teacher.get_by_role("button", name="Show the leaderboard").click()
        expect(projector.get_by_role("heading", name="Leaderboard")).to_be_visible()
        expect(projector.locator(".leaderboard--big")).to_contain_text("Toby Trainee")
        expect(teacher.locator("[data-projector-screen]")).to_have_attribute("data-projector-screen", "leaderboard")
        # ...and the presenter can put the poll back
        teacher.get_by_role("button", name="Poll on the projector").click()
        expect(projector.locator("[data-projector-explanation]")).to_be_visible()

        # the same at 1920×1080
        projector.set_viewport_size({"width": 1920, "height": 1080})
        _assert_fits(projector, "[data-projector-explanation]")
    finally:
        context.close()


def test_projector_shows_the_lesson_objectives_and_agenda_timer_with_the_code_in_a_corner(browser, classroom, browser_sign_in):
    app, url = classroom
    ids = _session(app)
    with app.app_context():
        day = catalog().course.days[0]
        index = max((i for i, item in enumerate(day.agenda) if item.lesson_slugs),
                    key=lambda i: sum(len(o) for o in catalog().lesson(day.agenda[i].lesson_slugs[0]).objectives))
        item = day.agenda[index]
        lesson = catalog().lesson(item.lesson_slugs[0])
    context = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900})
    try:
        teacher = context.new_page()
        teacher.set_default_timeout(10_000)
        browser_sign_in(teacher, "instructor@example.com", "demo-instructor")
        projector = context.new_page()
        projector.set_default_timeout(10_000)
        projector.set_viewport_size({"width": 1280, "height": 720})
        projector.goto(f"/live/{ids['session']}/projector")
        expect(projector.get_by_role("heading", name="Join the session")).to_be_visible()

        teacher.goto(f"/live/{ids['session']}/present")
        teacher.get_by_role("button", name=f"Start {item.title}").click()
        expect(projector.get_by_role("heading", name=lesson.title, level=1)).to_be_visible()
        objectives = projector.locator(".projector__objectives li")
        expect(objectives).to_have_count(len(lesson.objectives))
        expect(projector.locator(".projector__eyebrow").first).to_contain_text(item.title)
        planned = (int(item.end[:2]) * 60 + int(item.end[3:])) - (int(item.start[:2]) * 60 + int(item.start[3:]))
        expect(projector.locator("[data-live-timer]")).to_have_text(re.compile(rf"0:0\d of {planned}:00 · \d+:\d\d left"))
        _assert_fits(projector, ".projector__lesson")
        _assert_fits(projector, "#projector-panel")
        # the code stays readable, in the top right corner
        code = projector.locator(".projector__code")
        expect(code).to_have_text(ids["code"])
        box = code.bounding_box()
        assert box["x"] > 1280 * 0.7 and box["y"] < 720 * 0.3, box
        assert float(code.evaluate("el => parseFloat(getComputedStyle(el).fontSize)")) >= 28
        # and at 1920×1080
        projector.set_viewport_size({"width": 1920, "height": 1080})
        _assert_fits(projector, "#projector-panel")
    finally:
        context.close()


def test_ending_asks_first_without_javascript_and_resuming_brings_participants_back(browser, classroom, browser_sign_in):
    app, url = classroom
    ids = _session(app)
    # the instructor's browser runs no JavaScript: the confirmation is a page of its own
    staff = browser.new_context(base_url=url, viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    phone = browser.new_context(base_url=url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        teacher = staff.new_page()
        teacher.set_default_timeout(10_000)
        browser_sign_in(teacher, "instructor@example.com", "demo-instructor")
        tara = phone.new_page()
        tara.set_default_timeout(10_000)
        browser_sign_in(tara, "tara@example.com", "demo-trainee-two")
        tara.goto(f"/live/{ids['session']}")
        expect(tara.get_by_role("heading", name=re.compile("Live session"))).to_be_visible()

        teacher.goto(f"/live/{ids['session']}/present")
        teacher.get_by_role("link", name="End the session…").click()
        expect(teacher.get_by_role("heading", name="End the session?")).to_be_visible()
        teacher.get_by_role("link", name="No, keep it running").click()
        with app.app_context():
            assert db.session.get(LiveSession, ids["session"]).ended_at is None
            db.session.remove()
        teacher.get_by_role("link", name="End the session…").click()
        teacher.get_by_role("button", name="Yes, end the session").click()
        expect(teacher.get_by_text("Ended by mistake?").first).to_be_visible()
        expect(tara.get_by_role("heading", name=re.compile("Session ended"))).to_be_visible()
        expect(tara.get_by_text("picks it up by itself")).to_be_visible()

        teacher.get_by_role("button", name="Resume the session").click()
        expect(teacher.locator(".live-code")).to_have_text(ids["code"])
        # the participant's page notices by itself (it asks every 10-15 s while a resume is possible)
        expect(tara.get_by_role("heading", name=re.compile("Live session"))).to_be_visible(timeout=25_000)
        assert tara.evaluate("document.documentElement.scrollWidth") <= 390
        # and the same code lets people in again
        tara.goto("/join")
        tara.get_by_label("Session code").fill(ids["code"])
        tara.get_by_role("button", name="Join").click()
        expect(tara).to_have_url(re.compile(rf"/live/{ids['session']}$"))
    finally:
        staff.close()
        phone.close()


def test_the_lesson_opened_on_its_own_page_keeps_attendance_counting(browser, classroom, browser_sign_in):
    app, url = classroom
    ids = _session(app)
    with app.app_context():
        lesson = catalog().day_lessons(1)[1]
        sessions.show_lesson(current_broker(), ids["instructor"], ids["session"], lesson.slug, catalog())
        db.session.remove()
    context = browser.new_context(base_url=url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        browser_sign_in(page, "trainee@example.com", "demo-trainee")
        page.goto(f"/live/{ids['session']}")
        with page.expect_request(lambda r: r.url.endswith(f"/live/{ids['session']}/heartbeat")
                                 and r.method == "POST") as beat:
            page.get_by_role("link", name="Open this lesson on its own page").click()
            expect(page.get_by_role("heading", name=lesson.title, level=1)).to_be_visible()
        assert beat.value.response().status == 200
        assert page.url.endswith(f"{lesson.url}?live={ids['session']}")
        expect(page.get_by_text("your attendance keeps counting")).to_be_visible()
        with app.app_context():
            row = db.session.get(LiveParticipant, (ids["session"], ids["toby"]))
            assert row is not None and (utcnow() - row.last_seen_at).total_seconds() < 10
            db.session.remove()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("link", name="Back to the live session").click()
        expect(page).to_have_url(re.compile(rf"/live/{ids['session']}$"))
    finally:
        context.close()


def test_mark_selected_present_with_one_reason_by_keyboard(browser, classroom, browser_sign_in):
    app, url = classroom
    with app.app_context():
        cohort = db.session.scalar(sa.select(Cohort).order_by(Cohort.id))
        instructor = user_by_email("instructor@example.com")
        session = sessions.start_session(instructor.id, cohort.id, 1, catalog(), now=utcnow())
        session_id = session.id
        db.session.execute(sa.update(LiveSession).where(LiveSession.id == session_id)
                           .values(started_at=utcnow() - timedelta(hours=2)))
        db.session.commit()
        db.session.remove()
    context = browser.new_context(base_url=url, viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        browser_sign_in(page, "instructor@example.com", "demo-instructor")
        page.goto(f"/live/{session_id}/attendance")
        for name in ("Toby Trainee", "Tara Second"):
            box = page.get_by_label(f"Select {name}")
            box.focus()
            page.keyboard.press("Space")
            expect(box).to_be_checked()
        expect(page.get_by_label("Minutes")).to_have_value("120")
        page.get_by_label("Reason").fill("Both in the room; the wifi was down.")
        page.get_by_role("button", name="Mark selected present").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_text("Marked present for 120 min")).to_be_visible()
        expect(page.locator("table.attendance")).to_contain_text("Both in the room; the wifi was down.")
        with app.app_context():
            assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveAttendanceCredit)
                                     .where(LiveAttendanceCredit.session_id == session_id)) == 2
            db.session.remove()
    finally:
        context.close()
