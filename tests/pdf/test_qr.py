"""segno QR codes are painted by app/pdf/qr.py instead of WeasyPrint's SVG painter: the same page,
pixel for pixel, a code that still decodes, and any other SVG left to WeasyPrint."""
from __future__ import annotations

import io
import shutil
import subprocess

import pytest
import segno
from weasyprint.images import SVGImage

from app.pdf import qr, render

needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
URL = "https://lectern.example/verify/ABCD-EFGH-JKMN-PQRS-T"
CSS = "@page { size: 100mm 100mm; margin: 5mm } svg { width: 24mm; height: 24mm }"


def page(svg: str) -> str:
    return f"<!doctype html><html><body><p>QR</p>{svg}</body></html>"


def test_segno_runs_are_read_in_modules():
    assert qr.runs("M0 0.5h7m1 0h2m-10 1h1") == [(0, 0, 7), (8, 0, 2), (0, 1, 1)]
    assert qr.runs("M0 0.5H3") == [(0, 0, 3)]
    for not_segno in ("M0 0.5h7 L3 4", "M0 0.5v3", "M0 0.5h7z", "m1"):
        assert qr.runs(not_segno) is None


def test_a_segno_code_is_painted_directly_and_anything_else_by_weasyprint():
    code = segno.make(URL, error="m").svg_inline(scale=4, dark="#0b3445", border=0)
    other = '<svg class="segno" width="10" height="10"><circle cx="5" cy="5" r="4"/></svg>'
    document = render.render_document(page(code + other), CSS)
    painters = [type(box.replacement) for box in document.pages[0]._page_box.descendants(placeholders=True)
                if getattr(box, "replacement", None) is not None]
    assert painters == [qr.QrRuns, SVGImage]


def png(pdf: bytes, tmp_path, name: str) -> bytes:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(path)], capture_output=True,
                          check=True).stdout


@needs_poppler
@pytest.mark.parametrize("border", [0, 2])
def test_the_page_looks_the_same_as_weasyprint_painting_the_svg_and_decodes(tmp_path, monkeypatch, border):
    import zxingcpp
    from PIL import Image, ImageChops

    html = page(segno.make(URL, error="m").svg_inline(scale=4, dark="#0b3445", border=border))
    fast = render.render_pdf(html, CSS)
    monkeypatch.setattr(qr, "paint_directly", lambda boxes: 0)
    slow = render.render_pdf(html, CSS)
    assert b"segno" not in fast and fast != slow
    ours, theirs = (Image.open(io.BytesIO(png(p, tmp_path, n))).convert("RGB") for p, n in ((fast, "f"), (slow, "s")))
    assert ImageChops.difference(ours, theirs).getbbox() is None
    hi = subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", "-"], input=fast, capture_output=True,
                        check=True).stdout
    assert [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(hi)))] == [URL]
