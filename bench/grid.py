"""Instructor progress grid for a cohort of 200 trainees: time to render, and queries used.

    .venv/bin/python bench/grid.py [--trainees 200] [--runs 30] [--json PATH]

Builds a throwaway SQLite database (migrated to head), fills it with trainees who have completed
lessons and taken quizzes, then requests /teach/cohorts/<id> through the Flask test client. For
scale it also times a trivial endpoint (/healthz) in the same run. Prints median and p95; with
--json PATH also writes them for bench/run_all.py. Budget (BENCHMARKS.md, issue 5): under 300 ms for
200 trainees (judged on the p95).
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Figure, judged, write_json

BUDGET_MS = 300.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=200)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
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
                quizzes.submit_attempt(person.id, attempt.id, attempt.submit_token, {}, now=now, allow_unanswered=True)
        cohort_id, engine = cohort.id, db.engine

    client = app.test_client()
    client.post("/login", data={"email": "admin@bench.test", "password": "bench password one"})

    cpu: dict[str, list[float]] = {}

    def timed(path: str) -> list[float]:
        client.get(path)  # warm up
        out = []
        for _ in range(args.runs):
            start, start_cpu = time.perf_counter(), time.process_time()
            response = client.get(path)
            out.append((time.perf_counter() - start) * 1000)
            cpu.setdefault(path, []).append((time.process_time() - start_cpu) * 1000)
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
          f"(budget: under 300 ms); CPU median {statistics.median(cpu[f'/teach/cohorts/{cohort_id}']):.1f} ms")
    print(f"trivial endpoint /healthz, same process: median {statistics.median(trivial):.2f} ms")
    write_json(args.json, "grid", [
        judged(f"instructor grid, {args.trainees} trainees: p95", p95(grid), "ms",
               f"{p95(grid):.0f} ms (median {statistics.median(grid):.0f} ms, CPU median "
               f"{statistics.median(cpu[f'/teach/cohorts/{cohort_id}']):.0f} ms; {args.runs} requests)", BUDGET_MS,
               "under 300 ms"),
        Figure("  SQL statements per grid request", float(count), "statements", f"{count} (bounded by tests/teach/test_teach.py)"),
        Figure("  /healthz in the same process (test client), median", statistics.median(trivial), "ms",
               f"{statistics.median(trivial):.2f} ms"),
    ])


def catalog_quizzes(app):
    from app.content.catalog import catalog

    with app.app_context():
        return catalog().quizzes


if __name__ == "__main__":
    main()
