"""The badge image: a round medal in the course's colours, drawn with Pillow. Pure (no app state).

Drawn at twice its size and scaled down, so edges and text are smooth; the fonts are the site's own
(Source Serif 4 and Source Sans 3, app/static/fonts). Twelve marks round the rim stand for the
twelve stages. The same image is baked with each holder's credential (app/badges/baking.py).
"""
from __future__ import annotations

import io
import math
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

SIZE = 600
SCALE = 2
FONTS = Path(__file__).resolve().parents[1] / "static" / "fonts"
BRAND, BRAND_DARK, ACCENT, ACCENT_DARK, PAPER = "#124e66", "#0b3445", "#f4b942", "#c98f16", "#fffaf0"


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONTS / name), size * SCALE)


def _serif(size: int) -> ImageFont.FreeTypeFont:
    return _font("source-serif-4-latin-700-normal.woff2", size)


def _sans(size: int, weight: int = 600) -> ImageFont.FreeTypeFont:
    return _font(f"source-sans-3-latin-{weight}-normal.woff2", size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _fitted(draw: ImageDraw.ImageDraw, text: str, width: float, sizes: tuple[int, ...],
            max_lines: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest of `sizes` at which `text` fits `width` in `max_lines` lines (else the smallest, cut)."""
    for size in sizes:
        font = _sans(size)
        lines = _wrap(draw, text, font, width)
        if len(lines) <= max_lines:
            return font, lines
    font = _sans(sizes[-1])
    lines = _wrap(draw, text, font, width)[:max_lines]
    lines[-1] = lines[-1].rstrip(",;:") + "…"
    return font, lines


def _centred(draw: ImageDraw.ImageDraw, y: float, text: str, font: ImageFont.FreeTypeFont, fill: str,
             spacing: float = 0) -> float:
    """Draw `text` centred at height y (its top); return the y below it."""
    c = SIZE * SCALE / 2
    draw.text((c, y), text, font=font, fill=fill, anchor="ma")
    box = draw.textbbox((c, y), text, font=font, anchor="ma")
    return box[3] + spacing * SCALE


def _disc(draw: ImageDraw.ImageDraw, radius: float, fill: str) -> None:
    c = SIZE * SCALE / 2
    draw.ellipse((c - radius, c - radius, c + radius, c + radius), fill=fill)


def _blend(a: str, b: str, t: float) -> str:
    pa, pb = (int(a[i:i + 2], 16) for i in (1, 3, 5)), (int(b[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(x + (y - x) * t):02x}" for x, y in zip(pa, pb))


@lru_cache(maxsize=8)
def badge_png(course_code: str, course_title: str, issuer: str, hours: float, days: int) -> bytes:
    """The badge as PNG bytes (600 × 600, transparent outside the medal)."""
    s = SCALE
    full = SIZE * s
    image = Image.new("RGBA", (full, full), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    c = full / 2
    # rim: a gold ring with a darker edge, then the twelve stage marks on it
    _disc(draw, 296 * s, ACCENT_DARK)
    _disc(draw, 288 * s, ACCENT)
    _disc(draw, 256 * s, ACCENT_DARK)
    for i in range(12):
        angle = -math.pi / 2 + i * math.pi / 6
        x, y = c + math.cos(angle) * 272 * s, c + math.sin(angle) * 272 * s
        r = 7 * s
        draw.ellipse((x - r, y - r, x + r, y + r), fill=BRAND_DARK)
    # face: a soft radial shade from the brand colour to its dark
    for step in range(40):
        t = step / 39
        _disc(draw, (250 - 120 * t) * s, _blend(BRAND_DARK, BRAND, t))
    draw.ellipse((c - 236 * s, c - 236 * s, c + 236 * s, c + 236 * s), outline=_blend(BRAND, ACCENT, 0.55), width=2 * s)

    y = _centred(draw, 112 * s, "CERTIFICATE OF COMPLETION", _sans(19, 700), ACCENT, spacing=14)
    y = _centred(draw, y, course_code, _serif(88), PAPER, spacing=10)
    font, lines = _fitted(draw, course_title, 330 * s, (30, 27, 24, 21), 3)
    for line in lines:
        y = _centred(draw, y, line, font, "#ffffff", spacing=5)

    # ribbon across the lower face: hours and days
    top = max(y + 16 * s, 380 * s)
    ribbon = f"{hours:g} HOURS" + (f" · {days} DAYS" if days > 1 else "")
    left, right, height, notch = c - 230 * s, c + 230 * s, 52 * s, 18 * s
    draw.polygon([(left - 24 * s, top + 10 * s), (left + 12 * s, top + 10 * s), (left + 12 * s, top + height + 10 * s),
                  (left - 24 * s, top + height + 10 * s), (left - 24 * s + notch, top + 10 * s + height / 2)],
                 fill=ACCENT_DARK)
    draw.polygon([(right + 24 * s, top + 10 * s), (right - 12 * s, top + 10 * s), (right - 12 * s, top + height + 10 * s),
                  (right + 24 * s, top + height + 10 * s), (right + 24 * s - notch, top + 10 * s + height / 2)],
                 fill=ACCENT_DARK)
    draw.rectangle((left, top, right, top + height), fill=ACCENT)
    draw.text((c, top + height / 2), ribbon, font=_sans(24, 700), fill=BRAND_DARK, anchor="mm")

    org_font, org_lines = _fitted(draw, issuer, 300 * s, (18, 16, 14), 2)
    y = top + height + 18 * s
    for line in org_lines:
        y = _centred(draw, y, line, org_font, _blend(PAPER, BRAND, 0.15), spacing=2)

    out = io.BytesIO()
    image.resize((SIZE, SIZE), Image.Resampling.LANCZOS).save(out, format="PNG", optimize=True)
    return out.getvalue()
