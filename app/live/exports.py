"""What a live session leaves behind, as CSV rows: attendance, and every answer to every poll."""
from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from app.auth.models import User
from app.cohorts.models import Cohort
from app.extensions import db
from app.live import attendance, screens
from app.live.models import LiveAnswer, LivePoll, LiveSession
from app.quizzes.snapshot import Asked


def filename(cohort: Cohort, session: LiveSession, what: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", cohort.name.lower()).strip("-") or "cohort"
    return f"{slug}-day-{session.day}-{session.started_at:%Y-%m-%d}-{what}.csv"


def _stamp(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value else ""


def attendance_rows(session: LiveSession) -> tuple[list[str], list[list[Any]]]:
    """The register: every member of the cohort (absent ones too) and anyone else who joined."""
    totals = dict(db.session.execute(
        sa.select(LiveAnswer.user_id, sa.func.count()).join(LivePoll, LivePoll.id == LiveAnswer.poll_id)
        .where(LivePoll.session_id == session.id).group_by(LiveAnswer.user_id)).all())
    points = {s.user_id: s.points for s in screens.standings(session.id)}
    header = ["Name", "Email", "Day", "Status", "Joined (UTC)", "Last seen (UTC)", "Minutes measured",
              "Minutes counted", "Correction reason", "Corrected by", "Polls answered", "Points"]
    rows = [[line.user.display_name, line.user.email, session.day, line.status, _stamp(line.joined_at),
             _stamp(line.last_seen_at), line.measured_minutes, line.counted_minutes,
             line.credit.note if line.credit else "", line.credited_by or "" if line.credit else "",
             totals.get(line.user.id, 0), points.get(line.user.id, 0)]
            for line in attendance.register(session)]
    return header, rows


def answer_text(question: dict[str, Any], raw: Any) -> str:
    """A raw answer in words: option ids become their text."""
    labels = {o["id"]: o["text"] for o in question.get("options", ())}
    left = {p["id"]: p["left"] for p in question.get("pairs", ())}
    if isinstance(raw, str):
        return labels.get(raw, raw)
    if isinstance(raw, list):
        return " | ".join(labels.get(str(v), str(v)) for v in raw)
    if isinstance(raw, dict):
        return " | ".join(f"{left.get(k, k)} → {v}" for k, v in raw.items())
    return ""


def countdown_text(poll: LivePoll) -> str:
    """The Countdown column: empty without one; its length, and whether time ran out or the
    presenter closed the poll first (a poll closed by its countdown closed at the deadline plus grace)."""
    if poll.closes_at is None:
        return ""
    length = f"{poll.countdown_seconds} s"
    if poll.closed_at is None:
        return length
    return f"{length}, closed when time ran out" if poll.closed_at >= poll.closes_at else f"{length}, closed before time ran out"


def poll_rows(session: LiveSession) -> tuple[list[str], list[list[Any]]]:
    header = ["Poll", "Question", "Source", "Opened (UTC)", "Closed (UTC)", "Countdown", "Revealed (UTC)", "Name", "Email",
              "Answer", "Result", "Points", "Answered (UTC)", "Times changed", "Guest"]
    rows: list[list[Any]] = []
    answers = db.session.execute(
        sa.select(LiveAnswer, User).join(User, User.id == LiveAnswer.user_id).join(LivePoll, LivePoll.id == LiveAnswer.poll_id)
        .where(LivePoll.session_id == session.id).order_by(LivePoll.seq, User.display_name)).all()
    by_poll: dict[int, list[tuple[LiveAnswer, User]]] = {}
    for ans, user in answers:
        by_poll.setdefault(ans.poll_id, []).append((ans, user))
    for poll in screens.polls_of(session.id):
        source = f"quiz bank: {poll.quiz_key}/{poll.question_id}" if poll.source == "bank" else "ad hoc"
        head = [poll.seq, _plain(poll.question["prompt"]), source, _stamp(poll.opened_at), _stamp(poll.closed_at),
                countdown_text(poll), _stamp(poll.revealed_at)]
        given = by_poll.get(poll.id, [])
        if not given:
            rows.append(head + ["", "", "(no answers)", "", "", "", "", ""])
        asked = Asked.from_dict(poll.question)
        for ans, user in given:
            result = "opinion" if not poll.scored else ("right" if ans.fraction >= 1 else
                                                        "partly right" if ans.fraction > 0 else "wrong")
            guest = user.guest_session_id is not None       # a guest: no address, marked apart (docs/LIVE.md)
            rows.append(head + [user.display_name, "" if guest else user.email, answer_text(poll.question, ans.answer),
                                board_result(poll, asked, ans) or result, ans.points, _stamp(ans.answered_at),
                                ans.changes, "guest, not counted" if guest else ""])
        if given and asked.kind.live_board == "cloud":
            rows.append(head + ["(all answers)", "", cloud_totals(poll, asked, [a.answer for a, _u in given]),
                                "word cloud totals", "", "", "", ""])
    return header, rows


def board_result(poll: LivePoll, asked: Asked, ans: LiveAnswer) -> str | None:
    """The Result column of a word cloud (the person's terms, hidden ones marked) or an open answer
    (whether the instructor approved it for the projector); None for other polls."""
    if asked.kind.live_board == "wall":
        return "approved: yes" if ans.approved_at else "approved: no (rejected)" if ans.rejected_at else "approved: no"
    if asked.kind.live_board == "cloud":
        hidden = set(poll.hidden_terms or ())
        terms = asked.kind.terms(asked.question.body, [ans.answer])   # type: ignore[attr-defined]
        return "opinion; terms: " + ", ".join(t.label + (" (hidden)" if t.key in hidden else "") for t in terms)
    return None


def cloud_totals(poll: LivePoll, asked: Asked, answers: list[Any]) -> str:
    """Every term of a word cloud with the number of people who gave it, hidden ones marked."""
    hidden = set(poll.hidden_terms or ())
    terms = asked.kind.terms(asked.question.body, answers)   # type: ignore[attr-defined]
    return " | ".join(f"{t.label}: {t.count}" + (" (hidden)" if t.key in hidden else "") for t in terms)


def _plain(markdown: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[*_`#>]", "", markdown)).strip()
