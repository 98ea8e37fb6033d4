"""The facilitator checklist by keyboard: an item answered "partly" with the arrow keys, saved, and
counted on its own in the group's and the overall summaries."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

LABEL_RING = """id => {
    const style = getComputedStyle(document.querySelector(`label[for="${id}"]`));
    return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
}"""


@pytest.mark.parametrize("width", [1280, 390])
def test_an_item_answered_partly_by_keyboard_is_saved_and_counted_apart(browser, live_server, width, focused, tab_to, browser_sign_in):
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        browser_sign_in(page)
        page.goto("/checklist")
        group = page.locator(".check-group").first
        group_id = group.get_attribute("id").removeprefix("group-")
        summary = page.locator(f"#summary-{group_id}")
        total = summary.inner_text().split(" of ")[1].split(" ")[0]
        expect(summary).to_have_text(f"0 of {total} yes")
        first = group.locator(".check-item").first.locator("input[type=radio]").first.get_attribute("name")

        page.locator("#initiative_name").focus()
        now = tab_to(page, f'input[name="{first}"]')            # a radio group is one Tab stop: the chosen one
        assert now["id"].endswith("-unanswered") and now["checked"]
        page.keyboard.press("ArrowLeft")                        # Not yet → No
        page.keyboard.press("ArrowLeft")                        # No → Partly
        now = focused(page)
        assert now["id"] == f"{first}-partly" and now["checked"]
        assert page.evaluate(LABEL_RING, now["id"]), "no visible focus ring on the chosen answer"
        if width == 390:
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        tab_to(page, "button", "Save checklist")
        page.keyboard.press("Enter")

        expect(page.get_by_text("Your checklist is saved.")).to_be_visible()
        expect(page.locator(f'#{first}-partly')).to_be_checked()
        expect(summary).to_have_text(f"0 of {total} yes · 1 partly")
        expect(page.locator("#summary-overall")).to_contain_text("yes · 1 partly")
        expect(group.locator(".check-item").first).to_have_class("check-item check-item--partly")
        expect(group.locator(".answer-strip__cell--partly")).to_have_count(1)
    finally:
        context.close()
