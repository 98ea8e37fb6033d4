"""The real stream engine for tests: the test's app served by uvicorn through app/serving.py in a
thread, and an SSE reader. Streams exist only there (the Flask test client gets 503)."""
from __future__ import annotations

import http.client
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from flask.testing import FlaskClient

from app.serving import LecternASGI, shutdown_hook


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def engine(app: Flask) -> Iterator[tuple[str, LecternASGI]]:
    """(base URL, the ASGI app) of `app` served by uvicorn, as gunicorn's worker serves it."""
    import uvicorn

    port = free_port()
    asgi = LecternASGI(app, page_threads=8)
    config = uvicorn.Config(asgi, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                            proxy_headers=False, timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    shutdown_hook(server, asgi)
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}", asgi
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        asgi.executor.shutdown(wait=True)


class EventStream:
    """An open event stream read event by event (the text of each block, comments included)."""

    def __init__(self, base: str, path: str, client: FlaskClient | None = None, *, timeout: float = 20.0,
                 headers: dict[str, str] | None = None) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
        sent = dict(headers or {})
        if client is not None:
            cookie = client.get_cookie("session")
            if cookie is not None:
                sent["Cookie"] = f"session={cookie.value}"
        self.conn.request("GET", path, headers=sent)
        self.response = self.conn.getresponse()
        self.status = self.response.status
        self.headers = self.response.headers

    def body(self) -> str:
        return self.response.read().decode()

    def next(self, *, comments: bool = False) -> str:
        """The next event block ("event: …\\ndata: …\\n\\n"); raises TimeoutError when none comes."""
        while True:
            lines = []
            while True:
                line = self.response.readline()
                if not line:
                    raise EOFError("the stream ended")
                text = line.decode()
                lines.append(text)
                if text == "\n":
                    break
            block = "".join(lines)
            if comments or not block.startswith(":"):
                return block

    def events(self, count: int) -> list[str]:
        return [self.next() for _ in range(count)]

    def until_end(self) -> list[str]:
        """Every event until the server closes the stream."""
        seen = []
        try:
            while True:
                seen.append(self.next())
        except EOFError:
            return seen

    def close(self) -> None:
        self.conn.close()


def end_reason(events: list[str]) -> str:
    """The reason of the "end" event a stream closed with."""
    assert events and events[-1].startswith("event: end\n"), events[-1:]
    return json.loads(events[-1].split("data: ", 1)[1])["reason"]
