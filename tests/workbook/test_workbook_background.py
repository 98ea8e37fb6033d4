"""The workbook made in the background: a request during a build gets a progress page (202) and
later the PDF; only one builder per host; a content change makes a new one; a build neither waits
for nor takes the render queue; a failed build is reported, not a 500."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from app.content.catalog import catalog
from app.workbook import background, build
from app.workbook.readiness import cache_name

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def course_dir(tmp_path):
    target = tmp_path / "course"
    shutil.copytree(FIXTURES / "mini-course", target)
    return target


@pytest.fixture
def app_config(database_uri, course_dir):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "CURRICULUM_DIR": str(course_dir),
            "QUIZZES_DIR": str(FIXTURES / "mini-quizzes"), "WORKBOOK_BUILD": "background"}


@pytest.fixture
def folder(app, tmp_path):
    app.instance_path = str(tmp_path / "instance")
    yield tmp_path / "instance" / "cache"
    if background._thread is not None:
        background._thread.join(90)


def wait_for(client, url: str, seconds: float = 90):
    """Follow the progress page as a browser without JavaScript would, until it is not 202."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        response = client.get(url)
        if response.status_code != 202:
            return response
        time.sleep(0.5)
    raise AssertionError(f"{url} still preparing after {seconds} s")


def test_a_request_during_a_build_gets_the_progress_page_then_the_pdf(app, client, make_user, sign_in, folder):
    sign_in(make_user())
    with background.host_lock(folder) as mine:               # another worker is building
        assert mine
        response = client.get("/workbook.pdf")
        page = response.get_data(as_text=True)
        assert response.status_code == 202 and response.headers["Retry-After"] == "3"
        assert "Preparing the workbook…" in page and "about 15 seconds" in page
        assert '<noscript><meta http-equiv="refresh" content="3; url=/workbook/preparing?edition=trainee">' in page
        assert 'src="/static/js/workbook.js"' in page and "<progress" in page
        assert client.get("/workbook/status").get_json()["ready"] is False
        assert background._thread is None or not background._thread.is_alive()   # left to the other worker
    assert client.get("/workbook.pdf").status_code == 202     # nobody builds now: this request starts it
    ready = wait_for(client, "/workbook/preparing")
    page = ready.get_data(as_text=True)
    assert ready.status_code == 200 and "The workbook is ready" in page
    assert '<meta http-equiv="refresh" content="0; url=/workbook.pdf?edition=trainee">' in page
    pdf = client.get("/workbook.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    assert "workbook.pdf" in pdf.headers["Content-Disposition"]
    background._thread.join(90)                                # the instructor edition follows
    assert {p.name for p in folder.glob("*.pdf")} == {cache_name(e, catalog().content_hash) for e in build.EDITIONS}
    assert background.read_status(folder)["seconds"].keys() == {"trainee", "instructor"}


def test_only_one_builder_per_host(app, folder):
    with background.host_lock(folder):
        assert background.build_missing(app) is False         # waited a moment, then left it to the holder
        assert background.is_building(folder)
    assert not list(folder.glob("*.pdf")) and not background.is_building(folder)
    assert background.build_missing(app) is True and len(list(folder.glob("*.pdf"))) == 2


def test_a_content_change_makes_a_new_workbook(app, folder, course_dir):
    app.config["WORKBOOK_PREPARE_AT_START"] = True
    holder = app.extensions["lectern.catalog"]
    holder.reload_seconds = 0.01
    background.build_missing(app)
    before = catalog().content_hash
    lesson = course_dir / "day-1" / "01-opening.md"
    lesson.write_text(lesson.read_text(encoding="utf-8") + "\nA sentence added after the first build.\n",
                      encoding="utf-8")
    time.sleep(0.05)
    after = catalog().content_hash                             # reloads, and the listener starts a build
    assert after != before and background._thread is not None
    background._thread.join(90)
    names = {p.name for p in folder.glob("*.pdf")}
    assert {cache_name(e, after) for e in build.EDITIONS} <= names
    assert {cache_name(e, before) for e in build.EDITIONS} <= names   # the old ones stay until cleaned by hand


def test_the_build_neither_waits_for_nor_takes_the_render_queue(app, client, make_user, sign_in, folder):
    import threading

    from app.pdf import render

    app.config["WORKBOOK_BUILD"] = "inline"
    app.config["PDF_RENDER_QUEUE"] = 0
    sign_in(make_user())
    release, holding = threading.Event(), threading.Event()

    def hold():
        with render._queue.turn():
            holding.set()
            release.wait(60)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    try:
        response = client.get("/workbook.pdf")                  # made in a child process meanwhile
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        assert client.get("/checklist.pdf").status_code == 429  # the queue really was busy
    finally:
        release.set()
        holder.join(5)


def test_a_failed_build_is_reported_and_retried_later(app, client, make_user, sign_in, folder, monkeypatch):
    app.config["WORKBOOK_BUILD"] = "inline"
    monkeypatch.setattr(build, "MAX_PAGES", 1)                  # the mini workbook has more pages than that
    sign_in(make_user())
    response = client.get("/workbook.pdf")
    assert response.status_code == 503 and response.headers["Retry-After"] == "300"
    assert "could not be prepared" in response.get_data(as_text=True)
    assert "pages" in background.read_status(folder)["error"]
    assert client.get("/workbook/status").get_json() == {
        "ready": False, "failed": True, "percent": 0, "message": "The workbook could not be prepared.",
        "url": "/workbook/preparing?edition=trainee"}
    monkeypatch.setattr(build, "MAX_PAGES", 600)
    assert client.get("/workbook.pdf").status_code == 503       # not before RETRY_FAILED_AFTER
    monkeypatch.setattr("app.workbook.readiness.RETRY_FAILED_AFTER", 0.0)
    assert client.get("/workbook.pdf").status_code == 200


def test_the_instructor_edition_stays_for_staff(client, make_user, sign_in, folder):
    sign_in(make_user())
    for url in ("/workbook.pdf", "/workbook/preparing", "/workbook/status"):
        assert client.get(url + "?edition=instructor").status_code == 403
        assert client.get(url + "?edition=other").status_code == 404
