"""Server-Sent Events for live sessions.

A stream subscribes first, then reads the current state from the database and sends it, so
nothing published in between is missed and a reconnecting browser (EventSource sends
Last-Event-ID) always starts from the truth. Event ids are session versions. The stream holds
no database connection while it waits; every KEEPALIVE seconds it sends a comment (which also
detects closed connections) and compares the session's version in the database with the last
one sent, catching up if a notification was lost. After MAX_STREAM seconds it ends and the
browser reconnects, so threads held by vanished clients come back.
"""
from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa
from flask import Flask

from app.extensions import db
from app.live.broker import SHUTDOWN, LocalBroker
from app.live.models import LiveSession

KEEPALIVE = 15.0
MAX_STREAM = 300.0
STAFF_COALESCE = 0.15      # answers arriving together become one tally event
RETRY_MS = 2000


def sse(event: str, data: str, event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {event}\ndata: {data}\n\n"


@functools.lru_cache(maxsize=8)
def _people(data: str) -> tuple[int | None, int | None, dict[str, Any]]:
    """A "personal" message's payload, parsed once per process however many streams pass it on."""
    value = json.loads(data)
    return value.get("version"), value.get("poll"), value.get("people") or {}


def personal_event(message_data: str, user_id: int) -> str:
    """This person's part of a "personal" message, and nobody else's."""
    version, poll, people = _people(message_data)
    mine = people.get(str(user_id)) or {"verdict": "", "me": ""}
    return sse("personal", json.dumps({"version": version, "poll": poll, **mine}, separators=(",", ":")))


def live_stream(app: Flask, broker: LocalBroker, session_id: int, *, staff: bool,
                read_state: Callable[[], dict[str, Any]],
                read_staff: Callable[[str], dict[str, Any]] | None = None,
                user_id: int | None = None, max_seconds: float = MAX_STREAM) -> Iterator[str]:
    """Yield SSE text until the session ends, the client goes or max_seconds pass.

    read_state() reads the class state; read_staff(kind) reads a staff event's payload ("tally" or
    "presence"). Both run inside a fresh app context and release their connection afterwards. A
    participant's stream (user_id given) also passes on that person's part of "personal" messages.
    """

    def in_context(fn: Callable[..., dict[str, Any]], *args: Any) -> dict[str, Any]:
        with app.app_context():
            try:
                return fn(*args)
            finally:
                db.session.remove()

    def db_version() -> int:
        with app.app_context():
            try:
                return int(db.session.scalar(sa.select(LiveSession.version).where(LiveSession.id == session_id)) or 0)
            finally:
                db.session.remove()

    sub = broker.subscribe(session_id, staff=staff)
    try:
        yield f"retry: {RETRY_MS}\n\n"
        state = in_context(read_state)
        version = state["version"]
        yield sse("state", json.dumps(state, separators=(",", ":")), version)
        if staff and read_staff is not None:
            yield sse("presence", json.dumps(in_context(read_staff, "presence")))
            yield sse("tally", json.dumps(in_context(read_staff, "tally")))
        if state["status"] == "ended":
            return
        deadline = time.monotonic() + max_seconds
        next_check = time.monotonic() + KEEPALIVE
        pending: set[str] = set()
        flush_at = 0.0
        while time.monotonic() < deadline:
            now = time.monotonic()
            wait = min(next_check, flush_at if pending else next_check, deadline) - now
            message = sub.get(timeout=wait)
            if message is not None:
                if message.kind == SHUTDOWN:
                    return
                if message.kind == "state":
                    if message.version > version:   # older or repeated news is skipped
                        version = message.version
                        yield sse("state", message.data, version)
                        if message.final:
                            return
                elif message.kind == "personal":
                    if user_id is not None and not staff:
                        yield personal_event(message.data, user_id)
                elif staff and read_staff is not None:
                    kind = "tally" if message.kind == "answers" else message.kind
                    if not pending:
                        flush_at = time.monotonic() + STAFF_COALESCE
                    pending.add(kind)
                continue_waiting = True
            else:
                continue_waiting = False
            now = time.monotonic()
            if pending and now >= flush_at:
                for kind in sorted(pending):
                    yield sse(kind, json.dumps(in_context(read_staff, kind)))  # type: ignore[arg-type]
                pending.clear()
            if not continue_waiting and now >= next_check:
                next_check = now + KEEPALIVE
                if db_version() > version:
                    state = in_context(read_state)
                    version = state["version"]
                    yield sse("state", json.dumps(state, separators=(",", ":")), version)
                    if state["status"] == "ended":
                        return
                else:
                    yield ": keepalive\n\n"
    finally:
        sub.close()
