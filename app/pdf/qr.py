"""QR codes drawn straight into the PDF, after layout, without WeasyPrint's SVG painter.

segno writes a QR code as an SVG of one path of horizontal strokes ("M0 0.5h7m1 0h2…", stroke width
1, butt caps, `transform="scale(N)"`). WeasyPrint's SVG painter parses and draws its ~570 path
commands through its general machinery (about 13 ms of a certificate's 36 ms of painting, profiled);
here the same strokes are written as the same PDF operators in well under a millisecond. They are
strokes, not filled rectangles of the same area, on purpose: viewers snap thin strokes to whole
pixels ("stroke adjustment"), so the modules stay sharp at screen resolutions, as before; filled
rectangles came out blurred at 80 dpi. Pages rendered by poppler at 80 dpi are pixel-identical. The document keeps the segno SVG (its size and place in the
layout do not change); only its painting is replaced.
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

_SVG = "{http://www.w3.org/2000/svg}"
_STEP = re.compile(r"([MmHh])\s*(-?\d+(?:\.\d+)?)(?:\s+(-?\d+(?:\.\d+)?))?")
_SCALE = re.compile(r"^\s*scale\(\s*(\d+(?:\.\d+)?)\s*\)\s*$")
_HEX = re.compile(r"^#([0-9a-fA-F]{6})$")


def runs(path_d: str) -> list[tuple[float, float, float]] | None:
    """(x, top, length) of each dark run in a segno path, in modules; None if it is not one."""
    x = y = 0.0
    out: list[tuple[float, float, float]] = []
    position = 0
    for match in _STEP.finditer(path_d):
        if path_d[position:match.start()].strip():
            return None
        position = match.end()
        op, a, b = match.group(1), float(match.group(2)), match.group(3)
        if op in "Mm":
            if b is None:
                return None
            x, y = (a, float(b)) if op == "M" else (x + a, y + float(b))
        else:
            if b is not None:
                return None
            end = a if op == "H" else x + a
            out.append((min(x, end), y - 0.5, abs(end - x)))
            x = end
    if path_d[position:].strip():
        return None
    return out


class QrRuns:
    """A WeasyPrint replacement (what an `<svg>` box paints) stroking the dark runs as segno drew them."""

    def __init__(self, original: Any, runs: list[tuple[float, float, float]], scale: float, width: float,
                 rgb: tuple[float, float, float]):
        self._original = original            # its intrinsic size is the SVG's own
        self._runs = runs
        self._scale = scale                  # SVG units per module (segno's scale)
        self._width = width                  # the SVG's own width in its units
        self._rgb = rgb

    def get_intrinsic_size(self, image_resolution: Any, font_size: Any) -> Any:
        return self._original.get_intrinsic_size(image_resolution, font_size)

    def draw(self, stream: Any, concrete_width: float, concrete_height: float, _style: Any) -> None:
        fit = concrete_width / self._width
        stream.transform(a=fit, d=fit)
        stream.transform(a=self._scale, d=self._scale)
        stream.set_color_rgb(0, 0, 0)         # the path's fill: SVG's default, black, as segno leaves it
        stream.set_color_rgb(*self._rgb, stroke=True)
        stream.set_line_width(1)
        stream.set_dash([], 0)
        stream.set_line_cap(0)                # butt: a run covers exactly its modules
        stream.set_line_join(0)
        for x, top, length in self._runs:
            stream.move_to(x, top + 0.5)
            stream.line_to(x + length, top + 0.5)
        stream.fill_and_stroke()              # as WeasyPrint paints an SVG path; poppler renders it identically


def from_svg(element: Any, original: Any) -> QrRuns | None:
    """The fast painter for an inline segno SVG element, or None if the element is anything else."""
    if element is None or element.tag != f"{_SVG}svg" or "segno" not in (element.get("class") or "").split():
        return None
    children = list(element)
    if len(children) != 1 or children[0].tag != f"{_SVG}path" or element.get("viewBox"):
        return None
    path = children[0]
    scale, colour = _SCALE.match(path.get("transform") or ""), _HEX.match(path.get("stroke") or "")
    width, height = element.get("width"), element.get("height")
    if not (scale and colour and width and width == height and width.isdigit()) or path.get("stroke-width"):
        return None
    found = runs(path.get("d") or "")
    if found is None:
        return None
    value = colour.group(1)
    rgb = (int(value[0:2], 16) / 255, int(value[2:4], 16) / 255, int(value[4:6], 16) / 255)
    return QrRuns(original, found, float(scale.group(1)), float(width), rgb)


def paint_directly(boxes: Iterable[Any]) -> int:
    """Give every segno QR code among these laid-out boxes the fast painter; returns how many."""
    done = 0
    for box in boxes:
        replacement = getattr(box, "replacement", None)
        if replacement is None:
            continue
        fast = from_svg(box.element, replacement)
        if fast is not None:
            box.replacement = fast
            done += 1
    return done
