"""Change notifications for live sessions: who is listening in this process, and how news of a
change reaches every process.

A message is (session id, audience, kind, JSON text). Audience "class" goes to every listener of
the session, "staff" only to presenter and projector streams. `LocalBroker` delivers within one
process. `RedisBroker` publishes through Redis pub/sub and runs one listener thread per process
that hands what arrives to the local listeners, so an answer posted to one worker or host reaches
a stream held open by another.

Notifications can be lost (a Redis restart, a dropped connection): streams therefore also read
the session's version from the database now and then and catch up (see stream.py). The database
is the truth; the broker only makes it arrive fast.
"""
from __future__ import annotations

import json
import logging
import queue
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger(__name__)

SHUTDOWN = "shutdown"
_BROKERS: weakref.WeakSet[LocalBroker] = weakref.WeakSet()


def close_all() -> None:
    """End every open stream of this process (gunicorn calls this on SIGTERM, see gunicorn.conf.py)."""
    for broker in list(_BROKERS):
        broker.close()


@dataclass(frozen=True)
class Message:
    session_id: int
    audience: str          # "class" or "staff"
    kind: str              # "state", "answers", "presence"
    data: str              # JSON text, serialised once for every listener
    version: int = 0       # "state": the session version it describes
    final: bool = False    # "state": the session has ended

    def encode(self) -> str:
        return json.dumps({"s": self.session_id, "a": self.audience, "k": self.kind, "d": self.data,
                           "v": self.version, "f": self.final})

    @classmethod
    def decode(cls, raw: str | bytes) -> Message:
        value = json.loads(raw)
        return cls(int(value["s"]), str(value["a"]), str(value["k"]), str(value["d"]), int(value.get("v", 0)),
                   bool(value.get("f", False)))


class Subscription:
    """A listener of one session: a mailbox to read from, or a `sink` called with each message
    (from the publishing thread; app/live/streams.py hands it over to its event loop)."""

    def __init__(self, broker: LocalBroker, session_id: int, staff: bool,
                 sink: Callable[[Message], None] | None = None) -> None:
        self.broker, self.session_id, self.staff, self.sink = broker, session_id, staff, sink
        self._queue: queue.SimpleQueue[Message] = queue.SimpleQueue()

    def put(self, message: Message) -> None:
        if self.staff or message.audience == "class":
            if self.sink is not None:
                self.sink(message)
            else:
                self._queue.put(message)

    def get(self, timeout: float) -> Message | None:
        try:
            return self._queue.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return None

    def close(self) -> None:
        self.broker.unsubscribe(self)

    def __enter__(self) -> Subscription:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


class LocalBroker:
    """Listeners of this process. Publishing delivers to them directly."""

    name = "in-process"

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: dict[int, set[Subscription]] = {}
        _BROKERS.add(self)

    def subscribe(self, session_id: int, *, staff: bool = False,
                  sink: Callable[[Message], None] | None = None) -> Subscription:
        sub = Subscription(self, session_id, staff, sink)
        with self._lock:
            self._subs.setdefault(session_id, set()).add(sub)
        return sub

    def unsubscribe(self, sub: Subscription) -> None:
        with self._lock:
            subs = self._subs.get(sub.session_id)
            if subs is not None:
                subs.discard(sub)
                if not subs:
                    del self._subs[sub.session_id]

    def listeners(self, session_id: int) -> int:
        with self._lock:
            return len(self._subs.get(session_id, ()))

    def deliver(self, message: Message) -> None:
        with self._lock:
            subs = list(self._subs.get(message.session_id, ()))
        for sub in subs:
            sub.put(message)

    def publish(self, message: Message) -> None:
        self.deliver(message)

    def claim_stream(self, session_id: int, user_id: int, stream_id: str, keep: int) -> list[str]:
        """Record a person's new stream; the ids of their older streams beyond `keep`, which must end.
        One process sees every stream itself (app/live/streams.py caps them): nothing to do here."""
        return []

    def release_stream(self, session_id: int, user_id: int, stream_id: str) -> None:
        """A stream recorded by claim_stream has ended."""

    def close(self) -> None:
        """The process is stopping: every open stream ends now (browsers reconnect elsewhere)."""
        with self._lock:
            subs = [sub for group in self._subs.values() for sub in group]
        for sub in subs:
            sub.put(Message(sub.session_id, "class", SHUTDOWN, "{}"))


class RedisBroker(LocalBroker):
    """Publishes through Redis; one daemon thread per process relays what Redis delivers."""

    name = "redis"

    def __init__(self, url: str, prefix: str = "lectern") -> None:
        super().__init__()
        import redis

        self.channel_prefix = f"{prefix}:live:"   # REDIS_PREFIX: several Lecterns can share one Redis
        self._redis = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5)
        self._listener: threading.Thread | None = None
        self._ready = threading.Event()
        self._stop = threading.Event()
        self._start_lock = threading.Lock()

    def subscribe(self, session_id: int, *, staff: bool = False,
                  sink: Callable[[Message], None] | None = None) -> Subscription:
        self._ensure_listener()
        return super().subscribe(session_id, staff=staff, sink=sink)

    def publish(self, message: Message) -> None:
        try:
            self._redis.publish(self.channel_prefix + str(message.session_id), message.encode())
        except Exception:  # Redis down: this process's listeners still hear it
            log.warning("Redis publish failed; delivering to this process only", exc_info=True)
            self.deliver(message)

    def claim_stream(self, session_id: int, user_id: int, stream_id: str, keep: int) -> list[str]:
        """Across processes: a sorted set per person and session of their open streams, oldest first.
        A stream of a process that died stays listed until the person's next stream pushes it out."""
        key = f"{self.channel_prefix}streams:{session_id}:{user_id}"
        try:
            pipe = self._redis.pipeline()
            pipe.zadd(key, {stream_id: time.time()})
            pipe.expire(key, 24 * 3600)
            pipe.zrange(key, 0, -(keep + 1))
            stale = [s.decode() if isinstance(s, bytes) else str(s) for s in pipe.execute()[-1]]
            if stale:
                self._redis.zrem(key, *stale)
            return stale
        except Exception:  # Redis away: each process still caps its own streams
            log.warning("Redis stream claim failed", exc_info=True)
            return []

    def release_stream(self, session_id: int, user_id: int, stream_id: str) -> None:
        try:
            self._redis.zrem(f"{self.channel_prefix}streams:{session_id}:{user_id}", stream_id)
        except Exception:
            log.warning("Redis stream release failed", exc_info=True)

    def _ensure_listener(self) -> None:
        if self._listener is not None and self._listener.is_alive():
            return
        with self._start_lock:
            if self._listener is None or not self._listener.is_alive():
                self._ready.clear()
                self._listener = threading.Thread(target=self._listen, name="lectern-live-redis", daemon=True)
                self._listener.start()
        self._ready.wait(timeout=5)

    def _listen(self) -> None:
        delay = 0.5
        while not self._stop.is_set():
            pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.psubscribe(self.channel_prefix + "*")
                self._ready.set()
                delay = 0.5
                while not self._stop.is_set():
                    item = pubsub.get_message(timeout=1.0)
                    if item is None or item.get("type") != "pmessage":
                        continue
                    try:
                        self.deliver(Message.decode(item["data"]))
                    except (ValueError, KeyError, TypeError):
                        log.warning("ignored a malformed live message on %s", item.get("channel"))
            except Exception:  # reconnect; streams catch up from the database meanwhile
                log.warning("Redis listener lost its connection; retrying in %.1fs", delay, exc_info=True)
                self._ready.set()
                time.sleep(delay)
                delay = min(delay * 2, 10.0)
            finally:
                try:
                    pubsub.close()
                except Exception:  # noqa: BLE001, S110 - closing a connection that is already gone
                    pass

    def close(self) -> None:
        self._stop.set()
        super().close()


def broker_for(config: dict[str, Any]) -> LocalBroker:
    url = config.get("REDIS_URL")
    return RedisBroker(url, config.get("REDIS_PREFIX") or "lectern") if url else LocalBroker()


EXTENSION_KEY = "lectern_live_broker"


def install_broker(app: Any) -> None:
    app.extensions[EXTENSION_KEY] = broker_for(app.config)


def current_broker() -> LocalBroker:
    from flask import current_app

    return current_app.extensions[EXTENSION_KEY]
