"""Live session under load: 300 or 1,000 participants on loopback HTTP, one instructor, real gunicorn.

    .venv/bin/python bench/live.py [--participants 300[,1000]] [--config sqlite|redis-pg|redis-sqlite|all|a,b] [--json PATH]

Configurations (default: sqlite,redis-pg; "all" adds redis-sqlite), each gunicorn worker running
uvicorn (pages in a thread pool, event streams on the event loop; docs/LIVE.md):
  sqlite        1 gunicorn worker, SQLite file, in-process broker (the zero-setup path)
  redis-pg      2 gunicorn workers, Redis pub/sub broker, PostgreSQL (database lectern_bench, dropped after)
  redis-sqlite  2 gunicorn workers, Redis pub/sub broker, one SQLite file shared by both workers

For each: a fresh database migrated to head; an instructor, N trainees, a live-track cohort and a
running Day 1 session seeded through the services; session cookies (and CSRF tokens) minted with
the app's own signing serializer instead of N argon2 sign-ins; gunicorn started with
gunicorn.conf.py. The client is stdlib asyncio speaking raw HTTP/1.1: every participant joins with
the code (POST /join, 50 at a time), holds its event stream (/live/<id>/events) open and stamps each
event with time.monotonic() when its bytes arrive; the instructor holds the staff stream. Then:
"show to class" 3 times, one poll launched, all N participants answer at once (a burst), and the
database is checked for exactly one answer per person; then the reveal, with each participant's own
verdict taken from its "personal" event (checked to be there for everyone who answered).
Then a word cloud typed in the room: all N give one to three words at once (accepted within 10 s?),
the stored rows are counted again term by term against what was sent (exactly once?), and the
projector's panel, fetched when the staff stream's tally reaches N as the projector page does,
must show the cloud counting all N within 1 s of the last accepted answer. Then the lesson is presented as
slides with phones following, and each of five "next slide" presses must reach every stream (p95 < 1 s). Lesson
pages are loaded by 20 clients (best of three 3-second rounds) before the streams open and again
while they are open (throughput and p95 compared), and at the end one person opens 500 streams while /healthz and
other people's pages are timed. Delivery times run from just before the
instructor's POST to the moment a participant's stream delivered the event (client included: the
client runs on the same 2 cores as the server). Budgets: DESIGN.md section 4.
With --json PATH the main figures of each configuration are also written for bench/run_all.py.
Exit status 0 when the run completed (budgets missed are reported, not errors); 1 on errors
(server not starting, failed joins or streams, answers refused or not counted exactly once).
"""
from __future__ import annotations

import argparse
import asyncio
import codecs
import json
import math
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from common import (
    HOST,
    USER_AGENT,
    BenchError,
    Gunicorn,
    Person,
    add_people,
    command_line,
    make_app,
    migrate,
    mint,
    open_sockets,
    pct,
    proc_memory,
)

PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
PG_URL = "postgresql://postgres@127.0.0.1:5432/lectern_bench"
REDIS_URL = "redis://127.0.0.1:6379/0"
POLL_QUESTION = "stage-03/report-nobody-read"     # a "single" question of the quiz bank
JOIN_CONCURRENCY = 50
DELIVERY_TIMEOUT = 10.0
SHOW_BUDGET = 1.0          # p95, seconds
ANSWER_WINDOW = 10.0       # all answers submitted (and accepted) within this
TALLY_BUDGET = 1.0         # instructor's count complete within this of the last answer
FLOOD = 500                # streams one person opens at the end


@dataclass(frozen=True)
class Config:
    name: str
    description: str
    database: str          # "sqlite" or "pg"
    redis: bool
    workers: int


CONFIGS = {
    "sqlite": Config("sqlite", "1 gunicorn worker (uvicorn), SQLite, in-process broker", "sqlite", False, 1),
    "redis-pg": Config("redis-pg", "2 gunicorn workers (uvicorn), Redis broker, PostgreSQL", "pg", True, 2),
    "redis-sqlite": Config("redis-sqlite", "2 gunicorn workers (uvicorn), Redis broker, SQLite", "sqlite", True, 2),
}


# --- figures -----------------------------------------------------------------------------

def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def spread(values: list[float]) -> str:
    if not values:
        return "-"
    return f"p50 {ms(statistics.median(values))}, p95 {ms(pct(values, 0.95))}, max {ms(max(values))}"


@dataclass
class Row:
    figure: str
    value: str
    budget: str = ""
    verdict: str = ""


# --- database and seed data --------------------------------------------------------------

@dataclass
class Seed:
    session_id: int
    code: str
    instructor: Person
    trainees: list[Person]
    lessons: list[str]


def fresh_database(config: Config, folder: str) -> str:
    if config.database == "sqlite":
        return f"sqlite:///{folder}/lectern.db"
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS lectern_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE lectern_bench")
    return PG_URL


def drop_pg_database() -> None:
    import psycopg

    try:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS lectern_bench WITH (FORCE)")
    except Exception as exc:  # noqa: BLE001 - tidying up only
        print(f"  (could not drop lectern_bench: {exc})")


def seed(app, participants: int) -> Seed:
    """Migrate, create the people, cohort and running session; mint each person's cookie."""
    from app.cohorts import services as cohorts
    from app.content.catalog import catalog
    from app.db import utcnow
    from app.extensions import db
    from app.live import sessions

    migrate(app)
    [(admin_id, _epoch)] = add_people(app, 1, "admin", prefix="admin")
    [teacher] = add_people(app, 1, "instructor", prefix="teacher")
    people = add_people(app, participants, prefix="p")
    teacher_id = teacher[0]
    with app.app_context():
        now = utcnow()
        cohort = cohorts.save_cohort(admin_id, None, name="Bench live room", track="live", starts_on=None,
                                     ends_on=None, instructor_ids=[teacher_id], now=now)
        cohorts.enrol(admin_id, cohort.id, [user_id for user_id, _epoch in people], now=now)
        running = sessions.start_session(teacher_id, cohort.id, 1, catalog(), now=utcnow())
        lessons = [lesson.slug for lesson in catalog().day_lessons(1)]
        session_id, code = running.id, running.code
        db.session.remove()
    minted = mint(app, [teacher, *people])
    return Seed(session_id, code, minted[0], minted[1:], lessons)


def check_answers(app, poll_id: int, expected_users: set[int]) -> tuple[int, int, int, bool]:
    """(rows, distinct people, rows changed after the first answer, people == those who answered)."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.live.models import LiveAnswer

    with app.app_context():
        rows = db.session.execute(sa.select(LiveAnswer.user_id, LiveAnswer.changes)
                                  .where(LiveAnswer.poll_id == poll_id)).all()
        db.session.remove()
    users = {uid for uid, _c in rows}
    return len(rows), len(users), sum(1 for _u, c in rows if c), users == expected_users


# --- the HTTP/1.1 client -----------------------------------------------------------------

@dataclass
class Response:
    status: int
    headers: dict[str, list[str]]
    body: bytes
    done_at: float

    def json(self) -> Any:
        return json.loads(self.body)


class Chunked:
    """Incremental decoder for Transfer-Encoding: chunked."""

    def __init__(self) -> None:
        self.buffer = b""
        self.need: int | None = None
        self.finished = False

    def feed(self, data: bytes) -> bytes:
        self.buffer += data
        out = []
        while not self.finished:
            if self.need is None:
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    break
                self.need = int(self.buffer[:end].split(b";")[0], 16)
                self.buffer = self.buffer[end + 2:]
                if self.need == 0:
                    self.finished = True
                    break
            if len(self.buffer) < self.need + 2:
                break
            out.append(self.buffer[:self.need])
            self.buffer = self.buffer[self.need + 2:]
            self.need = None
        return b"".join(out)


def parse_head(head: bytes) -> tuple[int, dict[str, list[str]]]:
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers: dict[str, list[str]] = {}
    for line in lines[1:]:
        if ":" in line:
            name, _, value = line.partition(":")
            headers.setdefault(name.strip().lower(), []).append(value.strip())
    return status, headers


class Client:
    def __init__(self, port: int, cookie_name: str) -> None:
        self.port, self.cookie_name = port, cookie_name

    def _request_bytes(self, method: str, path: str, person: Person | None, headers: dict[str, str],
                       body: bytes | None, keep_open: bool = False) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", f"User-Agent: {USER_AGENT}"]
        if not keep_open:
            lines.append("Connection: close")
        if person is not None:
            lines.append(f"Cookie: {self.cookie_name}={person.cookie}")
        lines += [f"{k}: {v}" for k, v in headers.items()]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")

    def _keep_cookie(self, person: Person | None, headers: dict[str, list[str]]) -> None:
        for value in headers.get("set-cookie", []):
            name, _, rest = value.partition("=")
            if person is not None and name == self.cookie_name:
                person.cookie = rest.split(";", 1)[0]

    async def request(self, method: str, path: str, person: Person | None = None, *,
                      headers: dict[str, str] | None = None, body: bytes | None = None,
                      timeout: float = 60.0) -> Response:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, self.port), timeout)
        try:
            writer.write(self._request_bytes(method, path, person, headers or {}, body))
            raw = await asyncio.wait_for(reader.read(-1), timeout)
            done = time.monotonic()
        finally:
            writer.close()
        head, _, rest = raw.partition(b"\r\n\r\n")
        status, response_headers = parse_head(head)
        if "chunked" in ",".join(response_headers.get("transfer-encoding", [])).lower():
            rest = Chunked().feed(rest)
        self._keep_cookie(person, response_headers)
        return Response(status, response_headers, rest, done)

    async def post_form(self, path: str, person: Person, fields: dict[str, str]) -> Response:
        from urllib.parse import urlencode

        body = urlencode({**fields, "csrf_token": person.csrf}).encode()
        return await self.request("POST", path, person, body=body, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})

    async def post_json(self, path: str, person: Person, payload: Any) -> Response:
        return await self.request("POST", path, person, body=json.dumps(payload).encode(), headers={
            "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": person.csrf})


@dataclass
class Event:
    at: float
    kind: str
    data: Any


Predicate = Callable[[Event], bool]


@dataclass
class Stream:
    """One open Server-Sent Events stream; events are stamped when their bytes arrive."""

    label: str
    events: list[Event] = field(default_factory=list)
    watchers: list[tuple[Predicate, asyncio.Future]] = field(default_factory=list)
    opened: asyncio.Future | None = None
    error: BaseException | None = None
    task: asyncio.Task | None = None
    writer: asyncio.StreamWriter | None = None

    def watch(self, predicate: Predicate) -> asyncio.Future:
        future = asyncio.get_running_loop().create_future()
        for event in self.events:
            if predicate(event):
                future.set_result(event.at)
                return future
        self.watchers.append((predicate, future))
        return future

    def _event(self, at: float, block: str) -> None:
        kind, data = "message", []
        for line in block.split("\n"):
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                kind = value
            elif name == "data":
                data.append(value)
        if not data:
            return
        event = Event(at, kind, json.loads("\n".join(data)))
        self.events.append(event)
        if self.opened is not None and not self.opened.done() and kind == "state":
            self.opened.set_result(at)
        still = []
        for predicate, future in self.watchers:
            if future.done():
                continue
            if predicate(event):
                future.set_result(at)
            else:
                still.append((predicate, future))
        self.watchers = still

    def start(self, client: Client, path: str, person: Person) -> Stream:
        self.opened = asyncio.get_running_loop().create_future()
        self.task = asyncio.create_task(self.run(client, path, person))
        return self

    async def run(self, client: Client, path: str, person: Person) -> None:
        try:
            reader, self.writer = await asyncio.open_connection(HOST, client.port)
            self.writer.write(client._request_bytes("GET", path, person, {"Accept": "text/event-stream"}, None,
                                                    keep_open=True))
            status, headers = parse_head(await reader.readuntil(b"\r\n\r\n"))
            if status != 200:
                raise BenchError(f"{self.label}: {path} answered {status}")
            chunked = Chunked() if "chunked" in ",".join(headers.get("transfer-encoding", [])).lower() else None
            text = codecs.getincrementaldecoder("utf-8")()
            pending = ""
            while True:
                data = await reader.read(65536)
                at = time.monotonic()
                if not data:
                    break
                pending += text.decode(chunked.feed(data) if chunked else data)
                while "\n\n" in pending:
                    block, pending = pending.split("\n\n", 1)
                    self._event(at, block)
            raise BenchError(f"{self.label}: the stream ended")
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # noqa: BLE001 - reported by whoever waits on this stream
            self.error = exc
            for future in [self.opened, *(f for _p, f in self.watchers)]:
                if future is not None and not future.done():
                    future.set_exception(exc)
        finally:
            if self.writer is not None:
                self.writer.close()

    def close(self) -> None:
        if self.task is not None:
            self.task.cancel()


async def wait_all(futures: list[asyncio.Future], timeout: float) -> tuple[list[float], int]:
    """Arrival times of the futures that completed within timeout, and how many failed."""
    if futures:
        await asyncio.wait(futures, timeout=timeout)
    times, failed = [], 0
    for future in futures:
        if future.done() and not future.cancelled() and future.exception() is None:
            times.append(future.result())
        elif future.done():
            failed += 1
        else:
            future.cancel()
    return times, failed


async def page_load(client: Client, paths: list[tuple[str, Person | None]], *, clients: int = 20,
                    seconds: float = 4.0) -> tuple[float, float, int]:
    """`clients` concurrent loops GETting paths round-robin for `seconds`: (req/s, p95 s, errors)."""
    times: list[float] = []
    errors = 0
    stop_at = time.monotonic() + seconds

    async def loop(offset: int) -> None:
        nonlocal errors
        i = offset
        while time.monotonic() < stop_at:
            path, person = paths[i % len(paths)]
            i += clients
            started = time.monotonic()
            try:
                response = await client.request("GET", path, person, timeout=30)
                ok = response.status == 200
            except (TimeoutError, OSError):
                ok = False
            if ok:
                times.append(time.monotonic() - started)
            else:
                errors += 1

    began = time.monotonic()
    await asyncio.gather(*(loop(k) for k in range(clients)))
    took = time.monotonic() - began
    return len(times) / took, (pct(times, 0.95) if times else math.inf), errors


async def best_of(client: Client, paths: list[tuple[str, Person | None]], rounds: int = 3,
                  seconds: float = 3.0) -> tuple[float, float, int]:
    """page_load a few times: the best throughput and p95 (the machine is shared and noisy), all errors."""
    results = [await page_load(client, paths, seconds=seconds) for _ in range(rounds)]
    return max(r[0] for r in results), min(r[1] for r in results), sum(r[2] for r in results)


async def flood(client: Client, path: str, person: Person, count: int, at_once: int = 50) -> dict[str, int]:
    """One person opens `count` event streams (at_once at a time); how they were answered and how
    many the server still holds open at the end."""
    statuses: dict[str, int] = {}
    held: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
    gate = asyncio.Semaphore(at_once)

    async def one() -> None:
        async with gate:
            try:
                reader, writer = await asyncio.open_connection(HOST, client.port)
                writer.write(client._request_bytes("GET", path, person, {"Accept": "text/event-stream"}, None,
                                                   keep_open=True))
                status, _headers = parse_head(await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30))
            except (TimeoutError, OSError, asyncio.IncompleteReadError):
                statuses["error"] = statuses.get("error", 0) + 1
                return
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            if status == 200:
                held.append((reader, writer))
            else:
                writer.close()

    await asyncio.gather(*(one() for _ in range(count)))
    await asyncio.sleep(1.0)          # replaced streams are told so and ended by the server
    still_open = 0
    for reader, writer in held:
        seen = b""
        try:
            while True:
                data = await asyncio.wait_for(reader.read(65536), 0.05)
                if not data:
                    break
                seen += data
        except TimeoutError:
            # the response is over once its last chunk came (the connection may be kept alive)
            still_open += not seen.endswith(b"\r\n0\r\n\r\n")
        writer.close()
    statuses["still open at the end"] = still_open
    return statuses


# --- one configuration -------------------------------------------------------------------

CLOUD_WORDS = ("trust", "networks", "innovation", "skills", "leadership", "suppliers", "exports", "funding",
               "universities", "collaboration", "talent", "data", "vision", "markets", "training", "logistics",
               "the networks", "Trust!", "SKILLS", "shared vision", "joint marketing", "research", "policy",
               "infrastructure", "clusters")


async def word_cloud_phase(client: Client, data: Seed, streams: list[Stream], staff: Stream, rows: list[Row],
                           numbers: dict[str, Any]) -> dict[str, Any]:
    """Launch an ad hoc word cloud, post N answers of 1-3 words at once, and time the projector's cloud
    (its panel with every answer counted) after the last answer was accepted."""
    sid, n = data.session_id, len(data.trainees)
    waits = [st.watch(lambda e: e.kind == "state" and (e.data.get("poll") or {}).get("status") == "open"
                      and (e.data.get("poll") or {}).get("seq", 0) >= 2) for st in streams[1:]]
    t0 = time.monotonic()
    response = await client.post_form(f"/live/{sid}/polls", data.instructor,
                                      {"source": "adhoc", "kind": "word_cloud", "lang": "en",
                                       "prompt": "One to three words: what makes a cluster work?"})
    if response.status != 200 or not response.json().get("ok"):
        raise BenchError(f"launch word cloud: {response.status} {response.body[:200]!r}")
    arrived, _failed = await wait_all(waits, DELIVERY_TIMEOUT)
    rows.append(Row(f"word cloud launched: reached {len(arrived)}/{n}", spread([t - t0 for t in arrived])))
    state = (await client.request("GET", f"/live/{sid}/state", data.trainees[0])).json()
    poll_id = state["poll"]["id"]
    await asyncio.sleep(0.3)

    rng = random.Random(23)
    sent = {p.user_id: rng.sample(CLOUD_WORDS, rng.randint(1, 3)) for p in data.trainees}
    tally_done = staff.watch(lambda e: e.kind == "tally" and e.data.get("poll") == poll_id
                             and e.data.get("responses", 0) >= n)

    async def answer(person: Person) -> tuple[Response | BaseException, float]:
        started = time.monotonic()
        try:
            return await client.post_json(f"/live/{sid}/polls/{poll_id}/answer", person,
                                          {"answer": sent[person.user_id]}), started
        except Exception as exc:  # noqa: BLE001 - counted as a lost answer
            return exc, started

    t0 = time.monotonic()
    results = await asyncio.gather(*(answer(p) for p in data.trainees))
    accepted = [(r, s) for r, s in results if isinstance(r, Response) and r.status == 200]
    last = max((r.done_at for r, _s in accepted), default=t0)
    window_ok = len(accepted) == n and last - t0 <= ANSWER_WINDOW
    numbers.update(cloud_accepted=len(accepted), cloud_last=last - t0, cloud_ok=window_ok)
    rows.append(Row(f"word cloud: {n} answers (1-3 words each) at once", f"{len(accepted)}/{n} accepted, the last "
                    f"{last - t0:.2f} s after the burst began", f"all within {ANSWER_WINDOW:.0f} s",
                    "ok" if window_ok else "OVER"))
    rows.append(Row("  ... answer response time", spread([r.done_at - s for r, s in accepted])))
    try:
        tally_at = await asyncio.wait_for(asyncio.shield(tally_done), DELIVERY_TIMEOUT)
    except TimeoutError:
        tally_at = None
    cloud_gap = math.inf
    if tally_at is not None:
        panel = await client.request("GET", f"/live/{sid}/projector/panel", data.instructor)
        text = panel.body.decode("utf-8", "replace")
        if panel.status != 200 or "<svg" not in text or f"<strong>{n}</strong>" not in text:
            raise BenchError(f"projector panel after {n} word-cloud answers: {panel.status}, "
                             f"svg={'<svg' in text}, count {n} shown={f'<strong>{n}</strong>' in text}")
        cloud_gap = panel.done_at - last
        numbers["cloud_gap"] = cloud_gap
    rows.append(Row(f"  ... projector's cloud counts all {n}", "never" if tally_at is None else
                    f"{cloud_gap * 1000:+.0f} ms after the last answer was accepted (tally event "
                    f"{(tally_at - last) * 1000:+.0f} ms, then the panel)", "< 1 s",
                    "ok" if cloud_gap < TALLY_BUDGET else "OVER"))
    return {"poll_id": poll_id, "answered": {p.user_id for p in data.trainees
                                             if isinstance(results[data.trainees.index(p)][0], Response)
                                             and results[data.trainees.index(p)][0].status == 200},
            "sent": sent}


def check_cloud(app, poll_id: int, sent: dict[int, list[str]]) -> tuple[bool, str]:
    """Each person's words stored once, and the terms counted from the rows as they were sent."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.live.models import LiveAnswer
    from app.quizzes.types.word_cloud import count_terms

    with app.app_context():
        stored = dict(db.session.execute(sa.select(LiveAnswer.user_id, LiveAnswer.answer)
                                         .where(LiveAnswer.poll_id == poll_id)).all())
        db.session.remove()
    same_people = set(stored) == set(sent)
    counted = {t.key: t.count for t in count_terms(stored.values())}
    expected = {t.key: t.count for t in count_terms(sent.values())}
    ok = same_people and counted == expected and len(stored) == len(sent)
    return ok, f"{len(stored)} rows for {len(sent)} people, {len(counted)} terms, counts {'equal' if counted == expected else 'DIFFER'}"


SLIDE_MOVES = 5


async def slides_phase(client: Client, data: Seed, streams: list[Stream], rows: list[Row],
                       numbers: dict[str, Any]) -> None:
    """Present a lesson as slides with "slides on phones" on, then press Next SLIDE_MOVES times: each
    move's state event (with the slide's HTML) must reach every participant's stream; p95 < 1 s."""
    sid, n = data.session_id, len(data.trainees)
    slug = data.lessons[3]          # a Stage lesson: a deck of several slides
    for path, fields in ((f"/live/{sid}/slides/start", {"lesson": slug}), (f"/live/{sid}/slides/phones", {"on": "1"})):
        response = await client.post_form(path, data.instructor, fields)
        if response.status != 200 or not response.json().get("ok"):
            raise BenchError(f"{path}: {response.status} {response.body[:200]!r}")
    await asyncio.sleep(0.5)
    worst = 0.0
    every: list[float] = []
    for move in range(1, SLIDE_MOVES + 1):
        waits = [st.watch(lambda e, move=move: e.kind == "state" and (e.data.get("slide") or {}).get("index") == move
                          and "html" in (e.data.get("slide") or {})) for st in streams[1:]]
        t0 = time.monotonic()
        response = await client.post_form(f"/live/{sid}/slides/next", data.instructor, {})
        if response.status != 200 or response.json().get("index") != move:
            raise BenchError(f"next slide: {response.status} {response.body[:200]!r}")
        arrived, _failed = await wait_all(waits, DELIVERY_TIMEOUT)
        delays = [t - t0 for t in arrived]
        every.extend(delays)
        p95 = pct(delays, 0.95) if len(delays) == n else math.inf
        worst = max(worst, p95)
        rows.append(Row(f"next slide #{move} (slide HTML in the event): reached {len(delays)}/{n}",
                        f"{spread(delays)} (POST {ms(response.done_at - t0)})", "p95 < 1 s, all",
                        "ok" if p95 < SHOW_BUDGET else "OVER"))
        await asyncio.sleep(0.3)
    numbers["slide_p95"] = worst
    rows.append(Row(f"  ... slide changes: worst p95 of {SLIDE_MOVES}", ms(worst) if math.isfinite(worst) else "not all reached",
                    "p95 < 1 s", "ok" if worst < SHOW_BUDGET else "OVER"))


async def drive(server: Gunicorn, data: Seed, cookie_name: str, rounds: int) -> dict[str, Any]:
    client = Client(server.port, cookie_name)
    sid, n = data.session_id, len(data.trainees)
    out: dict[str, Any] = {"rows": [], "numbers": {}}
    numbers: dict[str, Any] = out["numbers"]  # the main figures, for --json
    rows: list[Row] = out["rows"]
    streams: list[Stream] = []
    try:
        # Sign-in check: minted cookies authenticate (403 "join first", not a redirect to /login).
        probe = await client.request("GET", f"/live/{sid}/state", data.trainees[0])
        if probe.status != 403:
            raise BenchError(f"participant cookie not accepted: GET /live/{sid}/state answered {probe.status}")
        probe = await client.request("GET", f"/live/{sid}/staff/state", data.instructor)
        if probe.status != 200:
            raise BenchError(f"instructor cookie not accepted: /staff/state answered {probe.status}")

        staff = Stream("instructor").start(client, f"/live/{sid}/staff/events", data.instructor)
        streams.append(staff)
        await asyncio.wait_for(asyncio.shield(staff.opened), 30)  # type: ignore[arg-type]

        # 1. Join.
        gate = asyncio.Semaphore(JOIN_CONCURRENCY)

        async def join(person: Person) -> float:
            async with gate:
                started = time.monotonic()
                response = await client.post_json("/join", person, {"code": data.code})
                if response.status != 200 or response.json().get("session") != sid:
                    raise BenchError(f"join by user {person.user_id}: {response.status} {response.body[:200]!r}")
                return response.done_at - started

        started = time.monotonic()
        join_times = await asyncio.gather(*(join(p) for p in data.trainees))
        joined_in = time.monotonic() - started
        rows.append(Row(f"join: {n} x POST /join, {JOIN_CONCURRENCY} at a time", f"all in {joined_in:.2f} s; "
                        f"each {spread(join_times)}"))
        lesson_paths = [(f"/lessons/{data.lessons[k % len(data.lessons)]}", p) for k, p in enumerate(data.trainees[:20])]
        quiet_rate, quiet_p95, quiet_errors = await best_of(client, lesson_paths)
        rows.append(Row("lesson pages, 20 clients, no stream open", f"{quiet_rate:.0f} req/s, p95 {ms(quiet_p95)}"
                        + (f", {quiet_errors} errors" if quiet_errors else "")))

        # 2. Open every participant's stream, all at once.
        started = time.monotonic()
        for index, person in enumerate(data.trainees):
            streams.append(Stream(f"participant {index}").start(client, f"/live/{sid}/events", person))
        opened, failed = await wait_all([s.opened for s in streams[1:]], 30)  # type: ignore[misc]
        if len(opened) != n:
            errors = {repr(s.error) for s in streams if s.error}
            raise BenchError(f"{n - len(opened)} of {n} event streams did not open ({failed} failed): {errors}")
        rows.append(Row(f"event streams: {n} opened at once",
                        f"first state on all in {max(opened) - started:.2f} s; each {spread([t - started for t in opened])}"))
        out["sockets"] = {pid: open_sockets(pid) for pid in server.workers()}
        await asyncio.sleep(0.5)  # let the join presence notifications settle
        busy_rate, busy_p95, busy_errors = await best_of(client, lesson_paths)
        rate_ratio, p95_ratio = quiet_rate / max(busy_rate, 1e-9), busy_p95 / max(quiet_p95, 1e-9)
        numbers.update(pages_quiet_rps=quiet_rate, pages_busy_rps=busy_rate, pages_quiet_p95=quiet_p95,
                       pages_busy_p95=busy_p95)
        rows.append(Row(f"lesson pages, 20 clients, {n + 1} streams open",
                        f"{busy_rate:.0f} req/s ({1 / rate_ratio:.2f}x), p95 {ms(busy_p95)} ({p95_ratio:.2f}x)"
                        + (f", {busy_errors} errors" if busy_errors else ""), "within 1.25x",
                        "ok" if rate_ratio <= 1.25 and p95_ratio <= 1.25 and not busy_errors else "OVER"))

        # 3. Show to class.
        worst_p95 = worst_shown = 0.0
        for number, slug in enumerate(data.lessons[1:1 + rounds], start=1):
            waits = [s.watch(lambda e, slug=slug: e.kind == "state" and (e.data.get("lesson") or {}).get("slug") == slug)
                     for s in streams[1:]]
            async def on_screen(wait: asyncio.Future, person: Person, stream: Stream, slug: str = slug) -> float:
                # what the page does next: use the lesson HTML the event carries, else fetch it
                arrived_at = await wait
                event = next(e for e in reversed(stream.events) if e.kind == "state"
                             and (e.data.get("lesson") or {}).get("slug") == slug)
                if f'data-lesson="{slug}"' in event.data["lesson"].get("html", ""):
                    return arrived_at
                fragment = await client.request("GET", f"/live/{sid}/lesson", person)
                if fragment.status != 200 or slug not in fragment.body.decode("utf-8", "replace"):
                    raise BenchError(f"lesson fragment for user {person.user_id}: {fragment.status}")
                return fragment.done_at

            screens = [asyncio.ensure_future(on_screen(w, p, st)) for w, p, st in zip(waits, data.trainees, streams[1:])]
            t0 = time.monotonic()
            response = await client.post_form(f"/live/{sid}/show", data.instructor, {"lesson": slug})
            if response.status != 200 or not response.json().get("ok"):
                raise BenchError(f"show {slug}: {response.status} {response.body[:200]!r}")
            arrived, _failed = await wait_all(waits, DELIVERY_TIMEOUT)
            delays = [t - t0 for t in arrived]
            p95 = pct(delays, 0.95) if len(delays) == n else math.inf
            worst_p95 = max(worst_p95, p95)
            rows.append(Row(f"show to class #{number}: reached {len(delays)}/{n}",
                            f"{spread(delays)} (POST {ms(response.done_at - t0)})", "p95 < 1 s, all",
                            "ok" if p95 < SHOW_BUDGET else "OVER"))
            shown, _failed = await wait_all(screens, DELIVERY_TIMEOUT)
            shown_delays = [t - t0 for t in shown]
            shown_p95 = pct(shown_delays, 0.95) if len(shown_delays) == n else math.inf
            worst_shown = max(worst_shown, shown_p95)
            rows.append(Row(f"  ... lesson on screen (HTML in the event, else GET): {len(shown_delays)}/{n}",
                            spread(shown_delays), "p95 < 1 s", "ok" if shown_p95 < SHOW_BUDGET else "OVER"))
            await asyncio.sleep(0.3)

        numbers.update(show_p95=worst_p95, lesson_on_screen_p95=worst_shown)

        # 4. Launch a poll.
        waits = [s.watch(lambda e: e.kind == "state" and (e.data.get("poll") or {}).get("seq") == 1)
                 for s in streams[1:]]
        async def poll_on_screen(wait: asyncio.Future, person: Person) -> float:
            # what the page does next: use the panel the event carries, else fetch it
            arrived_at = await wait
            event = next(e for e in reversed(stream_for[person.user_id].events) if e.kind == "state"
                         and (e.data.get("poll") or {}).get("seq") == 1)
            if "live-poll--open" in event.data["poll"].get("html", ""):
                return arrived_at
            panel = await client.request("GET", f"/live/{sid}/poll", person)
            if panel.status != 200 or b"live-poll--open" not in panel.body:
                raise BenchError(f"poll panel for user {person.user_id}: {panel.status}")
            return panel.done_at

        stream_for = {p.user_id: st for p, st in zip(data.trainees, streams[1:])}
        panels = [asyncio.ensure_future(poll_on_screen(w, p)) for w, p in zip(waits, data.trainees)]
        t0 = time.monotonic()
        response = await client.post_form(f"/live/{sid}/polls", data.instructor,
                                          {"source": "bank", "question": POLL_QUESTION})
        if response.status != 200 or not response.json().get("ok"):
            raise BenchError(f"launch poll: {response.status} {response.body[:200]!r}")
        arrived, _failed = await wait_all(waits, DELIVERY_TIMEOUT)
        delays = [t - t0 for t in arrived]
        p95 = pct(delays, 0.95) if len(delays) == n else math.inf
        numbers["poll_p95"] = p95
        rows.append(Row(f"launch poll: reached {len(delays)}/{n}", f"{spread(delays)} (POST {ms(response.done_at - t0)})",
                        "p95 < 1 s, all", "ok" if p95 < SHOW_BUDGET else "OVER"))
        shown, _failed = await wait_all(panels, DELIVERY_TIMEOUT)
        shown_delays = [t - t0 for t in shown]
        shown_p95 = pct(shown_delays, 0.95) if len(shown_delays) == n else math.inf
        numbers["poll_on_screen_p95"] = shown_p95
        rows.append(Row(f"  ... poll on screen (HTML in the event, else GET): {len(shown_delays)}/{n}", spread(shown_delays),
                        "p95 < 1 s", "ok" if shown_p95 < SHOW_BUDGET else "OVER"))
        state = (await client.request("GET", f"/live/{sid}/state", data.trainees[0])).json()
        poll_id = state["poll"]["id"]
        options = [o["id"] for o in state["poll"]["question"]["options"]]
        await asyncio.sleep(0.3)

        # 5. Everyone answers at once.
        rng = random.Random(11)
        tally_done = staff.watch(lambda e: e.kind == "tally" and e.data.get("poll") == poll_id
                                 and e.data.get("responses", 0) >= n)
        tallies_before = len(staff.events)

        async def answer(person: Person) -> tuple[Person, Response | BaseException, float]:
            started = time.monotonic()
            try:
                response = await client.post_json(f"/live/{sid}/polls/{poll_id}/answer", person,
                                                  {"answer": rng.choice(options)})
            except Exception as exc:  # noqa: BLE001 - counted as a lost answer
                return person, exc, started
            return person, response, started

        def server_cpu() -> float:
            return sum(proc_memory(pid).get("cpu", 0.0) for pid in server.workers())

        cpu_server, cpu_client = server_cpu(), time.process_time()
        t0 = time.monotonic()
        results = await asyncio.gather(*(answer(p) for p in data.trainees))
        accepted = [(p, r, s) for p, r, s in results if isinstance(r, Response) and r.status == 200]
        refused = [(p, r) for p, r, _s in results if not (isinstance(r, Response) and r.status == 200)]
        latencies = [r.done_at - s for _p, r, s in accepted]
        last = max((r.done_at for _p, r, _s in accepted), default=t0)
        try:
            tally_at = await asyncio.wait_for(asyncio.shield(tally_done), DELIVERY_TIMEOUT)
        except TimeoutError:
            tally_at = None
        cpu_server, cpu_client = server_cpu() - cpu_server, time.process_time() - cpu_client
        tallies = [e for e in staff.events[tallies_before:] if e.kind == "tally" and e.data.get("poll") == poll_id]
        window_ok = len(accepted) == n and last - t0 <= ANSWER_WINDOW
        numbers.update(answers_accepted=len(accepted), answers_last=last - t0, answers_ok=window_ok,
                       cpu_per_answer_ms=cpu_server / n * 1000, tally_gap=None)
        rows.append(Row(f"answers: {n} posted at once (burst)", f"{len(accepted)}/{n} accepted (200), the last "
                        f"{last - t0:.2f} s after the burst began", f"all within {ANSWER_WINDOW:.0f} s",
                        "ok" if window_ok else "OVER"))
        rows.append(Row("answer response time", spread(latencies)))
        rows.append(Row("CPU used during the burst", f"gunicorn workers {cpu_server:.2f} s "
                        f"({cpu_server / n * 1000:.1f} ms per answer), bench client {cpu_client:.2f} s"))
        if tally_at is not None:
            gap = tally_at - last
            numbers["tally_gap"] = gap
            rows.append(Row(f"instructor's tally shows {n}", f"{gap * 1000:+.0f} ms after the last answer was accepted "
                            f"({tally_at - t0:.2f} s into the burst; {len(tallies)} tally events)",
                            "< 1 s", "ok" if gap < TALLY_BUDGET else "OVER"))
        else:
            shown = max((e.data.get("responses", 0) for e in tallies), default=0)
            rows.append(Row(f"instructor's tally shows {n}", f"never within {DELIVERY_TIMEOUT:.0f} s "
                            f"(highest count seen: {shown})", "< 1 s", "OVER"))
        # 6. Reveal: each screen gets its own verdict in a "personal" event just before the shared
        # reveal, as live.js uses it; a screen without one fetches GET /poll after a jitter.
        await asyncio.sleep(0.3)
        reveal_waits = [st.watch(lambda e: e.kind == "state" and (e.data.get("poll") or {}).get("status") == "revealed")
                        for st in streams[1:]]
        personal_waits = [st.watch(lambda e: e.kind == "personal" and e.data.get("poll") == poll_id)
                          for st in streams[1:]]
        fetched = 0

        async def reveal_on_screen(wait: asyncio.Future, mine: asyncio.Future, person: Person) -> float:
            nonlocal fetched
            at = await wait
            if mine.done():       # it came first, as published: the page fills it in at once
                event = next(e for e in reversed(streams[data.trainees.index(person) + 1].events)
                             if e.kind == "personal" and e.data.get("poll") == poll_id)
                if person.user_id in answered_ids and "live-verdict" not in event.data.get("verdict", ""):
                    raise BenchError(f"user {person.user_id} answered but got no verdict: {event.data!r}")
                return max(at, mine.result())
            fetched += 1
            await asyncio.sleep(0.2 + random.random() * 1.5)
            panel = await client.request("GET", f"/live/{sid}/poll", person)
            if panel.status != 200 or b"live-poll--revealed" not in panel.body:
                raise BenchError(f"revealed panel for user {person.user_id}: {panel.status}")
            return panel.done_at

        answered_ids = {p.user_id for p, _r, _s in accepted}
        reveals = [asyncio.ensure_future(reveal_on_screen(w, m, p))
                   for w, m, p in zip(reveal_waits, personal_waits, data.trainees)]
        t0 = time.monotonic()
        response = await client.post_form(f"/live/{sid}/polls/{poll_id}/reveal", data.instructor, {})
        if response.status != 200:
            raise BenchError(f"reveal: {response.status} {response.body[:200]!r}")
        arrived, _failed = await wait_all(reveal_waits, DELIVERY_TIMEOUT)
        with_html = sum(1 for st in streams[1:] if any(e.kind == "state" and "live-poll--revealed" in
                                                       ((e.data.get("poll") or {}).get("html") or "") for e in st.events))
        rows.append(Row(f"reveal (results in the event: {with_html}/{n}): reached {len(arrived)}/{n}",
                        spread([t - t0 for t in arrived]), "p95 < 1 s, all",
                        "ok" if len(arrived) == n and pct([t - t0 for t in arrived], 0.95) < SHOW_BUDGET else "OVER"))
        shown, _failed = await wait_all(reveals, DELIVERY_TIMEOUT)
        rows.append(Row(f"  ... own verdict on screen ({n - fetched} from the personal event, {fetched} by GET /poll): "
                        f"{len(shown)}/{n}", spread([t - t0 for t in shown]), "(no budget)"))
        numbers["verdict_p95"] = pct([t - t0 for t in shown], 0.95) if shown else None

        out.update(poll_id=poll_id, answered={p.user_id for p, _r, _s in accepted},
                   refused=[(p.user_id, r if isinstance(r, BaseException) else f"{r.status} {r.body[:120]!r}")
                            for p, r in refused], worst_show_p95=worst_p95)
        out["workers"] = {pid: proc_memory(pid) for pid in server.workers()}
        dead = [s.label for s in streams if s.error is not None]
        if dead:
            raise BenchError(f"{len(dead)} event streams broke during the run, e.g. {dead[:3]}: "
                             f"{next(s.error for s in streams if s.error)!r}")

        # 6b. A word cloud: everyone gives one to three words at once; the projector's cloud
        # (GET /projector/panel, as the projector page fetches it on each tally event) shows them all.
        out["cloud"] = await word_cloud_phase(client, data, streams, staff, rows, numbers)

        # 6c. Slides: the lesson presented as slides with phones following; each "next" reaches every screen.
        await slides_phase(client, data, streams, rows, numbers)

        # 7. One person opens FLOOD streams while others use the site.
        health = [("/healthz", None)]
        _rate, calm_p95, _e = await page_load(client, health, clients=4, seconds=2.0)
        flooding = asyncio.ensure_future(flood(client, f"/live/{sid}/events", data.trainees[0], FLOOD))
        _rate, flood_p95, health_errors = await page_load(client, health, clients=4, seconds=2.0)
        others = await page_load(client, lesson_paths[1:], clients=4, seconds=1.0)
        outcome = await flooding
        kept = outcome.pop("still open at the end")
        numbers.update(flood_kept=kept, flood_health_ratio=flood_p95 / max(calm_p95, 1e-9))
        rows.append(Row(f"one person opens {FLOOD} streams",
                        f"{kept} still open at the end; answered {outcome}", "at most 3 open",
                        "ok" if kept <= 3 else "OVER"))
        rows.append(Row("  ... /healthz meanwhile", f"p95 {ms(flood_p95)} vs {ms(calm_p95)} before "
                        f"({flood_p95 / max(calm_p95, 1e-9):.2f}x), {health_errors} errors; others' lesson pages "
                        f"{others[2]} errors", "within 1.25x, none refused",
                        "ok" if flood_p95 <= 1.25 * calm_p95 and not health_errors and not others[2] else "OVER"))
        return out
    finally:
        for stream in streams:
            stream.close()
        await asyncio.gather(*(s.task for s in streams if s.task), return_exceptions=True)


def run_config(config: Config, participants: int, rounds: int,
               numbers: dict[str, Any] | None = None) -> tuple[list[Row], list[str]]:
    """Rows of figures and a list of errors (empty when the run measured what it should); the main
    figures as numbers go into `numbers` when given."""
    numbers = {} if numbers is None else numbers
    secret = os.urandom(24).hex()
    folder = tempfile.mkdtemp(prefix="lectern-bench-live-")
    server: Gunicorn | None = None
    app = None
    rows: list[Row] = []
    errors: list[str] = []
    try:
        url = fresh_database(config, folder)
        started = time.monotonic()
        app = make_app(url, secret)
        data = seed(app, participants)
        rows.append(Row("set-up: migrate, seed, mint cookies", f"{time.monotonic() - started:.1f} s"))
        env = {"SECRET_KEY": secret, "DATABASE_URL": url, "LECTERN_DEMO": "0"}
        if config.redis:
            env["REDIS_URL"] = REDIS_URL
        server = Gunicorn(folder, env=env, workers=config.workers)
        rows.append(Row(f"gunicorn start ({config.workers} worker{'s' if config.workers > 1 else ''})",
                        f"{server.start():.1f} s"))
        result = asyncio.run(drive(server, data, app.config.get("SESSION_COOKIE_NAME", "session"), rounds))
        rows.extend(result["rows"])
        numbers.update(result["numbers"])

        rows_n, people_n, changed, same = check_answers(app, result["poll_id"], result["answered"])
        exact = rows_n == participants and people_n == participants and changed == 0 and same
        numbers.update(counted_rows=rows_n, counted_people=people_n, counted_changed=changed, counted_exact=exact)
        rows.append(Row("counted exactly once (live_answers rows)",
                        f"{rows_n} rows, {people_n} people, {changed} changed", f"{participants}/{participants}/0",
                        "ok" if exact else "WRONG"))
        cloud_ok, cloud_text = check_cloud(app, result["cloud"]["poll_id"], result["cloud"]["sent"])
        numbers["cloud_exact"] = cloud_ok
        rows.append(Row("word cloud counted exactly once", cloud_text, "N/N, counts equal", "ok" if cloud_ok else "WRONG"))
        if not cloud_ok:
            errors.append(f"word cloud not counted exactly once: {cloud_text}")
        if result["refused"]:
            errors.append(f"{len(result['refused'])} answers not accepted, e.g. {result['refused'][:3]}")
        if not exact:
            errors.append(f"answers not counted exactly once: {rows_n} rows for {people_n} people, {changed} changed")

        split = result.get("sockets", {})
        figures = result.get("workers", {})
        numbers["worker_peak_rss_mb"] = [f.get("VmHWM", 0) for f in figures.values()]
        per_worker = "; ".join(
            f"pid {pid}: {f.get('VmHWM', 0):.0f} MB, {f.get('cpu', 0):.1f} s, {split.get(pid, 0):.0f}"
            for pid, f in figures.items())
        rows.append(Row("worker: peak RSS, CPU s, sockets*", per_worker or "-"))
    except BenchError as exc:
        errors.append(str(exc))
    except Exception as exc:  # noqa: BLE001 - report and go on to the next configuration
        import traceback

        errors.append(f"{type(exc).__name__}: {exc}\n{traceback.format_exc()}")
    finally:
        if server is not None:
            server.stop()
            if errors:
                errors.append(f"gunicorn log (last lines):\n{server.log_tail()}")
        if app is not None:
            with app.app_context():
                from app.extensions import db

                db.engine.dispose()
        if config.database == "pg":
            drop_pg_database()
        shutil.rmtree(folder, ignore_errors=True)
    return rows, errors


def print_table(config: Config, participants: int, rows: list[Row]) -> None:
    print(f"\n== {config.name}: {config.description}; {participants} participants ==")
    width = max(len(r.figure) for r in rows)
    vwidth = max(len(r.value) for r in rows if r.budget) if any(r.budget for r in rows) else 0
    print(f"{'figure':<{width}}  {'value':<{vwidth}}  {'budget':<15}  verdict")
    for row in rows:
        print(f"{row.figure:<{width}}  {row.value:<{vwidth}}  {row.budget:<15}  {row.verdict}".rstrip())
    judged = [r for r in rows if r.verdict]
    print(f"budgets met: {sum(r.verdict == 'ok' for r in judged)} of {len(judged)}"
          "   (* sockets held by the worker at peak: streams, database and Redis connections)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", default="300",
                        help="how many participants, or a comma-separated list of sizes (default 300)")
    parser.add_argument("--config", default="sqlite,redis-pg",
                        help="sqlite, redis-pg, redis-sqlite, all, or a comma-separated list (default sqlite,redis-pg)")
    parser.add_argument("--rounds", type=int, default=3, help="how many times to show a lesson (default 3)")
    parser.add_argument("--json", metavar="PATH", help="also write the main figures as JSON to PATH")
    args = parser.parse_args()
    try:
        sizes = [int(x) for x in str(args.participants).split(",") if x.strip()]
    except ValueError:
        parser.error("--participants takes numbers, e.g. 300 or 300,1000")
    if not sizes or min(sizes) < 1 or args.rounds < 1:
        parser.error("--participants and --rounds must be at least 1")
    names = list(CONFIGS) if args.config == "all" else [c.strip() for c in args.config.split(",") if c.strip()]
    unknown = [n for n in names if n not in CONFIGS]
    if unknown:
        parser.error(f"unknown configuration {', '.join(unknown)}; choose from {', '.join(CONFIGS)} or all")

    failures = 0
    started = time.monotonic()
    json_figures: list = []
    json_errors: list[str] = []
    for size, name in ((size, name) for size in sizes for name in names):
        config = CONFIGS[name]
        numbers: dict[str, Any] = {}
        rows, errors = run_config(config, size, args.rounds, numbers)
        json_figures += json_figures_of(config, size, numbers)
        json_errors += [f"{name}, {size}: {e}" for e in errors]
        if rows:
            print_table(config, size, rows)
        for error in errors:
            print(f"ERROR ({name}): {error}")
        failures += bool(errors)
        sys.stdout.flush()

    print(f"\nmachine: {os.cpu_count()} cores (nproc {len(os.sched_getaffinity(0))}), {platform.machine()}, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}; "
          f"whole run {time.monotonic() - started:.0f} s")
    print(f"command: {command_line()}")
    if args.json:
        from common import write_json

        write_json(args.json, "live", json_figures, json_errors)
    sys.exit(1 if failures else 0)


def json_figures_of(config: Config, n: int, numbers: dict[str, Any]) -> list:
    """The main figures of one configuration as bench/common.Figure, for --json."""
    from common import Figure, judged

    if not numbers:
        return []
    tag = f"live, {config.name}"
    out = []
    for key, label in (("show_p95", "show to class p95 (worst of the rounds)"), ("lesson_on_screen_p95",
                       "lesson on screen p95"), ("poll_p95", "poll launched p95")):
        if key in numbers:
            value = numbers[key]
            shown = f"{value * 1000:.0f} ms" if math.isfinite(value) else "not all reached"
            out.append(judged(f"{tag}: {label}, {n} participants", value * 1000, "ms", shown, SHOW_BUDGET * 1000,
                              "under 1 s"))
    if "answers_accepted" in numbers:
        out.append(Figure(f"{tag}: {n} answers at once, last accepted", numbers["answers_last"], "s",
                          f"{numbers['answers_accepted']}/{n} in {numbers['answers_last']:.2f} s "
                          f"({numbers['cpu_per_answer_ms']:.1f} ms worker CPU each)",
                          f"all within {ANSWER_WINDOW:.0f} s", bool(numbers["answers_ok"])))
    if "counted_exact" in numbers:
        out.append(Figure(f"{tag}: answers counted exactly once", float(numbers["counted_rows"]), "rows",
                          f"{numbers['counted_rows']} rows, {numbers['counted_people']} people, "
                          f"{numbers['counted_changed']} changed", f"{n}/{n}/0", bool(numbers["counted_exact"])))
    if "answers_accepted" in numbers:
        gap = numbers.get("tally_gap")
        out.append(Figure(f"{tag}: instructor's tally complete after the last answer",
                          None if gap is None else gap * 1000, "ms",
                          "never" if gap is None else f"{gap * 1000:+.0f} ms", "under 1 s",
                          gap is not None and gap < TALLY_BUDGET))
    if "slide_p95" in numbers:
        value = numbers["slide_p95"]
        out.append(judged(f"{tag}: slide change on every screen, p95 (worst of {SLIDE_MOVES})", value * 1000, "ms",
                          f"{value * 1000:.0f} ms" if math.isfinite(value) else "not all reached", SHOW_BUDGET * 1000,
                          "under 1 s"))
    if "cloud_accepted" in numbers:
        out.append(Figure(f"{tag}: word cloud, {n} answers of 1-3 words at once, last accepted", numbers["cloud_last"],
                          "s", f"{numbers['cloud_accepted']}/{n} in {numbers['cloud_last']:.2f} s",
                          f"all within {ANSWER_WINDOW:.0f} s", bool(numbers["cloud_ok"])))
        gap = numbers.get("cloud_gap")
        out.append(Figure(f"{tag}: word cloud on the projector after the last answer",
                          None if gap is None else gap * 1000, "ms",
                          "never" if gap is None else f"{gap * 1000:+.0f} ms", "under 1 s",
                          gap is not None and gap < TALLY_BUDGET))
    if "cloud_exact" in numbers:
        out.append(Figure(f"{tag}: word cloud counted exactly once", None, "", "yes" if numbers["cloud_exact"] else "NO",
                          "each person once, counts equal", bool(numbers["cloud_exact"])))
    if numbers.get("verdict_p95") is not None:
        out.append(Figure(f"{tag}: own verdict on screen after a reveal, p95", numbers["verdict_p95"] * 1000, "ms",
                          f"{numbers['verdict_p95'] * 1000:.0f} ms"))
    if numbers.get("worker_peak_rss_mb"):
        peaks = numbers["worker_peak_rss_mb"]
        out.append(judged(f"{tag}: resident memory of the serving processes together (peak)", sum(peaks), "MB",
                          " + ".join(f"{p:.0f} MB" for p in peaks), 400.0, "under 400 MB"))
    if "pages_busy_rps" in numbers:
        slower = numbers["pages_quiet_rps"] / max(numbers["pages_busy_rps"], 1e-9)
        p95_ratio = numbers["pages_busy_p95"] / max(numbers["pages_quiet_p95"], 1e-9)
        out.append(Figure(f"{tag}: lesson pages at 20 clients with {n} streams open vs none", max(slower, p95_ratio),
                          "x", f"{numbers['pages_busy_rps']:.0f} vs {numbers['pages_quiet_rps']:.0f} req/s, p95 "
                          f"{numbers['pages_busy_p95'] * 1000:.0f} vs {numbers['pages_quiet_p95'] * 1000:.0f} ms",
                          "within 1.25x", slower <= 1.25 and p95_ratio <= 1.25))
    if "flood_kept" in numbers:
        out.append(Figure(f"{tag}: one person opens {FLOOD} streams: held at the end, /healthz p95 ratio",
                          float(numbers["flood_kept"]), "streams",
                          f"{numbers['flood_kept']} held, /healthz p95 x{numbers['flood_health_ratio']:.2f}",
                          "at most 3, within 1.25x",
                          numbers["flood_kept"] <= 3 and numbers["flood_health_ratio"] <= 1.25))
    return out


if __name__ == "__main__":
    main()
