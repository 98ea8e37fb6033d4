"""Issue 15, the cross-cutting findings of the outside security test: private responses are never
cached, names and free text refuse control and direction-override characters, the inputs that
raised 500s, what /healthz tells strangers, the Server header and slow request headers."""
import json
import socket
import time
import urllib.request

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.cohorts import services as cohorts
from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db

# --- finding 7: private downloads and JSON are not cached -----------------------------------------

def test_finding_7_every_response_to_a_signed_in_person_says_no_store(client, make_user, sign_in, app, room, join, start):
    sign_in(make_user())
    for path in ("/progress/notes.md", "/checklist.pdf", "/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path

    teacher, session = start(app, room)
    for path in (f"/live/{session.id}/staff/state", f"/live/{session.id}/attendance.csv",
                 f"/live/{session.id}/polls.csv", f"/teach/cohorts/{room['cohort']}/grid.csv"):
        response = teacher.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    ana, _ = join(app, room["ana"], session.code)
    assert ana.get(f"/live/{session.id}/state").headers["Cache-Control"] == "no-store"


def test_finding_7_static_files_stay_cacheable(client, make_user, sign_in):
    sign_in(make_user())
    assert "no-store" not in client.get("/static/css/lectern.css").headers.get("Cache-Control", "")


# --- finding 9: NUL, control and bidirectional-override characters -------------------------------

BAD_NAMES = {"A\x00B": "NUL", "Ana\x1b[31m": "U+001B", "Ana\u202eeloW": "U+202E", "Ana\u2066x\u2069": "U+2066",
             "Ana\x85Ruiz": "U+0085"}


def test_finding_9_the_csv_import_refuses_control_and_direction_characters_by_line():
    from app.imports.rows import check_csv
    text = "email,name\n" + "".join(f"p{i}@example.org,{name}\n" for i, name in enumerate(BAD_NAMES)) + \
           "ok@example.org,Ana Ruiz\n"
    result = check_csv(text, existing={}, cohorts={})
    problems = {p.line: p.message for p in result.problems}
    for line, code in enumerate(BAD_NAMES.values(), start=2):
        if code == "U+0085":      # NEL is whitespace to str.split(): it becomes a space, which is harmless
            assert line not in problems
            continue
        assert line in problems and "the name contains" in problems[line], (line, problems)
    assert [row.email for row in result.rows][-1] == "ok@example.org"


def test_finding_9_names_notes_and_cohort_names_refuse_them_with_the_field_named(app, client, make_user, sign_in, csrf_token_from):
    from app.auth import services as accounts
    from app.errors import DomainError, InputRejected
    admin = make_user(roles=("admin",))
    for bad in ("Ana\x1bRuiz", "Ana\u202eRuiz"):
        with pytest.raises(DomainError) as refused:
            accounts.create_user(f"x{len(bad)}@example.org", bad, ["trainee"], password=None, now=utcnow())
        assert "The name contains" in str(refused.value)
        with pytest.raises(DomainError):
            accounts.rename(admin.id, admin.id, bad, now=utcnow())
        with pytest.raises(InputRejected) as refused:
            cohorts.save_cohort(admin.id, None, name=bad, track="live", starts_on=None, ends_on=None,
                                instructor_ids=[], now=utcnow())
        assert refused.value.field == "name"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.display_name.contains("\x1b"))) == 0

    # Through the pages: the form comes back with the message beside the field, and nothing is lost.
    sign_in(make_user())
    lesson = catalog().day_lessons(1)[1]
    key = lesson.reflection_keys[0]
    page = client.get(f"/lessons/{lesson.slug}").get_data(as_text=True)
    response = client.post(f"/lessons/{lesson.slug}/notes/{key}",
                           data={"body": "Line one\nwith a \u202e reversal", "csrf_token": csrf_token_from(page)})
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "The note contains an invisible text-direction control (U+202E)" in text and "Line one" in text

    checklist = catalog().checklist
    item = checklist.items[0]
    page = client.get("/checklist").get_data(as_text=True)
    response = client.post("/checklist", data={"csrf_token": csrf_token_from(page), "initiative_name": "Port\u2067s",
                                               f"note-{item.id}": "fine\tnote"})
    assert response.status_code == 422
    assert "The name contains an invisible text-direction control (U+2067)" in response.get_data(as_text=True)

    # Right-to-left text itself is welcome.
    page = client.get("/checklist").get_data(as_text=True)
    assert client.post("/checklist", data={"csrf_token": csrf_token_from(page), "initiative_name": "عنقود الموانئ",
                                           f"note-{item.id}": "ملاحظة\nثانية"}).status_code == 302


def test_finding_9_answers_sent_as_json_lose_nul_instead_of_breaking_the_database(app, room, join, start, bank_poll):
    teacher, session = start(app, room)
    ana, _ = join(app, room["ana"], session.code)
    poll = bank_poll(teacher, session)
    response = ana.post(f"/live/{session.id}/polls/{poll.id}/answer", json={"answer": "o1\x00\u202e"},
                        headers={"Accept": "application/json"})
    assert response.status_code == 200, response.get_data(as_text=True)
    from app.live.models import LiveAnswer
    stored = db.session.scalars(sa.select(LiveAnswer.answer)).all()
    assert all("\x00" not in json.dumps(a) and "\u202e" not in json.dumps(a) for a in stored)


# --- finding 10: the inputs that answered 500 -----------------------------------------------------

def test_finding_10_json_nested_50000_deep_is_a_bad_request_not_a_500(app, room, join, start, bank_poll):
    deep = "[" * 50_000 + "]" * 50_000
    teacher, session = start(app, room)
    ana, _ = join(app, room["ana"], session.code)
    poll = bank_poll(teacher, session)
    for path in ("/join", f"/live/{session.id}/polls/{poll.id}/answer", f"/live/{session.id}/heartbeat"):
        response = ana.post(path, data=deep, content_type="application/json")
        assert response.status_code < 500, (path, response.status_code)
    huge = json.dumps({"answer": ["o1"] * 200_000})
    response = ana.post(f"/live/{session.id}/polls/{poll.id}/answer", data=huge, content_type="application/json")
    assert response.status_code < 500


def test_finding_10_a_checklist_group_with_a_line_break_saves_and_redirects(client, make_user, sign_in, csrf_token_from):
    sign_in(make_user())
    page = client.get("/checklist").get_data(as_text=True)
    response = client.post("/checklist", data={"csrf_token": csrf_token_from(page), "initiative_name": "Ports",
                                               "group": "x\r\nSet-Cookie: a=b"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/checklist" and "Set-Cookie" not in str(response.headers.get_all("Set-Cookie"))
    group = catalog().checklist.groups[1].id
    response = client.post("/checklist", data={"csrf_token": csrf_token_from(page), "initiative_name": "Ports",
                                               "group": group})
    assert response.headers["Location"] == f"/checklist#group-{group}"


def test_finding_10_audit_dates_at_the_ends_of_the_calendar(client, make_user, sign_in):
    sign_in(make_user(roles=("admin",)))
    for query in ("until=9999-12-31", "since=0001-01-01", "since=0001-01-01&until=9999-12-31", "until=0001-01-01"):
        assert client.get(f"/admin/audit?{query}").status_code == 200, query


# --- finding 11: /healthz, the Server header and slow headers -------------------------------------

def test_finding_11_healthz_tells_strangers_only_up_or_down(app, client, make_user, sign_in):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}
    app.config["LECTERN_HEALTH_TOKEN"] = "monitor-secret"
    assert "database" not in client.get("/healthz", headers={"Authorization": "Bearer wrong"}).json
    detailed = client.get("/healthz", headers={"Authorization": "Bearer monitor-secret"}).json
    assert detailed["database"]["reachable"] is True and detailed["database"]["revision"]
    sign_in(make_user(roles=("admin",)))
    assert client.get("/healthz").json["database"]["backend"] in ("sqlite", "postgresql")


def test_finding_11_no_server_header_and_slow_headers_are_cut_off(database_uri, tmp_path, servers):
    """gunicorn serving clients directly (room mode): no Server header; 300 connections dribbling
    their headers neither slow /healthz nor stay open past LECTERN_HEADER_TIMEOUT."""

    port, log = servers.free_port(), tmp_path / "server.log"
    server = servers.start(database_uri, port, log, env={"LECTERN_HEADER_TIMEOUT": "3"})
    slow: list[socket.socket] = []
    try:
        servers.wait_until_serving(server, port, log)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            assert response.headers.get("Server") is None
        for _ in range(300):
            conn = socket.create_connection(("127.0.0.1", port))
            conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            slow.append(conn)
        started = time.monotonic()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            assert response.status == 200
        assert time.monotonic() - started < 2
        time.sleep(4.5)
        closed = 0
        for conn in slow:
            conn.settimeout(0.5)
            try:
                closed += conn.recv(100) == b""
            except (TimeoutError, OSError):
                pass
        assert closed == len(slow), f"{closed} of {len(slow)} slow connections closed"
    finally:
        for conn in slow:
            conn.close()
        servers.stop(server)


def test_finding_11_a_steady_client_is_not_cut_off(database_uri, tmp_path, servers):
    """The header deadline counts from a request's first byte: a keep-alive connection that sends a
    second request later is served."""

    port, log = servers.free_port(), tmp_path / "server.log"
    server = servers.start(database_uri, port, log, env={"LECTERN_HEADER_TIMEOUT": "2"})
    try:
        servers.wait_until_serving(server, port, log)
        import http.client
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        for _ in range(2):
            conn.request("GET", "/healthz")
            assert conn.getresponse().read() == b'{"status":"ok"}\n'
            time.sleep(1.5)
        conn.close()
    finally:
        servers.stop(server)


def test_finding_10_a_quiz_submit_token_with_non_ascii_text_is_out_of_date_not_a_500(client, make_user, sign_in):
    """Found by the extended fuzzing: secrets.compare_digest refuses non-ASCII str (TypeError)."""
    from app.quizzes import services as quizzes
    user = make_user()
    sign_in(user)
    attempt = quizzes.start_attempt(user.id, catalog().quiz("stage-01"), now=utcnow())
    response = client.post(f"/attempts/{attempt.id}", data={"action": "submit", "token": "Ⅻ"})
    assert response.status_code < 500
