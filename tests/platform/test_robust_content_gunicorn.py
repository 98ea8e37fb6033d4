"""Broken course content under real gunicorn: at start-up it fails loudly with `file:line`; while
running, the server keeps serving the last good content, shows administrators what is wrong, and
puts the fixed file live. (test_content_reload.py covers the same rules inside one process with
the test client; this adds the production entry point, `wsgi:app` under gunicorn.)

`wsgi:app` reads the course from the project's own curriculum/ and quizzes/ folders, so each test
runs gunicorn in a copy of the project (the application package, wsgi.py, gunicorn.conf.py and the
content) whose files it can break without touching the repository.
"""
from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest

from app.content.problems import ContentInvalid

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LESSON = Path("curriculum/day-1/01-what-are-clusters.md")
QUIZ = Path("quizzes/stage-01.yaml")


@pytest.fixture
def site(tmp_path, servers) -> Path:
    """A copy of the project to run gunicorn in."""
    target = tmp_path / "site"
    target.mkdir()
    for name in ("app", "curriculum", "quizzes"):
        shutil.copytree(servers.ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("wsgi.py", "gunicorn.conf.py"):
        shutil.copy(servers.ROOT / name, target / name)
    return target


def _line_of(path: Path, text: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), start=1) if text in line)


def _rewrite(path: Path, old: str, new: str) -> None:
    """Edit a content file so that the change is seen at once (a later modification time)."""
    content = path.read_text()
    assert old in content
    path.write_text(content.replace(old, new))
    stamp = time.time() + 5
    os.utime(path, (stamp, stamp))


def test_broken_quiz_file_stops_create_app_with_file_and_line(database_uri, tmp_path):
    from app import create_app

    quizzes = tmp_path / "quizzes"
    shutil.copytree(FIXTURES / "mini-quizzes", quizzes)
    quiz = quizzes / "opening-check.yaml"
    line = _line_of(quiz, "pass_mark:")
    quiz.write_text(quiz.read_text().replace("pass_mark: 60", "pass_mark: most of it"))
    with pytest.raises(ContentInvalid) as info:
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri,
                    "CURRICULUM_DIR": str(FIXTURES / "mini-course"), "QUIZZES_DIR": str(quizzes)})
    assert re.search(rf"opening-check\.yaml:{line}: .*pass_mark", str(info.value)), str(info.value)


def test_gunicorn_refuses_to_boot_on_broken_content_and_logs_file_and_line(database_uri, site, tmp_path, servers):
    line = _line_of(site / QUIZ, "pass_mark:")
    _rewrite(site / QUIZ, "pass_mark: 70", "pass_mark: most of it")
    port, log = servers.free_port(), tmp_path / "boot.log"
    server = servers.start(database_uri, port, log, cwd=site)
    try:
        server.wait(60)
    finally:
        servers.stop(server)
    output = log.read_text()
    assert server.returncode != 0, output[-2000:]
    assert f"{QUIZ}:{line}: " in output and "pass_mark" in output, output[-3000:]
    assert "Worker failed to boot" in output


def test_running_gunicorn_keeps_the_last_good_content_and_takes_the_fix(app, database_uri, make_user, site, tmp_path, servers):
    admin = make_user(roles=("admin",), email="admin@example.org")
    trainee = make_user(email="trainee@example.org")
    port, log = servers.free_port(), tmp_path / "server.log"
    base = f"http://127.0.0.1:{port}"
    slug = "what-are-clusters"
    server = servers.start(database_uri, port, log, cwd=site)
    try:
        servers.wait_until_serving(server, port, log)
        staff, learner = servers.Browser("10.0.2.1"), servers.Browser("10.0.2.2")
        staff.sign_in(base, admin.email)
        learner.sign_in(base, trainee.email)

        def lesson(browser: servers.Browser) -> str:
            status, _location, page = browser.request(f"{base}/lessons/{slug}")
            assert status == 200, status
            return page

        def eventually(check, seconds: float = 15) -> str:
            deadline = time.monotonic() + seconds
            while True:
                page = lesson(staff)
                if check(page) or time.monotonic() > deadline:
                    return page
                time.sleep(0.25)

        assert "Where the idea comes from" in lesson(learner)
        line = _line_of(site / LESSON, "minutes: 40")
        _rewrite(site / LESSON, "minutes: 40", "minutes: forty")
        _rewrite(site / LESSON, "## Where the idea comes from", "## NEVER SHOWN")
        page = eventually(lambda p: "still serving the last good version" in p)
        assert "still serving the last good version" in page, "no problem banner for the administrator"
        assert f"{LESSON}:{line}: " in page and "Where the idea comes from" in page and "NEVER SHOWN" not in page
        seen_by_trainee = lesson(learner)
        assert "Where the idea comes from" in seen_by_trainee and "still serving" not in seen_by_trainee

        _rewrite(site / LESSON, "minutes: forty", "minutes: 40")
        _rewrite(site / LESSON, "## NEVER SHOWN", "## Now live")
        page = eventually(lambda p: "Now live" in p)
        assert "Now live" in page and "still serving" not in page
        assert "Now live" in lesson(learner)
        assert server.poll() is None
    finally:
        servers.stop(server)
    assert "Content changed but is invalid" in log.read_text()
