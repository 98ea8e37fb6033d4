"""Live notifications are queued in the unit of work that made the change and leave through the
broker only after it commits: a change that rolls back tells no screen, and what a screen is told
is what the database holds. Services take ids, so they run the same from a view, a job or a test."""
import json

import pytest

from app.content.catalog import catalog
from app.db import after_commit, utcnow, write_transaction
from app.errors import InputRejected, NotFound
from app.extensions import db
from app.live import polls, screens, sessions
from app.live.broker import LocalBroker
from app.live.models import LiveSession


def _drain(subscription):
    messages = []
    while (message := subscription.get(0)) is not None:
        messages.append(message)
    return messages


def test_after_commit_runs_in_order_once_the_work_commits_and_not_at_all_after_a_rollback(app):
    ran = []
    with write_transaction(db.session):
        after_commit(db.session, lambda: ran.append("first"))
        after_commit(db.session, lambda: ran.append("second"))
        assert ran == []                                   # not yet: the work has not committed
    assert ran == ["first", "second"]

    with pytest.raises(RuntimeError), write_transaction(db.session):
        after_commit(db.session, lambda: ran.append("rolled back"))
        raise RuntimeError("the unit of work fails")
    assert ran == ["first", "second"]

    after_commit(db.session, lambda: ran.append("outside"))  # no unit of work: at once
    assert ran[-1] == "outside"
    with write_transaction(db.session):
        pass
    assert ran == ["first", "second", "outside"]           # nothing left over for a later unit


def test_a_presenter_change_is_announced_after_commit_with_the_committed_state(app, room, first_single):
    broker = LocalBroker()
    cat = catalog()
    session = sessions.start_session(room["teacher"].id, room["cohort"], 1, cat, now=utcnow())
    session_id = session.id
    slug = cat.day_lessons(1)[2].slug
    with broker.subscribe(session_id, staff=True) as screen:
        sessions.show_lesson(broker, room["teacher"].id, session_id, slug, cat)
        (state,) = _drain(screen)
        payload = json.loads(state.data)
        committed = db.session.get(LiveSession, session_id, populate_existing=True)
        assert state.kind == "state" and state.version == committed.version
        assert payload["lesson"]["slug"] == slug and "html" in payload["lesson"]

        # A poll launch that fails after its change was made sends nothing: the change rolled back.
        version = committed.version
        with pytest.raises(InputRejected), write_transaction(db.session):
            locked = sessions.staff_change(room["teacher"].id, session_id)
            locked.version += 1
            screens.publish_state(broker, session_id, with_poll=True)
            raise InputRejected("refused after the change")
        assert _drain(screen) == []
        assert db.session.get(LiveSession, session_id, populate_existing=True).version == version

        # An answer reaches the staff screens after it is stored; one that is refused never does.
        sessions.join(broker, room["ana"].id, committed.code, now=utcnow())
        assert [m.kind for m in _drain(screen)] == ["presence"]
        question = first_single()
        poll = polls.launch_poll(broker, room["teacher"].id, session_id, question, quiz_key="stage-03", scored=True,
                                 now=utcnow())
        assert [m.kind for m in _drain(screen)] == ["state"]
        polls.answer(broker, room["ana"].id, session_id, poll.id, question.body.correct[0], now=utcnow())
        assert [m.kind for m in _drain(screen)] == ["answers"]
        polls.close_poll(broker, room["teacher"].id, session_id, poll.id, now=utcnow())
        _drain(screen)
        with pytest.raises(InputRejected):
            polls.answer(broker, room["ana"].id, session_id, poll.id, question.body.correct[0], now=utcnow())
        assert _drain(screen) == []


def test_services_take_ids_and_refuse_someone_who_does_not_run_the_cohort(app, room):
    cat = catalog()
    session = sessions.start_session(room["teacher"].id, room["cohort"], 1, cat, now=utcnow())
    broker = LocalBroker()
    for actor in (room["stranger_teacher"].id, room["ana"].id, 987654):
        with pytest.raises(NotFound):
            sessions.show_lesson(broker, actor, session.id, cat.day_lessons(1)[0].slug, cat)
    with pytest.raises(NotFound):
        sessions.start_session(987654, room["cohort"], 1, cat, now=utcnow())
