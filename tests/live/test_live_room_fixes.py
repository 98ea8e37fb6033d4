"""Issue 16, found by running a class: the projector shows the answer before the leaderboard and the
lesson the class is on; ending asks first and can be undone for a few minutes; attendance counts the
lesson page, knows who was not enrolled yet, caps corrections and marks several people at once."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from markupsafe import escape

from app.audit.models import AuditEvent
from app.cohorts import services as cohorts
from app.content.catalog import catalog
from app.db import utcnow
from app.errors import InputRejected, NotFound
from app.extensions import db
from app.live import attendance, rules, screens, sessions
from app.live.broker import current_broker
from app.live.models import LiveAttendanceCredit, LiveParticipant, LiveSession

JSON = {"Accept": "application/json"}


def _panel(teacher, session):
    return teacher.get(f"/live/{session.id}/projector/panel").get_data(as_text=True)


def test_a_reveal_shows_the_answer_and_the_leaderboard_waits_for_the_presenter(app, room, login, bank_poll, first_single, join, start):
    teacher, session = start(app, room)
    join(app, room["ana"], session.code)
    teacher.post(f"/live/{session.id}/leaderboard", data={"visible": "1"})      # the leaderboard is on
    assert 'data-screen="leaderboard"' in _panel(teacher, session)
    poll = bank_poll(teacher, session)
    assert 'data-screen="poll"' in _panel(teacher, session)
    question = first_single()
    ana = login(app, room["ana"])
    ana.post(f"/live/{session.id}/polls/{poll.id}/answer", json={"answer": question.body.correct[0]}, headers=JSON)
    teacher.post(f"/live/{session.id}/polls/{poll.id}/reveal")
    panel = _panel(teacher, session)
    assert 'data-screen="poll"' in panel and "live-bar--right" in panel and "data-projector-explanation" in panel
    assert "Why" in panel and "projector-board" not in panel
    # the presenter's next step, offered after the reveal
    present = teacher.get(f"/live/{session.id}/present").get_data(as_text=True)
    assert "Show the leaderboard" in present
    teacher.post(f"/live/{session.id}/leaderboard", data={"visible": "1"})
    panel = _panel(teacher, session)
    assert 'data-screen="leaderboard"' in panel and "Ana Ruiz" in panel
    # the presenter can put anything back on the screen, and only staff can
    assert teacher.post(f"/live/{session.id}/projector/show", data={"screen": "poll"}).status_code == 303
    assert 'data-screen="poll"' in _panel(teacher, session)
    assert teacher.post(f"/live/{session.id}/projector/show", data={"screen": "nonsense"}).status_code == 303
    assert db.session.get(LiveSession, session.id).projector == "poll"
    assert ana.post(f"/live/{session.id}/projector/show", data={"screen": "join"}).status_code == 403
    assert login(app, room["stranger_teacher"]).post(f"/live/{session.id}/projector/show",
                                                     data={"screen": "join"}).status_code == 404


def test_the_projector_shows_the_lesson_and_the_agenda_item_the_class_is_on(app, room, bank_poll, start):
    teacher, session = start(app, room)
    assert 'data-screen="join"' in _panel(teacher, session)
    day = catalog().course.days[0]
    index = next(i for i, item in enumerate(day.agenda) if item.lesson_slugs)
    item = day.agenda[index]
    lesson = catalog().lesson(item.lesson_slugs[0])
    teacher.post(f"/live/{session.id}/item", data={"index": index})
    panel = _panel(teacher, session)
    assert 'data-screen="lesson"' in panel and str(escape(lesson.title)) in panel and "data-live-timer" in panel
    assert all(str(escape(objective)) in panel for objective in lesson.objectives)
    assert str(escape(item.title)) in panel and f'data-minutes="{rules.planned_minutes(item.start, item.end)}"' in panel
    assert session.code in panel                                  # still in the corner
    # a break shows the break, not the last lesson
    brk = next(i for i, it in enumerate(day.agenda) if it.kind == "break")
    teacher.post(f"/live/{session.id}/item", data={"index": brk})
    panel = _panel(teacher, session)
    assert str(escape(day.agenda[brk].title)) in panel and str(escape(lesson.objectives[0])) not in panel
    # "show to class" puts the lesson on the projector, even over a poll
    bank_poll(teacher, session)
    other = catalog().day_lessons(1)[5]
    teacher.post(f"/live/{session.id}/show", data={"lesson": other.slug})
    assert str(escape(other.title)) in _panel(teacher, session)


def test_ending_asks_first_and_can_be_undone_with_the_same_code(app, room, login, join, start):
    teacher, session = start(app, room)
    ana, _ = join(app, room["ana"], session.code)
    page = teacher.get(f"/live/{session.id}/end")
    assert page.status_code == 200 and "Yes, end the session" in page.get_data(as_text=True)
    # a POST without the confirmation ends nothing
    assert teacher.post(f"/live/{session.id}/end").status_code == 200
    assert teacher.post(f"/live/{session.id}/end", json={}, headers=JSON).status_code == 422
    db.session.expire_all()
    assert db.session.get(LiveSession, session.id).ended_at is None
    assert teacher.post(f"/live/{session.id}/end", data={"confirm": "yes"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(LiveSession, session.id).ended_at is not None
    assert ana.get(f"/live/{session.id}/state").get_json()["status"] == "ended"
    assert "picks it up by itself" in ana.get(f"/live/{session.id}").get_data(as_text=True)
    present = teacher.get(f"/live/{session.id}/present").get_data(as_text=True)
    assert "Resume the session" in present
    # only the session's staff may resume it
    assert ana.post(f"/live/{session.id}/resume").status_code == 403
    assert login(app, room["stranger_teacher"]).post(f"/live/{session.id}/resume").status_code == 404
    assert teacher.post(f"/live/{session.id}/resume").status_code == 303
    db.session.expire_all()
    resumed = db.session.get(LiveSession, session.id)
    assert resumed.ended_at is None and resumed.code == session.code
    assert ana.get(f"/live/{session.id}/state").get_json()["status"] == "live"
    _ben, response = join(app, room["ben"], session.code)                     # the same code works again
    assert response.status_code == 303 and response.headers["Location"] == f"/live/{session.id}"
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "live.resume")).one()
    assert event.actor_id == room["teacher"].id and event.details["session"] == session.id


def test_resuming_is_refused_late_or_when_another_session_started(app, room, login):
    broker = current_broker()
    now = utcnow()
    session = sessions.start_session(room["teacher"].id, room["cohort"], 1, catalog(), now=now)
    sessions.end_session(broker, room["teacher"].id, session.id, now=now)
    with pytest.raises(InputRejected, match="within 10 minutes"):
        sessions.resume_session(broker, room["teacher"].id, session.id, now=now + rules.RESUME_WINDOW + timedelta(seconds=1))
    fresh = sessions.start_session(room["teacher"].id, room["cohort"], 2, catalog(), now=now)
    with pytest.raises(InputRejected, match="Another live session"):
        sessions.resume_session(broker, room["teacher"].id, session.id, now=now + timedelta(minutes=1))
    teacher = login(app, room["teacher"])
    response = teacher.post(f"/live/{session.id}/resume")
    assert response.status_code == 303
    assert f"code {fresh.code}" in teacher.get(response.headers["Location"]).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(LiveSession, session.id).ended_at is not None
    assert sessions.open_session_for(room["cohort"]).id == fresh.id
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "live.resume")) == 0


def test_resuming_when_the_database_refuses_says_why(app, room, monkeypatch):
    """The check before the write can be overtaken by a concurrent start: the partial unique index
    then refuses, and the presenter is told the same thing."""
    broker = current_broker()
    now = utcnow()
    session = sessions.start_session(room["teacher"].id, room["cohort"], 1, catalog(), now=now)
    sessions.end_session(broker, room["teacher"].id, session.id, now=now)
    sessions.start_session(room["teacher"].id, room["cohort"], 2, catalog(), now=now)
    monkeypatch.setattr(sessions, "resume_problem", lambda s, now: None)      # as if the start came just after
    with pytest.raises(InputRejected, match="cannot be resumed"):
        sessions.resume_session(broker, room["teacher"].id, session.id, now=now + timedelta(minutes=1))
    db.session.expire_all()
    assert db.session.get(LiveSession, session.id).ended_at is not None


def test_the_lesson_page_opened_from_a_session_keeps_the_heartbeat(app, room, login, join, start):
    teacher, session = start(app, room)
    ana, _ = join(app, room["ana"], session.code)
    lesson = catalog().day_lessons(1)[2]
    teacher.post(f"/live/{session.id}/show", data={"lesson": lesson.slug})
    fragment = ana.get(f"/live/{session.id}/lesson").get_data(as_text=True)
    assert f'href="{lesson.url}?live={session.id}"' in fragment
    page = ana.get(f"{lesson.url}?live={session.id}").get_data(as_text=True)
    assert "data-live-heartbeat" in page and f"/live/{session.id}/heartbeat" in page and "js/live.js" in page
    assert "Back to the live session" in page
    # someone who has not joined, a made-up id, an ended session: an ordinary lesson page
    ben = login(app, room["ben"])
    for client, query in ((ben, f"?live={session.id}"), (ana, "?live=99999"), (ana, "?live=x")):
        assert "data-live-heartbeat" not in client.get(lesson.url + query).get_data(as_text=True)
    teacher.post(f"/live/{session.id}/end", data={"confirm": "yes"})
    assert "data-live-heartbeat" not in ana.get(f"{lesson.url}?live={session.id}").get_data(as_text=True)


def test_people_enrolled_after_a_session_are_not_listed_absent(app, room, make_user, join, start):
    teacher, session = start(app, room)
    join(app, room["ana"], session.code)
    teacher.post(f"/live/{session.id}/end", data={"confirm": "yes"})
    newcomer = make_user(display_name="Nia Newcomer")
    cohorts.enrol(room["admin"].id, room["cohort"], [newcomer.id], now=utcnow() + timedelta(days=1))
    page = teacher.get(f"/live/{session.id}/attendance").get_data(as_text=True)
    assert "Nia Newcomer" in page and "Not enrolled then" in page
    assert "1 of 2 cohort members joined (1 more enrolled only after the session)" in page
    lines = {line.user.display_name: line.status for line in attendance.register(db.session.get(LiveSession, session.id))}
    assert lines == {"Ana Ruiz": "joined", "Ben Okafor": "absent", "Nia Newcomer": "not enrolled then"}
    csv = teacher.get(f"/live/{session.id}/attendance.csv").get_data(as_text=True)
    assert any(line.startswith("Nia Newcomer") and ",not enrolled then," in line for line in csv.splitlines())


def test_a_correction_is_capped_at_the_sessions_length_plus_the_margin(app, room, start):
    teacher, session = start(app, room)
    started = session.started_at
    sessions.end_session(current_broker(), room["teacher"].id, session.id, now=started + timedelta(minutes=3))
    limit = 3 + rules.CREDIT_MARGIN_MINUTES
    url = f"/live/{session.id}/attendance/{room['ben'].id}"
    assert f"From 0 to {limit}: the session lasted 3 min" in teacher.get(url).get_data(as_text=True)
    refused = teacher.post(url, data={"minutes": str(limit + 1), "note": "In the room."})
    assert refused.status_code == 422 and f"from 0 to {limit}" in refused.get_data(as_text=True)
    assert teacher.post(url, data={"minutes": str(limit), "note": "In the room."}).status_code == 303
    assert db.session.get(LiveAttendanceCredit, (session.id, room["ben"].id)).minutes == limit


def test_mark_selected_present_with_one_reason_audited_per_person(app, room, make_user, login, join, start):
    teacher, session = start(app, room)
    session.started_at = utcnow() - timedelta(hours=3)
    db.session.commit()
    join(app, room["ana"], session.code)
    url = f"/live/{session.id}/attendance"
    page = teacher.get(url).get_data(as_text=True)
    assert 'name="people"' in page and "Mark selected present" in page and 'value="180"' in page
    # nobody ticked, or no reason: nothing changes
    assert teacher.post(url, data={"minutes": "180", "note": "x"}).status_code == 422
    nobody = teacher.post(url, data={"people": [room["ana"].id], "minutes": "180", "note": " "})
    assert nobody.status_code == 422 and "Say why" in nobody.get_data(as_text=True)
    too_long = teacher.post(url, data={"people": [room["ana"].id], "minutes": "500", "note": "x"})
    assert too_long.status_code == 422 and "from 0 to 210" in too_long.get_data(as_text=True)
    # someone not on the register: refused, and nobody else is marked either
    assert teacher.post(url, data={"people": [room["ana"].id, room["outsider"].id], "minutes": "180",
                                   "note": "x"}).status_code == 404
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveAttendanceCredit)) == 0
    done = teacher.post(url, data={"people": [room["ana"].id, room["ben"].id], "minutes": "180",
                                   "note": "Both in the room; the wifi was down."})
    assert done.status_code == 303
    credits = {c.user_id: c for c in db.session.scalars(sa.select(LiveAttendanceCredit))}
    assert {uid: (c.minutes, c.note) for uid, c in credits.items()} == {
        room["ana"].id: (180, "Both in the room; the wifi was down."),
        room["ben"].id: (180, "Both in the room; the wifi was down.")}
    events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "live.attendance.correct")).all()
    assert sorted(e.target_id for e in events) == sorted([str(room["ana"].id), str(room["ben"].id)])
    # only the session's staff
    ana = login(app, room["ana"])
    assert ana.post(url, data={"people": [room["ana"].id], "minutes": "180", "note": "me"}).status_code == 403
    with pytest.raises(NotFound):
        attendance.credit_many(room["stranger_teacher"].id, session.id, [room["ana"].id], 60, "x", now=utcnow())
    assert db.session.get(LiveParticipant, (session.id, room["ana"].id)) is not None
    assert screens.presence(session.id, now=utcnow()).joined == 1
