"""Two gunicorn servers (as two workers or hosts would) sharing one database and Redis: an answer
posted to one reaches the presenter's event stream held open by the other, and "show to class"
on one reaches a participant's stream on the other."""
from __future__ import annotations

import http.client
import json
import os
import queue
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from app.cohorts import services as cohorts
from app.content.catalog import catalog
from app.db import utcnow
from app.live import sessions

ROOT = Path(__file__).resolve().parents[2]


pytestmark = pytest.mark.redis


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(database_uri: str, port: int, log: Path, redis_url: str) -> subprocess.Popen:
    env = dict(os.environ, SECRET_KEY="shared-secret-for-both-servers", DATABASE_URL=database_uri, REDIS_URL=redis_url,
               LECTERN_DEMO="0", WEB_CONCURRENCY="1", LECTERN_PAGE_THREADS="16", GUNICORN_ACCESSLOG="-",
               CONTENT_RELOAD_SECONDS="0")
    with log.open("wb") as out:   # the child keeps its own copy of the file
        process = subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py",
                                    "--bind", f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env,
                                   stdout=out, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise AssertionError(f"gunicorn on {port} did not start:\n{log.read_text()[-3000:]}")


class Browser:
    """A cookie jar and a CSRF token: enough of a browser for the API."""

    def __init__(self) -> None:
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.addheaders = [("User-Agent", "lectern-test")]   # "strong" sessions are tied to it
        self.streams: list[http.client.HTTPConnection] = []

    def get(self, url: str) -> str:
        with self.opener.open(url, timeout=10) as r:
            return r.read().decode()

    def post(self, url: str, data: dict | None = None, json_body: object = None, csrf: str | None = None) -> tuple[int, str]:
        headers = {"Accept": "application/json"}
        if csrf:
            headers["X-CSRFToken"] = csrf
        if json_body is not None:
            body, headers["Content-Type"] = json.dumps(json_body).encode(), "application/json"
        else:
            body = urllib.parse.urlencode(data or {}).encode()
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with self.opener.open(request, timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def sign_in(self, base: str, email: str, password: str, csrf_token_from) -> None:
        token = csrf_token_from(self.get(base + "/login"))
        status, _ = self.post(base + "/login", {"email": email, "password": password, "csrf_token": token})
        assert status == 200, status      # redirects are followed to the home page

    def close(self) -> None:
        for conn in self.streams:
            if conn.sock is not None:
                conn.sock.shutdown(socket.SHUT_RDWR)
            conn.close()

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def listen(self, port: int, path: str) -> queue.Queue:
        """Open an event stream; parsed (event, data) pairs arrive on the returned queue."""
        events: queue.Queue = queue.Queue()
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.streams.append(conn)
        conn.request("GET", path, headers={"Cookie": self.cookie_header(), "Accept": "text/event-stream",
                                           "User-Agent": "lectern-test"})
        response = conn.getresponse()
        assert response.status == 200, response.status

        def read() -> None:
            kind, data = None, None
            try:
                for raw in response:
                    line = raw.decode().rstrip("\n")
                    if line.startswith("event: "):
                        kind = line[7:]
                    elif line.startswith("data: "):
                        data = json.loads(line[6:])
                    elif line == "" and kind:
                        events.put((kind, data))
                        kind, data = None, None
            except (OSError, ValueError, AttributeError):
                pass   # the test closed the connection

        threading.Thread(target=read, daemon=True).start()
        return events


def _wait_for(events: queue.Queue, kind: str, check, seconds: float = 10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            got_kind, data = events.get(timeout=max(0.05, deadline - time.monotonic()))
        except queue.Empty:
            break
        if got_kind == kind and check(data):
            return data
    raise AssertionError(f"no {kind} event arrived within {seconds}s")


def test_an_answer_posted_to_one_server_reaches_a_listener_on_the_other(app, database_uri, make_user, tmp_path, csrf_token_from, password, redis_url):
    if database_uri.startswith("sqlite:///:memory:"):
        pytest.skip("needs a database file the servers can share")
    admin = make_user(roles=("admin",))
    teacher = make_user(roles=("instructor",), email="teacher@example.org")
    ana = make_user(email="ana@example.org", display_name="Ana")
    cohort = cohorts.save_cohort(admin.id, None, name="Two hosts", track="live", starts_on=None, ends_on=None,
                                 instructor_ids=[teacher.id], now=utcnow())
    cohorts.enrol(admin.id, cohort.id, [ana.id], now=utcnow())
    session = sessions.start_session(teacher.id, cohort.id, 1, catalog(), now=utcnow())
    session_id, code = session.id, session.code

    port_a, port_b = _free_port(), _free_port()
    browsers: list[Browser] = []
    server_a = _serve(database_uri, port_a, tmp_path / "a.log", redis_url)
    try:
        server_b = _serve(database_uri, port_b, tmp_path / "b.log", redis_url)
        try:
            a, b = f"http://127.0.0.1:{port_a}", f"http://127.0.0.1:{port_b}"
            presenter, trainee = Browser(), Browser()
            browsers.extend([presenter, trainee])
            presenter.sign_in(a, teacher.email, password, csrf_token_from)
            trainee.sign_in(b, ana.email, password, csrf_token_from)
            join_token = csrf_token_from(trainee.get(b + "/join"))
            assert trainee.post(b + "/join", {"code": code, "csrf_token": join_token})[0] == 200
            page = trainee.get(f"{b}/live/{session_id}")
            csrf = page.split('data-csrf="', 1)[1].split('"', 1)[0]

            staff_events = presenter.listen(port_a, f"/live/{session_id}/staff/events")
            _wait_for(staff_events, "tally", lambda d: d["responses"] == 0)
            class_events = trainee.listen(port_b, f"/live/{session_id}/events")
            first = _wait_for(class_events, "state", lambda d: True)

            # the presenter, on server A, launches a poll and shows a lesson: B's stream hears both
            presenter_csrf = csrf_token_from(presenter.get(f"{a}/live/{session_id}/present"))
            question = next(q for q in catalog().quiz("stage-03").questions if q.type == "single")
            status, _ = presenter.post(f"{a}/live/{session_id}/polls",
                                       {"source": "bank", "question": f"stage-03/{question.id}", "csrf_token": presenter_csrf})
            assert status == 200
            polled = _wait_for(class_events, "state", lambda d: d["poll"] is not None)
            assert polled["version"] > first["version"]
            lesson = catalog().day_lessons(1)[4]
            presenter.post(f"{a}/live/{session_id}/show", {"lesson": lesson.slug, "csrf_token": presenter_csrf})
            _wait_for(class_events, "state", lambda d: d["lesson"] and d["lesson"]["slug"] == lesson.slug)

            # the trainee, on server B, answers: A's presenter stream counts it
            posted_at = time.monotonic()
            status, body = trainee.post(f"{b}/live/{session_id}/polls/{polled['poll']['id']}/answer",
                                        json_body={"answer": question.body.correct[0]}, csrf=csrf)
            assert status == 200, body
            tally = _wait_for(staff_events, "tally", lambda d: d["responses"] == 1, seconds=5)
            assert time.monotonic() - posted_at < 5
            assert sum(bar["count"] for bar in tally["bars"]) == 1
        finally:
            for browser in browsers:
                browser.close()
            server_b.terminate()
            server_b.wait(10)
    finally:
        server_a.terminate()
        server_a.wait(10)
