import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_demo_trainee_signs_in_sees_both_days_and_signs_out(page):
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login\?next=%2F$"))
    page.get_by_label("Email").fill("trainee@example.com")
    page.get_by_label("Password").fill("demo-trainee")
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("link", name="Day 1", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Day 2", exact=True)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Cluster Development")
    expect(page.get_by_text("Cluster Dinner", exact=True)).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login"))


def test_wrong_password_shows_the_error_next_to_the_field(page):
    page.goto("/login")
    page.get_by_label("Email").fill("trainee@example.com")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Email or password is incorrect.")).to_be_visible()
    expect(page.get_by_label("Email")).to_have_value("trainee@example.com")
    expect(page.get_by_label("Password")).to_have_attribute("aria-invalid", "true")


def test_sign_in_by_keyboard_alone(page):
    page.goto("/login")
    expect(page.get_by_label("Email")).to_be_focused()  # autofocus: start typing at once
    page.keyboard.type("trainee@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("demo-trainee")
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="Day 2", exact=True)).to_be_visible()
    page.keyboard.press("Tab")  # the first stop on every page is the skip link
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()


def test_phone_width_has_no_horizontal_scroll(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 360, "height": 740})
    pg = context.new_page()
    for path in ("/login",):
        pg.goto(path)
        assert pg.evaluate("document.documentElement.scrollWidth") <= 360
    pg.get_by_label("Email").fill("trainee@example.com")
    pg.get_by_label("Password").fill("demo-trainee")
    pg.get_by_role("button", name="Sign in").click()
    expect(pg.get_by_role("link", name="Day 1", exact=True)).to_be_visible()
    assert pg.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()
