"""How Lectern is served: one ASGI application per process (asgi.py), under gunicorn with a
uvicorn worker (gunicorn.conf.py).

- Pages: every request but an event stream goes to the Flask app, run whole in a pool of
  `LECTERN_PAGE_THREADS` threads (the WSGI environ built by a2wsgi). Pages never share that pool
  with streams.
- Event streams (`/live/<id>/events`, `/live/<id>/staff/events`): the same Flask app checks the
  request first (in the pool; app/live/streams.py `admit`), then the event loop holds the stream
  (app/live/streams.py `Hub`): an idle stream costs a coroutine, not a thread.
- On SIGTERM every stream ends at once (browsers reconnect, to this server once restarted or to
  another worker), then the server stops as uvicorn does.
"""
from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, cast

from a2wsgi.wsgi import build_environ
from flask import Flask

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse

from app.live.streams import ENGINE_KEY, TICKET_KEY, Hub, Receive, Send, serve_stream

STREAM_PATH = re.compile(r"^/live/\d{1,10}/(staff/)?events$")


class LecternASGI:
    """Pages through Flask in a thread pool; event streams on the event loop."""

    def __init__(self, flask_app: Flask, page_threads: int | None = None) -> None:
        threads = page_threads or int(flask_app.config.get("LECTERN_PAGE_THREADS", 4))
        self.flask_app = flask_app
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="lectern-page")
        self.body_limit = int(flask_app.config.get("MAX_CONTENT_LENGTH") or 16 * 1024 * 1024)
        self.hub = Hub(flask_app, self.executor)
        flask_app.extensions["lectern_stream_hub"] = self.hub

    async def __call__(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET" and STREAM_PATH.match(scope["path"]):
            await self._stream(scope, receive, send)
        elif scope["type"] == "http":
            await self._page(scope, receive, send)
        elif scope["type"] == "lifespan":
            await self._lifespan(receive, send)

    async def _page(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        """One Flask request, run whole in the pool: one hand-over there and one back (a2wsgi's
        bridge waits on the loop for every message, which cost a third more CPU per request)."""
        body = await self._read_body(receive)
        environ = cast(dict[str, Any], build_environ(cast(Any, scope), cast(Any, io.BytesIO(body))))  # a sync body: Flask runs in a thread
        status, headers, content = await asyncio.get_running_loop().run_in_executor(
            self.executor, self._call_flask, environ)
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    async def _read_body(self, receive: Receive) -> bytes:
        """The request body, up to MAX_CONTENT_LENGTH and a byte (Flask answers 413 beyond it)."""
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b""
            chunk = message.get("body", b"")
            if size <= self.body_limit:
                chunks.append(chunk)
                size += len(chunk)
            if not message.get("more_body"):
                return b"".join(chunks)

    def _call_flask(self, environ: dict[str, Any]) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        started: dict[str, Any] = {}

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            started["status"], started["headers"] = int(status.split(" ", 1)[0]), headers

        body = self.flask_app(environ, cast("StartResponse", start_response))
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        headers = [(k.lower().encode("latin1"), v.encode("latin1")) for k, v in started["headers"]]
        return started["status"], headers, content

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                from app.workbook.background import prepare

                prepare(self.flask_app)   # the workbook, in the background (one worker per host builds)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                self.hub.close_all()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _stream(self, scope: dict[str, Any], receive: Receive, send: Send) -> None:
        """Flask checks the request (in the pool); then the stream, or Flask's own answer."""
        if not self.hub.opens.allow(_browser_key(scope), time.monotonic()):
            body = b'{"error": "Too many requests", "message": "Too many event streams opened.", "fallback": "poll"}'
            await send({"type": "http.response.start", "status": 429, "headers": [
                (b"content-type", b"application/json"), (b"retry-after", b"60"),
                (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        environ = cast(dict[str, Any], build_environ(cast(Any, scope), cast(Any, io.BytesIO(b""))))
        environ[ENGINE_KEY] = True
        status, headers, content = await asyncio.get_running_loop().run_in_executor(
            self.executor, self._call_flask, environ)
        ticket = environ.get(TICKET_KEY)
        if ticket is None or status != 200:
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": content})
            return
        await serve_stream(self.hub, ticket, headers, receive, send)


def _browser_key(scope: dict[str, Any]) -> str:
    """Who opens a stream, before Flask knows: the session cookie (else the client address)."""
    cookie = next((v for k, v in scope.get("headers", []) if k == b"cookie"), b"")
    session = next((part.strip() for part in cookie.split(b";") if part.strip().startswith(b"session=")), b"")
    who = session or str((scope.get("client") or ("?",))[0]).encode()
    return hashlib.sha256(who).hexdigest()[:24]


def shutdown_hook(server: Any, app: Any) -> None:
    """Make uvicorn end the streams first when it is asked to stop (they would hold it open)."""
    original = server.shutdown

    async def shutdown(sockets: Any = None) -> None:
        if isinstance(app, LecternASGI):
            app.hub.close_all()
            await asyncio.sleep(0.05)
        await original(sockets=sockets)

    server.shutdown = shutdown


HEADER_TIMEOUT = float(os.environ.get("LECTERN_HEADER_TIMEOUT", "20"))


def _protocol_class() -> type:
    """uvicorn's HTTP protocol with a deadline for request headers. Facing clients directly (room
    mode, no nginx in front), a client that sends its headers a byte at a time ("slowloris") holds
    a connection for ever; on the event loop it costs no thread, but each is a file descriptor. A
    request whose headers are not complete LECTERN_HEADER_TIMEOUT seconds (20, Apache's
    mod_reqtimeout default) after its first byte, or after the connection opened, is cut off.
    Idle keep-alive connections already close after gunicorn's `keepalive`."""
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

    class HeaderDeadlineProtocol(HttpToolsProtocol):
        _header_timer: asyncio.TimerHandle | None = None

        def _start_header_timer(self) -> None:
            if self._header_timer is None:
                self._header_timer = self.loop.call_later(HEADER_TIMEOUT, self._headers_too_slow)

        def _stop_header_timer(self) -> None:
            if self._header_timer is not None:
                self._header_timer.cancel()
                self._header_timer = None

        def _headers_too_slow(self) -> None:
            self._header_timer = None
            if not self.transport.is_closing():
                self.transport.close()

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._start_header_timer()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._start_header_timer()

        def on_headers_complete(self) -> None:
            self._stop_header_timer()
            super().on_headers_complete()

        def connection_lost(self, exc: Exception | None) -> None:
            self._stop_header_timer()
            super().connection_lost(exc)

    return HeaderDeadlineProtocol


def _worker_class() -> type:
    import signal
    import sys

    from gunicorn.arbiter import Arbiter
    from uvicorn.server import Server
    from uvicorn_worker import UvicornWorker

    class Worker(UvicornWorker):
        """uvicorn under gunicorn, serving a LecternASGI (a Flask app given as `wsgi:app` is wrapped);
        X-Forwarded-* are left to Flask (LECTERN_TRUSTED_PROXIES); streams end first on shutdown."""

        wsgi: Any  # set by gunicorn: the loaded application

        CONFIG_KWARGS = {"loop": "auto", "http": _protocol_class(), "proxy_headers": False,
                         "timeout_graceful_shutdown": 20, "server_header": False}

        def init_signals(self) -> None:
            super().init_signals()
            # uvicorn takes SIGTERM and SIGINT while it serves, then raises the signal again once it
            # has stopped. With the default disposition (what uvicorn-worker sets) that second
            # SIGTERM kills the process before gunicorn's worker_exit hook runs, and jobs running in
            # this worker would not be marked interrupted (app/jobs/services.py). A no-op handler
            # lets the worker return and exit normally.
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: None)

        def handle_exit(self, sig: int, frame: Any) -> None:
            """SIGQUIT from the master (its SIGINT or SIGQUIT): stop serving now. gunicorn's own
            handler only clears a flag that uvicorn never reads, so the worker sat until SIGKILL."""
            super().handle_exit(sig, frame)
            server = getattr(self, "uvicorn_server", None)
            if server is not None:
                server.should_exit = True

        async def _serve(self) -> None:
            # `gunicorn … wsgi:app` loads the Flask app itself: serve it the same way as asgi:app
            if isinstance(self.wsgi, Flask):
                self.wsgi = LecternASGI(self.wsgi)
            self.config.app = self.wsgi
            server = Server(config=self.config)
            self.uvicorn_server = server
            shutdown_hook(server, self.wsgi)
            self._install_sigquit_handler()
            await server.serve(sockets=self.sockets)
            if not server.started:
                sys.exit(Arbiter.WORKER_BOOT_ERROR)

    return Worker


def __getattr__(name: str) -> Any:
    # gunicorn imports "app.serving.Worker"; everything else here needs neither gunicorn nor uvicorn
    if name == "Worker":
        return _worker_class()
    raise AttributeError(name)
