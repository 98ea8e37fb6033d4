"""Where to send someone after signing in: only to a path on this site."""
from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str | None, default: str) -> str:
    """`target` if it is a local path ("/lessons/x?y"), else `default`.

    Refuses absolute and scheme-relative URLs, backslash tricks browsers normalise into
    "//host", control characters and anything that is not a path.
    """
    if not target or len(target) > 2000:
        return default
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target
