"""How large the holder's name is printed, so that any name fits the one-page certificate (pure).

A display name may have 120 characters with no space at all. The certificate's name line
(certificate.css, `.name`) wraps anywhere; this module picks the largest font size at which the
name takes few enough lines to leave the rest of the page where it is. Widths are Source Serif 4
Semibold's advance widths (app/static/fonts, measured with fontTools), in em.
"""
from __future__ import annotations

import unicodedata

_MEASURED = {
    **dict(zip("ABCDEFGHIJKLMNOPQRSTUVWXYZ", (0.71, 0.67, 0.66, 0.74, 0.63, 0.61, 0.72, 0.81, 0.39, 0.39, 0.73, 0.62,
                                               0.93, 0.76, 0.74, 0.64, 0.74, 0.71, 0.56, 0.65, 0.76, 0.71, 1.02, 0.68,
                                               0.67, 0.59))),
    **dict(zip("abcdefghijklmnopqrstuvwxyz", (0.55, 0.63, 0.53, 0.62, 0.54, 0.37, 0.57, 0.65, 0.34, 0.31, 0.61, 0.34,
                                               0.96, 0.65, 0.59, 0.63, 0.61, 0.47, 0.47, 0.37, 0.64, 0.58, 0.85, 0.58,
                                               0.59, 0.50))),
    **dict.fromkeys("0123456789", 0.55),
    " ": 0.23, "-": 0.34, ".": 0.31, "'": 0.21, "’": 0.21,
}
OTHER = 0.8            # letters of other scripts, punctuation: wider than most Latin letters
FULL_WIDTH = 1.0       # CJK and other full-width characters

NAME_WIDTH_PT = 200 / 25.4 * 72 * 0.95   # `.name { max-width: 200mm }`, less 5% for safety
# (font size in pt, most lines allowed at it): the name block never grows taller than three lines
# of the largest size, so the course, date and footer stay in place on one page.
SIZES = ((34, 2), (28, 2), (24, 3), (20, 3), (17, 4))
SMALLEST = 14


def char_width(char: str) -> float:
    """Width of one character in em (an estimate for characters not measured)."""
    if char in _MEASURED:
        return _MEASURED[char]
    if unicodedata.combining(char):
        return 0.0
    base = unicodedata.normalize("NFD", char)[0]
    if base in _MEASURED:                      # é, Å, ñ: as wide as their letter
        return _MEASURED[base]
    return FULL_WIDTH if unicodedata.east_asian_width(char) in ("W", "F") else OTHER


def lines_needed(name: str, size_pt: float, width_pt: float = NAME_WIDTH_PT) -> int:
    """Lines the name takes at this size: words wrap at spaces, a word longer than a line anywhere."""
    space = _MEASURED[" "] * size_pt
    lines, used = 1, 0.0
    for word in name.split():
        width = sum(char_width(c) for c in word) * size_pt
        if used and used + space + width <= width_pt:
            used += space + width
            continue
        if used:
            lines, used = lines + 1, 0.0
        for char in word:                      # on a fresh line, broken anywhere if it must be
            step = char_width(char) * size_pt
            if used and used + step > width_pt:
                lines, used = lines + 1, 0.0
            used += step
    return lines


def name_size(name: str) -> int:
    """The font size (pt) to print this name at: the largest that keeps it within its lines."""
    for size, most_lines in SIZES:
        if lines_needed(name, size) <= most_lines:
            return size
    return SMALLEST
