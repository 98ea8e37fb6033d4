"""Countdown per poll (issue 20): the rule (deadline, grace, time left), and through the Flask test
client a poll that refuses late answers and closes by itself on the server, exactly once however
many processes notice that time is up."""
import json
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.db import utcnow
from app.extensions import db
from app.live import polls, rules, screens
from app.live.broker import LocalBroker
from app.live.exports import countdown_text
from app.live.models import LivePoll, LiveSession

T0 = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)


# --- the rule, without Flask -------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "seconds"), [("", None), ("0", None), (None, None), ("15", 15), (" 30 ", 30),
                                             ("600", 600), ("10", 10)])
def test_the_countdown_chosen_is_no_limit_or_whole_seconds_in_range(raw, seconds):
    assert rules.countdown_seconds(raw) == seconds


@pytest.mark.parametrize("raw", ["9", "601", "abc", "-5", "1.5", "²", "99999", "30s"])
def test_a_countdown_out_of_range_or_not_a_number_is_refused_saying_what_is_allowed(raw):
    with pytest.raises(ValueError, match="from 10 to 600 seconds, or no limit"):
        rules.countdown_seconds(raw)


def test_a_shorter_minimum_can_be_configured():
    assert rules.countdown_seconds("2", minimum=1) == 2
    with pytest.raises(ValueError, match="from 1 to 600"):
        rules.countdown_seconds("0.5", minimum=1)


def test_the_deadline_is_the_opening_plus_the_seconds_and_answers_count_until_one_second_later():
    deadline = rules.countdown_deadline(T0, 30)
    assert deadline == T0 + timedelta(seconds=30)
    assert rules.answers_until(deadline) == deadline + timedelta(seconds=1)
    assert not rules.time_is_up(deadline, deadline)                                  # zero: still counts
    assert not rules.time_is_up(deadline, deadline + timedelta(milliseconds=999))    # within the grace
    assert not rules.time_is_up(deadline, deadline + timedelta(seconds=1))
    assert rules.time_is_up(deadline, deadline + timedelta(seconds=1, microseconds=1))


def test_without_a_countdown_time_is_never_up():
    assert rules.countdown_deadline(T0, None) is None
    assert rules.answers_until(None) is None
    assert not rules.time_is_up(None, T0 + timedelta(days=365))
    assert rules.seconds_left(None, T0) is None


@pytest.mark.parametrize(("after", "left"), [(0, 30), (0.2, 30), (1, 29), (29.01, 1), (30, 0), (31, 0), (-5, 35)])
def test_seconds_left_round_up_and_stop_at_zero(after, left):
    assert rules.seconds_left(T0 + timedelta(seconds=30), T0 + timedelta(seconds=after)) == left


# --- through the Flask test client ----------------------------------------------------------

def _launch(teacher, session_id, countdown, ref):
    return teacher.post(f"/live/{session_id}/polls", data={"source": "bank", "question": ref, "countdown": countdown},
                        headers={"Accept": "application/json"})


def _send(client, session_id, poll_id, answer):
    return client.post(f"/live/{session_id}/polls/{poll_id}/answer", json={"answer": answer},
                       headers={"Accept": "application/json"})


def test_a_countdown_poll_takes_answers_in_time_refuses_a_late_one_and_closes_by_itself(app, room, start, join,
                                                                                          first_single):
    teacher, session = start(app, room)
    session_id, code = session.id, session.code
    ana, _ = join(app, room["ana"], code)
    ben, _ = join(app, room["ben"], code)
    question = first_single()
    assert _launch(teacher, session_id, "2", f"stage-03/{question.id}").status_code == 200
    poll = screens.current_poll(session_id)
    poll_id = poll.id
    assert poll.closes_at == poll.opened_at + timedelta(seconds=2) and poll.countdown_seconds == 2
    state = ana.get(f"/live/{session_id}/state").get_json()
    assert state["poll"]["status"] == "open"
    assert datetime.fromisoformat(state["poll"]["closes_at"]) == poll.closes_at.replace(
        microsecond=poll.closes_at.microsecond // 1000 * 1000)
    assert abs(datetime.fromisoformat(state["now"]) - utcnow()) < timedelta(seconds=2)   # the server's clock
    page = ana.get(f"/live/{session_id}").get_data(as_text=True)
    assert "data-live-countdown" in page and "data-server-now=" in page and "Time left" in page

    assert _send(ana, session_id, poll_id, question.body.correct[0]).status_code == 200
    time.sleep(max((poll.closes_at + timedelta(seconds=1.1) - utcnow()).total_seconds(), 0))

    late = _send(ben, session_id, poll_id, question.body.correct[0])
    assert late.status_code == 422
    assert "Time was up" in late.get_json()["message"]
    db.session.rollback()
    closed = db.session.get(LivePoll, poll_id, populate_existing=True)
    # the late answer noticed time was up and closed the poll as of the deadline plus the grace
    assert closed.closed_at == closed.closes_at + rules.COUNTDOWN_GRACE
    assert ana.get(f"/live/{session_id}/state").get_json()["poll"]["status"] == "closed"
    assert "time is up" in teacher.get(f"/live/{session_id}/projector/panel").get_data(as_text=True)
    panel = teacher.get(f"/live/{session_id}/present/panel").get_data(as_text=True)
    assert "closed by itself when time ran out" in panel and "Reveal the answer" in panel
    # the reveal works as after a close by hand; the CSV says there was a countdown and how it ended
    assert teacher.post(f"/live/{session_id}/polls/{poll_id}/reveal").status_code == 303
    csv = teacher.get(f"/live/{session_id}/polls.csv").get_data(as_text=True)
    assert "Countdown" in csv.splitlines()[0] and "2 s, closed when time ran out" in csv


def test_a_poll_nobody_answers_closes_at_time_up_when_a_screen_next_looks(app, room, start, join):
    teacher, session = start(app, room)
    session_id = session.id
    ana, _ = join(app, room["ana"], session.code)
    assert _launch(teacher, session_id, "1", f"stage-03/{_first(app)}").status_code == 200
    poll_id = screens.current_poll(session_id).id
    version = db.session.get(LiveSession, session_id).version
    assert ana.get(f"/live/{session_id}/state").get_json()["poll"]["status"] == "open"
    time.sleep(2.1)
    # a polling page (no stream) asks for the state: that read closes the poll first
    assert ana.get(f"/live/{session_id}/state").get_json()["poll"]["status"] == "closed"
    db.session.rollback()
    assert db.session.get(LiveSession, session_id, populate_existing=True).version == version + 1
    assert db.session.get(LivePoll, poll_id, populate_existing=True).closed_at is not None
    assert "closed before you answered" in ana.get(f"/live/{session_id}/poll").get_data(as_text=True)


def _first(app):
    from app.content.catalog import catalog

    return next(q for q in catalog().quiz("stage-03").questions if q.type == "single").id


def test_a_countdown_out_of_range_is_refused_with_a_clear_message(app, room, start, first_single):
    teacher, session = start(app, room)
    for raw in ("abc", "601", "-1"):
        response = _launch(teacher, session.id, raw, f"stage-03/{first_single().id}")
        assert response.status_code == 422
        body = response.get_json()
        assert body["field"] == "countdown" and "600 seconds, or no limit" in body["message"]
    assert screens.current_poll(session.id) is None
    page = teacher.post(f"/live/{session.id}/polls", data={"source": "adhoc", "prompt": "Tea or coffee?",
                                                            "options": "Tea\nCoffee", "countdown": "700"})
    assert page.status_code == 303
    assert "600 seconds" in teacher.get(page.headers["Location"]).get_data(as_text=True)
    # an ad hoc poll takes a countdown too, and the presenter's form offers the choices
    assert teacher.post(f"/live/{session.id}/polls", data={"source": "adhoc", "prompt": "Tea or coffee?",
                                                            "options": "Tea\nCoffee", "countdown": "30"}).status_code == 303
    assert screens.current_poll(session.id).countdown_seconds == 30
    present = teacher.get(f"/live/{session.id}/present").get_data(as_text=True)
    assert present.count('name="countdown"') == 2 and '<option value="90">90 seconds</option>' in present
    assert "Time left" in present


def test_a_poll_closed_by_hand_before_time_up_stays_closed_by_hand(app, room, start):
    teacher, session = start(app, room)
    assert _launch(teacher, session.id, "60", f"stage-03/{_first(app)}").status_code == 200
    poll_id = screens.current_poll(session.id).id
    assert teacher.post(f"/live/{session.id}/polls/{poll_id}/close").status_code == 303
    later = utcnow() + timedelta(seconds=90)
    assert polls.close_expired(LocalBroker(), session.id, now=later) is False
    poll = db.session.get(LivePoll, poll_id, populate_existing=True)
    assert poll.closed_at < poll.closes_at
    assert countdown_text(poll) == "60 s, closed before time ran out"


def test_two_closers_racing_close_the_poll_exactly_once_and_tell_the_screens_once(app, room, start, monkeypatch):
    teacher, session = start(app, room)
    session_id = session.id
    assert _launch(teacher, session_id, "1", f"stage-03/{_first(app)}").status_code == 200
    poll = screens.current_poll(session_id)
    poll_id, deadline = poll.id, poll.closes_at
    version = db.session.get(LiveSession, session_id).version
    db.session.rollback()
    later = deadline + timedelta(seconds=5)
    assert polls.close_expired(LocalBroker(), session_id, now=deadline) is False     # not yet: zero is in time

    # both closers read the poll open before either writes (as two processes at the same instant)
    barrier = threading.Barrier(2, timeout=20)
    real = rules.time_is_up

    def both_see_it_open(*args, **kwargs):
        up = real(*args, **kwargs)
        barrier.wait()
        return up

    monkeypatch.setattr(rules, "time_is_up", both_see_it_open)
    broker = LocalBroker()
    results: list[bool] = []
    errors: list[BaseException] = []

    def closer() -> None:
        try:
            with app.app_context():
                try:
                    results.append(polls.close_expired(broker, session_id, now=later))
                finally:
                    db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    with broker.subscribe(session_id, staff=True) as screen:
        threads = [threading.Thread(target=closer) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        messages = []
        while (message := screen.get(0)) is not None:
            messages.append(message)
    assert errors == []
    assert sorted(results) == [False, True]
    (state,) = [m for m in messages if m.kind == "state"]
    assert json.loads(state.data)["poll"]["status"] == "closed"
    db.session.rollback()
    assert db.session.get(LiveSession, session_id, populate_existing=True).version == version + 1
    closed = db.session.get(LivePoll, poll_id, populate_existing=True)
    assert closed.closed_at == deadline + rules.COUNTDOWN_GRACE
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LivePoll)
                             .where(LivePoll.closed_at.is_(None))) == 0
