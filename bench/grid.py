"""Instructor progress grid for a cohort of 200 trainees: time to render, and queries used.

    .venv/bin/python bench/grid.py [--trainees 200] [--runs 30]

Builds a throwaway SQLite database (migrated to head), fills it with trainees who have completed
lessons and taken quizzes, then requests /teach/cohorts/<id> through the Flask test client. For
scale it also times a trivial endpoint (/healthz) in the same run. Prints median and p95.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=200)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import event

    from app import create_app
    from app.auth.models import User, UserRole
    from app.auth.passwords import hash_password
    from app.cohorts import services as cohorts
    from app.content.catalog import catalog
    from app.db import utcnow
    from app.extensions import db
    from app.learn.models import LessonCompletion
    from app.quizzes import services as quizzes

    folder = tempfile.mkdtemp(prefix="lectern-bench-")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db"})
    rng = random.Random(7)
    with app.app_context():
        upgrade()
        now = utcnow()
        password = hash_password("bench password one")
        admin = User(email="admin@bench.test", display_name="Admin", password_hash=password, created_at=now)
        admin.role_rows = [UserRole(role="admin")]
        people = [User(email=f"t{i}@bench.test", display_name=f"Trainee {i:03d}", password_hash=None, created_at=now)
                  for i in range(args.trainees)]
        for person in people:
            person.role_rows = [UserRole(role="trainee")]
        db.session.add_all([admin, *people])
        db.session.commit()
        cohort = cohorts.save_cohort(admin.id, None, name="Bench", track="live", starts_on=None, ends_on=None,
                                     instructor_ids=[], now=now)
        cohorts.enrol(admin.id, cohort.id, [p.id for p in people], now=now)
        lessons = catalog().lessons
        for person in people:
            for lesson in rng.sample(lessons, rng.randint(0, len(lessons))):
                db.session.add(LessonCompletion(user_id=person.id, lesson_key=lesson.slug, content_hash=lesson.content_hash,
                                                completed_at=now))
        db.session.commit()
        quiz_list = [q for q in catalog().quizzes if q.kind == "knowledge-check"][:6]
        for person in people[: args.trainees // 2]:
            for quiz in quiz_list:
                attempt = quizzes.start_attempt(person.id, quiz, now=now, rng=rng)
                quizzes.submit_attempt(person.id, attempt.id, attempt.submit_token, {}, now=now)
        cohort_id, engine = cohort.id, db.engine

    client = app.test_client()
    client.post("/login", data={"email": "admin@bench.test", "password": "bench password one"})

    def timed(path: str) -> list[float]:
        client.get(path)  # warm up
        out = []
        for _ in range(args.runs):
            start = time.perf_counter()
            response = client.get(path)
            out.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
        return sorted(out)

    queries: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: queries.append(a[2]))
    client.get(f"/teach/cohorts/{cohort_id}")
    count = len(queries)
    grid = timed(f"/teach/cohorts/{cohort_id}")
    trivial = timed("/healthz")

    def p95(values: list[float]) -> float:
        return values[min(len(values) - 1, int(0.95 * len(values)))]

    print(f"grid, {args.trainees} trainees x {len(lessons)} lessons + {len(catalog_quizzes(app))} quizzes: "
          f"median {statistics.median(grid):.1f} ms, p95 {p95(grid):.1f} ms, {count} SQL statements per request "
          f"(budget: under 300 ms)")
    print(f"trivial endpoint /healthz, same process: median {statistics.median(trivial):.2f} ms")


def catalog_quizzes(app):
    from app.content.catalog import catalog

    with app.app_context():
        return catalog().quizzes


if __name__ == "__main__":
    main()
