"""Pages printed in two layers (app/pdf/render.py, render_layered): a shared background, laid out
and painted once, under each page's own foreground; each PDF holds its own text and nothing of the
pages made before it."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from app.pdf import render
from app.pdf.layers import FIT

CSS = ('@import url("static/fonts/fonts-pdf.css"); html { font-family: "Source Sans 3" }'
       "@page { size: 120mm 60mm; margin: 5mm } p { margin: 0 } .pdf-document { break-after: page }"
       " .pdf-document:last-child { break-after: auto }")   # as certificate.css: documents joined to lay out
BACKGROUND = ('<!doctype html><html><body><p>Shared heading</p><p id="fit" style="visibility: hidden; height: '
              + FIT + '"></p><p>Shared footer</p></body></html>')
needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")


def foreground(name: str) -> str:
    return (f"<!doctype html><html><head><title>For {name}</title></head><body><p>&nbsp;</p>"
            f'<p id="fit">{name}</p></body></html>')


def text(pdf: bytes) -> str:
    return " ".join(subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
                    .stdout.decode().split())


@needs_poppler
def test_each_page_has_the_shared_background_and_only_its_own_foreground(tmp_path):
    render._background.cache_clear()
    names = ["Quentin Zyx", "Abe Bo", "Wilhelmina Jovanovic"]
    pdfs = render.render_layered([(BACKGROUND, foreground(n)) for n in names], CSS, time_limit=30)
    assert render._background.cache_info().currsize == 1                    # one line each: one background
    for pdf, name in zip(pdfs, names):
        assert text(pdf) == f"Shared heading {name} Shared footer"
        (tmp_path / "p.pdf").write_bytes(pdf)
        info = subprocess.run(["pdfinfo", str(tmp_path / "p.pdf")], capture_output=True, text=True, check=True).stdout
        assert f"Title:           For {name}" in info and "Pages:           1" in info
    alone = render.render_layered([(BACKGROUND, foreground(names[1]))], CSS, time_limit=30)[0]
    # no glyphs of the names laid out before it in its font subsets (each would add ~100 bytes)
    assert abs(len(alone) - len(pdfs[1])) < 16


def test_a_background_with_more_than_text_and_borders_is_painted_for_each_page():
    plain = render._background(BACKGROUND.replace(FIT, "10px"), CSS)
    assert plain.operators is not None and plain.fonts
    gradient = render._background(BACKGROUND.replace(FIT, "10px"), CSS + " body { background: linear-gradient(red, blue) }")
    assert gradient.operators is None
    pdf = render.render_layered([(BACKGROUND, foreground("Ana"))], CSS + " body { background: linear-gradient(red, blue) }",
                                time_limit=30)[0]
    assert pdf.startswith(b"%PDF-")
