"""Time limits: when a timed attempt closes, which answers count, and whether its result counts. Pure.

The rule (Moodle's "open attempts are submitted automatically" at time-up): a timed attempt
closes at its deadline plus GRACE. Answers saved ("Save and finish later", "Check answer") or
submitted by then are marked. Anything that arrives later is not counted: the attempt is closed
as of its closing time and marked on the answers saved by then, whether a late submission
triggers that or the next person to look at it (the trainee, an instructor, the certificate
check, `flask quizzes close-overdue`). So a late form can never raise a score, and an attempt
left open cannot wait for ever.

A finished attempt's result counts toward progress and the certificate only if it finished by
its closing time. Attempts closed under this rule always do (they are recorded as finished at
their closing time); attempts marked late under the earlier rule, which graded the late answers,
finished after it and do not.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

# Slack for the network and for clocks, not extra time: a form sent at the last second from a slow
# phone connection, or a browser whose clock runs a little behind, still arrives in time. Two
# minutes is under 7 % of the shortest day assessment (30 minutes). Each attempt stores its own
# closing time when it starts, so changing this affects new attempts only.
GRACE = timedelta(minutes=2)
GRACE_MINUTES = int(GRACE.total_seconds() // 60)


class Timing(StrEnum):
    ON_TIME = "on-time"              # submitted by its closing time (or no time limit)
    TIMED_OUT = "timed-out"          # not submitted in time: closed then, marked on the answers saved by then
    LATE_NOT_COUNTED = "late"        # marked on late answers under the earlier rule: the result does not count


def closes_at(deadline_at: datetime | None, grace: timedelta = GRACE) -> datetime | None:
    """The last moment answers are accepted: the deadline plus the grace; None without a time limit."""
    return None if deadline_at is None else deadline_at + grace


def is_overdue(closes: datetime | None, now: datetime) -> bool:
    """Whether an attempt that is still open should have been closed by now."""
    return closes is not None and now > closes


def counts(closes: datetime | None, finished_at: datetime | None) -> bool:
    """Whether a finished attempt's result counts toward progress and the certificate."""
    return finished_at is not None and (closes is None or finished_at <= closes)


def timing(closes: datetime | None, finished_at: datetime | None, is_late: bool) -> Timing:
    """How a finished attempt ended, for its results page."""
    if not counts(closes, finished_at):
        return Timing.LATE_NOT_COUNTED
    return Timing.TIMED_OUT if is_late else Timing.ON_TIME


@dataclass(frozen=True)
class Closing:
    """What finishing an attempt records."""

    answers: dict[str, Any]
    finished_at: datetime
    is_late: bool        # time ran out before it was submitted


def closing(closes: datetime | None, saved: Mapping[str, Any], sent: Mapping[str, Any],
            editable: Iterable[str], now: datetime) -> Closing:
    """Finish an attempt at `now` with the answers `sent` (only for `editable` questions, the ones
    in the attempt that are not locked by "Check answer"), unless it closed before `now`: then
    the answers sent are ignored and it finishes at its closing time with the answers `saved`."""
    if is_overdue(closes, now):
        assert closes is not None
        return Closing(dict(saved), closes, True)
    allowed = set(editable)
    final = dict(saved)
    final.update({k: v for k, v in sent.items() if k in allowed})
    return Closing(final, now, False)
