"""xAPI against a real LRS (Ralph, tests/xapi/conftest.py): Lectern is driven through its pages —
a lesson completed, a day assessment passed and one failed, a live poll answered and closed, a
session attended and ended, a certificate issued and revoked — and every statement is read back
through the LRS's own API. Ralph validates each statement it is given: all must be stored.

Each test has its own public address (LECTERN_BASE_URL), so the statements of two tests, whose
database ids are alike, never share an id or an actor in the LRS the module shares."""
from __future__ import annotations

import json
import re
import uuid

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.live.models import LiveParticipant, LiveSession
from app.xapi import services as xapi
from app.xapi.models import XapiStatement
from tests.plugins.factories import signed_in as login
from tests.xapi.conftest import PASSWORD, USERNAME, Lrs, free_port

RIGHT = {"q-a1": "b", "q-a2": "true", "q-a3": "Sölvell"}     # the mini course's day 2 assessment
WRONG = {"q-a1": "a", "q-a2": "false", "q-a3": "nobody"}
JSON = {"Accept": "application/json"}


@pytest.fixture
def base_url():
    return f"https://lectern-{uuid.uuid4().hex[:10]}.example.org"


@pytest.fixture
def app_config(mini_course_config, base_url):
    return {**mini_course_config, "LECTERN_BASE_URL": base_url, "LECTERN_XAPI_USERNAME": USERNAME,
            "LECTERN_XAPI_PASSWORD": PASSWORD, "LECTERN_XAPI_BATCH": 7,
            # the LRS is down while the course runs: nothing listens on this port
            "LECTERN_XAPI_ENDPOINT": f"http://127.0.0.1:{free_port()}/xAPI"}


def rows() -> list[XapiStatement]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(XapiStatement).order_by(XapiStatement.id)))


def by_cause() -> dict[str, XapiStatement]:
    return {r.cause: r for r in rows()}


def take_the_day_2_assessment(app, user, answers):
    client = login(app, user)
    started = client.post("/quizzes/day-2-assessment/start")
    assert started.status_code in (302, 303), started.status_code
    attempt_id = int(started.headers["Location"].rstrip("/").split("/")[-1])
    from app.quizzes.models import QuizAttempt

    token = db.session.get(QuizAttempt, attempt_id).submit_token
    done = client.post(f"/attempts/{attempt_id}", data={"action": "submit", "token": token, **answers})
    assert done.status_code in (302, 303)
    return attempt_id


def run_the_course(app, room, start, join):
    """Everything that makes a statement, through the pages."""
    ana, ben = room["ana"], room["ben"]
    assert login(app, ana).post("/lessons/opening/complete").status_code == 302
    passed = take_the_day_2_assessment(app, ana, RIGHT)
    failed = take_the_day_2_assessment(app, ben, WRONG)
    teacher, session = start(app, room)
    ana_phone, _ = join(app, ana, session.code)
    ben_phone, _ = join(app, ben, session.code)
    assert teacher.post(f"/live/{session.id}/polls", data={"source": "adhoc", "prompt": "Which is a cluster?",
                                                           "options": "One firm\nFirms linked in one place",
                                                           "correct": "2"}).status_code == 303
    from app.live import screens

    poll = screens.current_poll(session.id)
    assert poll.scored
    assert ana_phone.post(f"/live/{session.id}/polls/{poll.id}/answer", json={"answer": "o2"}, headers=JSON).status_code == 200
    assert ben_phone.post(f"/live/{session.id}/polls/{poll.id}/answer", json={"answer": "o1"}, headers=JSON).status_code == 200
    assert not [r for r in rows() if r.cause.startswith("live-answer")]   # answering queues nothing
    assert teacher.post(f"/live/{session.id}/polls/{poll.id}/close").status_code == 303
    # an hour and two minutes of heartbeats for Ana, ten seconds for Ben
    db.session.execute(sa.update(LiveParticipant).where(LiveParticipant.session_id == session.id,
                                                        LiveParticipant.user_id == ana.id).values(seconds_present=3725))
    db.session.execute(sa.update(LiveParticipant).where(LiveParticipant.session_id == session.id,
                                                        LiveParticipant.user_id == ben.id).values(seconds_present=10))
    db.session.commit()
    assert teacher.post(f"/live/{session.id}/end", data={"confirm": "yes"}).status_code == 303
    admin = login(app, room["admin"])
    assert admin.post(f"/admin/cohorts/{room['cohort']}/certificates/issue",
                      data={"user_id": ana.id, "override_reason": "Assessed in the room"}).status_code in (302, 303)
    from app.certificates.models import Certificate

    certificate = db.session.scalar(sa.select(Certificate).where(Certificate.user_id == ana.id))
    assert admin.post(f"/admin/certificates/{certificate.display_code}/revoke",
                      data={"reason": "Issued by mistake"}).status_code in (302, 303)
    return {"passed": passed, "failed": failed, "session": session.id, "poll": poll.id, "certificate": certificate}


def test_the_course_reaches_the_lrs_after_it_was_down(app, room, start, join, runner, ralph: Lrs, base_url):
    facts = run_the_course(app, room, start, join)
    ana, ben = room["ana"], room["ben"]
    session = db.session.get(LiveSession, facts["session"])
    causes = by_cause()
    expected = {f"quiz-attempt:{facts['passed']}:started", f"quiz-attempt:{facts['passed']}:submitted",
                f"quiz-attempt:{facts['failed']}:started", f"quiz-attempt:{facts['failed']}:submitted",
                f"live-session:{session.id}:attended:{ana.id}", f"live-session:{session.id}:attended:{ben.id}",
                f"certificate:{facts['certificate'].id}:earned", f"certificate:{facts['certificate'].id}:revoked"}
    assert expected <= set(causes)
    assert sum(c.startswith("lesson-completion:") for c in causes) == 1
    assert sum(c.startswith("live-answer:") for c in causes) == 2
    assert len(causes) == 11
    # the LRS was down: every statement waits, with the error, for a later delivery
    for row in causes.values():
        assert row.status == "queued" and row.attempts >= 1 and "Connection refused" in (row.last_error or ""), row.cause

    app.config["LECTERN_XAPI_ENDPOINT"] = ralph.endpoint   # the LRS is back
    result = runner.invoke(args=["xapi", "send", "--now"])
    assert result.exit_code == 0, (result.output, [(r.cause, r.last_error) for r in rows() if r.status != "sent"],
                                   ralph.log.read_text()[-4000:])
    assert result.output.startswith(f"11 sent to {ralph.endpoint}")
    sent = rows()
    assert {r.status for r in sent} == {"sent"} and {r.last_error for r in sent} == {None}   # Ralph took every one

    home = {"homePage": base_url}
    def read(cause: str) -> dict:
        stored = ralph.statement(causes[cause].statement_id)
        assert stored["id"] == causes[cause].statement_id and stored["timestamp"] and stored["stored"]
        return stored

    lesson = read(next(c for c in causes if c.startswith("lesson-completion:")))
    assert lesson["actor"]["account"] == {**home, "name": str(ana.id)}
    assert lesson["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert lesson["object"]["id"] == f"{base_url}/xapi/activities/lesson/opening"
    assert lesson["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/lesson"
    assert lesson["context"]["contextActivities"]["parent"][0]["id"] == f"{base_url}/xapi/activities/course/MINI/day/1"
    assert lesson["context"]["platform"] == "Lectern" and lesson["result"]["completion"] is True

    passed = read(f"quiz-attempt:{facts['passed']}:submitted")
    assert passed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert passed["object"]["id"] == f"{base_url}/xapi/activities/quiz/day-2-assessment"
    assert passed["result"]["success"] is True and passed["result"]["completion"] is True
    assert passed["result"]["score"]["scaled"] == 1.0 and passed["result"]["score"]["raw"] == passed["result"]["score"]["max"]
    attempted = read(f"quiz-attempt:{facts['passed']}:started")
    assert attempted["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attempted"
    assert attempted["context"]["registration"] == passed["context"]["registration"]
    failed = read(f"quiz-attempt:{facts['failed']}:submitted")
    assert failed["actor"]["account"]["name"] == str(ben.id)
    assert failed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed"
    assert failed["result"]["success"] is False and failed["result"]["score"]["scaled"] < 0.5

    answers = {s["actor"]["account"]["name"]: s for s in
               (read(c) for c in causes if c.startswith("live-answer:"))}
    assert answers[str(ana.id)]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert answers[str(ana.id)]["result"]["response"] == "o2" and answers[str(ana.id)]["result"]["success"] is True
    assert answers[str(ben.id)]["result"]["response"] == "o1" and answers[str(ben.id)]["result"]["success"] is False
    assert answers[str(ana.id)]["object"]["definition"]["name"]["en"] == "Which is a cluster?"
    assert answers[str(ana.id)]["context"]["contextActivities"]["parent"][0]["id"] == (
        f"{base_url}/xapi/activities/live-session/{session.id}")

    attended = read(f"live-session:{session.id}:attended:{ana.id}")
    assert attended["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attended"
    assert attended["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/meeting"
    assert attended["result"]["duration"] == "PT1H2M5S"
    assert read(f"live-session:{session.id}:attended:{ben.id}")["result"]["duration"] == "PT10S"

    code = facts["certificate"].display_code
    earned = read(f"certificate:{facts['certificate'].id}:earned")
    revoked = read(f"certificate:{facts['certificate'].id}:revoked")
    assert earned["verb"]["id"] == "http://id.tincanapi.com/verb/earned"
    assert revoked["verb"]["id"] == f"{base_url}/xapi/verbs/revoked"
    assert earned["object"]["id"] == revoked["object"]["id"] == f"{base_url}/xapi/activities/certificate/{code}"

    # filters of the LRS's API: Ana's statements, and the course's "answered" ones
    mine = ralph.statements(agent=json.dumps({"account": {**home, "name": str(ana.id)}}))
    assert len(mine) == 7   # lesson, attempted, passed, answered, attended, earned, revoked: none of Ben's
    assert {s["actor"]["account"]["name"] for s in mine} == {str(ana.id)}

    # sending again changes nothing: nothing is due, and a statement sent twice is still one
    again = runner.invoke(args=["xapi", "send", "--now"])
    assert again.output.startswith("0 sent")
    row = causes[f"certificate:{facts['certificate'].id}:earned"]
    db.session.execute(sa.update(XapiStatement).where(XapiStatement.id == row.id).values(status="queued"))
    db.session.commit()       # as if the LRS stored it but its answer was lost
    resent = xapi.deliver_due(ignore_backoff=True)
    assert resent.sent == 1 and resent.retrying == 0
    everything = [s for s in ralph.statements() if s["actor"]["account"]["homePage"] == base_url]
    assert len(everything) == 11 == len({s["id"] for s in everything})
    # Ralph validated every statement it was given and refused none
    assert not re.search(r'"(POST|PUT) /xAPI/statements\S* HTTP/1.1" [45]\d\d', ralph.log.read_text())


def test_a_completed_lesson_reaches_a_running_lrs_at_once(app, room, ralph: Lrs, base_url):
    app.config["LECTERN_XAPI_ENDPOINT"] = ralph.endpoint
    ana = room["ana"]
    client = login(app, ana)
    assert client.post("/lessons/opening/complete").status_code == 302
    assert client.post("/lessons/opening/complete").status_code == 302    # a repeat records nothing new
    [row] = rows()
    assert row.status == "sent" and row.attempts == 1     # the send job ran once the completion committed (inline in tests)
    stored = ralph.statement(row.statement_id)
    assert stored["actor"]["account"] == {"homePage": base_url, "name": str(ana.id)}
    assert stored["object"]["id"] == f"{base_url}/xapi/activities/lesson/opening"
