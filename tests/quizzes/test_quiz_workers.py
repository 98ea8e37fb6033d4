"""Two worker processes (as under gunicorn), five threads each, submitting against one 3-attempt
quiz for the same trainee: exactly three attempts are recorded, on SQLite and on PostgreSQL."""
import multiprocessing
import threading
from pathlib import Path

import sqlalchemy as sa

from app.quizzes.models import QuizAttempt

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _worker_process(database_uri: str, user_id: int, barrier, results) -> None:
    from app import create_app
    from app.content.catalog import catalog
    from app.db import utcnow
    from app.errors import AttemptLimitReached
    from app.extensions import db
    from app.quizzes import services

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri,
                      "CURRICULUM_DIR": str(FIXTURES / "mini-course"), "QUIZZES_DIR": str(FIXTURES / "mini-quizzes")})
    submitted, problems = [], []

    def thread_body() -> None:
        with app.app_context():
            quiz = catalog().quiz("opening-check")
            barrier.wait()
            try:
                for _ in range(6):
                    try:
                        attempt = services.start_attempt(user_id, quiz, now=utcnow())
                    except AttemptLimitReached:
                        return
                    _attempt, first = services.submit_attempt(user_id, attempt.id, attempt.submit_token, {},
                                                              now=utcnow(), allow_unanswered=True)
                    submitted.append(first)
                    db.session.remove()
            except Exception as exc:  # noqa: BLE001 - reported to the parent
                problems.append(repr(exc))

    threads = [threading.Thread(target=thread_body) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    with app.app_context():
        db.engine.dispose()
    results.put((sum(submitted), problems))


def test_two_processes_ten_submitters_three_attempts(app, database_uri, make_user):
    user_id = make_user().id
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(10)
    results = context.Queue()
    processes = [context.Process(target=_worker_process, args=(database_uri, user_id, barrier, results))
                 for _ in range(2)]
    for p in processes:
        p.start()
    outcomes = [results.get(timeout=180) for _ in processes]
    for p in processes:
        p.join(timeout=30)
    assert [problems for _n, problems in outcomes] == [[], []]
    assert sum(n for n, _problems in outcomes) == 3  # each recorded submission counted once
    engine = sa.create_engine(database_uri)
    with engine.connect() as conn:
        rows = conn.execute(sa.select(QuizAttempt.attempt_no, QuizAttempt.finished_at)
                            .where(QuizAttempt.user_id == user_id)).all()
    engine.dispose()
    assert sorted(r.attempt_no for r in rows) == [1, 2, 3] and all(r.finished_at for r in rows)
