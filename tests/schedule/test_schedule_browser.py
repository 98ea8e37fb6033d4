"""In Chromium: the instructor schedules a course day from the cohort's page and starts today's
scheduled day with one click (the demo cohort has Day 1 scheduled today)."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from app.db import utcnow

pytestmark = pytest.mark.browser


def test_instructor_schedules_a_day_and_starts_today_with_one_click(page, browser_sign_in):
    browser_sign_in(page, "instructor@example.com", "demo-instructor")
    page.goto("/teach/")
    page.get_by_role("link", name="Demo cohort").first.click()
    page.get_by_role("link", name="Add or change days").click()
    form = page.get_by_role("region", name="Schedule a course day")
    later = (utcnow() + timedelta(days=21)).date()
    form.get_by_label("Course day", exact=True).select_option("2")
    form.get_by_label("Date", exact=True).fill(later.isoformat())
    form.get_by_label("Starts at", exact=True).fill("09:30")
    form.get_by_label("Ends at", exact=True).fill("09:00")
    form.get_by_label("Time zone", exact=True).select_option("America/New_York")
    form.get_by_label("Online link", exact=True).fill("https://meet.example.com/day-2")
    page.get_by_role("button", name="Schedule and send invitations").click()
    expect(page.locator("#ends-error")).to_contain_text("after the start time")     # the form came back
    expect(form.get_by_label("Online link", exact=True)).to_have_value("https://meet.example.com/day-2")
    form.get_by_label("Ends at", exact=True).fill("16:30")
    page.get_by_role("button", name="Schedule and send invitations").click()
    expect(page.locator(".flash")).to_contain_text("Day 2 is scheduled")
    expect(page.locator(".schedule-list")).to_contain_text(f"{later:%d %b %Y}")
    expect(page.locator(".schedule-list")).to_contain_text("(America/New_York)")
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Demo cohort").click()
    page.get_by_role("button", name="Start Day 1 session").click()
    expect(page).to_have_url(re.compile(r"/live/\d+/present$"))
    expect(page.locator(".live-code")).to_be_visible()
