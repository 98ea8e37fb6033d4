"""Start-up: the app built with its catalog loaded and rendered, and gunicorn until it answers.

    .venv/bin/python bench/startup.py [--runs 3] [--gunicorn-runs 2] [--json PATH]

1. `--runs` fresh Python processes each import `app` and call create_app() (config, extensions,
   the whole curriculum and quiz bank loaded, validated and rendered to HTML); each reports the
   seconds from just before the import to create_app() returning, and the process's resident
   memory at that point. The median is judged. The whole process (interpreter start to exit) is
   timed from outside as well.
2. `--gunicorn-runs` times gunicorn (gunicorn.conf.py, 1 worker: the no-Redis default) from spawn to
   the first 200 from /healthz (polled every 50 ms); the idle worker's resident memory then.

Budget (DESIGN.md section 4): start-up (catalog loaded and rendered) under 2 s; resident memory per
worker under 250 MB (bench/pages.py and bench/workbook.py measure workers under load).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import ROOT, BenchError, Figure, Gunicorn, judged, make_app, migrate, proc_memory, report

BUDGET_S = 2.0
CHILD = """
import json, sys, time
c0, t0 = time.process_time(), time.perf_counter()
from app import create_app
t1 = time.perf_counter()
app = create_app()
t2, c2 = time.perf_counter(), time.process_time()
holder = app.extensions["lectern.catalog"]
lessons = holder.current.lessons
assert lessons and all(l.segments for l in lessons), "catalog not rendered"
rss = next(int(l.split()[1]) / 1024 for l in open("/proc/self/status") if l.startswith("VmRSS:"))
print(json.dumps({"import": t1 - t0, "create_app": t2 - t1, "total": t2 - t0, "cpu": c2 - c0, "lessons": len(lessons),
                  "quizzes": len(holder.current.quizzes), "rss_mb": rss}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--gunicorn-runs", type=int, default=2)
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="lectern-bench-startup-")
    secret = os.urandom(24).hex()
    url = f"sqlite:///{folder}/lectern.db"
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL", "FLASK_DEBUG")}
    env.update(SECRET_KEY=secret, DATABASE_URL=url, LECTERN_DEMO="0")
    errors: list[str] = []
    figures: list[Figure] = []
    runs, walls = [], []
    try:
        for _ in range(args.runs):
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True)
            walls.append(time.perf_counter() - started)
            if done.returncode != 0:
                raise BenchError(f"create_app() failed:\n{done.stderr[-2000:]}")
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        total = statistics.median(r["total"] for r in runs)
        figures.append(judged("start-up: import + create_app(), catalog loaded and rendered", total, "s",
                              f"{total:.2f} s (median of {len(runs)}; import {statistics.median(r['import'] for r in runs):.2f}"
                              f" + create_app {statistics.median(r['create_app'] for r in runs):.2f})",
                              BUDGET_S, "under 2 s"))
        cpu = statistics.median(r["cpu"] for r in runs)
        figures.append(Figure("  CPU time of import + create_app()", cpu, "s",
                              f"{cpu:.2f} s (median; wall/CPU {total / cpu:.1f}: the rest is waiting for a core)"))
        figures.append(Figure("  whole process, interpreter start to exit", statistics.median(walls), "s",
                              f"{statistics.median(walls):.2f} s (median; {runs[0]['lessons']} lessons, "
                              f"{runs[0]['quizzes']} quizzes; {statistics.median(r['rss_mb'] for r in runs):.0f} MB resident)"))

        app = make_app(url, secret)  # the database gunicorn will answer /healthz from
        migrate(app)
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()
        starts, idle = [], []
        for _ in range(args.gunicorn_runs):
            server = Gunicorn(folder, env={"SECRET_KEY": secret, "DATABASE_URL": url, "LECTERN_DEMO": "0"})
            try:
                starts.append(server.start())
                idle += [proc_memory(pid).get("VmRSS", 0) for pid in server.workers()]
            finally:
                server.stop()
        ready = statistics.median(starts)
        figures.append(judged("start-up: gunicorn spawn to first 200 (/healthz), 1 worker", ready, "s",
                              f"{ready:.2f} s (median of {len(starts)}: {', '.join(f'{s:.2f}' for s in starts)})",
                              BUDGET_S, "under 2 s"))
        figures.append(Figure("  idle worker resident memory after start", max(idle, default=0), "MB",
                              f"{max(idle, default=0):.0f} MB"))
    except BenchError as exc:
        errors.append(str(exc))
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    report("start-up", "startup", figures, errors, args.json, {"runs": runs})


if __name__ == "__main__":
    main()
