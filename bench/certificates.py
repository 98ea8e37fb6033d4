"""Certificate PDFs: one warm, 500 issued in bulk, against the naive WeasyPrint way in the same run.

    .venv/bin/python bench/certificates.py [--bulk 500] [--naive 10] [--json PATH]

Naive = what a first version would do: a fresh HTML and stylesheet per certificate, WeasyPrint's
default URL fetcher and font configuration, the machine's DejaVu fonts, flexbox layout.
Lectern = app/pdf: stylesheet parsed once, one font configuration, vendored fonts, table layout,
certificates laid out in batches of 50. Bulk issue goes through services.issue_many (eligibility,
rendering, storing PDF bytes and hashes, audit rows) on a throwaway SQLite database. With --json PATH
the figures are also written for bench/run_all.py. Budgets (DESIGN.md section 4): one under 100 ms
warm; 500 in bulk under 15 s.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import judged, write_json

NAIVE_CSS = """
@page { size: A4 landscape; margin: 10mm; }
body { font-family: "DejaVu Serif", serif; text-align: center; }
.bottom { display: flex; justify-content: space-between; align-items: flex-end; }
h1 { font-size: 30pt; } .name { font-size: 32pt; }
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bulk", type=int, default=500)
    parser.add_argument("--naive", type=int, default=10)
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    args = parser.parse_args()

    from flask_migrate import upgrade
    from weasyprint import CSS, HTML

    from app import create_app
    from app.auth.models import User, UserRole
    from app.certificates import services
    from app.content.catalog import catalog
    from app.db import utcnow
    from app.extensions import db
    from app.learn.models import LessonCompletion
    from app.quizzes.models import QuizAttempt

    folder = tempfile.mkdtemp(prefix="lectern-bench-")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.db"})
    with app.app_context():
        upgrade()
        snapshot = services.Snapshot(code="ABCDEFGHJKMNPQRS7", holder_name="Zoë Ångström-Example",
                                     course_title=catalog().course.title, course_code="CD-12", hours=14,
                                     completed_on=date(2026, 11, 29), issuer_org="Lectern Professional Training",
                                     issuer_name="Avery Admin", verify_url="http://127.0.0.1:5000/verify/ABCD-EFGH-JKMN-PQRS-7")
        html = services._html(snapshot)

        naive = []
        for _ in range(args.naive):
            start = time.perf_counter()
            HTML(string=html.replace("</head>", "</head>")).write_pdf(stylesheets=[CSS(string=NAIVE_CSS)])
            naive.append((time.perf_counter() - start) * 1000)

        services.render_certificates([snapshot])  # warm up fonts and stylesheet
        warm, warm_cpu = [], []
        for _ in range(20):
            start, start_cpu = time.perf_counter(), time.process_time()
            services.render_certificates([snapshot])
            warm.append((time.perf_counter() - start) * 1000)
            warm_cpu.append((time.process_time() - start_cpu) * 1000)

        now = utcnow()
        people = [User(email=f"c{i}@bench.test", display_name=f"Trainee Number {i:03d}", created_at=now)
                  for i in range(args.bulk)]
        for person in people:
            person.role_rows = [UserRole(role="trainee")]
        db.session.add_all(people)
        db.session.commit()
        cat = catalog()
        rows = []
        for person in people:
            rows.extend(LessonCompletion(user_id=person.id, lesson_key=ls.slug, content_hash="x", completed_at=now)
                        for ls in cat.lessons)
            rows.extend(QuizAttempt(user_id=person.id, quiz_key=q.id, attempt_no=1, max_attempts=q.attempts,
                                    content_hash="x", submit_token=f"{person.id}-{q.id}", feedback_mode="deferred",
                                    pass_mark=70, questions=[], answers={}, checked=[], started_at=now, finished_at=now,
                                    score_points=1, score_out_of=1, score_percent=100, passed=True) for q in cat.quizzes)
        db.session.add_all(rows)
        db.session.commit()
        start, times = time.perf_counter(), os.times()
        issued, _skipped = services.issue_many(None, [p.id for p in people], cat, now=now)
        bulk = time.perf_counter() - start
        spent = os.times()
        bulk_cpu = sum(spent[:4]) - sum(times[:4])  # this process and its (finished) render processes
        assert issued == args.bulk

    naive_median, warm_median = statistics.median(naive), statistics.median(warm)
    print(f"naive WeasyPrint, one certificate: median {naive_median:.0f} ms (of {args.naive})")
    print(f"Lectern, one certificate warm:     median {warm_median:.0f} ms (of 20); budget 100 ms; "
          f"{naive_median / warm_median:.1f}x faster than naive")
    print(f"Lectern, {args.bulk} issued in bulk:       {bulk:.1f} s ({bulk / args.bulk * 1000:.0f} ms each, "
          f"PDFs stored with hashes and audit rows); budget 15 s for 500; naive would take about "
          f"{naive_median * args.bulk / 1000:.0f} s")
    print(f"  CPU used by the bulk issue (this process and its render processes): {bulk_cpu:.1f} s")
    bulk_budget = 15.0 * args.bulk / 500
    write_json(args.json, "certificates", [
        judged("one certificate PDF, warm (median of 20)", warm_median, "ms",
               f"{warm_median:.0f} ms (CPU {statistics.median(warm_cpu):.0f} ms; naive WeasyPrint {naive_median:.0f} ms)",
               100.0, "under 100 ms"),
        judged(f"{args.bulk} certificates issued in bulk", bulk, "s",
               f"{bulk:.1f} s ({bulk / args.bulk * 1000:.0f} ms each; CPU {bulk_cpu:.1f} s on 2 cores)", bulk_budget,
               f"under {bulk_budget:g} s"),
    ])


if __name__ == "__main__":
    main()
