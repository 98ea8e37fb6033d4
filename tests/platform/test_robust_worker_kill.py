"""A gunicorn worker killed in the middle of writing a quiz submission leaves no half-written
attempt, the master replaces it, and the interrupted attempts can still be submitted.

Why this proves atomicity. Submitting is one unit of work: `submit_attempt` grades in memory and
then writes everything (answers, finished_at, is_late, the three scores, passed) with a single
UPDATE inside one transaction (`write_transaction`: BEGIN IMMEDIATE … COMMIT on SQLite, BEGIN …
COMMIT on PostgreSQL). The database makes a transaction all-or-nothing, also when the process
holding it dies: SQLite ignores WAL frames without a commit record (the killed process's file
locks vanish with it), and PostgreSQL rolls back the transaction of a connection that closes. So
a kill at any moment must leave each attempt either exactly as it was or completely finished.

To kill at the worst moment deterministically, without a hook in production code, the server runs
with a test-only gunicorn config: the production gunicorn.conf.py plus a `post_worker_init` that
listens to the worker's engine and, once armed, pauses the thread right after the submission's
UPDATE has executed and before COMMIT, then tells the test (a marker file) its pid. Forty
submissions are sent at once: when the sixth is caught, the worker holds a number of others (on
SQLite they queue for the write lock, on PostgreSQL they run on and may commit), and the rest wait
in the listen queue for whichever worker accepts next. The test checks the caught row still looks
untouched from outside, SIGKILLs the worker, and then checks every row (untouched, or finished
with its own answers and matching scores; nothing the server answered 302 for is lost),
`PRAGMA integrity_check`, that the master started a new worker which serves, and that every
interrupted attempt can be submitted afterwards, once.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.quizzes import scoring
from app.quizzes import services as quizzes
from app.quizzes.models import QuizAttempt
from app.quizzes.snapshot import thaw

TRAINEES = 5
PAUSE_AT = 6   # the sixth submission to reach its UPDATE is the one caught mid-write

PAUSING_CONFIG = '''
"""Test-only: the production settings, plus a pause inside one quiz submission's transaction."""
import os
import runpy

globals().update({k: v for k, v in runpy.run_path(os.environ["LECTERN_TEST_BASE_CONFIG"]).items()
                  if not k.startswith("__")})
def post_worker_init(worker):
    import itertools
    import threading
    import time

    from sqlalchemy import event

    from app.extensions import db

    armed, marker = os.environ["LECTERN_TEST_ARMED"], os.environ["LECTERN_TEST_PAUSED"]
    pause_at = int(os.environ["LECTERN_TEST_PAUSE_AT"])
    seen, lock = itertools.count(1), threading.Lock()
    with worker.wsgi.app_context():
        engine = db.engine

    @event.listens_for(engine, "after_cursor_execute")
    def pause_inside_submit(conn, cursor, statement, parameters, context, executemany):
        if not (statement.lstrip().upper().startswith("UPDATE QUIZ_ATTEMPTS") and "score_percent" in statement):
            return
        with lock:
            if next(seen) < pause_at:
                return
            try:
                os.unlink(armed)   # once only, also across the worker the master starts next
            except FileNotFoundError:
                return
        with open(marker + ".tmp", "w") as out:
            out.write(f"{os.getpid()}\\n{parameters!r}")
        os.rename(marker + ".tmp", marker)
        time.sleep(120)            # the UPDATE is done, COMMIT is not: wait here for SIGKILL
'''


def _wait_for(path: Path, seconds: float) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists():
            return path.read_text()
        time.sleep(0.02)
    raise AssertionError(f"{path.name} did not appear within {seconds}s")


def _snapshot(attempt_ids: list[int]) -> dict[int, QuizAttempt]:
    db.session.rollback()
    db.session.expire_all()
    rows = db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.id.in_(attempt_ids))).all()
    return {row.id: row for row in rows}


def test_worker_killed_mid_submit_leaves_no_half_written_attempt(app, database_uri, make_user, tmp_path, servers):
    if database_uri.startswith("sqlite:///:memory:"):
        pytest.skip("needs a database file the server can share")
    cat = catalog()
    quiz_ids = [q.id for q in cat.quizzes if any(question.type == "single" for question in q.questions)][:8]
    people = [make_user(email=f"learner{n}@example.org") for n in range(TRAINEES)]

    # every trainee has an open attempt at each quiz, with an answer already saved
    before: dict[int, dict] = {}
    planned: dict[int, tuple[str, dict]] = {}     # attempt id → (email, the answers its submit sends)
    for person in people:
        for quiz_id in quiz_ids:
            attempt = quizzes.start_attempt(person.id, cat.quiz(quiz_id), now=utcnow())
            single = [q for q in attempt.questions if q["type"] == "single"]
            quizzes.save_answers(person.id, attempt.id, {single[-1]["id"]: single[-1]["options"][-1]["id"]},
                                 now=utcnow())
            before[attempt.id] = dict(attempt.answers)
            planned[attempt.id] = (person.email, {**attempt.answers, single[0]["id"]: single[0]["options"][0]["id"]})
    ids = sorted(before)
    tokens = {a.id: a.submit_token for a in _snapshot(ids).values()}

    config = tmp_path / "gunicorn_pausing.py"
    config.write_text(PAUSING_CONFIG)
    armed, marker, log = tmp_path / "armed", tmp_path / "paused", tmp_path / "server.log"
    port = servers.free_port()
    base = f"http://127.0.0.1:{port}"
    server = servers.start(database_uri, port, log, threads=64, config=str(config), env={
        "LECTERN_TEST_BASE_CONFIG": str(servers.ROOT / "gunicorn.conf.py"), "LECTERN_TEST_ARMED": str(armed),
        "LECTERN_TEST_PAUSED": str(marker), "LECTERN_TEST_PAUSE_AT": str(PAUSE_AT)})
    try:
        servers.wait_until_serving(server, port, log)
        browsers = {p.email: servers.Browser(address=f"10.0.1.{n + 1}") for n, p in enumerate(people)}
        for email, browser in browsers.items():
            browser.sign_in(base, email)

        def submit(attempt_id: int) -> int | str:
            email, answers = planned[attempt_id]
            form = {"action": "submit", "allow_unanswered": "1", "token": tokens[attempt_id],
                    **{f"q-{k}": v for k, v in answers.items()}}
            try:
                status, location, _body = browsers[email].request(f"{base}/attempts/{attempt_id}", form)
            except OSError as exc:        # the worker died with this request in it
                return type(exc).__name__
            return status if location.endswith(f"/attempts/{attempt_id}") else f"{status} → {location}"

        armed.touch()
        with ThreadPoolExecutor(max_workers=len(ids)) as pool:
            futures = {attempt_id: pool.submit(submit, attempt_id) for attempt_id in ids}
            worker_pid, parameters = _wait_for(marker, 30).split("\n", 1)
            caught = next(i for i in ids if tokens[i] in parameters)
            # the UPDATE has run inside the open transaction: from outside, nothing has changed
            assert _snapshot([caught])[caught].finished_at is None
            os.kill(int(worker_pid), signal.SIGKILL)
            outcomes = {attempt_id: future.result(timeout=60) for attempt_id, future in futures.items()}

        # the master noticed and started a new worker, which serves
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline and not (set(servers.worker_pids(server.pid)) - {int(worker_pid)}):
            time.sleep(0.1)
        servers.wait_until_serving(server, port, log)
        assert server.poll() is None and int(worker_pid) not in servers.worker_pids(server.pid)

        rows = _snapshot(ids)
        assert sorted(rows) == ids
        finished = [i for i in ids if rows[i].finished_at is not None]
        untouched = [i for i in ids if rows[i].finished_at is None]
        for attempt_id in untouched:
            row = rows[attempt_id]
            assert row.answers == before[attempt_id], attempt_id
            assert (row.score_points, row.score_out_of, row.score_percent, row.passed, row.is_late) == \
                   (None, None, None, None, False), attempt_id
        for attempt_id in finished:
            _check_complete(rows[attempt_id], planned[attempt_id][1])
        assert caught in untouched and isinstance(outcomes[caught], str), outcomes[caught]   # killed mid-write
        acknowledged = [i for i, outcome in outcomes.items() if outcome == 302]
        assert set(acknowledged) <= set(finished)             # nothing the server confirmed was lost
        assert all(outcome == 302 or isinstance(outcome, str) for outcome in outcomes.values()), outcomes
        if database_uri.startswith("sqlite"):
            # one writer at a time: the five UPDATEs before the caught one had committed
            assert len(finished) >= PAUSE_AT - 1

        if database_uri.startswith("sqlite"):
            with sqlite3.connect(database_uri.removeprefix("sqlite:///")) as conn:
                assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
                assert conn.execute("PRAGMA foreign_key_check").fetchall() == []

        # the interrupted attempts can be submitted now, exactly once each
        for attempt_id in untouched:
            assert submit(attempt_id) == 302, attempt_id
        for attempt_id in finished:
            assert submit(attempt_id) == 302   # a replay: recorded once, changes nothing
        rows = _snapshot(ids)
        for attempt_id in ids:
            _check_complete(rows[attempt_id], planned[attempt_id][1])
        assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == len(ids)
        assert "was sent SIGKILL" in log.read_text()
    finally:
        servers.stop(server)


def _check_complete(row: QuizAttempt, answers: dict) -> None:
    assert row.finished_at is not None and row.answers == answers, row.id
    result = scoring.score_attempt([thaw(q) for q in row.questions], row.answers, row.pass_mark)
    assert (row.score_points, row.score_out_of, row.score_percent, row.passed) == \
           (result.points, result.out_of, result.percent, result.passed), row.id
