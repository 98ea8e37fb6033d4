"""When to try a delivery again, pure: the one backoff rule of the outbox (mail) and of xAPI
statements (app/outbox/rules.py, app/xapi/statements.py)."""
from __future__ import annotations

from datetime import datetime, timedelta


def retry_delay(attempts: int, *, base: timedelta, cap: timedelta) -> timedelta:
    """The wait after `attempts` failed attempts (1, 2, …): base, 2×base, 4×base, … up to cap."""
    if attempts < 1:
        return timedelta(0)
    wait: timedelta = base * (2 ** min(attempts - 1, 30))
    return min(wait, cap)


def after_failure(attempts: int, now: datetime, *, max_attempts: int, base: timedelta, cap: timedelta,
                  permanent: bool = False) -> tuple[str, datetime]:
    """(status, next attempt) once attempt number `attempts` has failed: "queued" again after the
    backoff, or "failed" for good at the last allowed attempt (or when the failure is permanent)."""
    if permanent or attempts >= max_attempts:
        return "failed", now
    return "queued", now + retry_delay(attempts, base=base, cap=cap)
