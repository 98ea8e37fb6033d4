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


def test_finding_11b_attachment_links_to_static_files_are_not_embedded():
    """Issue 15, finding 11b: `<a rel="attachment" href="/static/…">` embedded the static file."""
    html = ('<html><head><link rel="attachment" href="/static/fonts/fonts.css"></head><body>'
            '<p><a rel="attachment" href="/static/fonts/fonts-pdf.css">the fonts</a> and '
            '<a rel="attachment" download="x.css" href="static/fonts/fonts.css">again</a></p></body></html>')
    pdf = render_pdf(html, "p { color: black }")
    # an embedded file is always a stream object (/Type /EmbeddedFile), never inside a compressed
    # object stream, so its marker shows in the raw bytes
    assert pdf.startswith(b"%PDF") and b"/EmbeddedFile" not in pdf and b"Source Serif 4" not in pdf


def test_finding_11b_a_laid_out_documents_fetcher_refuses_even_static_files():
    fetcher = StaticOnlyFetcher()
    assert fetcher.fetch(BASE_URL + "static/fonts/fonts.css").read()
    fetcher.close()
    with pytest.raises(ValueError, match="attachments are not embedded"):
        fetcher.fetch(BASE_URL + "static/fonts/fonts.css")
