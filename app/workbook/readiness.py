"""Is the workbook ready, being built, or to be built; how far along a build is. Pure.

A build's progress is an estimate from the time it has run and how long the last build took (or
DEFAULT_SECONDS): WeasyPrint reports no progress of its own.
"""
from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SECONDS = 15.0       # a workbook edition on a small server (measured: 11-16 s)
RETRY_FAILED_AFTER = 300.0   # seconds before a build that failed is tried again


def cache_name(edition: str, content_hash: str) -> str:
    """The edition's file in the instance cache folder, for this content."""
    return f"workbook-{edition}-{content_hash[:16]}.pdf"


def next_step(*, ready: bool, building: bool, failed_at: float | None, now: float) -> str:
    """What a request for the workbook does: "serve" it, "wait" for the build under way, "start" a
    build, or report that the last one "failed" (until RETRY_FAILED_AFTER has passed)."""
    if ready:
        return "serve"
    if building:
        return "wait"
    if failed_at is not None and now - failed_at < RETRY_FAILED_AFTER:
        return "failed"
    return "start"


@dataclass(frozen=True)
class Estimate:
    percent: int          # 0-95: never 100 before the file is there
    seconds_left: int     # at least 1
    message: str


def estimate(started_at: float | None, now: float, expected: float | None) -> Estimate:
    expected = expected if expected and expected > 0 else DEFAULT_SECONDS
    elapsed = max(0.0, now - started_at) if started_at is not None else 0.0
    percent = min(95, int(100 * elapsed / expected))
    left = max(1, round(expected - elapsed))
    if elapsed >= expected:
        return Estimate(percent, 1, "Almost ready…")
    return Estimate(percent, left, f"About {left} second{'s' if left != 1 else ''} left")
