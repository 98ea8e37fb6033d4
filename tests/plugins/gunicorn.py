"""Real gunicorn servers on the test database, and a small cookie-and-CSRF browser to talk to them.

Shared by the test_robust_* modules (test_live_gunicorn.py keeps its own Redis-backed variant)."""
from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

from tests.plugins.factories import PASSWORD, csrf_token_from

ROOT = Path(__file__).resolve().parents[2]
USER_AGENT = "lectern-robustness-test"   # "strong" sessions are tied to the User-Agent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(database_uri: str, port: int, log: Path, *, workers: int = 1, threads: int = 16,
          config: str = "gunicorn.conf.py", cwd: Path = ROOT, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`python -m gunicorn --config … wsgi:app` as production runs it (CSRF, rate limits and all).
    LECTERN_TRUSTED_PROXIES=1 lets each test browser be its own client address (X-Forwarded-For),
    as people behind a reverse proxy are, so the per-address sign-in limit sees ten people, not one."""
    environment = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "WEB_CONCURRENCY", "FLASK_DEBUG")}
    environment.update(SECRET_KEY="robustness-test-secret", DATABASE_URL=database_uri, LECTERN_DEMO="0",
                       WEB_CONCURRENCY=str(workers), LECTERN_PAGE_THREADS=str(threads), GUNICORN_ACCESSLOG="-",
                       LECTERN_TRUSTED_PROXIES="1", **(env or {}))
    with log.open("ab") as out:   # the child keeps its own copy of the file
        return subprocess.Popen([sys.executable, "-m", "gunicorn", "--config", config, "--bind", f"127.0.0.1:{port}",
                                 "wsgi:app"], cwd=cwd, env=environment, stdout=out, stderr=subprocess.STDOUT)


def wait_until_serving(process: subprocess.Popen, port: int, log: Path, seconds: float = 40) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"gunicorn on {port} did not start:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def worker_pids(master_pid: int) -> list[int]:
    """The live worker processes of a gunicorn master (its children)."""
    try:
        children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    except OSError:
        return []
    return [int(pid) for pid in children]


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None   # the test looks at each 302 itself


def _body(response) -> str:
    """The response body, or as much of it as came: a worker killed just after sending the status
    line and headers (a 302 after its commit, say) still answered with that status."""
    try:
        return response.read().decode()
    except http.client.IncompleteRead as exc:
        return exc.partial.decode(errors="replace")


class Browser:
    """One person: a cookie jar, a fixed User-Agent and client address, and the page's CSRF token."""

    def __init__(self, address: str = "10.0.0.1") -> None:
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirects())
        self.opener.addheaders = [("User-Agent", USER_AGENT), ("X-Forwarded-For", address)]
        self.csrf = ""

    def request(self, url: str, data: dict | None = None, timeout: float = 30) -> tuple[int, str, str]:
        """(status, Location header, body); redirects are not followed."""
        body = None
        if data is not None:
            body = urllib.parse.urlencode({"csrf_token": self.csrf, **data}, doseq=True).encode()
        try:
            with self.opener.open(urllib.request.Request(url, data=body), timeout=timeout) as r:
                return r.status, r.headers.get("Location", ""), _body(r)
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("Location", ""), _body(exc)

    def sign_in(self, base: str, email: str) -> None:
        status, _location, page = self.request(base + "/login")
        assert status == 200, status
        self.csrf = csrf_token_from(page)
        status, location, _body = self.request(base + "/login", {"email": email, "password": PASSWORD})
        assert status == 302 and not location.endswith("/login"), (status, location)
        status, _location, page = self.request(base + "/")
        assert status == 200, status
        self.csrf = csrf_token_from(page)   # the token of the signed-in session


TOKEN = re.compile(r'name="token" value="([^"]+)"')
RADIO = re.compile(r'type="radio" id="[^"]*" name="(q-[^"]+)" value="([^"]+)"')


def attempt_form(page: str) -> tuple[str, dict[str, list[str]]]:
    """The submit token of an attempt page and its single-choice questions' option values."""
    token = TOKEN.search(page)
    assert token, "no submit token on the attempt page"
    radios: dict[str, list[str]] = {}
    for name, value in RADIO.findall(page):
        radios.setdefault(name, []).append(value)
    return token.group(1), radios
