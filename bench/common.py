"""Shared pieces of the benchmarks: figures and their JSON form, the machine line, gunicorn, minted
session cookies, and a small keep-alive HTTP/1.1 load generator (stdlib asyncio).

Every benchmark prints its own figures and, given `--json PATH`, also writes them as
{"benchmark", "command", "figures": [Figure...], "errors": [...], "machine"} for bench/run_all.py.
"""
from __future__ import annotations

import asyncio
import json
import math
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
USER_AGENT = "lectern-bench"


class BenchError(RuntimeError):
    """The run could not measure what it set out to (as opposed to a budget being missed)."""


# --- figures -----------------------------------------------------------------------------------

@dataclass
class Figure:
    """One measured figure. `ok` is None when the figure has no budget (context only)."""

    name: str
    value: float | None
    unit: str
    shown: str
    budget: str = ""
    ok: bool | None = None
    note: str = ""


def judged(name: str, value: float, unit: str, shown: str, limit: float, budget: str, *, higher_is_better=False,
           note: str = "") -> Figure:
    ok = value >= limit if higher_is_better else value < limit
    return Figure(name, value, unit, shown, budget, bool(ok), note)


def pct(values: list[float], q: float) -> float:
    """The q-quantile by the nearest-rank method (p95 of 20 values is the 19th)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def machine() -> dict[str, str]:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": str(len(os.sched_getaffinity(0))),
        "cpu": model,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "host": socket.gethostname(),
    }


def machine_line(m: dict[str, str] | None = None) -> str:
    m = m or machine()
    return f"{m['date']}; {m['nproc']} cores (nproc), {m['cpu']}; Python {m['python']}; {m['system']}"


def command_line() -> str:
    script = Path(sys.argv[0]).resolve()
    try:
        script_text = str(script.relative_to(ROOT))
    except ValueError:
        script_text = str(script)
    return " ".join([".venv/bin/python", script_text, *sys.argv[1:]])


def write_json(path: str | None, benchmark: str, figures: list[Figure], errors: list[str] | None = None,
               extra: dict[str, Any] | None = None) -> None:
    if not path:
        return
    doc = {"benchmark": benchmark, "command": command_line(), "machine": machine(),
           "figures": [asdict(f) for f in figures], "errors": list(errors or []), **(extra or {})}
    Path(path).write_text(json.dumps(doc, indent=2, default=str))


def report(title: str, benchmark: str, figures: list[Figure], errors: list[str], json_path: str | None,
           extra: dict[str, Any] | None = None) -> None:
    """The end of a benchmark: its figures, errors and machine printed, the JSON written, and exit
    status 1 when it failed to measure (a budget missed is not a failure)."""
    print_figures(title, figures)
    for error in errors:
        print(f"ERROR: {error}")
    print(f"machine: {machine_line()}")
    write_json(json_path, benchmark, figures, errors, extra)
    sys.exit(1 if errors else 0)


def print_figures(title: str, figures: list[Figure]) -> None:
    print(f"\n== {title} ==")
    width = max((len(f.name) for f in figures), default=10)
    vwidth = max((len(f.shown) for f in figures), default=10)
    for f in figures:
        verdict = "" if f.ok is None else ("ok" if f.ok else "OVER")
        line = f"{f.name:<{width}}  {f.shown:<{vwidth}}  {f.budget:<18} {verdict}"
        print(line.rstrip() + (f"   ({f.note})" if f.note else ""))


# --- processes ---------------------------------------------------------------------------------

def proc_memory(pid: int) -> dict[str, float]:
    """VmRSS (current) and VmHWM (peak) resident memory of a process, in MB; CPU seconds."""
    out: dict[str, float] = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(("VmHWM:", "VmRSS:")):
                out[line[:5]] = int(line.split()[1]) / 1024
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        out["cpu"] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        pass
    return out


def open_sockets(pid: int) -> int:
    """How many sockets a process holds open (0 when /proc cannot tell)."""
    try:
        return sum(1 for fd in Path(f"/proc/{pid}/fd").iterdir() if os.readlink(fd).startswith("socket:"))
    except OSError:
        return 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


class Gunicorn:
    """gunicorn with the project's gunicorn.conf.py, serving `app_spec` (default wsgi:app)."""

    def __init__(self, folder: str | Path, *, env: dict[str, str], workers: int | None = None,
                 app_spec: str = "wsgi:app", pythonpath: str | None = None, ready_path: str = "/healthz") -> None:
        self.env_extra, self.workers_wanted, self.app_spec = env, workers, app_spec
        self.pythonpath, self.ready_path = pythonpath, ready_path
        self.port = free_port()
        self.log_path = Path(folder) / f"gunicorn-{self.port}.log"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> float:
        """Start and wait until ready_path answers 200 and every worker is up: seconds taken."""
        env = {k: v for k, v in os.environ.items()
               if k not in ("REDIS_URL", "DATABASE_URL", "FLASK_DEBUG", "WEB_CONCURRENCY", "GUNICORN_THREADS")}
        env.update(GUNICORN_ACCESSLOG="/dev/null", PYTHONUNBUFFERED="1", **self.env_extra)
        if self.workers_wanted is not None:
            env["WEB_CONCURRENCY"] = str(self.workers_wanted)
        command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind", f"{HOST}:{self.port}"]
        if self.pythonpath:
            command += ["--pythonpath", self.pythonpath]
        started = time.monotonic()
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen([*command, self.app_spec], cwd=ROOT, env=env, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        expected = self.workers_wanted or 1
        while time.monotonic() < started + timeout:
            if self.proc.poll() is not None:
                raise BenchError(f"gunicorn ({self.app_spec}) exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(f"http://{HOST}:{self.port}{self.ready_path}", timeout=2) as response:
                    if response.status == 200 and len(self.workers()) >= expected:
                        return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.05)
        raise BenchError(f"gunicorn ({self.app_spec}) did not answer {self.ready_path} within {timeout:.0f} s")

    def workers(self) -> list[int]:
        if self.proc is None:
            return []
        try:
            text = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)


# --- the application, its database and signed-in people ---------------------------------------

def make_app(url: str, secret: str):
    """The Lectern app as gunicorn would build it (not TESTING: CSRF and rate limits on)."""
    import logging

    from app import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "LECTERN_DEMO": False})
    logging.getLogger().setLevel(logging.WARNING)
    return app


def migrate(app) -> None:
    import logging

    from flask_migrate import upgrade

    with app.app_context():
        logging.disable(logging.INFO)  # alembic's per-revision lines
        try:
            upgrade()
        finally:
            logging.disable(logging.NOTSET)


@dataclass
class Person:
    user_id: int
    cookie: str
    csrf: str


def add_people(app, count: int, role: str = "trainee", prefix: str = "t") -> list[tuple[int, int]]:
    """Create `count` people with one role; (user id, session epoch) of each."""
    from app.auth.models import User, UserRole
    from app.db import utcnow
    from app.extensions import db

    with app.app_context():
        now = utcnow()
        people = [User(email=f"{prefix}{i}@bench.test", display_name=f"{role.title()} {i:03d}", password_hash=None,
                       created_at=now) for i in range(count)]
        for person in people:
            person.role_rows = [UserRole(role=role)]
        db.session.add_all(people)
        db.session.commit()
        out = [(p.id, p.session_epoch) for p in people]
        db.session.remove()
    return out


def mint(app, users: list[tuple[int, int]]) -> list[Person]:
    """Signed session cookies (and CSRF tokens) as a sign-in would leave them, without argon2.
    (Sessions carry no address fingerprint any more; _id is kept as Flask-Login writes it.)"""
    from flask import session as flask_session
    from flask_login.utils import _create_identifier
    from flask_wtf.csrf import generate_csrf

    serializer = app.session_interface.get_signing_serializer(app)
    out = []
    for user_id, epoch in users:
        with app.test_request_context("/", environ_base={"REMOTE_ADDR": HOST}, headers={"User-Agent": USER_AGENT}):
            flask_session["_user_id"] = f"{user_id}:{epoch}"
            flask_session["_fresh"] = True
            flask_session["_id"] = _create_identifier()
            token = generate_csrf()
            out.append(Person(user_id, serializer.dumps(dict(flask_session)), token))
    return out


# --- keep-alive HTTP/1.1 client ----------------------------------------------------------------

@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes
    seconds: float     # from just before writing the request to the last byte of the body
    cookies: list[str] = field(default_factory=list)   # every Set-Cookie header


class Connection:
    """One persistent HTTP/1.1 connection; one request at a time; reconnects when the server closes."""

    def __init__(self, port: int, cookie_name: str = "session") -> None:
        self.port, self.cookie_name = port, cookie_name
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.reconnects = 0

    async def _open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection(HOST, self.port)

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None

    async def request(self, method: str, path: str, person: Person | None = None, *,
                      headers: dict[str, str] | None = None, body: bytes | None = None,
                      timeout: float = 30.0) -> Reply:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}:{self.port}", f"User-Agent: {USER_AGENT}"]
        if person is not None:
            lines.append(f"Cookie: {self.cookie_name}={person.cookie}")
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        if body is not None or method == "POST":
            lines.append(f"Content-Length: {len(body or b'')}")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
        for attempt in (1, 2):
            if self.writer is None:
                await self._open()
                if attempt == 2:
                    self.reconnects += 1
            started = time.perf_counter()
            try:
                self.writer.write(data)  # type: ignore[union-attr]
                reply = await asyncio.wait_for(self._read(started), timeout)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                self.close()
                if attempt == 2:
                    raise BenchError(f"{method} {path}: connection lost twice ({exc!r})") from exc
                continue  # the server closed an idle keep-alive connection: open a new one, once
            if reply.headers.get("connection", "").lower() == "close":
                self.close()
            if person is not None:
                for cookie in reply.cookies:
                    name, _, rest = cookie.partition("=")
                    if name.strip() == self.cookie_name and rest:
                        person.cookie = rest.split(";", 1)[0]
            return reply
        raise AssertionError("unreachable")

    async def _read(self, started: float) -> Reply:
        assert self.reader is not None
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers: dict[str, str] = {}
        cookies: list[str] = []
        for line in lines[1:]:
            if ":" in line:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
                if name.strip().lower() == "set-cookie":
                    cookies.append(value.strip())
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif "chunked" in headers.get("transfer-encoding", "").lower():
            parts = []
            while True:
                size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
                chunk = await self.reader.readexactly(size + 2)
                if size == 0:
                    break
                parts.append(chunk[:-2])
            body = b"".join(parts)
        else:
            body = await self.reader.read(-1)
            self.close()
        return Reply(status, headers, body, time.perf_counter() - started, cookies)


@dataclass
class LoadResult:
    seconds: float                         # measured window
    latencies: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    client_cpu: float = 0.0
    reconnects: int = 0
    completed: int = 0                     # every successful request, warm-up included
    server_cpu: float = 0.0                # CPU seconds of the server's workers over the whole run
    elapsed: float = 0.0                   # the whole run, warm-up included

    @property
    def server_busy(self) -> float:
        """Worker CPU over the whole run as a share of one core (1 worker near 100%: CPU/GIL-bound)."""
        return self.server_cpu / self.elapsed if self.elapsed else math.nan

    @property
    def server_cpu_ms(self) -> float:
        """Worker CPU per request (ms): what a request costs, whatever else the machine is doing."""
        return self.server_cpu / self.completed * 1000 if self.completed else math.nan

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def p(self, q: float) -> float:
        return pct(self.latencies, q) * 1000

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies) * 1000 if self.latencies else math.nan


async def closed_loop(port: int, clients: int, seconds: float, warmup: float,
                      step: Callable[[int, int], tuple[str, str, Person | None, dict[str, str] | None, bytes | None]],
                      check: Callable[[Reply], bool], cookie_name: str = "session",
                      server_pids: list[int] | None = None) -> LoadResult:
    """`clients` connections, each sending its next request as soon as the previous one is
    answered (no think time), for warmup + seconds; figures cover the last `seconds` only.
    step(client, n) gives (method, path, person, headers, body) of client's n-th request."""
    connections = [Connection(port, cookie_name) for _ in range(clients)]
    result = LoadResult(seconds)
    begin = time.monotonic()
    window_start, window_end = begin + warmup, begin + warmup + seconds
    cpu_start: list[float] = []
    server_before = sum(proc_memory(pid).get("cpu", 0.0) for pid in server_pids or [])

    async def run(index: int) -> None:
        connection = connections[index]
        n = 0
        while True:
            now = time.monotonic()
            if now >= window_end:
                return
            method, path, person, headers, body = step(index, n)
            n += 1
            try:
                reply = await connection.request(method, path, person, headers=headers, body=body)
            except (TimeoutError, BenchError, OSError) as exc:
                if time.monotonic() >= window_start:
                    result.failures.append(f"{method} {path}: {exc!r}")
                connection.close()
                continue
            if not check(reply):
                if now >= window_start:
                    result.failures.append(f"{method} {path}: {reply.status} {reply.body[:120]!r}")
                continue
            result.completed += 1
            if now < window_start:
                continue
            if time.monotonic() <= window_end:
                result.latencies.append(reply.seconds)

    async def stamp_cpu() -> None:
        await asyncio.sleep(warmup)
        cpu_start.append(time.process_time())

    await asyncio.gather(stamp_cpu(), *(run(i) for i in range(clients)))
    result.client_cpu = time.process_time() - (cpu_start[0] if cpu_start else 0.0)
    result.reconnects = sum(c.reconnects for c in connections)
    result.server_cpu = sum(proc_memory(pid).get("cpu", 0.0) for pid in server_pids or []) - server_before
    result.elapsed = time.monotonic() - begin
    for connection in connections:
        connection.close()
    return result


# --- profiles (py-spy) --------------------------------------------------------------------------

class Profile:
    """`with Profile(pids, path):` py-spy samples those processes (the thread holding the GIL: CPU spent in Python) while
    the block runs and writes collapsed stacks to `path` (py-spy's raw format); `top_frames(path)`
    summarises them. Needs the py-spy binary (PyPI) beside this Python and permission to ptrace."""

    def __init__(self, pids: list[int], path: str | Path, rate: int = 250) -> None:
        self.pids, self.path, self.rate = pids, Path(path), rate
        self.procs: list[subprocess.Popen] = []

    def __enter__(self) -> Profile:
        spy = Path(sys.executable).with_name("py-spy")
        for pid in self.pids:
            out = self.path.with_name(f"{self.path.stem}-{pid}{self.path.suffix}")
            self.procs.append(subprocess.Popen(
                [str(spy), "record", "--pid", str(pid), "--rate", str(self.rate), "--format", "raw", "--gil",
                 "--output", str(out), "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(0.5)  # attached before the load starts
        return self

    def __exit__(self, *_exc: object) -> None:
        for proc in self.procs:
            proc.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        parts = sorted(self.path.parent.glob(f"{self.path.stem}-*{self.path.suffix}"))
        self.path.write_text("".join(p.read_text() for p in parts))
        for part in parts:
            part.unlink()


def print_top_frames(path: str | Path, count: int = 12) -> None:
    """The top frames of a Profile's file (bench/pyspy_top.py): Lectern's own and the templates by
    inclusive share, any frame by self share."""
    import re
    from collections import Counter

    from pyspy_top import parse, table

    total, inclusive, own = parse(Path(path).read_text(errors="replace"))
    if not total:
        print(f"  py-spy {Path(path).name}: no samples")
        return
    ours = re.compile(r"\(app/|\.html\)")
    print(f"\n  py-spy {Path(path).name}: {total} samples holding the GIL")
    print(table("  inclusive (Lectern's code and templates)", Counter({k: n for k, n in inclusive.items()
                                                                    if ours.search(k)}), total, count, False))
    print(table("  self", own, total, count, False))
