"""The outbox's rules, pure: when to try a message again, when to give up, when a claim is stale,
and the key that makes one cause queue one message."""
from __future__ import annotations

import re
from datetime import datetime, timedelta

from app.jobs import backoff

BACKOFF_BASE = timedelta(minutes=1)     # the wait after the first failed attempt
BACKOFF_CAP = timedelta(hours=6)        # never wait longer than this between two attempts
MAX_ATTEMPTS = 8                        # then the message is failed (an admin can resend it)
CLAIM_TIMEOUT = timedelta(minutes=10)   # a "sending" claim older than this: its worker died


def retry_delay(attempts: int, *, base: timedelta = BACKOFF_BASE, cap: timedelta = BACKOFF_CAP) -> timedelta:
    """The wait after `attempts` failed attempts (1, 2, …): base, 2×base, 4×base, … up to cap."""
    return backoff.retry_delay(attempts, base=base, cap=cap)


def after_failure(attempts: int, now: datetime, *, max_attempts: int = MAX_ATTEMPTS,
                  base: timedelta = BACKOFF_BASE, cap: timedelta = BACKOFF_CAP) -> tuple[str, datetime]:
    """(status, next attempt) once attempt number `attempts` has failed: queued again after the
    backoff, or failed for good when it was the last allowed attempt."""
    return backoff.after_failure(attempts, now, max_attempts=max_attempts, base=base, cap=cap)


def claim_is_stale(claimed_at: datetime | None, now: datetime, timeout: timedelta = CLAIM_TIMEOUT) -> bool:
    """A message left "sending" this long was claimed by a worker that died before saying how it went."""
    return claimed_at is None or now - claimed_at > timeout


_KEY_PART = re.compile(r"[^A-Za-z0-9_.@-]+")


def dedup_key(kind: str, entity: str, entity_id: object, *scope: object) -> str:
    """One message per (kind, the thing it is about[, scope]): "invitation:auth-link:42",
    "certificate-issued:certificate:7". Parts are cleaned of ':' so two causes never share a key."""
    parts = [kind, entity, str(entity_id), *(str(s) for s in scope)]
    if not kind or not entity or any(p == "" for p in parts):
        raise ValueError("a dedup key needs a kind, an entity and its id")
    key = ":".join(_KEY_PART.sub("-", p) for p in parts)
    if len(key) > 200:
        raise ValueError("dedup key longer than 200 characters")
    return key


# --- one-time links -----------------------------------------------------------------------------------

# Invitation and reset links carry their secret in the path (/invite/<token>, /reset/<token>), and
# the database keeps only a hash of each token (app/auth/links.py). A message that carries one keeps
# it only until it is sent; then the token is replaced, so the outbox is no copy of live links.
_ONE_TIME_LINK = re.compile(r"(/(?:invite|reset)/)([A-Za-z0-9_\-.~]{16,})")
REMOVED = "link-removed-once-sent"


def without_one_time_links(text: str) -> str:
    """`text` with the secret part of every invitation or reset link replaced by REMOVED."""
    return _ONE_TIME_LINK.sub(lambda m: m.group(1) + REMOVED if m.group(2) != REMOVED else m.group(0), text)


def carries_one_time_link(text: str) -> bool:
    return any(m.group(2) != REMOVED for m in _ONE_TIME_LINK.finditer(text))


def had_one_time_link(text: str) -> bool:
    """A sent message whose one-time link was removed (it cannot be sent again as it is)."""
    return f"/{REMOVED}" in text
