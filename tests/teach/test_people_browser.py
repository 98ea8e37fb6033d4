import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_trainee_progress_page_after_lessons_and_a_quiz(page, browser_sign_in, answer_everything):
    browser_sign_in(page)
    for slug in ("what-are-clusters", "stage-01-introducing-relevance-of-cluster-development"):
        page.goto(f"/lessons/{slug}")
        page.get_by_role("button", name="Mark complete", exact=True).click()
        expect(page.get_by_text("You completed this lesson")).to_be_visible()
    page.goto("/quizzes/stage-01")
    page.get_by_role("button", name="Start the quiz").click()
    answer_everything(page)
    page.get_by_role("button", name="Submit answers").click()
    score = page.locator(".score__value").inner_text()

    page.get_by_role("link", name="Progress", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your progress")
    expect(page.locator(".progress__text").first).to_contain_text("2 of 22 lessons")
    tile = page.locator(".stage-tile").first
    expect(tile).to_contain_text("Lesson complete")
    expect(page.locator(".stage-tile")).to_have_count(12)
    expect(page.locator(".quiz-list li", has_text="Stage 1 knowledge check")).to_contain_text(f"Best {score}")
    expect(page.get_by_text("Still needed for the completion certificate")).to_be_visible()


def test_instructor_sees_the_demo_cohort_grid(page, browser_sign_in):
    browser_sign_in(page, "instructor@example.com", "demo-instructor")
    page.get_by_role("link", name="Teaching", exact=True).click()
    page.get_by_role("link", name="Demo cohort").click()
    grid = page.locator("table.progress-grid")
    expect(grid).to_be_visible()
    expect(grid.get_by_role("link", name="Toby Trainee")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Lessons")).click()
    expect(page).to_have_url(re.compile(r"sort=progress"))
    grid.get_by_role("link", name="Toby Trainee").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Toby Trainee")


def test_admin_creates_a_cohort_and_enrols_the_trainee(page, browser_sign_in):
    browser_sign_in(page, "admin@example.com", "demo-admin")
    page.get_by_role("link", name="Administration").click()
    page.get_by_role("link", name="Cohorts", exact=True).click()
    page.get_by_role("link", name="New cohort").click()
    page.get_by_label("Cohort name").fill("Browser cohort, May 2027")
    page.get_by_label("Track").select_option("live")
    page.get_by_label("Starts on").fill("2027-05-03")
    page.get_by_label("Ends on").fill("2027-05-04")
    page.get_by_label(re.compile("Imogen Instructor")).check()
    page.get_by_role("button", name="Save cohort").click()
    expect(page.get_by_text("Cohort “Browser cohort, May 2027” saved.")).to_be_visible()
    page.get_by_label("Trainees to add").fill("trainee@example.com")
    page.get_by_role("button", name="Add to cohort").click()
    expect(page.get_by_text("1 trainee added")).to_be_visible()
    expect(page.locator("table").get_by_role("link", name="Toby Trainee")).to_be_visible()
    page.goto("/admin/audit")
    expect(page.locator("table")).to_contain_text("cohort.enrol")


@pytest.mark.parametrize("width", [1280, 360])
def test_pages_never_scroll_sideways(browser, live_server, width, browser_sign_in):
    """Wide tables scroll inside their own box; the page itself never gets wider than the screen."""
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 800})
    page = context.new_page()
    browser_sign_in(page, "admin@example.com", "demo-admin")
    for path in ("/", "/days/1", "/lessons/stage-03-initial-cluster-review", "/progress", "/glossary",
                 "/search?q=cluster", "/quizzes/stage-03", "/teach/", "/teach/cohorts/1", "/teach/quizzes/stage-03",
                 "/admin/users", "/admin/cohorts", "/admin/cohorts/1", "/admin/import", "/admin/audit",
                 "/checklist", "/admin/cohorts/1/certificates", "/verify"):
        page.goto(path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
    context.close()


def test_issued_certificate_downloads_from_the_progress_page(page, live_server, browser_sign_in):
    browser_sign_in(page, "admin@example.com", "demo-admin")
    page.goto("/admin/cohorts/1/certificates")
    page.get_by_label("Override reason (required)").fill("Completed the pilot course in the room")
    page.get_by_role("button", name=re.compile("Issue with override")).click()
    expect(page.get_by_text(re.compile(r"Certificate .* issued to Toby Trainee"))).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    browser_sign_in(page)
    page.goto("/progress")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download certificate").click()
    download = download_info.value
    assert download.suggested_filename.startswith("certificate-") and download.suggested_filename.endswith(".pdf")
    with open(download.path(), "rb") as handle:
        assert handle.read(4) == b"%PDF"
    page.get_by_role("link", name="Verification page").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Valid certificate")
