"""Public verification as an employer uses it (issue 16): a revoked or superseded certificate's PDF
is never shown as a green "authentic"; a file that is not a PDF says so; the PDF form without a
file marks the file field; only the holder is offered "Add to LinkedIn"."""
import io

from app.certificates import services
from app.content.catalog import catalog
from app.db import utcnow


def _issued(make_user):
    admin = make_user(roles=("admin",))
    holder = make_user(display_name="Ana Ruiz")
    certificate = services.issue(admin.id, holder.id, catalog(), now=utcnow(), override_reason="Test of verification")
    return admin, holder, certificate


def test_a_revoked_certificates_pdf_is_shown_revoked_not_authentic(app, client, make_user):
    admin, _holder, certificate = _issued(make_user)
    pdf = certificate.pdf
    page = client.post("/verify", data={"by": "pdf", "pdf": (io.BytesIO(pdf), "ana.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Authentic and valid" in page and "verify-file--valid" in page
    services.revoke(admin.id, certificate.code, "Issued in error", now=utcnow())
    page = client.post("/verify", data={"by": "pdf", "pdf": (io.BytesIO(pdf), "ana.pdf")},
                       content_type="multipart/form-data").get_data(as_text=True)
    assert "Revoked: no longer valid" in page and "verify-file--revoked" in page
    assert "Authentic" not in page and "verify-file--valid" not in page


def test_a_png_is_not_a_pdf_and_no_file_marks_the_file_field(client):
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    response = client.post("/verify", data={"by": "pdf", "pdf": (io.BytesIO(png), "scan.png")},
                           content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "scan.png is not a PDF (it looks like a PNG image)" in page
    assert "may have been altered" not in page
    response = client.post("/verify", data={"by": "pdf"}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Choose the certificate&#39;s PDF file first." in page
    assert 'id="pdf-error"' in page and 'id="code-error"' not in page


def test_only_the_holder_is_offered_linkedin(app, client, make_user, login):
    _admin, holder, certificate = _issued(make_user)
    path = f"/verify/{certificate.display_code}"
    assert "Add to LinkedIn" not in client.get(path).get_data(as_text=True)
    stranger = login(app, make_user())
    assert "Add to LinkedIn" not in stranger.get(path).get_data(as_text=True)
    assert "Add to LinkedIn" in login(app, holder).get(path).get_data(as_text=True)
