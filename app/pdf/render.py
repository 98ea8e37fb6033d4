"""The one way Lectern makes PDFs (WeasyPrint), for certificates and handouts.

- Resources load only from the app's own static folder, through StaticOnlyFetcher: no file: URLs,
  no network, no data from anywhere else. Attachments (`<a rel="attachment">`, `<link
  rel="attachment">`) are never embedded, not even static files: they are dropped from the laid-out
  document, and the fetcher refuses everything once layout is done (WeasyPrint fetches attachments
  only while writing the PDF).
- Templates get plain values and are autoescaped; fields print as text.
- QR codes made by segno are painted as filled rectangles (app/pdf/qr.py), not through WeasyPrint's
  SVG painter.
- Stylesheets are parsed once per process and reused with one font configuration.
- One document is laid out at a time per process (app/pdf/limits.py): a caller may refuse to wait
  behind more than `max_waiting` others (PdfQueueFull); the time limit starts once it has its turn.
- A page cap is enforced, and a time limit is checked after layout (WeasyPrint has no way to
  interrupt itself; documents here come from the app's own templates, so a hard limit is not
  needed to protect workers from users' input — see docs/ARCHITECTURE.md).
"""
from __future__ import annotations

import html as htmllib
import mimetypes
import re
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from copy import copy
from functools import lru_cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pydyf
from weasyprint import CSS, HTML
from weasyprint.document import Document, Page
from weasyprint.draw import draw_page
from weasyprint.pdf.stream import Stream
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from app.pdf import qr
from app.pdf.layers import FIT
from app.pdf.limits import PdfError, PdfQueueFull, RenderQueue

__all__ = ["BASE_URL", "FIT", "PdfError", "PdfQueueFull", "StaticOnlyFetcher", "measure", "render_layered",
           "render_layered_parallel", "render_many", "render_many_parallel", "render_pdf", "render_pool"]

BASE_URL = "https://lectern-pdf.invalid/"
STATIC_DIR = (Path(__file__).resolve().parent.parent / "static").resolve()


class StaticOnlyFetcher(URLFetcher):
    """Serves the app's own static files and refuses every other URL.

    After `close()` it refuses everything: a document's fetcher is closed once layout is done, and
    all WeasyPrint fetches after that are attachments to embed in the PDF.
    """

    def __init__(self, static_dir: Path = STATIC_DIR):
        super().__init__(allowed_protocols=("https",), allow_redirects=False, fail_on_errors=False)
        self.static_dir = static_dir
        self.refused: list[str] = []
        self.closed = False

    def close(self) -> None:
        self.closed = True

    def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
        if self.closed:
            self.refused.append(url)
            raise ValueError(f"refused (attachments are not embedded): {url[:80]}")
        parts = urlsplit(url)
        prefix = urlsplit(BASE_URL)
        if (parts.scheme, parts.netloc) != (prefix.scheme, prefix.netloc) or not parts.path.startswith("/static/"):
            self.refused.append(url)
            raise ValueError(f"refused: {url[:80]}")
        target = (self.static_dir / unquote(parts.path.removeprefix("/static/"))).resolve()
        if not target.is_relative_to(self.static_dir) or not target.is_file():
            self.refused.append(url)
            raise ValueError(f"refused: {url[:80]}")
        mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix == ".woff2":
            mime = "font/woff2"
        return URLFetcherResponse(url, target.read_bytes(), headers={"Content-Type": mime})


_queue = RenderQueue()
_fonts = FontConfiguration()
_fetcher = StaticOnlyFetcher()


@lru_cache(maxsize=16)
def stylesheet(css_text: str) -> CSS:
    """Parsed once per distinct stylesheet, with the shared font configuration."""
    return CSS(string=css_text, base_url=BASE_URL, url_fetcher=_fetcher, font_config=_fonts)


def render_document(html: str, css_text: str):
    """Lay out one document, without attachments (see the module's docstring)."""
    fetcher = StaticOnlyFetcher()
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        stylesheets=[stylesheet(css_text)], font_config=_fonts)
    fetcher.close()
    document.metadata.attachments = []
    for page in document.pages:
        page.links = [link for link in page.links if link[0] != "attachment"]
        qr.paint_directly(page._page_box.descendants(placeholders=True))  # QR codes as rectangles, not SVG strokes (app/pdf/qr.py)
    return document


def render_pdf(html: str, css_text: str, *, max_pages: int = 200, time_limit: float = 20.0,
               max_waiting: int | None = None) -> bytes:
    """One document → PDF bytes."""
    return render_many([html], css_text, max_pages=max_pages, time_limit=time_limit, pages_each=None,
                       max_waiting=max_waiting)[0]


def render_many(htmls: Sequence[str], css_text: str, *, max_pages: int, time_limit: float,
                pages_each: int | None = 1, max_waiting: int | None = None) -> list[bytes]:
    """Several documents laid out as one (much faster than one by one), then written separately.

    With pages_each=None there must be exactly one document and all its pages are written.
    With max_waiting, PdfQueueFull is raised at once if more documents than that wait for their turn.
    """
    if not htmls:
        return []
    with _queue.turn(max_waiting):
        started = time.perf_counter()  # the time limit counts this document's work, not the wait
        if pages_each is None:
            document = render_document(htmls[0], css_text)
        else:
            document = render_document(_join(htmls), css_text)
        if len(document.pages) > max_pages * len(htmls):
            raise PdfError(f"The PDF would have {len(document.pages)} pages; at most {max_pages * len(htmls)} are allowed.")
        if pages_each is not None and len(document.pages) != pages_each * len(htmls):
            raise PdfError(f"The PDF would have {len(document.pages)} pages for {len(htmls)} document(s); "
                           f"each must have {pages_each}.")
        if time.perf_counter() - started > time_limit:
            raise PdfError(f"Laying out the PDF took longer than {time_limit:.0f} s.")
        if pages_each is None:
            return [document.write_pdf(attachments=[])]
        return [_part(document, document.pages[i * pages_each:(i + 1) * pages_each], html).write_pdf(attachments=[])
                for i, html in enumerate(htmls)]


_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S | re.I)


def _part(document: Document, pages: list[Page], html: str) -> Document:
    """These pages of a joined document, titled as their own HTML document (not as the first one)."""
    part = document.copy(pages)
    title = _TITLE.search(html[:html.find("<body")] if "<body" in html else html)
    if title is not None:
        part.metadata = copy(document.metadata)
        part.metadata.title = " ".join(htmllib.unescape(title.group(1)).split()) or None
    return part




# Foregrounds laid out together per document: 5 cost 27 ms CPU a certificate, 50 cost 30 (measured
# in one process, least of 3, 2026-12-06); a longer document costs more per page.
_GROUP = 5


class _Background:
    """A background page, and the PDF operators it paints, recorded once: painting it again for every
    page cost 3-4 ms. Recorded only when the operators need nothing but fonts and alpha states from
    the page's resources (no images, patterns, shadings or other graphics states); otherwise every
    page paints it again."""

    def __init__(self, document: Document):
        self.page = document.pages[0]
        fonts: dict = {}
        resources = pydyf.Dictionary({"ExtGState": pydyf.Dictionary(), "XObject": pydyf.Dictionary(),
                                      "Pattern": pydyf.Dictionary(), "Shading": pydyf.Dictionary(), "ColorSpace": None})
        images: dict = {}
        scratch = Stream(fonts, (0, 0, self.page.width, self.page.height), resources, images, None,
                         document.color_profiles, document.output_intent)
        with scratch.stacked():
            draw_page(self.page._page_box, scratch)
        plain = (not images and not any(resources[kind] for kind in ("XObject", "Pattern", "Shading"))
                 and all(re.fullmatch(r"[aA][0-9.]+", key) for key in resources["ExtGState"])
                 and not any(font.missing or font.used_in_forms for font in fonts.values()))
        self.operators: list | None = list(scratch.stream) if plain else None
        self.fonts, self.states = fonts, dict(resources["ExtGState"])

    def paint(self, stream) -> None:
        if self.operators is None:
            draw_page(self.page._page_box, stream)
            return
        for key, font in self.fonts.items():   # the glyphs it shows join each PDF's own font subsets
            mine = stream._fonts.get(key)
            if mine is None:
                mine = stream._fonts[key] = copy(font)
                mine.widths, mine.to_unicode, mine.missing = {}, {}, {}
            mine.widths.update(font.widths)
            mine.to_unicode.update(font.to_unicode)
        for key, state in self.states.items():
            stream._resources["ExtGState"].setdefault(key, state)
        stream.stream.extend(self.operators)   # one q … Q: the graphics state is as it was after


class _Layered(Page):
    """One page painted as a background page, then a foreground page over it."""

    def __init__(self, background: _Background, foreground: Page):
        self.__dict__.update(foreground.__dict__)   # size, links, anchors: the foreground's
        self._background = background

    def paint(self, stream, scale=1):
        with stream.stacked():
            stream.transform(a=scale, d=scale)
            self._background.paint(stream)
            draw_page(self._page_box, stream)


def _element(page: Page, element_id: str):
    for box in page._page_box.descendants(placeholders=True):
        element = getattr(box, "element", None)
        if element is not None and element.get("id") == element_id and getattr(box, "element_tag", None) == element.tag:
            return box
    raise PdfError(f"The page has no element #{element_id}.")


@lru_cache(maxsize=32)
def _background(html: str, css_text: str) -> _Background:
    """A background page, laid out and painted once per process (all certificates share a few)."""
    document = render_document(html, css_text)
    if len(document.pages) != 1:
        raise PdfError(f"A background would have {len(document.pages)} pages; it must have 1.")
    return _Background(document)


_placed: dict[tuple[str, str, tuple[str, ...]], dict[str, tuple[float, float, float]]] = {}


def measure(html: str, css_text: str, ids: tuple[str, ...], *,
            max_waiting: int | None = None) -> dict[str, tuple[float, float, float]]:
    """Where the elements with these ids are on the first page, in CSS px: (top and bottom of the
    margin box, top of the content box). Laid out once per process and distinct document; with
    max_waiting, PdfQueueFull at once if that has to wait behind more documents."""
    key = (html, css_text, ids)
    if key in _placed:
        return _placed[key]
    with _queue.turn(max_waiting):
        page = render_document(html.replace(FIT, "0px"), css_text).pages[0]
    placed = {}
    for element_id in ids:
        box = _element(page, element_id)
        placed[element_id] = (box.position_y, box.position_y + box.margin_height(), box.content_box_y())
    if len(_placed) >= 32:
        _placed.clear()
    _placed[key] = placed
    return placed


def render_layered(layers: Sequence[tuple[str, str]], css_text: str, *, time_limit: float,
                   max_waiting: int | None = None) -> list[bytes]:
    """One-page PDFs, each a (background, foreground) pair of HTML documents painted one over the
    other: the foregrounds are laid out together, _GROUP to a document, each background once per process
    for each height of its foreground's element id="fit" (written into it at FIT). Much cheaper than
    laying out and painting whole documents when many share the same background."""
    if not layers:
        return []
    with _queue.turn(max_waiting):
        started = time.perf_counter()
        parts = []
        for start in range(0, len(layers), _GROUP):
            group = layers[start:start + _GROUP]
            document = render_document(_join([foreground for _, foreground in group]), css_text)
            if len(document.pages) != len(group):
                raise PdfError(f"The PDF would have {len(document.pages)} pages for {len(group)} document(s); "
                               "each must have 1.")
            for (background, foreground), page in zip(group, document.pages):
                fit = round(_element(page, "fit").height, 6)   # the same height, whatever float noise
                layered = _Layered(_background(background.replace(FIT, f"{fit!r}px"), css_text), page)
                parts.append(_part(document, [layered], foreground))
        if time.perf_counter() - started > time_limit:
            raise PdfError(f"Laying out the PDF took longer than {time_limit:.0f} s.")
        return [part.write_pdf(attachments=[]) for part in parts]


def _render_layered_chunk(args: tuple[list[tuple[str, str]], str, float]) -> list[bytes]:
    layers, css_text, time_limit = args
    return render_layered(layers, css_text, time_limit=time_limit)


def render_layered_parallel(layers: Sequence[tuple[str, str]], css_text: str, *, time_limit: float, chunk: int = 50,
                            pool: Executor | None = None, max_waiting: int | None = None) -> list[bytes]:
    """Like render_layered, in chunks of `chunk` pages: on the worker processes of `pool`
    (render_pool), or in this process without one."""
    chunks = [list(layers[i:i + chunk]) for i in range(0, len(layers), chunk)]
    if pool is None or len(chunks) < 2:
        return [pdf for part in chunks
                for pdf in render_layered(part, css_text, time_limit=time_limit, max_waiting=max_waiting)]
    results = pool.map(_render_layered_chunk, [(part, css_text, time_limit) for part in chunks])
    return [pdf for part in results for pdf in part]


def _join(htmls: Sequence[str]) -> str:
    """Bodies of several complete HTML documents as one document, each starting a new page."""
    bodies = []
    for html in htmls:
        start = html.find("<body")
        start = html.find(">", start) + 1 if start >= 0 else 0
        end = html.rfind("</body>")
        bodies.append(f'<section class="pdf-document">{html[start:end if end >= 0 else len(html)]}</section>')
    head_end = htmls[0].find("<body")
    head = htmls[0][:head_end] if head_end >= 0 else "<!doctype html><html><head></head>"
    return head + "<body>" + "".join(bodies) + "</body></html>"


def _render_chunk(args: tuple[list[str], str, int, float]) -> list[bytes]:
    htmls, css_text, max_pages, time_limit = args
    return render_many(htmls, css_text, max_pages=max_pages, time_limit=time_limit)


@contextmanager
def render_pool(documents: int, *, chunk: int = 50, processes: int | None = None) -> Iterator[Executor | None]:
    """Worker processes to lay out `documents` documents in chunks, for every batch of one bulk run,
    or None when they would not pay for themselves (fewer than three chunks, or one core).

    Each worker costs about a second of CPU to start (WeasyPrint, the app's modules, then the
    fonts on its first document), so one pool serves a whole bulk run rather than each batch.
    Workers are started fresh ("spawn"), never forked from a threaded server process.
    """
    import os
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    processes = processes or os.cpu_count() or 1
    chunks = -(-documents // chunk)
    if processes < 2 or chunks < 3:
        yield None
        return
    with ProcessPoolExecutor(max_workers=min(processes, chunks), mp_context=get_context("spawn")) as pool:
        yield pool


def render_many_parallel(htmls: Sequence[str], css_text: str, *, max_pages: int, time_limit: float,
                         chunk: int = 50, pool: Executor | None = None, max_waiting: int | None = None) -> list[bytes]:
    """Like render_many, in chunks of `chunk` documents: on the worker processes of `pool`
    (render_pool), or in this process without one."""
    chunks = [list(htmls[i:i + chunk]) for i in range(0, len(htmls), chunk)]
    if pool is None or len(chunks) < 2:
        return [pdf for part in chunks
                for pdf in render_many(part, css_text, max_pages=max_pages, time_limit=time_limit, max_waiting=max_waiting)]
    results = pool.map(_render_chunk, [(part, css_text, max_pages, time_limit) for part in chunks])
    return [pdf for part in results for pdf in part]
