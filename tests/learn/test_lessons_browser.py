import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_trainee_reads_a_stage_lesson_marks_it_complete_and_day_progress_moves(page, browser_sign_in):
    browser_sign_in(page)
    page.get_by_role("link", name="Day 1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Understanding clusters")
    progress = page.locator(".progress__text").first
    expect(progress).to_contain_text("0 of 11 lessons")

    page.get_by_role("link", name="Stage 5. Developing the Cluster's Vision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stage 5. Developing the Cluster's Vision")
    expect(page.get_by_role("heading", name="Learning objectives")).to_be_visible()
    expect(page.locator(".block--facilitator")).to_have_count(0)
    page.get_by_role("link", name="Workshop structure, process").click()  # on-page contents
    expect(page).to_have_url(re.compile(r"#workshop-structure-process$"))

    page.get_by_role("button", name="Mark complete", exact=True).click()
    expect(page.get_by_text("You completed this lesson")).to_be_visible()
    expect(page.locator(".aside-progress")).to_contain_text("1 of 11 lessons")

    page.get_by_role("link", name="Day 1", exact=True).first.click()
    expect(page.locator(".progress__text").first).to_contain_text("1 of 11 lessons")
    row = page.locator(".lesson-row", has_text="Stage 5. Developing")
    expect(row).to_contain_text("Done")


def test_reflection_note_saves_without_javascript_help(page, browser_sign_in):
    browser_sign_in(page)
    page.goto("/lessons/stage-06-identifying-stepping-stones")
    box = page.get_by_label(re.compile("Your notes")).first
    box.fill("Our stepping stones: skills, a test facility, export promotion.")
    page.get_by_role("button", name="Save note").first.click()
    expect(page.get_by_text("Your note is saved.")).to_be_visible()
    expect(page.get_by_label(re.compile("Your notes")).first).to_have_value(
        "Our stepping stones: skills, a test facility, export promotion.")


def test_search_lands_on_the_right_lesson(page, browser_sign_in):
    browser_sign_in(page)
    page.get_by_role("link", name="Search", exact=True).click()
    page.get_by_label("Search lessons").fill("back-casting")
    page.get_by_label("Search lessons").press("Enter")
    expect(page.locator("mark").first).to_be_visible()
    page.locator(".result__link", has_text="Stage 6. Identifying Stepping Stones").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stage 6. Identifying Stepping Stones")


def test_instructor_sees_facilitator_notes(page, browser_sign_in):
    browser_sign_in(page, "instructor@example.com", "demo-instructor")
    page.goto("/lessons/stage-05-developing-the-clusters-vision")
    expect(page.locator(".block--facilitator")).to_have_count(2)    # the opening slide's note and the lesson's
    expect(page.locator(".block--facilitator").last).to_be_visible()
    expect(page.get_by_text("Facilitator notes").last).to_be_visible()
