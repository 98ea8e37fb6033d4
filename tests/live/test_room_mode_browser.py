"""`make room` as a trainer would use it: a phone on the same network reaches the printed address,
and the QR code on the projector decodes to it (issue 13).

The "phone" is a network namespace with its own address, joined to this machine by a veth pair
(the room's Wi-Fi); `scripts/run.sh` in room mode is told to use that link's address
(LECTERN_ROOM_INTERFACE), as a trainer with two networks would. Needs root and iproute2.
"""
from __future__ import annotations

import http.cookiejar
import io
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str) -> None:
    subprocess.run(args, check=True, capture_output=True)


@pytest.fixture
def room_network():
    """(interface on this machine, its address, the phone's namespace)."""
    if os.geteuid() != 0 or not shutil.which("ip"):
        pytest.skip("needs root and iproute2 to make a network namespace for the phone")
    tag = secrets.token_hex(3)
    namespace, host_if, phone_if = f"lectern-phone-{tag}", f"lr{tag}h", f"lr{tag}p"
    subnet = 1 + int(tag[:2], 16) % 250
    host_ip, phone_ip = f"10.213.{subnet}.1", f"10.213.{subnet}.2"
    try:
        _run("ip", "netns", "add", namespace)
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"cannot make a network namespace here: {exc.stderr.decode().strip()}")
    try:
        _run("ip", "link", "add", host_if, "type", "veth", "peer", "name", phone_if)
        _run("ip", "link", "set", phone_if, "netns", namespace)
        _run("ip", "addr", "add", f"{host_ip}/30", "dev", host_if)
        _run("ip", "link", "set", host_if, "up")
        _run("ip", "netns", "exec", namespace, "ip", "addr", "add", f"{phone_ip}/30", "dev", phone_if)
        _run("ip", "netns", "exec", namespace, "ip", "link", "set", phone_if, "up")
        _run("ip", "netns", "exec", namespace, "ip", "link", "set", "lo", "up")
        yield host_if, host_ip, namespace
    finally:
        subprocess.run(["ip", "link", "del", host_if], capture_output=True)
        subprocess.run(["ip", "netns", "del", namespace], capture_output=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def room_server(room_network, tmp_path):
    host_if, host_ip, namespace = room_network
    port = _free_port()
    env = {**os.environ, "ROOM": "1", "PORT": str(port), "LECTERN_ROOM_INTERFACE": host_if,
           "DATABASE_URL": f"sqlite:///{tmp_path / 'room.db'}", "SECRET_KEY": secrets.token_hex(16),
           "GUNICORN_ACCESSLOG": "/dev/null", "LECTERN_PAGE_THREADS": "8", "WEB_CONCURRENCY": "1"}
    for name in ("REDIS_URL", "LECTERN_BASE_URL", "HOST", "FLASK_DEBUG"):
        env.pop(name, None)
    log = tmp_path / "run.log"
    with open(log, "w") as out:
        process = subprocess.Popen(["bash", "scripts/run.sh"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    try:
        printed = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and printed is None:
            match = re.search(r"Phones join at (\S+)", log.read_text())
            printed = match.group(1) if match else None
            if process.poll() is not None:
                break
            time.sleep(0.2)
        assert printed, f"room mode printed no join address:\n{log.read_text()}"
        yield printed, host_ip, namespace, log
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)


def _wait_for(url: str, namespace: str) -> int:
    """The status of GET url, asked from inside the phone's namespace (another host)."""
    script = ("import sys, time, urllib.request\n"
              "for _ in range(150):\n"
              "    try:\n"
              "        print(urllib.request.urlopen(sys.argv[1], timeout=5).status); break\n"
              "    except Exception as exc:\n"
              "        last = exc; time.sleep(0.2)\n"
              "else:\n"
              "    print('unreachable', last)\n")
    result = subprocess.run(["ip", "netns", "exec", namespace, sys.executable, "-c", script, url],
                            capture_output=True, text=True, timeout=60)
    return int(result.stdout.strip()) if result.stdout.strip().isdigit() else result.stdout + result.stderr


class Browser:
    """A cookie-keeping HTTP client for setting the session up (as the instructor's laptop)."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def get(self, path: str) -> str:
        return self.opener.open(self.base + path, timeout=30).read().decode()

    def post(self, path: str, fields: dict[str, str]) -> str:
        data = urllib.parse.urlencode(fields).encode()
        return self.opener.open(urllib.request.Request(self.base + path, data=data), timeout=30).geturl()


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', html)
    return match.group(1) or match.group(2)


def test_room_mode_serves_phones_at_the_printed_address_and_the_qr_code_says_it(room_server, browser):
    import zxingcpp
    from PIL import Image

    printed, host_ip, namespace, log = room_server
    assert printed.startswith(f"http://{host_ip}:") and printed.endswith("/join")
    base = printed.removesuffix("/join")
    assert "127.0.0.1" not in printed
    assert _wait_for(base + "/healthz", namespace) == 200, log.read_text()
    assert _wait_for(printed, namespace) == 200  # the join page (the sign-in page, for a phone not signed in)

    laptop = Browser(base)
    login = laptop.get("/login")
    laptop.post("/login", {"email": "instructor@example.com", "password": "demo-instructor", "csrf_token": _token(login)})
    teach = laptop.get("/teach/")
    cohort_id = re.search(r'name="cohort_id" value="(\d+)"', teach) or re.search(r"/teach/cohorts/(\d+)", teach)
    present = laptop.post("/live/start", {"cohort_id": cohort_id.group(1), "day": "1", "csrf_token": _token(teach)})
    session_path = urllib.parse.urlsplit(present).path.removesuffix("/present")

    context = browser.new_context(viewport={"width": 1280, "height": 720})
    jar = next(h.cookiejar for h in laptop.opener.handlers if isinstance(h, urllib.request.HTTPCookieProcessor))
    context.add_cookies([{"name": c.name, "value": c.value, "url": base + "/"} for c in jar])
    page = context.new_page()
    page.goto(base + session_path + "/projector")
    # the projector redraws its screen when the first live state arrives: take the code once it has
    for attempt in range(5):
        try:
            page.wait_for_timeout(300)
            shot = page.locator("svg[aria-label='QR code for the join link']").first.screenshot()
            break
        except PlaywrightError:
            if attempt == 4:
                raise
    context.close()
    decoded = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(shot)))]
    assert len(decoded) == 1 and decoded[0].startswith(printed + "?code="), decoded
    assert _wait_for(decoded[0], namespace) == 200   # the phone opens what it scanned
