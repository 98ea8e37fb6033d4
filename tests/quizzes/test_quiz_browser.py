import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
SAVED = re.compile(r"^Saved \d\d?:\d\d( [AP]M)?$")   # the time in the browser's own locale


def answered(question):
    """A locator that shows the answer given by answer_question(question, choice) is still there."""
    for kind in ("input[type=radio]:checked", "input[type=checkbox]:checked"):
        if question.locator(kind).count():
            return question.locator(kind).first
    return question.locator("input[type=text], select").first


def test_trainee_takes_a_knowledge_check_and_sees_the_best_score_on_the_day_page(page, browser_sign_in, answer_everything):
    browser_sign_in(page)
    page.goto("/lessons/stage-05-developing-the-clusters-vision")
    page.get_by_role("link", name="Take the knowledge check").click()
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.get_by_role("button", name="Submit answers")).to_be_visible()

    first = page.locator("section.question").first
    answer_everything(page)
    first.get_by_role("button", name="Check answer").click()
    first = page.locator("section.question").first
    expect(first.locator(".verdict")).to_be_visible()
    expect(first.locator(".review__explanation")).to_be_visible()
    expect(page.locator(".review__explanation")).to_have_count(1)  # only the checked question

    answer_everything(page)
    page.get_by_role("button", name="Submit answers").click()
    expect(page.locator(".score__value")).to_have_text(re.compile(r"^\d+%$"))
    score = page.locator(".score__value").inner_text()
    expect(page.locator(".review__explanation").first).to_be_visible()

    page.goto("/days/1")
    row = page.locator(".quiz-list li", has_text="Stage 5")
    expect(row).to_contain_text(f"Best {score}")
    expect(row).to_contain_text("1 of 3 attempts used")


def test_ordering_and_matching_work_by_keyboard(page, browser_sign_in):
    browser_sign_in(page)
    page.goto("/quizzes/stage-06")
    page.get_by_role("button", name="Start the quiz").click()
    select = page.locator("select").first
    select.focus()
    page.keyboard.press("ArrowDown")
    expect(select).to_be_focused()
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_text("Your answers are saved.")).to_be_visible()


def test_a_day_assessment_states_its_deadline_and_grace_before_and_during_the_attempt(page, browser_sign_in, answer_everything):
    browser_sign_in(page)
    page.goto("/quizzes/day-1-assessment")
    limit = page.locator("dt", has_text="Time limit").locator("xpath=following-sibling::dd[1]")
    expect(limit).to_contain_text("30 minutes from when you start, plus 2 minutes’ grace for slow connections")
    expect(limit).to_contain_text("answers sent later are not counted")
    page.get_by_role("button", name="Start the quiz").click()
    note = page.get_by_role("note")
    expect(note).to_contain_text(re.compile(r"Time limit: submit by \d\d:\d\d UTC\."))
    expect(note).to_contain_text(re.compile(r"nothing saved or submitted after \d\d:\d\d UTC is counted"))
    answer_everything(page)
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_text(re.compile(r"Your answers are saved\. Submit them by \d\d:\d\d UTC\."))).to_be_visible()
    expect(page.get_by_role("note")).to_contain_text("marked on the answers saved by then")


def start_quiz(page, quiz_id="day-1-assessment"):
    page.goto(f"/quizzes/{quiz_id}")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.get_by_role("button", name="Submit answers")).to_be_visible()


def test_with_javascript_unanswered_questions_are_asked_about_before_posting(page, browser_sign_in, answer_question):
    browser_sign_in(page)
    start_quiz(page)
    questions = page.locator("section.question")
    total = questions.count()
    answer_question(questions.first)
    page.get_by_role("button", name="Submit answers").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text(f"{total - 1} questions unanswered: submit anyway?")
    expect(dialog).to_contain_text("Submitting uses attempt 1 of 2, and unanswered questions earn no marks.")
    expect(dialog.get_by_role("link", name="Question 2", exact=True)).to_be_visible()
    # the safe choice has focus; it closes the question and goes to the first unanswered one
    back = dialog.get_by_role("button", name="Go back and answer")
    expect(back).to_be_focused()
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(questions.nth(1).locator("input:not([type=hidden]), select").first).to_be_focused()
    expect(page).to_have_url(re.compile(r"/attempts/\d+$"))        # nothing was posted

    page.get_by_role("button", name="Submit answers").click()
    page.get_by_role("dialog").get_by_role("button", name="Submit anyway").click()
    expect(page.locator(".score__value")).to_have_text(re.compile(r"^\d+%$"))
    page.goto("/quizzes/day-1-assessment")
    expect(page.get_by_role("button", name="Try again")).to_be_visible()   # one attempt used, one left


def test_without_javascript_the_server_asks_before_grading_unanswered_questions(browser, live_server, browser_sign_in):
    context = browser.new_context(base_url=live_server, java_script_enabled=False, timezone_id="UTC")
    page = context.new_page()
    try:
        browser_sign_in(page)
        start_quiz(page)
        questions = page.locator("section.question")
        total = questions.count()
        radio_question = page.locator("section.question:has(input[type=radio])").first
        radio_question.locator("input[type=radio]").nth(1).check()
        page.get_by_role("button", name="Submit answers").click()
        expect(page).to_have_url(re.compile(r"/attempts/\d+\?confirm=1#unanswered$"))
        notice = page.locator("#unanswered")
        expect(notice.get_by_role("heading")).to_have_text(f"{total - 1} questions unanswered: submit anyway?")
        expect(notice).to_contain_text("Not answered:")
        expect(notice).to_contain_text("Nothing has been submitted yet; your answers so far are saved.")
        expect(radio_question.locator("input[type=radio]").nth(1)).to_be_checked()     # the answer given is kept
        expect(page.locator(".question__gap")).to_have_count(total - 1)
        expect(page.locator(".question__gap").first).to_have_text("Still to answer: not answered")
        notice.get_by_role("link", name="Go back and answer").click()
        expect(page).to_have_url(re.compile(r"#question-"))
        page.locator("#unanswered").get_by_role("button", name="Submit anyway").click()
        expect(page.locator(".score__value")).to_have_text(re.compile(r"^\d+%$"))
    finally:
        context.close()


def test_a_timed_attempt_counts_down_in_the_trainees_time_zone_and_announces_5_and_1_minutes(browser, live_server, browser_sign_in):
    context = browser.new_context(base_url=live_server, timezone_id="Asia/Kolkata", locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.clock.install()
        browser_sign_in(page)
        start_quiz(page)
        # the deadline in the trainee's own zone (UTC+5:30), the server's UTC text beside it
        note = page.get_by_role("note")
        expect(note).to_contain_text(re.compile(r"submit by \d\d:\d\d GMT\+5:30 \(\d\d:\d\d UTC\)\."))
        hour, minute, utc_hour, utc_minute = map(int, re.search(
            r"submit by (\d\d):(\d\d) GMT\+5:30 \((\d\d):(\d\d) UTC\)", note.inner_text()).groups())
        assert (hour * 60 + minute - utc_hour * 60 - utc_minute) % (24 * 60) == 5 * 60 + 30
        status = page.locator("[data-quiz-status]")
        expect(status).to_contain_text(re.compile(r"Time left (29:[0-5]\d|30:00)"))
        announcer = page.locator("[data-announcer]")
        expect(announcer).to_have_attribute("aria-live", "polite")
        expect(announcer).to_have_text("")                           # nothing said every second

        page.clock.fast_forward("25:10")
        expect(status).to_contain_text(re.compile(r"Time left 4:[0-5]\d"))
        expect(announcer).to_have_text(re.compile(r"^5 minutes left\. Submit by \d\d:\d\d\.$"))
        page.clock.fast_forward("04:00")
        expect(announcer).to_have_text(re.compile(r"^1 minute left\."))
        page.clock.fast_forward("01:00")
        expect(status).to_contain_text("Time is up: submit now.")
        expect(announcer).to_have_text(re.compile(r"^Time is up: submit now\. Answers sent after \d\d:\d\d are not counted\.$"))
        page.clock.fast_forward("02:10")
        expect(status).to_contain_text("This attempt is closed")
        expect(announcer).to_have_text(re.compile(r"^Time is up\. This attempt is closed"))
        expect(status.get_by_role("link", name="See your result")).to_be_visible()
    finally:
        context.close()


def test_answers_are_saved_as_they_are_given_and_trouble_is_said(page, browser_sign_in):
    browser_sign_in(page)
    start_quiz(page)
    questions = page.locator("section.question:has(input[type=radio])")
    save_status = page.locator("[data-save-status]")
    expect(save_status).to_have_text("Your answers are saved as you go.")
    questions.nth(0).locator("input[type=radio]").last.check()
    expect(save_status).to_have_text(SAVED)
    page.reload()
    expect(questions.nth(0).locator("input[type=radio]").last).to_be_checked()   # saved without pressing anything

    # a dropped connection: said, retried, and saved once it is back
    page.context.set_offline(True)
    questions.nth(1).locator("input[type=radio]").last.check()
    expect(save_status).to_have_text("Not saved yet — check your connection. Trying again…")
    page.context.set_offline(False)
    expect(save_status).to_have_text(SAVED)
    page.reload()
    expect(questions.nth(1).locator("input[type=radio]").last).to_be_checked()

    # the server refuses a save after the closing time: the page says time is up
    page.route("**/autosave", lambda route: route.fulfill(
        status=409, content_type="application/json",
        body='{"error": "closed", "message": "Time ran out at 10:32 UTC.", "results": "/"}'))
    questions.nth(2).locator("input[type=radio]").first.check()
    expect(save_status).to_contain_text("Time ran out at 10:32 UTC.")
    expect(save_status.get_by_role("link", name="See your result")).to_be_visible()
    page.unroute("**/autosave")

    # a session that ended: sign in again, and nothing typed is lost
    page.reload()
    page.context.clear_cookies()
    questions.nth(3).locator("input[type=radio]").first.check()
    expect(save_status).to_contain_text("Not saved: you need to sign in again. Your answers are still on this page")
    expect(questions.nth(3).locator("input[type=radio]").first).to_be_checked()
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_role("heading", name="Sign in again to save what you typed")).to_be_visible()
    page.get_by_label("Email").fill("trainee@example.com")
    page.get_by_label("Password").fill("demo-trainee")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name="Save it now").click()
    expect(page.get_by_text("Your answers are saved.")).to_be_visible()
    expect(questions.nth(3).locator("input[type=radio]").first).to_be_checked()
