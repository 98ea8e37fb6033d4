"""A word cloud's layout, as a pure function: where each term goes and how big it is, so the
projector can draw it as plain SVG (no script, nothing fetched).

Deterministic: the same terms and counts always give the same picture (no randomness; ties are
broken by the label). The most given term goes in the middle, in the biggest type; the others
follow an outward spiral, each at the first place where its box overlaps no box placed before and
stays inside the canvas. Font sizes grow with the count (never smaller for a larger count). Text
widths are estimated from the font size (a bold sans-serif's widest letters), generously, so the
drawn words keep their distance.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

WIDTH, HEIGHT = 1200, 560
MIN_SIZE, MAX_SIZE = 32.0, 110.0
MAX_WORDS = 40
CHAR_WIDTH = 0.62              # of the font size, per character (bold sans-serif, with margin)
LINE_HEIGHT = 1.1              # of the font size
GAP = 6.0                      # between boxes
SPIRAL_STEP = 0.35             # radians per step along the spiral
SPIRAL_GROWTH = 2.2            # pixels of radius per radian
FILL = 0.45                    # the share of the canvas the words' boxes may cover at first
ATTEMPTS = 6                   # tries in ever smaller type before leaving words out
PALETTE = 6                    # colours, chosen by rank (CSS classes cloud__word--0 … --5)


@dataclass(frozen=True)
class Box:
    x: float                   # left
    y: float                   # top
    w: float
    h: float

    def overlaps(self, other: Box) -> bool:
        return (self.x < other.x + other.w and other.x < self.x + self.w
                and self.y < other.y + other.h and other.y < self.y + self.h)

    def inside(self, width: float, height: float) -> bool:
        return self.x >= 0 and self.y >= 0 and self.x + self.w <= width and self.y + self.h <= height


@dataclass(frozen=True)
class Placed:
    label: str
    count: int
    size: float                # font size, px
    box: Box                   # the space the word takes, gap included
    tone: int                  # 0 … PALETTE-1

    @property
    def cx(self) -> float:
        return self.box.x + self.box.w / 2

    @property
    def cy(self) -> float:
        return self.box.y + self.box.h / 2


@dataclass(frozen=True)
class Layout:
    width: int
    height: int
    words: tuple[Placed, ...]
    left_out: int              # terms that did not fit (the least given ones)


def font_size(count: int, least: int, most: int, lo: float = MIN_SIZE, hi: float = MAX_SIZE) -> float:
    """Bigger for more people, on a square-root scale (areas grow with counts); all alike → the top size."""
    if most <= least:
        return hi
    share = (math.sqrt(count) - math.sqrt(least)) / (math.sqrt(most) - math.sqrt(least))
    return round(lo + (hi - lo) * share, 1)


def word_box(label: str, size: float) -> tuple[float, float]:
    return len(label) * size * CHAR_WIDTH + 2 * GAP, size * LINE_HEIGHT + 2 * GAP


def layout(terms: Sequence[tuple[str, int]], width: int = WIDTH, height: int = HEIGHT,
           max_words: int = MAX_WORDS) -> Layout:
    """Place (label, count) terms: the most given first, in the middle; none overlapping; inside the
    canvas. When not all fit, the whole cloud is tried again in smaller type (a few times); a word
    that still cannot fit is left out (the least given ones first)."""
    ordered = tuple(sorted(((label, count) for label, count in terms if label and count > 0), key=lambda t: (-t[1], t[0])))
    return _layout(ordered, width, height, max_words)


@lru_cache(maxsize=64)       # a projector asks again on every answer and presence change; often nothing moved
def _layout(ordered: tuple[tuple[str, int], ...], width: int, height: int, max_words: int) -> Layout:
    shown, cut = ordered[:max_words], len(ordered) - min(len(ordered), max_words)
    if not shown:
        return Layout(width, height, (), cut)
    best: tuple[Placed, ...] = ()
    # start from a size at which the words could fill about half the canvas, then shrink if need be
    area = sum(_area(label, font_size(count, shown[-1][1], shown[0][1])) for label, count in shown)
    scale = min(1.0, math.sqrt(FILL * width * height / area)) if area else 1.0
    for _attempt in range(ATTEMPTS):
        placed = _place(shown, scale, width, height)
        if len(placed) > len(best):
            best = placed
        if len(best) == len(shown):
            break
        scale *= 0.85
    return Layout(width, height, best, cut + len(shown) - len(best))


def _area(label: str, size: float) -> float:
    w, h = word_box(label, size)
    return w * h


def _place(shown: Sequence[tuple[str, int]], scale: float, width: int, height: int) -> tuple[Placed, ...]:
    most, least = shown[0][1], shown[-1][1]
    low = MIN_SIZE * max(scale, 0.75)
    placed: list[Placed] = []
    for rank, (label, count) in enumerate(shown):
        size = font_size(count, least, most, low, max(MAX_SIZE * scale, low))
        spot = _find_spot(label, size, placed, width, height)
        if spot is not None:
            placed.append(Placed(label, count, size, spot, rank % PALETTE))
    return tuple(placed)


def _find_spot(label: str, size: float, placed: Sequence[Placed], width: int, height: int) -> Box | None:
    w, h = word_box(label, size)
    w, h = round(w, 1), round(h, 1)
    if w > width or h > height:
        return None
    cx, cy = width / 2, height / 2
    squash = height / width                # an elliptical spiral that fills a wide screen
    limit = (width / 2) / SPIRAL_GROWTH    # beyond this radius no box is inside the canvas any more
    boxes = [(p.box.x, p.box.y, p.box.x + p.box.w, p.box.y + p.box.h) for p in placed]
    last: tuple[float, float, float, float] | None = None   # the box hit last is the likeliest hit again
    angle = 0.0
    while angle < limit:
        radius = SPIRAL_GROWTH * angle
        x = round(cx + radius * math.cos(angle) - w / 2, 1)
        y = round(cy + radius * squash * math.sin(angle) - h / 2, 1)
        angle += SPIRAL_STEP
        if x < 0 or y < 0 or x + w > width or y + h > height:
            continue
        right, bottom = x + w, y + h
        if last is not None and x < last[2] and last[0] < right and y < last[3] and last[1] < bottom:
            continue
        last = next((b for b in boxes if x < b[2] and b[0] < right and y < b[3] and b[1] < bottom), None)
        if last is None:
            return Box(x, y, w, h)
    return None
