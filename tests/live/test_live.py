"""Live sessions through HTTP: start, join, follow, poll, reveal, leaderboard, attendance, access."""
import json
import threading
from datetime import timedelta

import sqlalchemy as sa

from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.live import polls, screens, sessions
from app.live.broker import current_broker
from app.live.models import LiveAnswer, LiveParticipant, LivePoll, LiveSession
from app.progress import services as progress

JSON = {"Accept": "application/json"}


def test_a_whole_session_from_start_to_csv(app, room, bank_poll, first_single, join, start):
    teacher, session = start(app, room)
    assert len(session.code) == 6
    page = teacher.get(f"/live/{session.id}/present").get_data(as_text=True)
    assert session.code in page and "<svg" in page and "Show to class" in page

    # joining: lower case and spaces are fine
    typed = session.code.lower()[:3] + " " + session.code.lower()[3:]
    ana, response = join(app, room["ana"], typed)
    assert response.status_code == 303 and response.headers["Location"] == f"/live/{session.id}"
    ben, _ = join(app, room["ben"], session.code)
    assert {p.user_id for p in db.session.scalars(sa.select(LiveParticipant))} == {room["ana"].id, room["ben"].id}

    # follow the instructor
    lesson = catalog().day_lessons(1)[3]
    assert teacher.post(f"/live/{session.id}/show", data={"lesson": lesson.slug}).status_code == 303
    state = ana.get(f"/live/{session.id}/state").get_json()
    assert state["lesson"] == {"slug": lesson.slug, "title": lesson.title}
    fragment = ana.get(f"/live/{session.id}/lesson").get_data(as_text=True)
    assert lesson.title in fragment and "Facilitator notes" not in fragment

    # a poll from the quiz bank: no key before the reveal
    poll = bank_poll(teacher, session)
    question = first_single()
    state = ana.get(f"/live/{session.id}/state").get_json()
    assert state["poll"]["status"] == "open" and "correct" not in state["poll"]
    assert "explanation" not in json.dumps(state) and question.explanation[:40] not in json.dumps(state)
    panel = ana.get(f"/live/{session.id}/poll").get_data(as_text=True)
    assert question.explanation[:40] not in panel
    right = question.body.correct[0]
    wrong = next(o.id for o in question.body.options if o.id not in question.body.correct)

    # answers: form and JSON; a changed answer replaces the first
    field = f"q-{question.id}"
    assert ana.post(f"/live/{session.id}/polls/{poll.id}/answer", data={field: wrong}).status_code == 303
    assert ana.post(f"/live/{session.id}/polls/{poll.id}/answer", data={field: right}).status_code == 303
    r = ben.post(f"/live/{session.id}/polls/{poll.id}/answer", json={"answer": wrong}, headers=JSON)
    assert r.status_code == 200 and r.get_json()["answer"] == wrong
    answers = {a.user_id: a for a in db.session.scalars(sa.select(LiveAnswer).where(LiveAnswer.poll_id == poll.id))}
    assert len(answers) == 2 and answers[room["ana"].id].answer == right and answers[room["ana"].id].changes == 1
    assert answers[room["ana"].id].points > 500 and answers[room["ben"].id].points == 0

    staff = teacher.get(f"/live/{session.id}/staff/state").get_json()
    assert staff["poll"]["tally"]["responses"] == 2 and staff["presence"]["joined"] == 2

    # close: later answers are refused and change nothing
    assert teacher.post(f"/live/{session.id}/polls/{poll.id}/close").status_code == 303
    late = ben.post(f"/live/{session.id}/polls/{poll.id}/answer", json={"answer": right}, headers=JSON)
    assert late.status_code == 422 and "closed" in late.get_json()["message"]
    assert db.session.scalar(sa.select(LiveAnswer.answer).where(LiveAnswer.user_id == room["ben"].id)) == wrong

    # reveal: the key, the explanation and the results reach participants
    assert teacher.post(f"/live/{session.id}/polls/{poll.id}/reveal").status_code == 303
    state = ana.get(f"/live/{session.id}/state").get_json()
    assert state["poll"]["correct"] == list(question.body.correct)
    assert state["poll"]["results"]["responses"] == 2
    assert state["poll"]["my_points"] == answers[room["ana"].id].points
    panel = ana.get(f"/live/{session.id}/poll").get_data(as_text=True)
    assert "You got it" in panel

    # leaderboard
    teacher.post(f"/live/{session.id}/leaderboard", data={"visible": "1"})
    me = ana.get(f"/live/{session.id}/state").get_json()["me"]
    assert me["rank"] == 1 and me["of"] == 2
    assert "Ana Ruiz" in teacher.get(f"/live/{session.id}/projector/panel").get_data(as_text=True)

    # ad hoc opinion poll with several answers allowed
    r = teacher.post(f"/live/{session.id}/polls", data={"source": "adhoc", "prompt": "Which <b>stage</b> worries you?",
                                                          "options": "Vision\nLaunch\nReview", "multiple": "1"})
    assert r.status_code == 303
    adhoc = screens.current_poll(session.id)
    assert adhoc.scored is False and adhoc.question["type"] == "multiple"
    assert db.session.get(LivePoll, poll.id).closed_at is not None
    ana.post(f"/live/{session.id}/polls/{adhoc.id}/answer", json={"answer": ["o1", "o3"]}, headers=JSON)
    panel = teacher.get(f"/live/{session.id}/present/panel").get_data(as_text=True)
    assert "Which &lt;b&gt;stage&lt;/b&gt; worries you?" in panel

    # end: the code stops working, the CSVs keep everything
    assert teacher.post(f"/live/{session.id}/end", data={"confirm": "yes"}).status_code == 303
    _late_client, response = join(app, room["ben"], session.code)
    assert response.status_code == 422
    attendance = teacher.get(f"/live/{session.id}/attendance.csv").get_data(as_text=True)
    assert "Ana Ruiz" in attendance and "Ben Okafor" in attendance and "Minutes counted" in attendance
    polls = teacher.get(f"/live/{session.id}/polls.csv").get_data(as_text=True)
    assert polls.count("\n") == 1 + 2 + 1  # header, two answers to poll 1, one to the ad hoc poll
    assert "right" in polls and "wrong" in polls and "Vision | Review" in polls

    # live answers show in question analytics, apart from quiz attempts
    page = teacher.get(f"/teach/cohorts/{room['cohort']}/quizzes/stage-03").get_data(as_text=True)
    assert "Answered in live polls" in page and "2 answers" in page


def test_trainees_cannot_drive_and_strangers_cannot_see(app, room, login, bank_poll, first_single, join, start):
    teacher, session = start(app, room)
    poll = bank_poll(teacher, session)
    ana, _ = join(app, room["ana"], session.code)
    for path, data in [(f"/live/{session.id}/show", {"lesson": catalog().lessons[0].slug}),
                       (f"/live/{session.id}/polls", {"source": "bank", "question": f"stage-03/{first_single().id}"}),
                       (f"/live/{session.id}/polls/{poll.id}/close", {}),
                       (f"/live/{session.id}/polls/{poll.id}/reveal", {}),
                       (f"/live/{session.id}/leaderboard", {"visible": "1"}),
                       (f"/live/{session.id}/end", {})]:
        assert ana.post(path, data=data).status_code == 403, path
    for path in ("present", "projector", "staff/state", "staff/events", "attendance.csv", "polls.csv"):
        assert ana.get(f"/live/{session.id}/{path}").status_code == 403, path
    # an instructor of another cohort: as if the session did not exist
    other = login(app, room["stranger_teacher"])
    assert other.get(f"/live/{session.id}/present").status_code == 404
    assert other.post(f"/live/{session.id}/end").status_code == 404
    assert other.post("/live/start", data={"cohort_id": room["cohort"], "day": 1}).status_code == 404
    db.session.expire_all()
    assert db.session.get(LiveSession, session.id).ended_at is None and screens.current_poll(session.id).closed_at is None


def test_a_non_member_cannot_join_or_read(app, room, join, start):
    _teacher, session = start(app, room)
    outsider, response = join(app, room["outsider"], session.code)
    assert response.status_code == 422 and "another cohort" in response.get_data(as_text=True)
    assert outsider.get(f"/live/{session.id}/state").status_code == 403
    assert outsider.get(f"/live/{session.id}/events").status_code == 403
    assert outsider.post(f"/live/{session.id}/heartbeat").status_code == 403
    assert db.session.get(LiveParticipant, (session.id, room["outsider"].id)) is None


def test_one_vote_per_person_even_in_parallel(app, room, bank_poll, join, start):
    teacher, session = start(app, room)
    poll = bank_poll(teacher, session)
    clients = [join(app, room["ana"], session.code)[0] for _ in range(8)]   # eight tabs, one person
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    question, url = poll.question, f"/live/{session.id}/polls/{poll.id}/answer"
    poll_id = poll.id

    def vote(client, option):
        barrier.wait()
        r = client.post(url, json={"answer": option}, headers=JSON)
        statuses.append(r.status_code)

    options = [o["id"] for o in question["options"]]
    threads = [threading.Thread(target=vote, args=(c, options[i % len(options)])) for i, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    db.session.rollback()
    assert statuses == [200] * len(clients)
    rows = db.session.scalars(sa.select(LiveAnswer).where(LiveAnswer.poll_id == poll_id)).all()
    assert len(rows) == 1 and rows[0].changes == len(clients) - 1


def test_starting_twice_gives_the_same_session_and_codes_are_unique(app, room, start):
    teacher, first = start(app, room)
    _again, second = start(app, room)
    assert first.id == second.id
    refused = teacher.post("/live/start", data={"cohort_id": room["cohort"], "day": 2})
    assert refused.status_code == 303
    assert "already has a live session running" in teacher.get(refused.headers["Location"]).get_data(as_text=True)


def test_without_the_engine_a_stream_asks_the_page_to_poll(app, room, join, start):
    _teacher, session = start(app, room)
    ana, _ = join(app, room["ana"], session.code)
    response = ana.get(f"/live/{session.id}/events")
    assert response.status_code == 503 and response.get_json()["fallback"] == "poll"


def test_the_event_stream_sends_state_then_changes(app, room, join, start, bank_poll, first_single, event_stream, engine):
    teacher, session = start(app, room)
    ana, _ = join(app, room["ana"], session.code)
    with engine(app) as (base, _asgi):
        stream = event_stream(base, f"/live/{session.id}/events", ana, headers={"Last-Event-ID": "0"})
        try:
            _stream_sends_state_then_changes(app, room, teacher, session, stream, join, bank_poll, first_single)
        finally:
            stream.close()


def _stream_sends_state_then_changes(app, room, teacher, session, stream, join, bank_poll, first_single):
    assert stream.status == 200 and stream.headers["Content-Type"].startswith("text/event-stream")
    chunks = iter(stream.next, None)
    assert next(chunks).startswith("retry:")
    first = next(chunks)
    version = session.version
    assert f"id: {version}\nevent: state\n" in first
    lesson = catalog().lessons[2]
    teacher.post(f"/live/{session.id}/show", data={"lesson": lesson.slug})
    change = next(chunks)
    data = json.loads(change.split("data: ", 1)[1])
    assert data["lesson"]["slug"] == lesson.slug and data["version"] == version + 1
    # the lesson travels inside the event, as participants see it (no facilitator notes)
    assert lesson.title in data["lesson"]["html"] and "Facilitator notes" not in data["lesson"]["html"]
    # so does a new poll's panel, without its key, its explanation or anyone's token
    poll = bank_poll(teacher, session)
    question = first_single()
    data = json.loads(next(chunks).split("data: ", 1)[1])
    panel = data["poll"]["html"]
    assert "live-poll--open" in panel and 'name="csrf_token" value=""' in panel
    assert question.explanation[:40] not in change + panel and "correct" not in data["poll"]
    # Ana answers right, Ben (who joins now: staff news, not the class's) wrong
    join(app, room["ben"], session.code)
    wrong = next(o.id for o in question.body.options if o.id not in question.body.correct)
    for who, choice in ((room["ana"], question.body.correct[0]), (room["ben"], wrong)):
        polls.answer(current_broker(), who.id, session.id, poll.id, choice, now=utcnow())
    # the reveal: first Ana's own verdict (hers alone), then the shared part with nothing personal
    teacher.post(f"/live/{session.id}/polls/{poll.id}/reveal")
    event = next(chunks)
    assert event.startswith("event: personal\n")
    mine = json.loads(event.split("data: ", 1)[1])
    assert mine["version"] == version + 3 and mine["poll"] == poll.id
    assert "You got it" in mine["verdict"] and mine["me"] == ""
    assert set(mine) == {"version", "poll", "verdict", "me"} and "Not this time" not in event
    data = json.loads(next(chunks).split("data: ", 1)[1])
    assert data["version"] == version + 3
    assert "live-poll--revealed" in data["poll"]["html"] and "You got it" not in data["poll"]["html"]
    assert "data-live-verdict" in data["poll"]["html"]
    # showing the leaderboard sends each person their rank the same way
    teacher.post(f"/live/{session.id}/leaderboard", data={"visible": "1"})
    mine = json.loads(next(chunks).split("data: ", 1)[1])
    assert "you are <strong>1</strong> of 2" in mine["me"] and "You got it" in mine["verdict"]
    assert json.loads(next(chunks).split("data: ", 1)[1])["leaderboard"] is True


def test_the_event_stream_refuses_other_origins(app, room, join, start, event_stream, engine):
    _teacher, session = start(app, room)
    ana, _ = join(app, room["ana"], session.code)
    r = ana.get(f"/live/{session.id}/events", headers={"Origin": "https://evil.example"})
    assert r.status_code == 403
    with engine(app) as (base, _asgi):
        stream = event_stream(base, f"/live/{session.id}/events", ana, headers={"Origin": "https://evil.example"})
        assert stream.status == 403 and "text/event-stream" not in stream.headers.get("Content-Type", "")
        stream.close()


def test_staff_stream_coalesces_answers_into_a_tally(app, room, bank_poll, join, start, event_stream, engine):
    teacher, session = start(app, room)
    poll = bank_poll(teacher, session)
    ana, _ = join(app, room["ana"], session.code)
    with engine(app) as (base, _asgi):
        stream = event_stream(base, f"/live/{session.id}/staff/events", teacher)
        opening = stream.events(4)   # retry, state, presence, tally
        assert opening[3].startswith("event: tally") and json.loads(opening[3].split("data: ", 1)[1])["responses"] == 0
        ana.post(f"/live/{session.id}/polls/{poll.id}/answer", json={"answer": poll.question["options"][0]["id"]},
                 headers=JSON)
        tally = stream.next()
        assert tally.startswith("event: tally") and json.loads(tally.split("data: ", 1)[1])["responses"] == 1
        stream.close()


def test_heartbeats_add_up_to_minutes_present(app, room, join, start):
    _teacher, session = start(app, room)
    join(app, room["ana"], session.code)
    row = db.session.get(LiveParticipant, (session.id, room["ana"].id))
    t = row.last_seen_at
    for step in range(1, 11):                       # ten beats 30 s apart: 5 minutes
        sessions.heartbeat(room["ana"].id, session.id, now=t + timedelta(seconds=30 * step))
    sessions.heartbeat(room["ana"].id, session.id, now=t + timedelta(seconds=300 + 600))   # back after 10 min away
    db.session.expire_all()
    assert db.session.get(LiveParticipant, (session.id, room["ana"].id)).seconds_present == 300


def test_attending_both_days_meets_the_live_track_rule(app, room):
    cat = catalog()
    ana = room["ana"].id
    needed = cat.course.completion.live_attendance_minutes * 60
    for day, seconds in ((1, needed), (2, needed - 60)):
        s = LiveSession(cohort_id=room["cohort"], day=day, code=f"TEST{day}X", started_at=utcnow(), ended_at=utcnow())
        db.session.add(s)
        db.session.flush()
        db.session.add(LiveParticipant(session_id=s.id, user_id=ana, joined_at=utcnow(), last_seen_at=utcnow(),
                                       seconds_present=seconds))
    db.session.commit()
    facts = progress.facts_for([ana])[ana]
    assert facts.live_track and facts.attended_days == frozenset({1})
    report = progress.report_for(ana, cat)
    assert any("or attend the live Day 2" in m for m in report.missing)
    db.session.execute(sa.update(LiveParticipant).values(seconds_present=needed))
    db.session.commit()
    report = progress.report_for(ana, cat)
    assert not any("lesson" in m.lower() for m in report.missing)
    # a self-study trainee's attendance does not replace lessons
    assert progress.facts_for([room["outsider"].id])[room["outsider"].id].attended_days == frozenset()


def test_broker_is_per_app(app):
    assert current_broker().name == "in-process"


def test_the_course_home_points_members_to_a_running_session(app, room, login, start):
    _teacher, session = start(app, room)
    ana = login(app, room["ana"])
    assert "Day 1 is live now" in ana.get("/").get_data(as_text=True) and "Join with the code" in ana.get("/").get_data(as_text=True)
    ana.post("/join", data={"code": session.code})
    assert f'href="/live/{session.id}"' in ana.get("/").get_data(as_text=True)
    outsider = login(app, room["outsider"])
    assert "is live now" not in outsider.get("/").get_data(as_text=True)


def test_record_ids_no_table_can_hold_are_refused_before_the_database(app, room, login, start):
    """A cohort id or person id beyond PostgreSQL's INTEGER is a bad request, never a 500 from the
    driver (the cohort form had this bug; app.web.record_id guards every form id)."""
    teacher = login(app, room["teacher"])
    for wild in ("2147483648", "-2594465819491718656", "0"):
        assert teacher.post("/live/start", data={"cohort_id": wild, "day": 1}).status_code in (400, 404), wild
    staff, session = start(app, room)
    response = staff.post(f"/live/{session.id}/attendance", data={"people": ["2147483648"], "minutes": "30"})
    assert response.status_code in (200, 422)
