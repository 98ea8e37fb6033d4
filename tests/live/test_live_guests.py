"""Guests of a live session (docs/LIVE.md, "Guests"; docs/SECURITY.md): off by default, joined with
the code and a nickname, confined to their session, never counted, kept apart in exports, removable."""
import sqlalchemy as sa

from app.auth.models import User
from app.auth.services import search_users
from app.cohorts import services as cohorts
from app.db import utcnow
from app.errors import NotFound
from app.extensions import db
from app.live import attendance, exports, guests
from app.live.guest_views import GUEST_ENDPOINTS
from app.live.models import LiveAnswer, LiveParticipant, LiveSession
from app.progress import services as progress

JSON = {"Accept": "application/json"}


def _allow(teacher, session, on=True):
    response = teacher.post(f"/live/{session.id}/guests", data={"allowed": "1" if on else "0"})
    assert response.status_code == 303
    return response


def _guest(app, code, nickname="Sam Visitor"):
    client = app.test_client()
    response = client.post("/join/guest", data={"code": code, "nickname": nickname})
    return client, response


def _guest_row(nickname="Sam Visitor"):
    return db.session.scalar(sa.select(User).where(User.display_name == nickname, User.guest_session_id.is_not(None)))


def test_guests_are_off_by_default_and_refused(app, room, start):
    _teacher, session = start(app, room)
    assert session.guests_allowed is False
    anonymous = app.test_client()
    assert anonymous.get(f"/join?code={session.code}").headers["Location"].startswith("/login")
    _client, response = _guest(app, session.code)
    assert response.status_code == 422 and "takes guests" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.guest_session_id.is_not(None))) == 0


def test_switching_guests_is_for_the_sessions_staff_only(app, room, start, login):
    teacher, session = start(app, room)
    for who in ("ana", "stranger_teacher"):
        response = login(app, room[who]).post(f"/live/{session.id}/guests", data={"allowed": "1"})
        assert response.status_code in (403, 404), who
    assert app.test_client().post(f"/live/{session.id}/guests", data={"allowed": "1"}).status_code in (302, 401)
    db.session.expire_all()
    assert db.session.get(LiveSession, session.id).guests_allowed is False
    _allow(teacher, session)
    db.session.expire_all()
    assert db.session.get(LiveSession, session.id).guests_allowed is True
    from app.audit.models import AuditEvent
    assert db.session.scalar(sa.select(AuditEvent.action).order_by(AuditEvent.id.desc())) == "live.guests.allow"
    page = teacher.get(f"/live/{session.id}/present").get_data(as_text=True)
    assert "Guests may join (no account): <strong>on</strong>" in page


def test_a_guest_joins_with_the_code_and_a_nickname_and_answers_a_poll(app, room, start, bank_poll, first_single, join):
    teacher, session = start(app, room)
    _allow(teacher, session)
    # the QR link, opened without an account, offers joining as a guest
    anonymous = app.test_client()
    response = anonymous.get(f"/join?code={session.code}")
    assert response.status_code == 303 and response.headers["Location"] == f"/join/guest?code={session.code}"
    page = anonymous.get(response.headers["Location"]).get_data(as_text=True)
    assert "Join as a guest" in page and f'value="{session.code}"' in page and "Nickname" in page

    # someone signed in joins with their account, never as a guest
    member = join(app, room["ben"], session.code)[0]
    response = member.post("/join/guest", data={"code": session.code, "nickname": "Benny"})
    assert response.status_code == 303 and response.headers["Location"].startswith("/join?code=")
    guest, response = _guest(app, session.code.lower())
    assert response.status_code == 303 and response.headers["Location"] == f"/live/{session.id}"
    row = _guest_row()
    assert row.guest_session_id == session.id and row.password_hash is None and not row.role_rows
    assert row.email.endswith("@guest.invalid")
    assert guest.get(f"/live/{session.id}").status_code == 200
    ana, _ = join(app, room["ana"], session.code)

    poll = bank_poll(teacher, session)
    question = first_single()
    right = question.body.correct[0]
    r = guest.post(f"/live/{session.id}/polls/{poll.id}/answer", json={"answer": right}, headers=JSON)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert guest.get(f"/live/{session.id}/state").get_json()["poll"]["id"] == poll.id
    assert guest.post(f"/live/{session.id}/heartbeat").get_json() == {"live": True}
    assert guest.get(f"/live/{session.id}/poll").status_code == 200
    assert guest.get(f"/live/{session.id}/lesson").status_code == 200
    ana.post(f"/live/{session.id}/polls/{poll.id}/answer", json={"answer": right}, headers=JSON)
    staff = teacher.get(f"/live/{session.id}/staff/state").get_json()
    assert staff["poll"]["tally"]["responses"] == 2
    r = teacher.post(f"/live/{session.id}/guests", json=["not", "an", "object"], headers=JSON)
    assert r.status_code == 200 and r.get_json()["guests_allowed"] is False
    _allow(teacher, session)

    # the leaderboard names them, marked
    teacher.post(f"/live/{session.id}/polls/{poll.id}/close")
    teacher.post(f"/live/{session.id}/polls/{poll.id}/reveal")
    teacher.post(f"/live/{session.id}/leaderboard", data={"visible": "1"})
    names = [s["name"] if isinstance(s, dict) else s.name for s in
             __import__("app.live.screens", fromlist=["standings"]).standings(session.id)]
    assert "Sam Visitor (guest)" in names and "Ana Ruiz" in names
    # the presenter lists them with Remove
    page = teacher.get(f"/live/{session.id}/present").get_data(as_text=True)
    assert "Guests (1)" in page and f"/live/{session.id}/guests/{row.id}/remove" in page


def test_nicknames_are_unique_in_a_session_whatever_the_case_and_checked(app, room, start, make_cohort):
    teacher, session = start(app, room)
    _allow(teacher, session)
    assert _guest(app, session.code, "Sam Visitor")[1].status_code == 303
    for taken, why in (("sam  VISITOR", "Another guest"), ("   ", "Choose a nickname"), ("Ana Ruiz", "has that name"),
                       ("Instructor", "staff"), ("x" * 41, "40 characters"), ("Sam\u202e", "text-direction")):
        _client, response = _guest(app, session.code, taken)
        assert response.status_code == 422 and why in response.get_data(as_text=True), taken
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.guest_session_id == session.id)) == 1
    # JSON says which field
    r = app.test_client().post("/join/guest", json={"code": session.code, "nickname": "SAM visitor"}, headers=JSON)
    assert r.status_code == 422 and r.get_json()["field"] == "nickname"
    # the same nickname in another session is fine
    other_teacher_client = None
    from tests.plugins.factories import signed_in
    other_teacher_client = signed_in(app, room["stranger_teacher"])
    other_cohort = db.session.scalar(sa.select(cohorts.Cohort).where(cohorts.Cohort.name == "Other cohort"))
    r = other_teacher_client.post("/live/start", data={"cohort_id": other_cohort.id, "day": 1})
    other = db.session.get(LiveSession, int(r.headers["Location"].split("/")[2]))
    _allow(other_teacher_client, other)
    assert _guest(app, other.code, "Sam Visitor")[1].status_code == 303


def _urls_for_sweep(app, session, other_session):
    """Every page of the app without arguments, and the pages of another session: a guest gets what
    someone signed out gets."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("static", "auth.logout"):
            continue
        if not rule.arguments:
            urls.append(rule.rule)
        elif rule.arguments == {"session_id"}:
            urls.append(rule.rule.replace("<int:session_id>", str(other_session.id)))
            if rule.endpoint not in GUEST_ENDPOINTS:     # a guest's own session's participant pages
                urls.append(rule.rule.replace("<int:session_id>", str(session.id)))
    urls += ["/learn/", "/progress/", "/certificates/", "/admin/", "/admin/users", "/teach/",
             f"/teach/cohorts/{session.cohort_id}", "/lessons/welcome", "/quizzes/stage-03"]
    return sorted(set(urls))


def test_a_guest_is_confined_to_their_session(app, room, start, login):
    teacher, session = start(app, room)
    _allow(teacher, session)
    guest, _ = _guest(app, session.code)
    from tests.plugins.factories import signed_in
    other_client = signed_in(app, room["stranger_teacher"])
    other_cohort = db.session.scalar(sa.select(cohorts.Cohort).where(cohorts.Cohort.name == "Other cohort"))
    r = other_client.post("/live/start", data={"cohort_id": other_cohort.id, "day": 1})
    other = db.session.get(LiveSession, int(r.headers["Location"].split("/")[2]))
    _allow(other_client, other)
    anonymous = app.test_client()
    swept = _urls_for_sweep(app, session, other)
    assert len(swept) > 40
    for url in swept:
        as_guest, as_nobody = guest.get(url), anonymous.get(url)
        assert (as_guest.status_code, as_guest.headers.get("Location")) == \
               (as_nobody.status_code, as_nobody.headers.get("Location")), url
        assert "Sam Visitor" not in as_guest.get_data(as_text=True) or url.startswith("/live/"), url
    # posts elsewhere: refused as for someone signed out
    for url in ("/join", f"/live/{other.id}/heartbeat", f"/live/{session.id}/guests", f"/live/{session.id}/end",
                "/admin/users/new", "/account/password"):
        assert guest.post(url, data={"code": other.code}).status_code in (302, 400, 401, 404, 405), url
    assert not sa.inspect(db.engine).has_table("nothing")   # (the sweep changed nothing below)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveParticipant)
                             .where(LiveParticipant.session_id == other.id)) == 0
    # and still in their own session
    assert guest.get(f"/live/{session.id}").status_code == 200
    # nobody finds them: admin search, cohort enrolment
    assert all(u.guest_session_id is None for u in search_users(""))
    assert search_users("Sam") == []
    admin = login(app, room["admin"])
    assert admin.get(f"/admin/users/{_guest_row().id}").status_code == 404
    assert admin.post(f"/admin/users/{_guest_row().id}/link", data={"purpose": "reset"}).status_code == 404
    assert "Sam Visitor" not in admin.get("/admin/users?q=Sam").get_data(as_text=True)
    from app.auth.services import authenticate
    assert authenticate(_guest_row().email, "", now=utcnow()).user is None
    try:
        cohorts.enrol(room["admin"].id, room["cohort"], [_guest_row().id], now=utcnow())
    except NotFound:
        pass
    else:
        raise AssertionError("a guest was enrolled")


def test_removal_ends_access_deletes_answers_and_is_staff_only(app, room, start, bank_poll, first_single, login):
    teacher, session = start(app, room)
    _allow(teacher, session)
    guest, _ = _guest(app, session.code)
    row_id = _guest_row().id
    poll = bank_poll(teacher, session)
    guest.post(f"/live/{session.id}/polls/{poll.id}/answer", json={"answer": first_single().body.correct[0]}, headers=JSON)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveAnswer)) == 1
    # not by a trainee, not by another cohort's instructor
    assert login(app, room["ana"]).post(f"/live/{session.id}/guests/{row_id}/remove").status_code == 403
    assert login(app, room["stranger_teacher"]).post(f"/live/{session.id}/guests/{row_id}/remove").status_code == 404
    # a member is not a guest: nothing to remove
    assert teacher.post(f"/live/{session.id}/guests/{room['ana'].id}/remove").status_code == 404
    response = teacher.post(f"/live/{session.id}/guests/{row_id}/remove")
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, row_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveAnswer)) == 0
    assert teacher.get(f"/live/{session.id}/staff/state").get_json()["poll"]["tally"]["responses"] == 0
    # the next request: gone, and told so
    page = guest.get(f"/live/{session.id}")
    assert page.status_code == 303 and page.headers["Location"] == "/live/guest-ended"
    assert "access has ended" in guest.get("/live/guest-ended").get_data(as_text=True)
    assert guest.get(f"/live/{session.id}/state", headers=JSON).status_code in (302, 401)
    from app.audit.models import AuditEvent
    event = db.session.scalar(sa.select(AuditEvent).order_by(AuditEvent.id.desc()))
    assert event.action == "live.guests.remove" and "Sam Visitor" in str(event.details)


def test_the_session_ending_ends_guest_access_and_its_streams(app, room, start):
    teacher, session = start(app, room)
    _allow(teacher, session)
    guest, _ = _guest(app, session.code)
    row_id = _guest_row().id
    from app.live import sessions
    assert sessions.stream_authority(session.id, [row_id]).people[row_id].participant is True
    teacher.post(f"/live/{session.id}/end", data={"confirm": "yes"})
    page = guest.get(f"/live/{session.id}")
    assert page.status_code == 303 and page.headers["Location"] == "/live/guest-ended"
    assert guest.post(f"/live/{session.id}/heartbeat", headers=JSON).status_code == 401
    assert sessions.stream_authority(session.id, [row_id]).people[row_id].participant is False
    # resumed within its window, the session takes its guests back
    assert teacher.post(f"/live/{session.id}/resume").status_code == 303
    assert guest.get(f"/live/{session.id}").status_code == 200
    teacher.post(f"/live/{session.id}/end", data={"confirm": "yes"})
    assert guest.get(f"/live/{session.id}").status_code == 303
    # the row is kept for the poll export
    assert db.session.get(User, row_id) is not None
    # the cleanup of guests of long-ended sessions
    assert guests.purge_ended(before=utcnow() + __import__("datetime").timedelta(hours=1)) == 1
    db.session.expire_all()
    assert db.session.get(User, row_id) is None


def test_guests_are_never_counted_and_kept_apart_in_exports(app, room, start, bank_poll, first_single, join):
    teacher, session = start(app, room)
    _allow(teacher, session)
    guest, _ = _guest(app, session.code)
    ana, _ = join(app, room["ana"], session.code)
    row = _guest_row()
    poll = bank_poll(teacher, session)
    right = first_single().body.correct[0]
    for client in (guest, ana):
        client.post(f"/live/{session.id}/polls/{poll.id}/answer", json={"answer": right}, headers=JSON)
    # a whole day present
    db.session.execute(sa.update(LiveParticipant).values(seconds_present=8 * 3600))
    db.session.commit()

    lines = attendance.register(db.session.get(LiveSession, session.id))
    assert row.id not in {line.user.id for line in lines} and room["ana"].id in {line.user.id for line in lines}
    seconds = attendance.seconds_by_day([row.id, room["ana"].id])
    assert row.id not in seconds and seconds[room["ana"].id][1] == 8 * 3600
    # the certificate rule's facts: the day counts for Ana, never for the guest
    facts = progress.facts_for([row.id, room["ana"].id])
    assert 1 in facts[room["ana"].id].attended_days and facts[row.id].attended_days == frozenset()
    assert row.id not in {line.user.id for line in attendance.register(session)}

    text = teacher.get(f"/live/{session.id}/attendance.csv").get_data(as_text=True)
    assert "Sam Visitor" not in text and "Ana Ruiz" in text
    assert "Sam Visitor" not in teacher.get(f"/live/{session.id}/attendance").get_data(as_text=True)
    header, rows = exports.poll_rows(session)
    assert header[-1] == "Guest"
    by_name = {r[header.index("Name")]: r for r in rows}
    assert by_name["Sam Visitor"][-1] == "guest, not counted" and by_name["Sam Visitor"][header.index("Email")] == ""
    assert by_name["Ana Ruiz"][-1] == ""
    csv_text = teacher.get(f"/live/{session.id}/polls.csv").get_data(as_text=True)
    assert "guest, not counted" in csv_text and "guest.invalid" not in csv_text
    # the cohort's question analytics count Ana's answer only
    from app.live import screens
    assert len(screens.bank_answers(session.cohort_id, "stage-03")) == 1
    # the attendance credit form cannot reach them either
    assert teacher.get(f"/live/{session.id}/attendance/{row.id}").status_code == 404


def test_deleting_the_session_deletes_its_guests(app, room, start):
    teacher, session = start(app, room)
    _allow(teacher, session)
    _guest(app, session.code)
    row_id = _guest_row().id
    db.session.execute(sa.delete(LiveSession).where(LiveSession.id == session.id))
    db.session.commit()
    assert db.session.get(User, row_id) is None


def test_the_purge_command_deletes_guests_of_sessions_ended_long_ago(app, room, start, runner):
    teacher, session = start(app, room)
    _allow(teacher, session)
    _guest(app, session.code)
    result = runner.invoke(args=["live", "purge-guests", "--older-than-days", "0"])
    assert result.exit_code == 0 and "0 guests deleted." in result.output        # still running
    teacher.post(f"/live/{session.id}/end", data={"confirm": "yes"})
    assert "0 guests deleted." in runner.invoke(args=["live", "purge-guests"]).output    # ended today
    assert "1 guest deleted." in runner.invoke(args=["live", "purge-guests", "--older-than-days", "0"]).output
    assert _guest_row() is None
