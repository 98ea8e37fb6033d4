"""Certificate PDFs: one warm and 500 issued in bulk, against naive WeasyPrint, all in the same run.

    .venv/bin/python bench/certificates.py [--bulk 500] [--naive 10] [--warm 20] [--json PATH]

Naive = WeasyPrint used the plain way on the same document: for each certificate a fresh `HTML`
and `CSS` (the same certificate HTML and certificate.css, with the same vendored fonts read from
app/static through WeasyPrint's default URL fetcher) and `write_pdf()` with default settings, so a
new font configuration each time. The HTML is made beforehand and not counted. The plainer page of
issue 6 (DejaVu fonts, no QR code, flexbox footer) is measured too, for comparison with older runs.
Lectern, one = `services.render_certificates([snapshot])` warm: HTML and QR code made, laid out
with the parsed stylesheet and the shared font configuration, written (a different person each time).
Bulk = `services.issue_many` for --bulk eligible trainees on a throwaway SQLite database
(eligibility, PDFs, hashes, stored bytes, audit rows); its CPU counts this process and any render
processes it started. Ratios are of figures measured in this run; the calibration loop
(bench/run_all.py) and the load average are printed so that runs on other hosts can be compared.
With --json PATH the figures are also written for bench/run_all.py.
Goals (issue 19): one warm ≥ 2× faster than naive; bulk CPU per certificate ≤ 25% of one warm.
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

from common import Figure, judged, write_json
from run_all import calibrate, loadavg

APP_DIR_URL = (Path(__file__).resolve().parents[1] / "app").as_uri() + "/"

PLAIN_CSS = """
@page { size: A4 landscape; margin: 10mm; }
body { font-family: "DejaVu Serif", serif; text-align: center; }
.bottom { display: flex; justify-content: space-between; align-items: flex-end; }
h1 { font-size: 30pt; } .name { font-size: 32pt; }
"""


def timed(fn, runs: int) -> tuple[float, float]:
    """Median wall and median CPU time of `runs` calls, in ms."""
    walls, cpus = [], []
    for i in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        fn(i)
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bulk", type=int, default=500, help="certificates issued in bulk (default 500)")
    parser.add_argument("--naive", type=int, default=10, help="naive renders (default 10)")
    parser.add_argument("--warm", type=int, default=20, help="warm single renders (default 20)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    args = parser.parse_args()
    load_before, calibration = loadavg(), calibrate()

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

        def snapshot(i: int) -> services.Snapshot:
            code = f"ABCDEFGHJKMNP{i % 10000:04d}"
            return services.Snapshot(code=code, holder_name=f"Zoë Ångström-Example {i}",
                                     course_title=catalog().course.title, course_code="CD-12", hours=14,
                                     completed_on=date(2026, 11, 29), issuer_org="Lectern Professional Training",
                                     issuer_name="Avery Admin", verify_url=services.verify_url(code))

        html = services._html(snapshot(0))
        naive, naive_cpu = timed(lambda i: HTML(string=html, base_url=APP_DIR_URL).write_pdf(
            stylesheets=[CSS(string=services.CSS, base_url=APP_DIR_URL)]), args.naive)
        plain, _ = timed(lambda i: HTML(string=html).write_pdf(stylesheets=[CSS(string=PLAIN_CSS)]), args.naive)

        services.render_certificates([snapshot(1)])  # warm up fonts and stylesheet
        warm, warm_cpu = timed(lambda i: services.render_certificates([snapshot(100 + i)]), args.warm)

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
        outcome = services.issue_many(None, [p.id for p in people], cat, now=now)
        bulk = time.perf_counter() - start
        spent = os.times()
        bulk_cpu = sum(spent[:4]) - sum(times[:4])  # this process and its (finished) render processes
        assert outcome.issued == args.bulk and not outcome.failed, outcome
    load_after = loadavg()

    speedup = naive / warm
    each_cpu = bulk_cpu / args.bulk * 1000
    share = each_cpu / warm_cpu
    print(f"naive WeasyPrint, same certificate:  median {naive:.0f} ms (CPU {naive_cpu:.0f} ms, of {args.naive})")
    print(f"naive WeasyPrint, issue 6's plain page: median {plain:.0f} ms (of {args.naive})")
    print(f"Lectern, one certificate warm:       median {warm:.0f} ms (CPU {warm_cpu:.0f} ms, of {args.warm}); "
          f"{speedup:.2f}x faster than naive (goal >= 2x; in CPU {naive_cpu / warm_cpu:.2f}x); "
          f"{plain / warm:.2f}x the plain page")
    print(f"Lectern, {args.bulk} issued in bulk:         {bulk:.1f} s wall ({bulk / args.bulk * 1000:.0f} ms each), "
          f"CPU {bulk_cpu:.1f} s = {each_cpu:.1f} ms per certificate = {share:.0%} of one warm (goal <= 25%)")
    print(f"load average {load_before} before, {load_after} after; {calibration}")
    bulk_budget = 15.0 * args.bulk / 500
    write_json(args.json, "certificates", [
        judged("one certificate PDF, warm (median), vs naive WeasyPrint of the same document", speedup, "x",
               f"{warm:.0f} vs {naive:.0f} ms: {speedup:.2f}x faster (CPU {warm_cpu:.0f} vs {naive_cpu:.0f} ms)",
               2.0, "at least 2x faster", higher_is_better=True),
        judged("one certificate PDF, warm (median)", warm, "ms", f"{warm:.0f} ms (CPU {warm_cpu:.0f} ms)", 100.0,
               "under 100 ms"),
        judged(f"{args.bulk} certificates in bulk: CPU per certificate vs one warm", share * 100, "%",
               f"{each_cpu:.1f} vs {warm_cpu:.0f} ms CPU: {share:.0%}", 25.0, "at most 25%"),
        judged(f"{args.bulk} certificates issued in bulk", bulk, "s",
               f"{bulk:.1f} s ({bulk / args.bulk * 1000:.0f} ms each; CPU {bulk_cpu:.1f} s)", bulk_budget,
               f"under {bulk_budget:g} s"),
        Figure("naive WeasyPrint, issue 6's plainer page", plain, "ms", f"{plain:.0f} ms"),
    ], extra={"load": [load_before, load_after], "calibration": calibration})


if __name__ == "__main__":
    main()
