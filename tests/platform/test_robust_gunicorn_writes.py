"""Two gunicorn worker processes writing lesson completions and quiz attempts at the same time
lose nothing and duplicate nothing, counted in the database afterwards.

Two servers with one worker each share the test database (a SQLite file, or PostgreSQL when
TEST_DATABASE_URL says so), so both processes are certainly writing: every person's requests
alternate between them, and each duplicate is sent to the other server at the same moment as the
original. Ten trainees sign in through /login and use the real CSRF tokens. Then, all at once:
every trainee completes all lessons (each completion posted twice, concurrently), and takes three
quizzes to their attempt limit, double-clicking "start" and double-submitting every attempt with
two different answer sets; one more start past the limit must be refused.
"""
from __future__ import annotations

import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from app.content.catalog import catalog
from app.extensions import db
from app.learn.models import LessonCompletion
from app.quizzes import scoring
from app.quizzes.models import QuizAttempt
from app.quizzes.snapshot import thaw

TRAINEES = 10
QUIZZES = ("stage-01", "stage-02", "day-1-assessment")


def both(first, second):
    """Run two requests at the same moment; return both results."""
    results: list = [None, None]
    barrier = threading.Barrier(2)

    def run(index: int, call) -> None:
        barrier.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(0, first)), threading.Thread(target=run, args=(1, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return results


def test_two_workers_lose_and_duplicate_nothing(app, database_uri, make_user, tmp_path, servers):
    if database_uri.startswith("sqlite:///:memory:"):
        pytest.skip("needs a database file the servers can share")
    cat = catalog()
    lessons = [lesson.slug for lesson in cat.lessons]
    limits = {quiz_id: cat.quiz(quiz_id).attempts for quiz_id in QUIZZES}
    people = [make_user(email=f"trainee{n}@example.org") for n in range(TRAINEES)]
    ids = {p.email: p.id for p in people}

    ports = [servers.free_port(), servers.free_port()]
    logs = [tmp_path / "a.log", tmp_path / "b.log"]
    processes = [servers.start(database_uri, port, log) for port, log in zip(ports, logs)]
    try:
        for process, port, log in zip(processes, ports, logs):
            servers.wait_until_serving(process, port, log)
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        browsers = {}
        for n, person in enumerate(people):
            browsers[person.email] = servers.Browser(address=f"10.0.0.{n + 1}")
            browsers[person.email].sign_in(bases[n % 2], person.email)

        statuses: Counter = Counter()
        submitted: dict[int, list[dict]] = {}   # attempt id → the two answer sets sent for it
        problems: list[str] = []
        lock = threading.Lock()

        def note(kind: str, status: int) -> None:
            with lock:
                statuses[(kind, status)] += 1

        def complete_all(email: str) -> None:
            browser = browsers[email]
            for slug in lessons:
                results = both(lambda: browser.request(f"{bases[0]}/lessons/{slug}/complete", {}),
                               lambda: browser.request(f"{bases[1]}/lessons/{slug}/complete", {}))
                for status, _location, _body in results:
                    note("complete", status)

        def take_quizzes(email: str) -> None:
            browser = browsers[email]
            for quiz_id in QUIZZES:
                for attempt_no in range(1, limits[quiz_id] + 1):
                    a, b = bases[attempt_no % 2], bases[(attempt_no + 1) % 2]
                    starts = both(lambda: browser.request(f"{a}/quizzes/{quiz_id}/start", {}),
                                  lambda: browser.request(f"{b}/quizzes/{quiz_id}/start", {}))
                    locations = {location for _status, location, _body in starts}
                    for status, _location, _body in starts:
                        note("start", status)
                    if len(locations) != 1 or "/attempts/" not in next(iter(locations)):
                        problems.append(f"{email} {quiz_id} #{attempt_no}: double start gave {locations}")
                        return
                    attempt_id = int(next(iter(locations)).rsplit("/", 1)[1])
                    status, _location, page = browser.request(f"{a}/attempts/{attempt_id}")
                    token, radios = servers.attempt_form(page)
                    name, values = next(iter(radios.items()))
                    first = {"action": "submit", "allow_unanswered": "1", "token": token, name: values[0]}
                    second = {"action": "submit", "allow_unanswered": "1", "token": token, name: values[1]}
                    with lock:
                        submitted[attempt_id] = [{name[2:]: values[0]}, {name[2:]: values[1]}]  # q-<id> → <id>
                    results = both(lambda: browser.request(f"{a}/attempts/{attempt_id}", first),
                                   lambda: browser.request(f"{b}/attempts/{attempt_id}", second))
                    for status, location, _body in results:
                        note("submit", status)
                        if not location.endswith(f"/attempts/{attempt_id}"):
                            problems.append(f"{email} attempt {attempt_id}: submit went to {location!r}")
                status, location, _body = browser.request(f"{a}/quizzes/{quiz_id}/start", {})
                note("start past the limit", status)
                if not location.endswith(f"/quizzes/{quiz_id}"):
                    problems.append(f"{email} {quiz_id}: a start past the limit went to {location!r}")

        with ThreadPoolExecutor(max_workers=2 * TRAINEES) as pool:
            jobs = [pool.submit(complete_all, email) for email in browsers]
            jobs += [pool.submit(take_quizzes, email) for email in browsers]
            for job in jobs:
                job.result(timeout=300)
    finally:
        for process in processes:
            servers.stop(process)

    assert problems == []
    n_attempts = TRAINEES * sum(limits.values())
    assert statuses == Counter({("complete", 302): TRAINEES * len(lessons) * 2, ("start", 302): n_attempts * 2,
                                ("submit", 302): n_attempts * 2, ("start past the limit", 302): TRAINEES * len(QUIZZES)})
    # both processes served their share (their access logs count the completion posts)
    served = [len(re.findall(r'"POST /lessons/[^ ]+/complete HTTP', log.read_text())) for log in logs]
    assert served == [TRAINEES * len(lessons)] * 2, served

    db.session.rollback()
    completions = db.session.execute(sa.select(LessonCompletion.user_id, LessonCompletion.lesson_key)).all()
    assert len(completions) == TRAINEES * len(lessons)
    assert set(completions) == {(uid, slug) for uid in ids.values() for slug in lessons}

    attempts = db.session.scalars(sa.select(QuizAttempt)).all()
    assert len(attempts) == n_attempts == len(submitted)
    numbers = Counter()
    for attempt in attempts:
        numbers[(attempt.user_id, attempt.quiz_key)] += 1
        assert attempt.finished_at is not None and attempt.score_points is not None and attempt.passed is not None
        # exactly one of the two submissions was recorded, whole: its answers with their own score
        assert attempt.answers in submitted[attempt.id], (attempt.id, attempt.answers)
        result = scoring.score_attempt([thaw(q) for q in attempt.questions], attempt.answers, attempt.pass_mark)
        assert (attempt.score_points, attempt.score_out_of, attempt.passed) == (result.points, result.out_of,
                                                                                 result.passed)
    assert numbers == Counter({(uid, quiz_id): limits[quiz_id] for uid in ids.values() for quiz_id in QUIZZES})
    for (uid, quiz_id), _count in numbers.items():
        got = sorted(a.attempt_no for a in attempts if a.user_id == uid and a.quiz_key == quiz_id)
        assert got == list(range(1, limits[quiz_id] + 1)), (uid, quiz_id, got)
    assert len({a.submit_token for a in attempts}) == n_attempts
