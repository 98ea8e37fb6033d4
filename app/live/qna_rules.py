"""The rules of a session's Q&A, as pure functions: how long a question may be, how often a person
may ask, the order questions are listed in, and who sees an author's name."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_QUESTION = 280                         # characters, as a short message
POSTS_PER_WINDOW = 3                       # questions one person may ask ...
POST_WINDOW = timedelta(seconds=60)        # ... in this long


def next_post_at(recent: Iterable[datetime], now: datetime, *, limit: int = POSTS_PER_WINDOW,
                 window: timedelta = POST_WINDOW) -> datetime | None:
    """None if a person whose earlier questions were posted at `recent` may ask now; otherwise the
    moment they may ask again (when the oldest question that fills the limit leaves the window)."""
    inside = sorted(t for t in recent if now - window < t <= now)
    if len(inside) < limit:
        return None
    return inside[len(inside) - limit] + window


def wait_seconds(until: datetime, now: datetime) -> int:
    """Whole seconds until `until`, rounded up (at least 1): a Retry-After."""
    left = (until - now).total_seconds()
    return max(1, int(left) + (1 if left > int(left) else 0))


@dataclass(frozen=True)
class Line:
    """A question as a list shows it."""

    id: int
    text: str
    votes: int
    posted_at: datetime
    answered_at: datetime | None = None
    on_screen: bool = False
    author: str | None = None              # None: not shown to this audience
    author_id: int | None = None           # never sent to participants' pages (see qna.py)


def ordered(lines: Iterable[Line]) -> tuple[list[Line], list[Line]]:
    """(open, answered): open questions by votes, most first, then the earlier first; answered ones
    by when they were answered, the latest first."""
    items = list(lines)
    open_ = sorted((q for q in items if q.answered_at is None), key=lambda q: (-q.votes, q.posted_at, q.id))
    done = sorted((q for q in items if q.answered_at is not None),
                  key=lambda q: (q.answered_at or q.posted_at, q.id), reverse=True)
    return open_, done


AUDIENCES = ("staff", "room")              # presenter view; participants' phones and the projector


def shows_author(anonymous: bool, audience: str) -> bool:
    """Whether an author's name is shown: always to staff, to the room only when the session's
    questions are not anonymous. The projector is a staff page but the room reads it: "room"."""
    if audience not in AUDIENCES:
        raise ValueError(f"unknown audience {audience!r}")
    return audience == "staff" or not anonymous


def tidy(text: str) -> str:
    """A question as stored: surrounding blanks dropped, line breaks and runs of spaces made one space."""
    return " ".join((text or "").split())


def too_long(text: str, limit: int = MAX_QUESTION) -> bool:
    return len(text) > limit
