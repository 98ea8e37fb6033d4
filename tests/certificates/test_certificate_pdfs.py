"""Certificates made together (issue 19, PDF part: the parts they share laid out once, each
person's own parts laid out together, each page written as its own PDF): each PDF is a whole, valid
one-page certificate of its own person, with its own title and a QR code that decodes to its own
verification address, whether made in this process or on a pool's worker processes, and it looks
and reads exactly as the same certificate made alone."""
from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from app.certificates import services
from app.certificates.codes import format_code
from app.content.catalog import catalog
from app.pdf import lazy_render

NAMES = ("Ana Ruiz", "Zoë Ångström-Example", "W" * 120)

needs_poppler = pytest.mark.skipif(shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
                                   reason="poppler-utils not installed")


def snapshot(i: int, name: str) -> services.Snapshot:
    code = f"ABCDEFGHJKMNPQRS{i}"
    return services.Snapshot(code=code, holder_name=name, course_title=catalog().course.title,
                             course_code=catalog().course.code, hours=14, completed_on=date(2026, 5, 1),
                             issuer_org="Lectern Professional Training", issuer_name="Avery Admin",
                             verify_url=services.verify_url(code))


def pdf_facts(pdf: bytes, folder: Path) -> tuple[int, str, list[str], str]:
    """Pages, text, decoded QR codes and title of one PDF, read by poppler and zxing-cpp."""
    import zxingcpp
    from PIL import Image

    path = folder / "c.pdf"
    path.write_bytes(pdf)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    title = next((line.split(":", 1)[1].strip() for line in info.splitlines() if line.startswith("Title:")), "")
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
                    .stdout.split())
    png = subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", str(path)], capture_output=True,
                         check=True).stdout
    codes = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    return pages, text, codes, title


def page_png(pdf: bytes, folder: Path) -> bytes:
    path = folder / "p.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftoppm", "-png", "-r", "80", "-singlefile", str(path)], capture_output=True,
                          check=True).stdout


def check_each(pdfs: list[bytes], snapshots: list[services.Snapshot], folder: Path) -> None:
    assert len(pdfs) == len(snapshots)
    for pdf, snap in zip(pdfs, snapshots):
        assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
        pages, text, codes, title = pdf_facts(pdf, folder)
        assert pages == 1 and title == f"Certificate {format_code(snap.code)}"
        assert snap.holder_name.replace(" ", "") in text.replace(" ", "")   # a long name wraps
        assert format_code(snap.code) in text and "Cluster Development" in text
        others = [s for s in snapshots if s is not snap]
        assert not any(format_code(o.code) in text for o in others)
        assert codes == [snap.verify_url]


@needs_poppler
def test_certificates_laid_out_together_split_into_valid_one_page_pdfs(app, tmp_path):
    snapshots = [snapshot(i, name) for i, name in enumerate(NAMES)]
    check_each(services.render_certificates(snapshots), snapshots, tmp_path)


@needs_poppler
def test_a_certificate_made_alone_in_a_batch_or_whole_reads_and_looks_the_same(app, tmp_path):
    from PIL import Image, ImageChops

    snapshots = [snapshot(i, name) for i, name in enumerate(NAMES)]
    together = services.render_certificates(snapshots)
    alone = [services.render_certificates([s])[0] for s in snapshots]
    whole = [lazy_render.render_pdf(services._html(s), services.CSS, max_pages=1) for s in snapshots]  # one layer
    for made in zip(together, alone, whole):
        facts = [pdf_facts(pdf, tmp_path) for pdf in made]
        assert facts[0] == facts[1] == facts[2]
        together_png, alone_png, whole_png = (Image.open(io.BytesIO(page_png(p, tmp_path))).convert("RGB") for p in made)
        assert ImageChops.difference(together_png, whole_png).getbbox() is None     # pixel for pixel at 80 dpi
        assert ImageChops.difference(alone_png, whole_png).getbbox() is None
    raw = subprocess.run(["pdftotext", "-raw", "-", "-"], input=together[1], capture_output=True, check=True).stdout
    assert snapshots[1].holder_name.encode() in raw and format_code(snapshots[1].code).encode() in raw


def test_certificates_of_a_batch_share_one_background_per_name_height(app):
    from app.pdf import render

    render._background.cache_clear()
    services.render_certificates([snapshot(i, f"Trainee Number {i:03d}") for i in range(6)]
                                 + [snapshot(9, NAMES[2])])
    assert render._background.cache_info().currsize == 2              # one line at 34 pt; the long name


@needs_poppler
def test_a_render_pool_makes_the_same_certificates_as_this_process(app, tmp_path):
    snapshots = [snapshot(i, name) for i, name in enumerate(NAMES)]
    with lazy_render.render_pool(len(snapshots), chunk=1, processes=2) as pool:
        assert pool is not None
        made = lazy_render.render_layered_parallel([services._layers(s) for s in snapshots], services.CSS,
                                                   time_limit=60.0, chunk=1, pool=pool)
    check_each(made, snapshots, tmp_path)
    here = services.render_certificates(snapshots)
    assert [pdf_facts(p, tmp_path) for p in made] == [pdf_facts(p, tmp_path) for p in here]


def test_a_pool_is_started_only_when_it_pays_for_itself():
    with lazy_render.render_pool(100, chunk=50, processes=2) as pool:   # two chunks: not worth a start-up
        assert pool is None
    with lazy_render.render_pool(500, chunk=50, processes=1) as pool:   # one core
        assert pool is None
