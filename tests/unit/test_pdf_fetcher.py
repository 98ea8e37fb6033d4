"""The PDF module reads nothing but the app's own static files."""
import pytest

from app.pdf.render import BASE_URL, StaticOnlyFetcher, render_pdf


@pytest.mark.parametrize("url", [
    "file:///etc/passwd", "http://127.0.0.1:5000/", "https://example.org/x.png",
    BASE_URL + "static/../../../../etc/passwd", BASE_URL + "static/%2e%2e/%2e%2e/config.py",
    BASE_URL + "etc/passwd", "data:text/plain,hello", "https://lectern-pdf.invalid.evil/static/fonts/fonts.css",
])
def test_everything_outside_static_is_refused(url):
    with pytest.raises(ValueError):
        StaticOnlyFetcher().fetch(url)


def test_static_files_are_served():
    response = StaticOnlyFetcher().fetch(BASE_URL + "static/fonts/fonts.css")
    assert b"Source Serif 4" in response.read()


def test_attachments_and_file_urls_are_not_embedded():
    html = ('<html><head><link rel="attachment" href="file:///etc/passwd"></head><body>'
            '<img src="file:///etc/passwd"><a rel="attachment" href="file:///etc/hostname">x</a>'
            '<p style="background: url(file:///etc/passwd)">text</p></body></html>')
    pdf = render_pdf(html, "p { color: black }")
    assert pdf.startswith(b"%PDF") and b"root:" not in pdf and b"EmbeddedFile" not in pdf
