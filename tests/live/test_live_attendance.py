"""The attendance register: corrections by hand (with a reason, audited, undoable) count toward the
certificate rule; sessions left open end by themselves; only the session's staff see any of it."""
from datetime import timedelta

import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.live import attendance, sessions
from app.live.models import LiveAttendanceCredit, LiveParticipant, LivePoll, LiveSession
from app.progress import services as progress


def lasted(session, hours):
    """The session as if started `hours` ago (corrections may count its length plus a margin)."""
    session.started_at = utcnow() - timedelta(hours=hours)
    db.session.commit()


def test_the_register_lists_every_member_and_a_correction_counts_for_the_certificate(app, room, join, start):
    teacher, session = start(app, room)
    lasted(session, 5)
    join(app, room["ana"], session.code)                 # Ben's phone died: he never joined on screen
    page = teacher.get(f"/live/{session.id}/attendance").get_data(as_text=True)
    assert "Ana Ruiz" in page and "Ben Okafor" in page and "Absent" in page and "1 of 2 cohort members joined" in page

    url = f"/live/{session.id}/attendance/{room['ben'].id}"
    assert 'value="0"' in teacher.get(url).get_data(as_text=True)     # the measured minutes to start from
    response = teacher.post(url, data={"minutes": "240",
                                       "note": "In the room all day; phone battery died."})
    assert response.status_code == 303 and response.headers["Location"] == f"/live/{session.id}/attendance"
    credit = db.session.get(LiveAttendanceCredit, (session.id, room["ben"].id))
    assert (credit.minutes, credit.note, credit.credited_by_id) == (240, "In the room all day; phone battery died.",
                                                                     room["teacher"].id)
    page = teacher.get(f"/live/{session.id}/attendance").get_data(as_text=True)
    assert "Corrected" in page and "phone battery died" in page and "Tess Teacher" in page
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "live.attendance.correct")).one()
    assert event.details["minutes"] == 240 and event.details["measured"] == 0 and event.target_id == str(room["ben"].id)

    # Day 1 counts for Ben through the correction alone
    assert progress.facts_for([room["ben"].id])[room["ben"].id].attended_days == frozenset({1})
    csv = teacher.get(f"/live/{session.id}/attendance.csv").get_data(as_text=True).splitlines()
    ben_row = next(line for line in csv if line.startswith("Ben Okafor"))
    assert ",corrected," in ben_row and ",0,240,In the room all day; phone battery died.,Tess Teacher," in ben_row
    assert any(line.startswith("Ana Ruiz") and ",joined," in line for line in csv)

    # undo: the measured minutes (none) count again
    form = teacher.get(url).get_data(as_text=True)
    assert "Count the measured minutes again" in form
    assert teacher.post(url, data={"action": "undo"}).status_code == 303
    assert db.session.get(LiveAttendanceCredit, (session.id, room["ben"].id)) is None
    assert progress.facts_for([room["ben"].id])[room["ben"].id].attended_days == frozenset()


def test_a_correction_can_lower_measured_minutes_and_sums_with_other_sessions_of_the_day(app, room):
    ana = room["ana"].id
    needed = catalog().course.completion.live_attendance_minutes * 60
    sessions = []
    for code in ("MORN22", "AFTN22"):
        s = LiveSession(cohort_id=room["cohort"], day=1, code=code, started_at=utcnow(), ended_at=utcnow())
        db.session.add(s)
        db.session.flush()
        db.session.add(LiveParticipant(session_id=s.id, user_id=ana, joined_at=utcnow(), last_seen_at=utcnow(),
                                       seconds_present=needed // 2))
        sessions.append(s.id)
    db.session.commit()
    assert progress.facts_for([ana])[ana].attended_days == frozenset({1})      # morning + afternoon
    attendance.credit(room["teacher"].id, sessions[1], ana, 10, "Left at 13:10 with the page still open.", now=utcnow())
    assert attendance.seconds_by_day([ana]) == {ana: {1: needed // 2 + 600}}
    assert progress.facts_for([ana])[ana].attended_days == frozenset()


def test_a_bad_correction_re_renders_the_form_with_the_error_and_changes_nothing(app, room, start):
    teacher, session = start(app, room)
    lasted(session, 5)
    url = f"/live/{session.id}/attendance/{room['ben'].id}"
    for data, message in [({"minutes": "9999", "note": "x"}, "from 0 to 330 (the session&#39;s length plus 30 min)"),
                          ({"minutes": "abc", "note": "x"}, "Not a valid integer"),
                          ({"minutes": "60", "note": "   "}, "Say why you are correcting"),
                          ({"minutes": "60", "note": "y" * 301}, "under 300 characters")]:
        response = teacher.post(url, data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and message in page, (data, page[:200])
        assert 'aria-invalid="true"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveAttendanceCredit)) == 0


def test_only_the_sessions_staff_can_see_or_correct_attendance(app, room, login, join, start):
    teacher, session = start(app, room)
    join(app, room["ana"], session.code)
    ana = login(app, room["ana"])
    other = login(app, room["stranger_teacher"])
    for client, status in ((ana, 403), (other, 404)):
        assert client.get(f"/live/{session.id}/attendance").status_code == status
        url = f"/live/{session.id}/attendance/{room['ana'].id}"
        assert client.get(url).status_code == status
    # someone who is not in the cohort has no line to correct, even for the session's instructor
    assert teacher.get(f"/live/{session.id}/attendance/{room['outsider'].id}").status_code == 404
    try:
        attendance.credit(room["stranger_teacher"].id, session.id, room["ana"].id, 240, "x", now=utcnow())
    except Exception as exc:  # noqa: BLE001 - the type is what is checked
        assert type(exc).__name__ == "NotFound"
    else:
        raise AssertionError("another cohort's instructor corrected attendance")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveAttendanceCredit)) == 0


def test_a_session_left_open_ends_by_itself_and_its_code_stops_working(app, room, login, bank_poll, join, start):
    teacher, session = start(app, room)
    join(app, room["ana"], session.code)
    poll = bank_poll(teacher, session)
    last = db.session.get(LiveParticipant, (session.id, room["ana"].id)).last_seen_at
    code = session.code

    assert sessions.end_left_open(now=last + timedelta(hours=11)) == []           # a long day, still open
    later = last + timedelta(hours=13)
    assert sessions.end_left_open(now=later) == [session.id]
    db.session.expire_all()
    ended = db.session.get(LiveSession, session.id)
    assert ended.ended_at is not None and ended.ended_at >= last and ended.ended_at <= later
    assert db.session.get(LivePoll, poll.id).closed_at is not None
    event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "live.end")).one()
    assert event.actor_id is None and "left open" in event.details["reason"]
    # the code no longer opens anything, and the cohort can start a new session
    ben = login(app, room["ben"])
    assert ben.post("/join", data={"code": code}).status_code == 422
    _teacher, fresh = start(app, room, day=2)
    assert fresh.id != session.id and fresh.ended_at is None


def test_looking_at_the_cohort_page_ends_a_forgotten_session(app, room, start):
    teacher, session = start(app, room)
    db.session.execute(sa.update(LiveSession).values(started_at=utcnow() - timedelta(days=2)))
    db.session.commit()
    page = teacher.get(f"/teach/cohorts/{room['cohort']}").get_data(as_text=True)
    assert "is running now" not in page and "Start a live session" in page
    db.session.expire_all()
    assert db.session.get(LiveSession, session.id).ended_at is not None


def test_trainees_and_their_instructor_see_the_minutes_that_count_per_day(app, room, make_user, login, start):
    teacher, session = start(app, room)
    lasted(session, 5)
    attendance.credit(room["teacher"].id, session.id, room["ben"].id, 240, "Phone died; in the room all day.",
                      now=utcnow())
    ben = login(app, room["ben"])
    page = ben.get("/progress").get_data(as_text=True)
    assert "Live sessions" in page and "Day 1: <strong>240</strong> of 240 minutes" in page and "Attended" in page
    assert "Day 2: <strong>0</strong> of 240 minutes" in page and "Not yet" in page
    page = teacher.get(f"/teach/cohorts/{room['cohort']}/trainees/{room['ben'].id}").get_data(as_text=True)
    assert "Day 1: <strong>240</strong> of 240 minutes" in page
    # a self-study trainee (in no live or blended cohort) is not shown live sessions at all
    loner = login(app, make_user(display_name="Sam Self"))
    assert "Live sessions" not in loner.get("/progress").get_data(as_text=True)
