"""An employer checks a certificate's PDF on the public page (issue 16, serious item 3): a revoked
certificate is shown revoked, prominently and not in green; a valid one is green."""
import pytest
from playwright.sync_api import expect

from app.certificates import services
from app.content.catalog import catalog
from app.db import utcnow

pytestmark = pytest.mark.browser

GREEN = "rgb(31, 111, 67)"   # --ok


def test_a_revoked_certificates_pdf_is_not_shown_as_authentic(browser, database_uri, make_user, tmp_path, browser_app, serving):
    app = browser_app(database_uri)
    with app.app_context():
        admin = make_user(roles=("admin",))
        holder = make_user(display_name="Ana Ruiz")
        certificate = services.issue(admin.id, holder.id, catalog(), now=utcnow(), override_reason="Browser test")
        pdf = tmp_path / "ana-ruiz-certificate.pdf"
        pdf.write_bytes(certificate.pdf)
        code, admin_id = certificate.code, admin.id
    with serving(app) as url:
        context = browser.new_context(base_url=url, viewport={"width": 390, "height": 844})
        page = context.new_page()
        page.goto("/verify")
        page.get_by_label("Certificate PDF").set_input_files(str(pdf))
        page.get_by_role("button", name="Check the file").click()
        verdict = page.locator(".verify-file__verdict")
        expect(verdict).to_have_text("✓ Authentic and valid")
        assert verdict.evaluate("e => getComputedStyle(e).color") == GREEN

        with app.app_context():
            services.revoke(admin_id, code, "Issued in error", now=utcnow())
        page.goto("/verify")
        page.get_by_label("Certificate PDF").set_input_files(str(pdf))
        page.get_by_role("button", name="Check the file").click()
        expect(verdict).to_have_text("✗ Revoked: no longer valid")
        expect(page.get_by_role("status")).to_contain_text("It does not certify anything now.")
        assert verdict.evaluate("e => getComputedStyle(e).color") != GREEN
        assert page.get_by_text("Authentic").count() == 0
        page.screenshot(path=str(tmp_path / "revoked.png"), full_page=True)
        context.close()
