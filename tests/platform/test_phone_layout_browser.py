"""On a phone (issue 16, polish): the header is one row with a Menu button that opens the
navigation (by keyboard too, Escape closes it), and administration tables become one card per
row, so no action or column is pushed off-screen."""
import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    yield pg
    context.close()


def test_the_phone_header_is_one_row_with_a_menu(phone, browser_sign_in):
    browser_sign_in(phone, "admin@example.com", "demo-admin")
    menu = phone.get_by_role("button", name="Menu")
    # visible once site.js has folded the navigation (.has-menu); measuring before it ran, on a loaded
    # machine, saw the unfolded header of a page without JavaScript
    expect(menu).to_be_visible()
    assert phone.locator(".site-header").bounding_box()["height"] < 80
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(phone.get_by_role("link", name="Progress", exact=True)).to_be_hidden()
    menu.focus()
    phone.keyboard.press("Enter")
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(phone.get_by_role("link", name="Administration", exact=True)).to_be_visible()
    phone.keyboard.press("Tab")
    phone.keyboard.press("Escape")
    expect(menu).to_have_attribute("aria-expanded", "false")
    expect(menu).to_be_focused()
    menu.click()
    phone.get_by_role("link", name="Administration", exact=True).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("People")


def test_admin_tables_fit_a_phone(phone, browser_sign_in):
    browser_sign_in(phone, "admin@example.com", "demo-admin")
    for path in ("/admin/users", "/admin/cohorts", "/admin/audit"):
        phone.goto(path)
        wrap = phone.locator(".table-wrap").first
        assert phone.evaluate("() => document.documentElement.scrollWidth") <= 390, path
        assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth + 1"), path
    phone.goto("/admin/users")
    expect(phone.locator("td[data-label='Email']").first).to_be_visible()


def test_a_wide_screen_shows_the_navigation_without_a_menu(page, browser_sign_in):
    browser_sign_in(page)
    expect(page.get_by_role("button", name="Menu")).to_be_hidden()
    expect(page.get_by_role("link", name="Progress", exact=True)).to_be_visible()
