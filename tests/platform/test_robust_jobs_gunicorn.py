"""A gunicorn worker stopped in the middle of a CSV import: its worker_exit hook marks the job
interrupted at once, and the import's transaction leaves nothing behind (PostgreSQL)."""
import os
import signal
import time
import urllib.error
import urllib.request
import uuid

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db
from app.jobs.models import Job

ROWS = 20_000     # checked in about a second, then several seconds of inserts in one transaction


def _upload(browser, base: str, text: str) -> str:
    boundary = uuid.uuid4().hex
    parts = [("csrf_token", None, browser.csrf), ("mode", None, "import"), ("file", "people.csv", text)]
    body = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"'
        + (f'; filename="{filename}"\r\nContent-Type: text/csv' if filename else "")
        + f"\r\n\r\n{value}\r\n" for name, filename, value in parts) + f"--{boundary}--\r\n"
    request = urllib.request.Request(base + "/admin/import", data=body.encode(),
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with browser.opener.open(request, timeout=60) as response:
            status, location = response.status, response.headers.get("Location", "")
    except urllib.error.HTTPError as exc:
        status, location = exc.code, exc.headers.get("Location", "")
    assert status == 302 and "/admin/jobs/" in location, (status, location)
    return location if location.startswith("http") else base + location


def test_a_worker_stopped_mid_import_marks_the_job_interrupted_and_saves_nothing(app, database_uri, make_user,
                                                                               tmp_path, on_postgres, servers):
    if not on_postgres:
        pytest.skip("PostgreSQL: on SQLite the import holds the one write lock, so the hook cannot mark the job "
                    "until the import ends (the 15-minute rule in app/jobs/services.py covers that case)")
    admin_email = make_user(roles=("admin",), email="admin@example.org").email
    people_before = db.session.scalar(sa.select(sa.func.count()).select_from(User))
    db.session.remove()
    port, log = servers.free_port(), tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}"
    server = servers.start(database_uri, port, log)
    try:
        servers.wait_until_serving(server, port, log)
        browser = servers.Browser("10.0.7.1")
        browser.sign_in(base, admin_email)
        text = "email,name,role,cohort\n" + "".join(f"imp{i}@example.org,Person {i},trainee,\n" for i in range(ROWS))
        job_url = _upload(browser, base, text)
        deadline = time.monotonic() + 30
        while f"{ROWS} of {ROWS}" not in browser.request(job_url)[2]:       # checked: now inserting
            assert time.monotonic() < deadline, "the import never reached its insert phase"
            time.sleep(0.1)
        [worker] = servers.worker_pids(server.pid)
        os.kill(worker, signal.SIGTERM)                 # a graceful stop, as a restart sends
        deadline = time.monotonic() + 40
        while True:
            pids = servers.worker_pids(server.pid)
            if pids and worker not in pids:
                status, _location, page = browser.request(job_url)
                if status == 200:
                    break
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.2)
        assert "The server stopped while the file was being imported" in page and 'http-equiv="refresh"' not in page
        job = db.session.scalars(sa.select(Job)).one()
        assert (job.status, job.stage, job.result["interrupted"]) == ("failed", "Interrupted", True)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == people_before
    finally:
        servers.stop(server)
