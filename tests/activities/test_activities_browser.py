"""A trainee submits an assessed activity, the instructor marks it with the rubric by keyboard, and
the trainee sees the marks and feedback."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
LESSON = "/lessons/stage-06-identifying-stepping-stones"


def test_trainee_submits_instructor_marks_by_keyboard_trainee_sees_feedback(browser, live_server, browser_sign_in):
    trainee_context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, timezone_id="UTC")
    trainee = trainee_context.new_page()
    trainee.set_default_timeout(10_000)
    browser_sign_in(trainee)
    trainee.goto(LESSON)
    trainee.get_by_label("Your notes").fill("Budget limits felt fixed.")
    trainee.get_by_role("button", name="Save note").click()
    expect(trainee.get_by_label("Your notes")).to_have_value("Budget limits felt fixed.")

    activity = trainee.locator("#activity-stage-06-stepping-stones")
    expect(activity.get_by_text("Not submitted")).to_be_visible()
    work = activity.get_by_label("Your work")
    expect(work).to_have_value("Budget limits felt fixed.")          # starts from the reflection note
    work.fill("Year 2: firms and the polytechnic co-design technician training.\nYear 5: joint exports.")
    activity.get_by_role("button", name="Submit for review").dblclick()  # a double click records once
    expect(trainee.get_by_text("Submitted, awaiting review").first).to_be_visible()
    expect(activity.get_by_role("button", name="Submit for review")).to_have_count(0)

    staff_context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 900}, timezone_id="UTC")
    staff = staff_context.new_page()
    staff.set_default_timeout(10_000)
    browser_sign_in(staff, "instructor@example.com", "demo-instructor")
    staff.goto("/teach/")
    staff.get_by_role("link", name="Demo cohort").first.click()
    staff.get_by_role("link", name="Assessed activities").click()
    expect(staff.get_by_role("heading", name="Awaiting review")).to_contain_text("1")
    staff.get_by_role("link", name="Mark Toby Trainee’s submission 1").click()
    expect(staff.get_by_text("co-design technician training")).to_be_visible()

    # by keyboard: Space picks a group's first level, the arrow keys move along, Tab goes on
    staff.locator("input[name=criterion-0]").first.focus()
    for presses in (2, 1, 2, 2):            # Fully, Partly, Fully, Fully: 7 of 8
        staff.keyboard.press("Space")
        for _ in range(presses):
            staff.keyboard.press("ArrowDown")
        staff.keyboard.press("Tab")
    expect(staff.get_by_label("Feedback to Toby Trainee")).to_be_focused()
    staff.keyboard.type("Good stones. Add a forward check.")
    staff.keyboard.press("Tab")
    expect(staff.get_by_role("button", name="Return with marks and feedback")).to_be_focused()
    staff.keyboard.press("Enter")
    expect(staff.get_by_text("Returned to Toby Trainee with marks and feedback.")).to_be_visible()
    expect(staff.get_by_role("heading", name="Awaiting review")).to_contain_text("0")
    expect(staff.locator("table.queue").last).to_contain_text("7/8")

    trainee.goto(LESSON)
    activity = trainee.locator("#activity-stage-06-stepping-stones")
    expect(activity.get_by_text("Returned · 7/8")).to_be_visible()
    expect(activity.get_by_role("table", name="Your marks")).to_contain_text("Priorities ranked against explicit criteria")
    expect(activity.get_by_text("Good stones. Add a forward check.")).to_be_visible()
    expect(activity.get_by_role("button", name="Resubmit for review")).to_be_visible()
    trainee.goto("/progress")
    expect(trainee.get_by_role("heading", name="Activities marked by your instructor")).to_be_visible()
    expect(trainee.get_by_text("Returned · 7/8")).to_be_visible()
    trainee_context.close()
    staff_context.close()
