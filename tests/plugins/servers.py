"""Plugin: servers a test talks to over sockets: a tiny SMTP server, the stream engine (uvicorn
through app/serving.py, tests/plugins/engine.py), real gunicorn (tests/plugins/gunicorn.py) and Redis."""
from __future__ import annotations

import socketserver
import threading

import pytest

from tests.plugins import gunicorn
from tests.plugins.engine import EventStream, end_reason, engine
from tests.plugins.flask_app import TEST_REDIS_URL, redis_up


class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        in_data, lines = False, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode().rstrip("\r\n")
            if in_data:
                if line == ".":
                    self.server.messages.append("\n".join(lines))
                    in_data, lines = False, []
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(line)
                continue
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250 test\r\n")
            elif verb == "DATA":
                in_data = True
                self.wfile.write(b"354 go ahead\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def servers():
    """Real gunicorn on the test database (tests/plugins/gunicorn.py: free_port, start,
    wait_until_serving, stop, worker_pids, Browser, attempt_form, ROOT)."""
    return gunicorn


@pytest.fixture(scope="session", name="engine")
def engine_fixture():
    """`with engine(app) as (base_url, asgi):` the app served by uvicorn through app/serving.py."""
    return engine


@pytest.fixture(scope="session")
def event_stream():
    """`event_stream(base, path, client, headers=…)`: an SSE reader (tests/plugins/engine.py EventStream)."""
    return EventStream


@pytest.fixture(scope="session", name="end_reason")
def end_reason_fixture():
    """`end_reason(events)`: why an event stream ended, from its last events."""
    return end_reason


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked `redis` skip when no Redis answers at TEST_REDIS_URL."""
    if item.get_closest_marker("redis") and not redis_up():
        pytest.skip(f"no Redis at {TEST_REDIS_URL}")


@pytest.fixture(scope="session")
def redis_url() -> str:
    """The Redis the `redis`-marked tests use (database 0 of 127.0.0.1:6379)."""
    return TEST_REDIS_URL
