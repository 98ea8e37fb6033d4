import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_lessons import sign_in

pytestmark = pytest.mark.browser


def answer_everything(page):
    """Answer each question somehow, using only the keyboard-friendly controls the page offers."""
    for question in page.locator("section.question").all():
        radios = question.locator("input[type=radio]")
        boxes = question.locator("input[type=checkbox]")
        texts = question.locator("input[type=text]")
        selects = question.locator("select")
        if radios.count():
            radios.first.check()
        elif boxes.count():
            boxes.first.check()
        elif texts.count():
            texts.first.fill("12")
        for i in range(selects.count()):
            select = selects.nth(i)
            values = select.locator("option").evaluate_all("els => els.map(e => e.value).filter(Boolean)")
            select.select_option(values[min(i, len(values) - 1)])


def test_trainee_takes_a_knowledge_check_and_sees_the_best_score_on_the_day_page(page):
    sign_in(page)
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


def test_ordering_and_matching_work_by_keyboard(page):
    sign_in(page)
    page.goto("/quizzes/stage-06")
    page.get_by_role("button", name="Start the quiz").click()
    select = page.locator("select").first
    select.focus()
    page.keyboard.press("ArrowDown")
    expect(select).to_be_focused()
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_text("Your answers are saved.")).to_be_visible()


def test_a_day_assessment_states_its_deadline_and_grace_before_and_during_the_attempt(page):
    sign_in(page)
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
    expect(page.get_by_role("note")).to_contain_text("marked on the answers you saved by then")
