"""Queueing and delivery without a real LRS: nothing without an endpoint; a session that ends with a
poll open queues its answers and its attendance in bulk; a refused batch is sent statement by
statement so only the bad one fails; the settings are checked at start-up."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sqlalchemy as sa

from app.certificates import services as certificates
from app.config import ConfigError, finalise, from_environment
from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.xapi import services as xapi
from app.xapi.models import XapiStatement
from tests.plugins.factories import signed_in as login
from tests.xapi.conftest import free_port

JSON = {"Accept": "application/json"}


def causes() -> list[str]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(XapiStatement.cause).order_by(XapiStatement.id)))


def test_without_an_endpoint_nothing_is_queued(app, make_user):
    person = make_user()
    assert login(app, person).post(f"/lessons/{catalog().lessons[0].slug}/complete").status_code == 302
    certificates.issue(None, person.id, catalog(), now=utcnow(), override_reason="Assessed live")
    assert causes() == []


def test_ending_a_session_queues_its_open_polls_answers_and_who_attended(app, room, start, join, bank_poll):
    app.config["LECTERN_XAPI_ENDPOINT"] = f"http://127.0.0.1:{free_port()}/xAPI"   # down: statements stay queued
    teacher, session = start(app, room)
    ana, _ = join(app, room["ana"], session.code)
    join(app, room["ben"], session.code)
    poll = bank_poll(teacher, session)
    option = poll.question["body"]["options"][0]["id"] if "body" in poll.question else "a"
    ana.post(f"/live/{session.id}/polls/{poll.id}/answer", json={"answer": option}, headers=JSON)
    assert causes() == []
    assert teacher.post(f"/live/{session.id}/end", data={"confirm": "yes"}).status_code == 303
    found = causes()
    assert sorted(found) == sorted([f"live-answer:{a}" for a in db.session.scalars(sa.text(
        "SELECT id FROM live_answers"))] + [f"live-session:{session.id}:attended:{room['ana'].id}",
                                            f"live-session:{session.id}:attended:{room['ben'].id}"])
    row = db.session.scalar(sa.select(XapiStatement).where(XapiStatement.cause.like("live-answer:%")))
    assert row.statement["object"]["id"].startswith("http://localhost/xapi/activities/quiz/stage-03/question/")
    assert row.status == "queued" and "Connection refused" in row.last_error


class _Refusing(BaseHTTPRequestHandler):
    """An LRS that refuses any batch (400) and, alone, the statement whose verb is "failed"."""

    seen: list[tuple[str, int]] = []

    def _answer(self, status: int) -> None:
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.seen.append(("POST", len(body)))
        self._answer(400 if len(body) > 1 else 200)

    def do_PUT(self):
        statement = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert self.headers["X-Experience-API-Version"] == "1.0.3"
        assert self.headers["Authorization"].startswith("Basic ")
        self.seen.append(("PUT", 1))
        self._answer(400 if statement["verb"]["id"].endswith("/failed") else 204)

    def log_message(self, *args):
        pass


def test_a_refused_batch_is_sent_one_by_one_and_only_the_bad_statement_fails(app, make_user):
    server = HTTPServer(("127.0.0.1", 0), _Refusing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        app.config.update(LECTERN_XAPI_ENDPOINT=f"http://127.0.0.1:{server.server_port}/xAPI",
                          LECTERN_XAPI_USERNAME="k", LECTERN_XAPI_PASSWORD="s", JOBS_INLINE=True)
        quiz = next(q for q in catalog().quizzes if q.kind == "knowledge-check")
        person = make_user()
        from app.quizzes import services as quizzes

        attempt = quizzes.start_attempt(person.id, quiz, now=utcnow())
        quizzes.submit_attempt(person.id, attempt.id, attempt.submit_token, {}, now=utcnow(), allow_unanswered=True)
        db.session.expire_all()
        rows = {r.cause: r for r in db.session.scalars(sa.select(XapiStatement))}
        assert rows[f"quiz-attempt:{attempt.id}:started"].status == "sent"
        failed = rows[f"quiz-attempt:{attempt.id}:submitted"]
        assert failed.statement["verb"]["id"].endswith("/failed")
        # alone it was posted (200 in this LRS) … a batch of both is refused, then split:
        db.session.execute(sa.update(XapiStatement).values(status="queued", attempts=0, last_error=None))
        db.session.commit()
        _Refusing.seen.clear()
        done = xapi.deliver_due()
        assert (done.sent, done.failed) == (1, 1) and _Refusing.seen == [("POST", 2), ("PUT", 1), ("PUT", 1)]
        db.session.expire_all()
        failed = db.session.get(XapiStatement, failed.id)
        assert failed.status == "failed" and failed.last_error.startswith("HTTP 400")
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(("environ", "message"), [
    ({"LECTERN_XAPI_ENDPOINT": "lrs.example.org/xAPI"}, "must be an http:// or https:// address"),
    ({"LECTERN_XAPI_ENDPOINT": "https://lrs.example.org/xAPI", "LECTERN_XAPI_BATCH": "0"}, "LECTERN_XAPI_BATCH"),
])
def test_unusable_settings_stop_start_up(tmp_path, environ, message):
    config = {"SECRET_KEY": "x", "TESTING": True, "LECTERN_XAPI_BATCH": 50, "LECTERN_XAPI_MAX_ATTEMPTS": 10,
              "LECTERN_XAPI_TIMEOUT": 10, "REDIS_PREFIX": "lectern", "PDF_RENDER_QUEUE": 2,
              "PASSWORD_HASH_CONCURRENCY": 2, "PASSWORD_HASH_WAIT": 1.0, "REMEMBER_COOKIE_DAYS": 14,
              "MAIL_MAX_ATTEMPTS": 8, "MAIL_TIMEOUT": 10, "LOGIN_ADDRESS_LIMIT": "1 per minute"}
    config.update(from_environment(environ, str(tmp_path)))
    with pytest.raises(ConfigError, match=message):
        finalise(config)


def test_key_and_secret_are_the_basic_credentials(tmp_path):
    out = from_environment({"LECTERN_XAPI_ENDPOINT": "https://lrs.example.org/xAPI/", "LECTERN_XAPI_KEY": "k",
                            "LECTERN_XAPI_SECRET": "s"}, str(tmp_path))
    assert (out["LECTERN_XAPI_ENDPOINT"], out["LECTERN_XAPI_USERNAME"], out["LECTERN_XAPI_PASSWORD"]) == (
        "https://lrs.example.org/xAPI", "k", "s")


def test_an_lrs_that_is_down_costs_one_batch_per_run_and_one_log_line(app, caplog):
    """When the first batch cannot be delivered, the rest wait untried for the next run: a run against
    a dead LRS does not try (and log) every statement, and one UPDATE records the batch's failure."""
    import uuid

    from app.db import write_transaction

    app.config.update(LECTERN_XAPI_ENDPOINT=f"http://127.0.0.1:{free_port()}/xAPI", LECTERN_XAPI_BATCH=50)
    statements = [{"id": str(uuid.uuid4()), "actor": {"account": {"homePage": "http://localhost", "name": "1"}},
                   "verb": {"id": "http://adlnet.gov/expapi/verbs/completed"},
                   "object": {"id": f"http://localhost/xapi/activities/lesson/{n}"}} for n in range(120)]
    caplog.clear()
    with app.test_request_context(), write_transaction(db.session):   # the send job runs after the commit (inline here)
        xapi.queue([(None, f"test:{n}", s) for n, s in enumerate(statements)], now=utcnow())
    db.session.expire_all()
    tried = dict(db.session.execute(sa.select(XapiStatement.attempts, sa.func.count())
                                    .group_by(XapiStatement.attempts)).all())
    assert tried == {1: 50, 0: 70}
    assert {r.status for r in db.session.scalars(sa.select(XapiStatement))} == {"queued"}
    assert len([r for r in caplog.records if "xAPI" in r.getMessage()]) == 1
    done = xapi.deliver_due(now=utcnow())     # the next run: the 70 untried go first, then it stops again
    assert (done.batches, done.retrying, done.sent) == (1, 50, 0)
    status = app.test_cli_runner().invoke(args=["xapi", "status"])
    assert status.exit_code == 0 and "120 queued, 0 being sent, 0 sent, 0 failed." in status.output
