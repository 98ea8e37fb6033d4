"""Slides as PDF (staff only, 16:9, a page a slide) and slide-only content kept off the lesson page,
the workbook and search."""
import re
import zlib

import pytest

from app.content.catalog import catalog
from app.slides import pdf as slides_pdf
from app.workbook.build import workbook_html

SLUG = "stage-05-developing-the-clusters-vision"
SLIDE_ONLY = ("Pitfalls of a visioning workshop", "visioning chooses", "PIPSO pilots, 2014")
NOTE = "Trainees work alone on points 2–4 of the activity"   # stage 5's facilitator notes


def _objects(pdf: bytes) -> bytes:
    """The PDF with its compressed streams (WeasyPrint packs objects into object streams) inflated."""
    out = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(match[1]))
        except zlib.error:
            pass
    return b"\n".join(out)


def page_sizes(pdf: bytes) -> set[tuple[float, float]]:
    """The MediaBoxes (width, height in points) the PDF declares."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*([\d.-]+)\s+([\d.-]+)\s+([\d.]+)\s+([\d.]+)\s*\]", _objects(pdf))
    return {(float(x1) - float(x0), float(y1) - float(y0)) for x0, y0, x1, y1 in boxes}


def page_count(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", _objects(pdf)))


@pytest.fixture
def staff(app, make_user, sign_in):
    sign_in(make_user(roles=("instructor",)))


def test_lesson_page_workbook_and_search_leave_slide_only_content_out(app, client, make_user, sign_in):
    sign_in(make_user(roles=("instructor",)))
    for slug in (SLUG, "stage-01-introducing-relevance-of-cluster-development"):
        page = client.get(f"/lessons/{slug}").get_data(as_text=True)
        assert "Stage" in page
        for text in SLIDE_ONLY:
            assert text not in page, (slug, text)
        assert "&lt;!-- slide" not in page and "<!-- slide" not in page
    with app.test_request_context():
        for edition in ("trainee", "instructor"):
            html = workbook_html(catalog(), edition)
            assert "Workshop structure" in html
            assert not any(text in html for text in SLIDE_ONLY), edition
    search = client.get("/search?q=visioning+chooses").get_data(as_text=True)
    assert "Pitfalls of a visioning workshop" not in search


def test_lesson_pdf_is_16_9_with_a_page_a_slide(app, client, staff):
    slides_pdf.clear_cache()
    response = client.get(f"/lessons/{SLUG}/slides.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = response.data
    with app.app_context():
        deck = slides_pdf.lesson_deck(catalog(), catalog().lesson(SLUG))
    assert page_count(pdf) == len(deck) >= 8          # no slide overflowed onto a second page
    sizes = page_sizes(pdf)
    assert len(sizes) == 1, sizes
    width, height = sizes.pop()
    assert abs(width / height - 16 / 9) < 0.01 and round(width) == 720
    assert response.headers["Content-Disposition"] == 'attachment; filename="stage-05-developing-the-clusters-vision-slides.pdf"'


def test_presenter_edition_adds_the_notes(app, client, staff):
    response = client.get(f"/lessons/{SLUG}/slides.pdf?notes=1")
    assert response.status_code == 200
    with app.app_context():
        deck = slides_pdf.lesson_deck(catalog(), catalog().lesson(SLUG))
        html = slides_pdf.deck_html(deck, with_notes=True)
        plain = slides_pdf.deck_html(deck, with_notes=False)
    assert "Trainees work alone on points 2" in html and "Trainees work alone" not in plain
    assert page_count(response.data) > len(deck)
    assert "presenter" in response.headers["Content-Disposition"]


def test_day_deck_pdf_and_access(app, client, make_user, sign_in):
    assert client.get("/days/1/slides.pdf").status_code in (302, 401)
    sign_in(make_user(roles=("trainee",)))
    assert client.get("/days/1/slides.pdf").status_code == 403
    assert client.get(f"/lessons/{SLUG}/slides.pdf").status_code == 403
    client.post("/logout")
    admin = app.test_client()
    admin.post("/login", data={"email": make_user(roles=("admin",)).email, "password": "correct horse battery"})
    response = admin.get("/days/1/slides.pdf")
    assert response.status_code == 200
    with app.app_context():
        deck = slides_pdf.deck_of_day(catalog(), 1)
    assert page_count(response.data) == len(deck) > 100
    assert admin.get("/days/9/slides.pdf").status_code == 404
    assert admin.get("/lessons/no-such-lesson/slides.pdf").status_code == 404


def test_cli_writes_a_day_deck(app, runner, tmp_path):
    target = tmp_path / "day2.pdf"
    result = runner.invoke(args=["slides", "pdf", "2", str(target)])
    assert result.exit_code == 0, result.output
    assert "slides" in result.output and target.read_bytes().startswith(b"%PDF")
    result = runner.invoke(args=["slides", "pdf", SLUG, str(tmp_path / "one.pdf")])
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["slides", "pdf", "7", str(target)]).exit_code != 0
