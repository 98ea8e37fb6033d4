"""What live sessions tell the Learning Record Store (app/xapi/): the answers of a poll when it
closes, and who attended when the session ends. Both are read in bulk inside the unit of work that
closes the poll or ends the session; answering and heartbeats write nothing more (bench/live.py).
Without LECTERN_XAPI_ENDPOINT nothing is read."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.live.models import LiveAnswer, LiveParticipant, LivePoll, LiveSession
from app.xapi import services as xapi


def polls_closed(poll_ids: Sequence[int]) -> None:
    """Queue the "answered" statements of these polls (just closed, in the current unit of work)."""
    if not xapi.configured() or not poll_ids:
        return
    rows = db.session.execute(
        sa.select(LivePoll.id, LivePoll.session_id, LiveSession.day, LivePoll.seq, LivePoll.quiz_key,
                  LivePoll.question_id, LivePoll.question, LivePoll.scored)
        .join(LiveSession, LiveSession.id == LivePoll.session_id).where(LivePoll.id.in_(poll_ids))).all()
    for poll_id, session_id, day, seq, quiz_key, question_id, question, scored in rows:
        poll = xapi.LivePollFact(session_id=session_id, day=day, seq=seq, quiz_key=quiz_key, question_id=question_id,
                                 prompt=str((question or {}).get("prompt") or f"Poll {seq}"), scored=bool(scored))
        answers = [xapi.LiveAnswerFact(answer_id=a.id, user_id=a.user_id, answer=a.answer, fraction=a.fraction,
                                       answered_at=a.answered_at)
                   for a in db.session.execute(
                       sa.select(LiveAnswer.id, LiveAnswer.user_id, LiveAnswer.answer, LiveAnswer.fraction,
                                 LiveAnswer.answered_at)
                       .join(User, User.id == LiveAnswer.user_id)
                       .where(LiveAnswer.poll_id == poll_id, User.guest_session_id.is_(None))   # guests: no one to report
                       .order_by(LiveAnswer.id))]
        xapi.poll_answered(poll, answers)


def session_ending(session: LiveSession, at: datetime) -> None:
    """The session ends at `at` (called before its open poll is closed): that poll's answers, and
    everyone who joined, with the seconds they were present."""
    if not xapi.configured():
        return
    polls_closed(list(db.session.scalars(sa.select(LivePoll.id).where(LivePoll.session_id == session.id,
                                                                       LivePoll.closed_at.is_(None)))))
    presence = [(uid, int(seconds or 0)) for uid, seconds in db.session.execute(
        sa.select(LiveParticipant.user_id, LiveParticipant.seconds_present)
        .join(User, User.id == LiveParticipant.user_id)
        .where(LiveParticipant.session_id == session.id, User.guest_session_id.is_(None))
        .order_by(LiveParticipant.user_id))]
    xapi.session_attended(session.id, session.day, presence, ended_at=at)
