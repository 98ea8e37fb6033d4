"""The rules of a live session, as pure functions: join codes, presence, points, tallies, ranks."""
from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from app.content.quizzes import Question
from app.quizzes.scoring import mark
from app.quizzes.snapshot import Asked
from app.quizzes.types.base import Tally

# --- join codes --------------------------------------------------------------------------
# Six symbols from an alphabet without the look-alikes 0/O, 1/I/L and U/V: read off a
# projector at the back of a room, typed on a phone. 29^6 ≈ 595 million codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
CODE_LENGTH = 6


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(raw: str) -> str | None:
    """What a person typed, as a code ("k7m 3q9" → "K7M3Q9"), or None if it cannot be one."""
    cleaned = "".join(ch for ch in (raw or "")[:40].upper() if ch not in " -\t")
    if len(cleaned) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in cleaned):
        return None
    return cleaned


# --- presence ----------------------------------------------------------------------------
HEARTBEAT_SECONDS = 30                    # how often an open participant page reports in
PRESENCE_GAP = timedelta(seconds=90)      # a longer silence means the person was away


def presence_seconds(previous: int, last_seen: datetime, now: datetime) -> int:
    """Seconds present after a sign of life at `now`: the time since the last one counts only
    when it is short enough to mean the page stayed open."""
    gap = now - last_seen
    if gap <= timedelta(0) or gap > PRESENCE_GAP:
        return previous
    return previous + int(gap.total_seconds())


def attended(seconds_present: int, required_minutes: int) -> bool:
    return required_minutes <= 0 or seconds_present >= required_minutes * 60


# --- corrections by hand -------------------------------------------------------------------
MAX_CREDIT_MINUTES = 720                  # twelve hours: longer than any course day
# A correction may count the session's length plus this margin: someone in the room before the
# instructor started the session on screen, or after it was ended, was still there.
CREDIT_MARGIN_MINUTES = 30


def session_minutes(started_at: datetime, ended_at: datetime | None, now: datetime) -> int:
    """How long a session lasted (so far, while it runs), to the nearest minute."""
    seconds = max(((ended_at or now) - started_at).total_seconds(), 0)
    return round(seconds / 60)


def credit_limit(started_at: datetime, ended_at: datetime | None, now: datetime) -> int:
    """The most minutes a correction may count for one person in this session."""
    return min(session_minutes(started_at, ended_at, now) + CREDIT_MARGIN_MINUTES, MAX_CREDIT_MINUTES)


def enrolled_in_time(enrolled_at: datetime, ended_at: datetime | None) -> bool:
    """Whether someone could have attended: they were in the cohort before the session ended (a
    session still running can still be joined by anyone enrolled now)."""
    return ended_at is None or enrolled_at < ended_at


def counted_seconds(measured_seconds: int, credited_minutes: int | None) -> int:
    """What counts for a person in one session: the instructor's credit when there is one (it
    replaces the measurement, up or down), otherwise the minutes the heartbeats measured."""
    return measured_seconds if credited_minutes is None else credited_minutes * 60


# --- sessions left open --------------------------------------------------------------------
# An instructor may forget to press "End". A session still open this long after its last sign of
# life is ended by Lectern (lazily, when anyone looks for open sessions), so its code stops working.
IDLE_LIMIT = timedelta(hours=12)


# --- ended by mistake ---------------------------------------------------------------------
# The presenter may resume a session they ended, with the same code, for this long after the end.
RESUME_WINDOW = timedelta(minutes=10)


def resumable_until(ended_at: datetime | None, window: timedelta = RESUME_WINDOW) -> datetime | None:
    return ended_at + window if ended_at is not None else None


def can_resume(ended_at: datetime | None, now: datetime, window: timedelta = RESUME_WINDOW) -> bool:
    return ended_at is not None and timedelta(0) <= now - ended_at <= window


def left_open(last_activity: datetime, now: datetime, limit: timedelta = IDLE_LIMIT) -> bool:
    return now - last_activity > limit


# --- the projector ------------------------------------------------------------------------
# One screen shows one thing: what the presenter last put on it. "join": the code, big;
# "lesson": the lesson and agenda item the class is on; "poll": the current poll (its answer and
# explanation once revealed); "leaderboard": the top ten, only when the presenter asks for it;
# "qna": the room's question the presenter put on screen (app/live/qna.py).
# "slide": the slide the presenter is on, while the lesson is presented as slides.
PROJECTOR_SCREENS = ("join", "lesson", "poll", "leaderboard", "qna", "slide")


def projector_view(chosen: str, *, has_lesson: bool, has_poll: bool, leaderboard: bool,
                   has_slides: bool = False) -> str:
    """What the projector shows: the presenter's choice, or the nearest thing there is to show."""
    if chosen == "qna":
        return "qna"
    if chosen == "slide" and has_slides:
        return "slide"
    if chosen == "leaderboard" and leaderboard:
        return "leaderboard"
    if chosen in ("poll", "leaderboard") and has_poll:
        return "poll"
    if chosen != "join" and has_lesson:
        return "lesson"
    return "join"


PAUSE_KINDS = ("break", "lunch")          # agenda items during which the projector shows no lesson


def planned_minutes(start: str, end: str) -> int:
    """An agenda item's planned length: "09:15"–"10:15" → 60."""
    def minutes(hhmm: str) -> int:
        hours, _, mins = hhmm.partition(":")
        return int(hours) * 60 + int(mins)
    return max(minutes(end) - minutes(start), 0)


# --- points (as in Kahoot: right and fast earns most) ---------------------------------------
MAX_POINTS = 1000
POINTS_WINDOW = timedelta(seconds=30)     # answering later than this still earns half


def points_for(fraction: float, opened_at: datetime, answered_at: datetime,
               window: timedelta = POINTS_WINDOW) -> int:
    if fraction <= 0:
        return 0
    elapsed = min(max(answered_at - opened_at, timedelta(0)), window)
    speed = 1 - (elapsed / window) / 2
    return round(MAX_POINTS * fraction * speed)


def score_answer(question: Mapping[str, Any], answer: Any) -> float:
    """Share of the credit an answer earns (0 … 1)."""
    return mark(Question.from_dict(question), answer).fraction


# --- tallies for the live chart ------------------------------------------------------------
def tally(question: Mapping[str, Any], answers: Iterable[tuple[Any, float]], *, scored: bool = True,
          with_key: bool = False, hidden: Iterable[str] = ()) -> Tally:
    """Counts for the chart. answers: (raw answer, fraction) per person. The question's type
    decides the bars (one per option for choices; right / partly / wrong and the commonest typed
    answers for the rest; a scale's distribution). `with_key` marks the right bars; without it
    nothing in the result reveals the key. `hidden`: word-cloud terms the instructor hid."""
    asked = Asked.from_dict(question)
    counted = asked.kind.tally(asked.question.body, asked.display, list(answers), scored=scored, with_key=with_key)
    return asked.kind.hide(asked.question.body, counted, hidden)   # what the instructor hid never shows


def key_of(question: Mapping[str, Any]) -> Any:
    """The right answer as JSON, for the reveal."""
    asked = Asked.from_dict(question)
    return asked.kind.key(asked.question.body)


# --- leaderboard ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Standing:
    rank: int
    user_id: int
    name: str
    points: int


def leaderboard(points_by_user: Mapping[int, int], names: Mapping[int, str]) -> list[Standing]:
    """Everyone with their rank; equal points share a rank (1, 2, 2, 4)."""
    ordered = sorted(points_by_user.items(), key=lambda item: (-item[1], names.get(item[0], "").casefold(), item[0]))
    out: list[Standing] = []
    for position, (user_id, points) in enumerate(ordered, start=1):
        rank = out[-1].rank if out and out[-1].points == points else position
        out.append(Standing(rank, user_id, names.get(user_id, "?"), points))
    return out


# --- countdowns ------------------------------------------------------------------------------
# A poll may be launched with a countdown: it closes by itself on the server when the time is up.
# The presenter picks one of COUNTDOWN_CHOICES (or none); the service accepts any whole number of
# seconds from `minimum` to MAX_COUNTDOWN. COUNTDOWN_GRACE is slack for the network, not extra time:
# an answer sent at the last moment from a slow phone still counts. The poll's closed_at is then the
# deadline plus the grace, the last moment answers counted.
COUNTDOWN_CHOICES = (15, 30, 60, 90, 120)
MIN_COUNTDOWN = 10
MAX_COUNTDOWN = 600
COUNTDOWN_GRACE = timedelta(seconds=1)


def countdown_seconds(raw: str | None, minimum: int = MIN_COUNTDOWN) -> int | None:
    """What the presenter chose: None for no limit ("" or "0"), else the seconds. A ValueError
    names what is allowed for anything else (not a whole number, too short, too long)."""
    text = (raw or "").strip()
    if text in ("", "0"):
        return None
    if not (text.isdecimal() and len(text) <= 4):
        raise ValueError(f"Choose a countdown from {minimum} to {MAX_COUNTDOWN} seconds, or no limit.")
    seconds = int(text)
    if not minimum <= seconds <= MAX_COUNTDOWN:
        raise ValueError(f"Choose a countdown from {minimum} to {MAX_COUNTDOWN} seconds, or no limit.")
    return seconds


def countdown_deadline(opened_at: datetime, seconds: int | None) -> datetime | None:
    """When the countdown reaches zero; None without one."""
    return None if seconds is None else opened_at + timedelta(seconds=seconds)


def answers_until(deadline: datetime | None, grace: timedelta = COUNTDOWN_GRACE) -> datetime | None:
    """The last moment an answer counts: the deadline plus the grace; None without a countdown."""
    return None if deadline is None else deadline + grace


def time_is_up(deadline: datetime | None, now: datetime, grace: timedelta = COUNTDOWN_GRACE) -> bool:
    """Whether answers arriving at `now` come too late (and an open poll should be closed)."""
    until = answers_until(deadline, grace)
    return until is not None and now > until


def seconds_left(deadline: datetime | None, now: datetime) -> int | None:
    """Whole seconds left on the countdown as a screen shows them (rounded up; 0 once it is up)."""
    if deadline is None:
        return None
    left = (deadline - now).total_seconds()
    return max(0, int(left) + (1 if left > int(left) else 0))
