"""Event streams on the real engine (uvicorn + app/serving.py): authority re-checked, caps, fallback."""
import json
import time

import pytest

from app.auth import services as accounts
from app.cohorts import services as cohorts
from app.db import utcnow
from app.extensions import db
from app.live import sessions
from app.live.broker import current_broker

JSON = {"Accept": "application/json"}


def test_streams_end_within_15_s_of_sign_out_deactivation_and_removal(app, room, make_user, join, start, event_stream, end_reason, engine):
    teacher, session = start(app, room)
    carl = make_user(display_name="Carl Removed")
    cohorts.enrol(room["admin"].id, room["cohort"], [carl.id], now=utcnow())
    ana, _ = join(app, room["ana"], session.code)
    ben, _ = join(app, room["ben"], session.code)
    carl_client, _ = join(app, carl, session.code)
    with engine(app) as (base, _asgi):
        streams = {name: event_stream(base, f"/live/{session.id}/events", client)
                   for name, client in (("ana", ana), ("ben", ben), ("carl", carl_client))}
        for stream in streams.values():
            assert stream.status == 200 and stream.next().startswith("retry:") and "event: state" in stream.next()
        started = time.monotonic()
        ana.post("/logout")                                                       # signs out everywhere
        accounts.set_active(room["admin"].id, room["ben"].id, False, now=utcnow())  # deactivated
        cohorts.unenrol(room["admin"].id, room["cohort"], carl.id, now=utcnow())   # removed from the cohort
        reasons = {}
        for name, stream in streams.items():
            events = stream.until_end()
            reasons[name] = end_reason(events)
            stream.close()
        elapsed = time.monotonic() - started
    assert reasons == {"ana": "signed-out", "ben": "signed-out", "carl": "removed"}
    assert elapsed < 15, elapsed


def test_removed_members_are_refused_state_answers_and_heartbeats(app, room, bank_poll, join, start, event_stream, engine):
    teacher, session = start(app, room)
    poll = bank_poll(teacher, session)
    ana, _ = join(app, room["ana"], session.code)
    assert ana.post(f"/live/{session.id}/heartbeat", headers=JSON).status_code == 200
    cohorts.unenrol(room["admin"].id, room["cohort"], room["ana"].id, now=utcnow())
    assert ana.get(f"/live/{session.id}/state", headers=JSON).status_code == 403
    assert ana.post(f"/live/{session.id}/heartbeat", headers=JSON).status_code == 403
    answer = ana.post(f"/live/{session.id}/polls/{poll.id}/answer", json={"answer": poll.question["options"][0]["id"]},
                      headers=JSON)
    assert answer.status_code == 403
    with engine(app) as (base, _asgi):
        stream = event_stream(base, f"/live/{session.id}/events", ana)
        assert stream.status == 403
        stream.close()


def test_a_new_stream_replaces_the_oldest_beyond_the_per_person_cap(app, room, join, start, event_stream, end_reason, engine):
    app.config["LIVE_STREAMS_PER_PERSON"] = 3
    _teacher, session = start(app, room)
    ana, _ = join(app, room["ana"], session.code)
    ben, _ = join(app, room["ben"], session.code)
    with engine(app) as (base, asgi):
        bens = event_stream(base, f"/live/{session.id}/events", ben)
        bens.events(2)
        anas = []
        for _ in range(5):
            stream = event_stream(base, f"/live/{session.id}/events", ana)
            assert stream.status == 200
            stream.events(2)
            anas.append(stream)
        for old in anas[:2]:
            ended = old.until_end()
            assert end_reason(ended) == "replaced"
        assert asgi.hub.counts()["open"] == 4          # Ana's three newest and Ben's one
        for stream in anas + [bens]:
            stream.close()


def test_beyond_the_session_cap_pages_are_told_to_poll(app, room, join, start, event_stream, engine):
    app.config["LIVE_STREAMS_PER_SESSION"] = 2
    _teacher, session = start(app, room)
    ana, _ = join(app, room["ana"], session.code)
    ben, _ = join(app, room["ben"], session.code)
    with engine(app) as (base, _asgi):
        first = event_stream(base, f"/live/{session.id}/events", ana)
        second = event_stream(base, f"/live/{session.id}/events", ana)
        for stream in (first, second):
            stream.events(2)
        refused = event_stream(base, f"/live/{session.id}/events", ben)
        assert refused.status == 503 and refused.headers["Retry-After"]
        assert json.loads(refused.body())["fallback"] == "poll"
        # a person already streaming may still replace their own stream
        again = event_stream(base, f"/live/{session.id}/events", ana)
        assert again.status == 200
        # and the polling fallback works for Ben meanwhile
        assert ben.get(f"/live/{session.id}/state", headers=JSON).get_json()["status"] == "live"
        for stream in (first, second, refused, again):
            stream.close()


def test_closing_the_server_ends_every_stream_at_once(app, room, join, start, event_stream, engine):
    teacher, session = start(app, room)
    ana, _ = join(app, room["ana"], session.code)
    with engine(app) as (base, asgi):
        stream = event_stream(base, f"/live/{session.id}/events", ana)
        staff = event_stream(base, f"/live/{session.id}/staff/events", teacher)
        stream.events(2)
        staff.events(4)
        started = time.monotonic()
        asgi.hub.close_all()
        stream.until_end()
        staff.until_end()
        assert time.monotonic() - started < 2
        stream.close()
        staff.close()


@pytest.mark.parametrize("audience", ["events", "staff/events"])
def test_stream_requests_are_checked_by_flask_first(app, room, audience, login, start, event_stream, engine):
    _teacher, session = start(app, room)
    outsider = login(app, room["outsider"])
    with engine(app) as (base, _asgi):
        anonymous = event_stream(base, f"/live/{session.id}/{audience}")
        assert anonymous.status == 302 and "/login" in anonymous.headers["Location"]
        refused = event_stream(base, f"/live/{session.id}/{audience}", outsider)
        assert refused.status in (403, 404)
        for stream in (anonymous, refused):
            stream.close()


def test_a_flood_of_opens_is_refused_before_flask_and_holds_three_streams(app, room, join, start, event_stream, engine):
    app.config["LIVE_STREAM_OPENS_PER_MINUTE"] = 10
    _teacher, session = start(app, room)
    ana, _ = join(app, room["ana"], session.code)
    ben, _ = join(app, room["ben"], session.code)
    with engine(app) as (base, asgi):
        opened = [event_stream(base, f"/live/{session.id}/events", ana) for _ in range(14)]
        assert [s.status for s in opened] == [200] * 10 + [429] * 4
        assert asgi.hub.counts()["open"] == 3                      # each new one replaced the oldest
        other = event_stream(base, f"/live/{session.id}/events", ben)   # nobody else is refused
        assert other.status == 200
        for stream in opened + [other]:
            stream.close()


@pytest.mark.redis
def test_the_per_person_cap_counts_every_process(app, room, database_uri, join, start, event_stream, redis_url, end_reason, engine):
    """Two processes (two apps sharing Redis and the database): a person's fourth stream, wherever
    it opens, ends their oldest, wherever that is."""
    from app import create_app

    _teacher, session = start(app, room)
    ana, _ = join(app, room["ana"], session.code)
    settings = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "REDIS_URL": redis_url,
                "SECRET_KEY": app.config["SECRET_KEY"], "LIVE_STREAMS_PER_PERSON": 3}
    one, two = create_app(settings), create_app(settings)
    with engine(one) as (base_one, asgi_one), engine(two) as (base_two, asgi_two):
        opened = []
        for base in (base_one, base_two, base_one, base_two):
            stream = event_stream(base, f"/live/{session.id}/events", ana)
            assert stream.status == 200
            stream.events(2)
            opened.append(stream)
            time.sleep(0.3)
        ended = opened[0].until_end()
        assert end_reason(ended) == "replaced"
        deadline = time.monotonic() + 5
        while asgi_one.hub.counts()["open"] + asgi_two.hub.counts()["open"] > 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert asgi_one.hub.counts()["open"] + asgi_two.hub.counts()["open"] == 3
        for stream in opened:
            stream.close()
    for instance in (one, two):
        with instance.app_context():
            from app.extensions import db

            db.engine.dispose()


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_gunicorn_stops_at_once_with_a_stream_open(app, room, database_uri, tmp_path, signal_name, start, servers):
    """A restart (SIGTERM) or Ctrl-C (SIGINT, which gunicorn passes on as SIGQUIT) ends open streams
    and stops the worker in seconds, not after the graceful timeout."""
    import http.client
    import signal as signals


    ana_id, ana_email = room["ana"].id, room["ana"].email
    _teacher, session = start(app, room)
    session_id = session.id
    sessions.join(current_broker(), ana_id, session.code, now=utcnow())
    db.session.remove()
    port, log = servers.free_port(), tmp_path / "server.log"
    server = servers.start(database_uri, port, log)
    try:
        servers.wait_until_serving(server, port, log)
        browser = servers.Browser("10.0.9.1")
        browser.sign_in(f"http://127.0.0.1:{port}", ana_email)
        cookie = "; ".join(f"{c.name}={c.value}" for c in browser.jar)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", f"/live/{session_id}/events", headers={"Cookie": cookie, "X-Forwarded-For": "10.0.9.1"})
        response = conn.getresponse()
        try:
            head = b"".join(response.readline() for _ in range(4))
            assert response.status == 200 and b"event: state" in head
            started = time.monotonic()
            server.send_signal(getattr(signals, signal_name))
            assert response.read() is not None           # the stream ends (the server closes it)
            server.wait(timeout=15)
            assert time.monotonic() - started < 10, log.read_text()[-2000:]
        finally:
            response.close()
            conn.close()
    finally:
        servers.stop(server)
