"""Live event streams, held by the event loop instead of threads (docs/LIVE.md, "Serving streams").

Pages are Flask requests run in a small pool of threads (app/serving.py). An open event stream
costs no thread: it is a coroutine waiting on its mailbox, so a room of 1,000 is 1,000 small
objects, and pages never wait behind streams.

A stream request first goes through Flask like any page (sign-in, membership, same origin, rate
limits): the view leaves a `Ticket` in the WSGI environ (`admit`) instead of a body. The `Hub` of
the process then takes over:

- caps: at most `LIVE_STREAMS_PER_PERSON` streams per person and session (a new one replaces the
  oldest, which is told "replaced"), `LIVE_STREAMS_PER_SESSION` per session and
  `LIVE_STREAMS_PER_PROCESS` per process; beyond them the answer is 503 with Retry-After, and the
  page falls back to polling the state endpoint;
- one broker listener per session, handed over to the loop, fanning each message out to that
  session's streams; the SSE text of a message is made once for all of them;
- the latest class state per session, read from the database once per version and shared by
  every stream that opens meanwhile;
- a timer per session at the open poll's countdown time-up (deadline plus grace), which closes the
  poll through polls.close_expired in the pool; every process with streams on the session does it,
  and the conditional UPDATE there lets exactly one close and publish;
- every `LIVE_RECHECK_SECONDS` (5 by default), per session, one read of who may still listen
  (active, signed in with the same session epoch, still a member or staff of the cohort) and of
  the session's version; streams whose person may not are ended with an "end" event, and a lost
  notification is caught up.

Each stream sends a keep-alive comment after KEEPALIVE quiet seconds; a closed connection is seen
at once (the server reports the disconnect) and the stream is dropped.
"""
from __future__ import annotations

import asyncio
import collections
import functools
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, jsonify, request

from app.live.broker import SHUTDOWN, Message

log = logging.getLogger(__name__)

ENGINE_KEY = "lectern.streams"        # in the WSGI environ: the stream engine serves this request
TICKET_KEY = "lectern.stream_ticket"  # set by admit(): the Flask checks passed
KEEPALIVE = 15.0
STAFF_COALESCE = 0.15                 # answers arriving together become one tally event
QNA_COALESCE = 1.0                    # a participant gets at most one "qna" list a second (the latest)
RETRY_MS = 2000

Send = Callable[[dict[str, Any]], Awaitable[None]]
Receive = Callable[[], Awaitable[dict[str, Any]]]


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


# --- admission (inside the Flask request) ---------------------------------------------------

@dataclass(frozen=True)
class Ticket:
    session_id: int
    user_id: int
    epoch: int
    staff: bool


def admit(session_id: int, user_id: int, epoch: int, *, staff: bool) -> Response:
    """The end of a stream view: the checks passed, the engine may open the stream. Without the
    engine (Flask's development server, the test client) there are no streams: 503, and pages poll."""
    if not request.environ.get(ENGINE_KEY):
        response = jsonify(error="No event streams here", message="Event streams are served by the live engine "
                           "(make run); this page checks for changes every few seconds instead.", fallback="poll")
        response.status_code = 503
        response.headers["Retry-After"] = "60"
        return response
    request.environ[TICKET_KEY] = Ticket(session_id, user_id, epoch, staff)
    return Response(status=200)


# --- reads, run in the pool with an app context ----------------------------------------------

def _in_context(app: Flask, fn: Callable[..., Any], *args: Any) -> Any:
    from app.extensions import db

    with app.app_context():
        try:
            return fn(*args)
        finally:
            db.session.remove()


def _read_class_state(session_id: int) -> dict[str, Any]:
    from app.content.catalog import catalog
    from app.live import screens, sessions

    session = sessions.get_session(session_id)
    return screens.class_state(session, screens.current_poll(session_id), catalog())


def _read_staff(session_id: int, kind: str) -> dict[str, Any]:
    from app.content.catalog import catalog
    from app.db import utcnow
    from app.live import screens, sessions

    return screens.staff_payload(sessions.get_session(session_id), kind, catalog(), now=utcnow())


def _close_expired(session_id: int) -> bool:
    from app.db import utcnow
    from app.live import polls
    from app.live.broker import current_broker

    return polls.close_expired(current_broker(), session_id, now=utcnow())


def _read_authority(session_id: int, user_ids: list[int]):
    from app.live import sessions

    return sessions.stream_authority(session_id, user_ids)


# --- the engine -----------------------------------------------------------------------------

@dataclass(frozen=True)
class End:
    reason: str   # "signed-out", "removed", "replaced", "ended", "shutdown", "gone"


@dataclass(frozen=True)
class Outgoing:
    """A broker message with its SSE text made once for every stream."""

    message: Message
    text: bytes


class Stream:
    """One open event stream: a mailbox and the loop that writes it out."""

    staff = False

    def __init__(self, room: Room, ticket: Ticket) -> None:
        self.room, self.ticket = room, ticket
        self.mailbox: asyncio.Queue[Outgoing | End] = asyncio.Queue()
        self.version = 0
        self.opened_at = time.monotonic()
        self.id = uuid.uuid4().hex

    def offer(self, item: Outgoing | End) -> None:
        self.mailbox.put_nowait(item)

    async def run(self, send: Send) -> str:
        """Write events until the stream ends; returns why it ended."""
        async def write(text: str | bytes) -> None:
            await send({"type": "http.response.body", "body": text if isinstance(text, bytes) else text.encode(),
                        "more_body": True})

        await write(f"retry: {RETRY_MS}\n\n")
        version, state_text, ended = await self.room.current_state()
        self.version = version
        await write(state_text)
        await self.opening(write)
        if ended:
            return "ended"
        while True:
            try:
                item = await asyncio.wait_for(self.mailbox.get(), timeout=self.wait_for())
            except TimeoutError:
                if await self.on_quiet(write):
                    continue
                await write(": keepalive\n\n")
                continue
            if isinstance(item, End):
                if item.reason not in ("gone", "shutdown"):
                    await write(sse("end", json.dumps({"reason": item.reason})))
                return item.reason
            message = item.message
            if message.kind == "state":
                if message.version > self.version:   # older or repeated news is skipped
                    self.version = message.version
                    await write(item.text)
                    if message.final:
                        return "ended"
            else:
                await self.on_message(item, write)

    def wait_for(self) -> float:
        return KEEPALIVE

    async def opening(self, write: Callable[[str | bytes], Awaitable[None]]) -> None:
        """What a new stream sends after the state."""

    async def on_message(self, item: Outgoing, write: Callable[[str | bytes], Awaitable[None]]) -> None:
        """A message other than "state"."""

    async def on_quiet(self, write: Callable[[str | bytes], Awaitable[None]]) -> bool:
        """The wait ran out; True when something was sent instead of a keep-alive."""
        return False


class ParticipantStream(Stream):
    """A participant's page: the class state, this person's own part of "personal" messages, and
    the room's Q&A list ("qna", app/live/qna.py): the latest one at most every QNA_COALESCE seconds."""

    def __init__(self, room: Room, ticket: Ticket) -> None:
        super().__init__(room, ticket)
        self.qna: Outgoing | None = None
        self.qna_sent = 0.0

    def wait_for(self) -> float:
        if self.qna is not None:
            return max(self.qna_sent + QNA_COALESCE - time.monotonic(), 0.0)
        return KEEPALIVE

    async def on_message(self, item: Outgoing, write: Callable[[str | bytes], Awaitable[None]]) -> None:
        if item.message.kind == "personal":
            await write(personal_event(item.message.data, self.ticket.user_id))
        elif item.message.kind == "qna":
            self.qna = item                     # each list holds the whole list: only the latest matters
            if time.monotonic() >= self.qna_sent + QNA_COALESCE:
                await self.on_quiet(write)

    async def on_quiet(self, write: Callable[[str | bytes], Awaitable[None]]) -> bool:
        if self.qna is None:
            return False
        await write(self.qna.text)
        self.qna, self.qna_sent = None, time.monotonic()
        return True


class StaffStream(Stream):
    """Presenter and projector: the class state plus tallies and presence, coalesced."""

    staff = True

    def __init__(self, room: Room, ticket: Ticket) -> None:
        super().__init__(room, ticket)
        self.pending: set[str] = set()
        self.flush_at = 0.0

    def wait_for(self) -> float:
        if self.pending:
            return max(self.flush_at - time.monotonic(), 0.0)
        return KEEPALIVE

    async def opening(self, write: Callable[[str | bytes], Awaitable[None]]) -> None:
        for kind in ("presence", "tally"):
            await write(sse(kind, json.dumps(await self.room.read_staff(kind))))

    async def on_message(self, item: Outgoing, write: Callable[[str | bytes], Awaitable[None]]) -> None:
        kind = "tally" if item.message.kind == "answers" else item.message.kind
        if kind not in ("tally", "presence", "qna"):
            return
        if not self.pending:
            self.flush_at = time.monotonic() + STAFF_COALESCE
        self.pending.add(kind)
        if time.monotonic() >= self.flush_at:
            await self.on_quiet(write)

    async def on_quiet(self, write: Callable[[str | bytes], Awaitable[None]]) -> bool:
        if not self.pending:
            return False
        for kind in sorted(self.pending):
            # "qna": staff pages fetch their own list (with names); the room's list is not for them
            await write(sse(kind, "{}" if kind == "qna" else json.dumps(await self.room.read_staff(kind))))
        self.pending.clear()
        return True


class Room:
    """The streams of one session in this process, its broker listener and its shared state."""

    def __init__(self, hub: Hub, session_id: int) -> None:
        self.hub, self.session_id = hub, session_id
        self.streams: list[Stream] = []
        self.subscription: Any = None
        self.state: tuple[int, bytes, bool] | None = None   # version, SSE text, ended
        self.state_read: asyncio.Future[tuple[int, bytes, bool]] | None = None
        self.checker: asyncio.Task[None] | None = None
        self.timed: tuple[int, str] | None = None      # the open poll whose countdown is armed: (id, closes_at)
        self.timer: asyncio.TimerHandle | None = None
        self.wake = asyncio.Event()     # "recheck": look at who may listen now, not at the next interval

    # state shared by every stream of the session
    async def current_state(self) -> tuple[int, bytes, bool]:
        if self.state is not None:
            return self.state
        if self.state_read is None or self.state_read.done():
            self.state_read = asyncio.ensure_future(self._read_state())
        return await asyncio.shield(self.state_read)

    async def _read_state(self) -> tuple[int, bytes, bool]:
        state = await self.hub.run(_read_class_state, self.session_id)
        read = (state["version"], sse("state", json.dumps(state, separators=(",", ":")), state["version"]).encode(),
                state["status"] == "ended")
        if self.state is None or read[0] >= self.state[0]:
            self.state = read
            self.arm(state.get("poll"))
        return self.state

    # a poll's countdown: close it at time-up, whether or not anyone posts anything
    def arm(self, poll: dict[str, Any] | None) -> None:
        """Set (or move, or cancel) the timer for the open poll's countdown, from a state's "poll"."""
        from app.live.rules import COUNTDOWN_GRACE

        target = ((int(poll["id"]), str(poll["closes_at"]))
                  if poll and poll.get("status") == "open" and poll.get("closes_at") else None)
        if target == self.timed and (self.timer is not None or target is None):
            return
        self.disarm()
        self.timed = target
        if target is None or not self.streams:
            return
        until = datetime.fromisoformat(target[1]) + COUNTDOWN_GRACE
        delay = max((until - datetime.now(UTC)).total_seconds(), 0.0) + 0.05
        self.timer = asyncio.get_running_loop().call_later(delay, self._time_up, target)

    def disarm(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        self.timer = None

    def _time_up(self, target: tuple[int, str]) -> None:
        self.timer = None
        asyncio.ensure_future(self._close(target))

    async def _close(self, target: tuple[int, str]) -> None:
        try:
            if await self.hub.run(_close_expired, self.session_id):
                return         # this process closed it; its "state" message disarms every room
        except Exception:  # the database is away: try again below
            log.warning("closing an expired poll failed for session %s", self.session_id, exc_info=True)
        if self.timed == target and self.timer is None and self.streams:
            # not closed (another process's news not here yet, clocks apart): look again shortly
            self.timer = asyncio.get_running_loop().call_later(1.0, self._time_up, target)

    async def read_staff(self, kind: str) -> dict[str, Any]:
        return await self.hub.run(_read_staff, self.session_id, kind)

    # messages from the broker, on the loop
    def dispatch(self, message: Message) -> None:
        if message.kind == SHUTDOWN:
            for stream in list(self.streams):
                stream.offer(End("shutdown"))
            return
        if message.kind == "recheck":     # someone lost access (a guest removed): end their stream now
            self.wake.set()
            return
        if message.kind == "replace":     # another process took a person's newest stream
            ids = set(json.loads(message.data).get("streams", ()))
            for stream in [s for s in self.streams if s.id in ids]:
                self.hub.remove(stream)
                stream.offer(End("replaced"))
            return
        if message.kind == "state":
            text = sse("state", message.data, message.version).encode()
            if self.state is None or message.version >= self.state[0]:
                self.state = (message.version, text, message.final)
                try:
                    self.arm(json.loads(message.data).get("poll"))
                except (ValueError, AttributeError):
                    log.warning("unreadable state message for session %s", self.session_id)
            outgoing = Outgoing(message, text)
        elif message.kind == "qna":
            outgoing = Outgoing(message, sse("qna", message.data).encode())
        else:
            outgoing = Outgoing(message, b"")
        for stream in self.streams:
            if message.audience == "class" or stream.staff:
                stream.offer(outgoing)

    async def check_authority(self) -> None:
        """Now and then: end the streams of people who may no longer listen; catch up lost news."""
        interval = float(self.hub.setting("LIVE_RECHECK_SECONDS"))
        while self.streams:
            try:
                await asyncio.wait_for(self.wake.wait(), interval)
            except TimeoutError:
                pass
            self.wake.clear()
            if not self.streams:
                return
            checked = list(self.streams)   # streams opening during the read are checked next time
            try:
                authority = await self.hub.run(_read_authority, self.session_id,
                                               [s.ticket.user_id for s in checked])
            except Exception:  # the database is away: try again next time
                log.warning("live stream check failed for session %s", self.session_id, exc_info=True)
                continue
            for stream in checked:
                listener = authority.people.get(stream.ticket.user_id)
                if listener is None or listener.epoch != stream.ticket.epoch:
                    stream.offer(End("signed-out"))
                elif not (listener.staff if stream.staff else listener.participant):
                    stream.offer(End("removed"))
            if self.state is None or authority.version > self.state[0]:
                self.state = None
                version, text, ended = await self.current_state()
                for stream in list(self.streams):
                    stream.offer(Outgoing(Message(self.session_id, "class", "state", "", version, ended), text))


class OpenRate:
    """Stream opens per browser (its session cookie) and address, counted in this process before
    Flask runs: a flood of opens from one person is answered 429 for microseconds each instead of
    a Flask request each (the per-person limit in the view counts across processes)."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self.hits: dict[str, collections.deque[float]] = {}

    def allow(self, key: str, now: float) -> bool:
        if len(self.hits) > 20_000:   # forget browsers quiet for a minute
            self.hits = {k: q for k, q in self.hits.items() if q and now - q[-1] < 60.0}
        recent = self.hits.setdefault(key, collections.deque())
        while recent and now - recent[0] >= 60.0:
            recent.popleft()
        if len(recent) >= self.per_minute:
            return False
        recent.append(now)
        return True


class Hub:
    """Every open stream of this process (one per ASGI app, i.e. per worker process)."""

    def __init__(self, app: Flask, executor: Executor) -> None:
        self.app, self.executor = app, executor
        self.rooms: dict[int, Room] = {}
        self.open = 0
        self.opens = OpenRate(int(app.config.get("LIVE_STREAM_OPENS_PER_MINUTE", 20)))

    def setting(self, name: str) -> Any:
        return self.app.config[name]

    async def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(_in_context, self.app, fn, *args))

    def _mine(self, ticket: Ticket) -> list[Stream]:
        room = self.rooms.get(ticket.session_id)
        return [s for s in room.streams if s.ticket.user_id == ticket.user_id and s.staff == ticket.staff] if room else []

    def _full(self, ticket: Ticket) -> bool:
        room = self.rooms.get(ticket.session_id)
        return (self.open >= int(self.setting("LIVE_STREAMS_PER_PROCESS"))
                or (room is not None and len(room.streams) >= int(self.setting("LIVE_STREAMS_PER_SESSION"))))

    def refuse(self, ticket: Ticket) -> str | None:
        """Why a new stream cannot open now, or None. At a cap, someone who already has a stream
        may still open one (it replaces their oldest); anyone else is sent to polling."""
        if self._full(ticket) and not self._mine(ticket):
            if self.open >= int(self.setting("LIVE_STREAMS_PER_PROCESS")):
                return "This server holds as many live streams as it can"
            return "This session has as many live streams as it can take"
        return None

    async def add(self, ticket: Ticket) -> Stream:
        room = self.rooms.get(ticket.session_id)
        if room is None:
            room = self.rooms[ticket.session_id] = Room(self, ticket.session_id)
            room.subscription = await self._subscribe(room)
        mine = self._mine(ticket)
        keep = int(self.setting("LIVE_STREAMS_PER_PERSON")) - 1
        if self._full(ticket):
            keep = min(keep, len(mine) - 1)   # at a cap: replace, never add
        for old in mine[:max(len(mine) - keep, 0)]:
            self.remove(old)
            old.offer(End("replaced"))
        stream = (StaffStream if ticket.staff else ParticipantStream)(room, ticket)
        room.streams.append(stream)
        self.open += 1
        if room.checker is None or room.checker.done():
            room.checker = asyncio.ensure_future(room.check_authority())
        asyncio.ensure_future(self._claim(stream))
        return stream

    async def _claim(self, stream: Stream) -> None:
        """With several processes (Redis), the per-person cap counts every process's streams: the
        oldest beyond it are told to end wherever they are."""
        broker = self._broker()
        keep = int(self.setting("LIVE_STREAMS_PER_PERSON"))
        ticket = stream.ticket
        stale = await asyncio.get_running_loop().run_in_executor(
            self.executor, broker.claim_stream, ticket.session_id, ticket.user_id, stream.id, keep)
        if stale:
            await asyncio.get_running_loop().run_in_executor(self.executor, broker.publish, Message(
                ticket.session_id, "staff", "replace", json.dumps({"streams": stale})))

    def _broker(self) -> Any:
        from app.live.broker import EXTENSION_KEY

        return self.app.extensions[EXTENSION_KEY]

    async def _subscribe(self, room: Room) -> Any:
        broker = self._broker()
        loop = asyncio.get_running_loop()

        def sink(message: Message) -> None:
            try:
                loop.call_soon_threadsafe(room.dispatch, message)
            except RuntimeError:  # the loop has closed: the process is stopping
                pass

        # subscribing to Redis may wait for its listener thread: not on the loop
        return await loop.run_in_executor(self.executor, lambda: broker.subscribe(room.session_id, staff=True,
                                                                                   sink=sink))

    def remove(self, stream: Stream) -> None:
        room = stream.room
        if stream in room.streams:
            room.streams.remove(stream)
            self.open -= 1
        if not room.streams and self.rooms.get(room.session_id) is room:
            del self.rooms[room.session_id]
            if room.subscription is not None:
                room.subscription.close()
            if room.checker is not None:
                room.checker.cancel()
            room.disarm()

    async def ended(self, stream: Stream) -> None:
        """A stream's connection is over: forget it here and in the shared record."""
        self.remove(stream)
        ticket = stream.ticket
        await asyncio.get_running_loop().run_in_executor(
            self.executor, self._broker().release_stream, ticket.session_id, ticket.user_id, stream.id)

    def close_all(self) -> None:
        """The process is stopping: every stream ends now and browsers reconnect elsewhere."""
        for room in list(self.rooms.values()):
            for stream in list(room.streams):
                stream.offer(End("shutdown"))

    def counts(self) -> dict[str, int]:
        return {"open": self.open, "sessions": len(self.rooms)}


async def serve_stream(hub: Hub, ticket: Ticket, headers: list[tuple[bytes, bytes]], receive: Receive,
                       send: Send) -> None:
    """Answer an admitted stream request: 503 beyond a cap, else the stream until it ends."""
    why = hub.refuse(ticket)
    if why is not None:
        body = json.dumps({"error": "Too many live streams", "message": why + "; this page checks for changes "
                           "every few seconds instead.", "fallback": "poll"}).encode()
        await send({"type": "http.response.start", "status": 503,
                    "headers": [(b"content-type", b"application/json"), (b"retry-after", b"30"),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})
        return
    stream = await hub.add(ticket)
    kept = [(k, v) for k, v in headers if k not in (b"content-type", b"content-length", b"cache-control")]
    await send({"type": "http.response.start", "status": 200,
                "headers": kept + [(b"content-type", b"text/event-stream; charset=utf-8"),
                                   (b"cache-control", b"no-cache, no-store"), (b"x-accel-buffering", b"no")]})

    async def watch_disconnect() -> None:
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                stream.offer(End("gone"))
                return

    watcher = asyncio.ensure_future(watch_disconnect())
    try:
        await stream.run(send)
    except (OSError, asyncio.CancelledError):
        pass
    finally:
        watcher.cancel()
        await hub.ended(stream)
    try:
        await send({"type": "http.response.body", "body": b"", "more_body": False})
    except OSError:
        pass
