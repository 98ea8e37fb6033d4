"""A real Learning Record Store for the xAPI tests: Ralph (France Université Numérique,
`ralph-malph`) serving its LRS API over its file-system backend (appending: ralph_fs_lrs.py says
why), from its own virtualenv
(scripts/ralph-venv.sh makes .ci/vendor/ralph-venv). Started once per module on a free port with a
temporary data directory and a Basic-auth users file made by `ralph auth`; stopped afterwards.

Without that virtualenv the tests that need it skip, saying how to make it; with
LECTERN_REQUIRE_LRS=1 (CI, .ci/run) they fail instead."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from base64 import b64encode
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

ROOT = Path(__file__).resolve().parents[2]
RALPH_VENV = Path(os.environ.get("LECTERN_RALPH_VENV", ROOT / ".ci" / "vendor" / "ralph-venv"))
USERNAME, PASSWORD = "lectern", "lrs-test-password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Lrs:
    endpoint: str
    log: Path

    def get(self, path: str, **params: Any) -> tuple[int, Any]:
        url = f"{self.endpoint}{path}" + (f"?{urlencode(params)}" if params else "")
        request = urllib.request.Request(url, headers={
            "X-Experience-API-Version": "1.0.3",
            "Authorization": "Basic " + b64encode(f"{USERNAME}:{PASSWORD}".encode()).decode()})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def statement(self, statement_id: str) -> dict[str, Any]:
        """One statement, read back through the LRS's own API (GET /statements?statementId=)."""
        status, body = self.get("/statements", statementId=statement_id)
        assert status == 200, (status, body)
        # Ralph 5 wraps a single statement in a StatementResult; the spec returns it bare
        found = body["statements"] if isinstance(body, dict) and "statements" in body else [body]
        assert len(found) == 1, found
        return found[0]

    def statements(self, **filters: Any) -> list[dict[str, Any]]:
        status, body = self.get("/statements", limit=1000, **filters)
        assert status == 200, (status, body)
        return list(body["statements"])


def _missing(reason: str) -> None:
    if os.environ.get("LECTERN_REQUIRE_LRS") == "1":
        pytest.fail(f"LECTERN_REQUIRE_LRS=1 but {reason}")
    pytest.skip(f"{reason}; run scripts/ralph-venv.sh to install Ralph (the LRS these tests use)")


@pytest.fixture(scope="module")
def ralph(tmp_path_factory: pytest.TempPathFactory):
    python = RALPH_VENV / "bin" / "python"
    if not (RALPH_VENV / "bin" / "ralph").exists():
        _missing(f"Ralph is not installed in {RALPH_VENV}")
    home = tmp_path_factory.mktemp("ralph")
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("RALPH_")},
           "RALPH_APP_DIR": str(home / "app"), "RALPH_AUTH_FILE": str(home / "auth.json"),
           "RALPH_RUNSERVER_BACKEND": "fs", "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(home / "data"),
           "RALPH_RUNSERVER_MAX_SEARCH_HITS_COUNT": "1000"}
    made = subprocess.run([str(RALPH_VENV / "bin" / "ralph"), "auth", "-u", USERNAME, "-p", PASSWORD, "-s", "all",
                           "-A", USERNAME, "https://lrs.test", "-w"], env=env, capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    port = free_port()
    log = home / "ralph.log"
    with log.open("w") as out:
        server = subprocess.Popen([str(python), str(Path(__file__).with_name("ralph_fs_lrs.py")), "127.0.0.1",
                                   str(port)], env=env, stdout=out, stderr=subprocess.STDOUT)
    lrs = Lrs(f"http://127.0.0.1:{port}/xAPI", log)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/__heartbeat__", timeout=2) as up:
                    if up.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"Ralph did not start: {log.read_text()[-3000:]}")
            time.sleep(0.2)
        yield lrs
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
