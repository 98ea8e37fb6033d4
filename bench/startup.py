"""Start-up: the app built with its catalog loaded and rendered, and gunicorn until it answers.

    .venv/bin/python bench/startup.py [--runs 3] [--gunicorn-runs 2] [--json PATH]

1. `--runs` rounds of three fresh Python processes: a bare Flask app (import flask, one route),
   Lectern's import + create_app() with an empty content cache (the whole curriculum and quiz bank
   loaded, validated and rendered to HTML), and the same with the cache of that content
   (app/content/cache.py; the judged figure, as every restart over unchanged content is). Each
   reports the seconds from just before the import to create_app() returning, and the resident
   memory at that point; the ratio to the bare app is printed. The whole process (interpreter
   start to exit) is timed from outside as well.
2. `--gunicorn-runs` times gunicorn (gunicorn.conf.py, 1 worker: the no-Redis default) from spawn to
   the first 200 from /healthz (polled every 50 ms); the idle worker's resident memory then.

Budget (DESIGN.md section 4): start-up with the content cache at most 3x the bare Flask app's, in the same run (the
shared host's speed varies too much for seconds to judge); resident memory per
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

RATIO_BUDGET = 3.0   # DESIGN.md section 4: at most 3x a bare Flask app's import and create, same run
BARE = """
import json, time
t0 = time.perf_counter()
from flask import Flask
app = Flask("bare")
app.add_url_rule("/", "index", lambda: "ok")
print(json.dumps({"total": time.perf_counter() - t0}))
"""
CHILD = """
import json, sys, time
c0, t0 = time.process_time(), time.perf_counter()
from app import create_app
t1 = time.perf_counter()
app = create_app({"CONTENT_CACHE_DIR": sys.argv[1]} if len(sys.argv) > 1 else None)
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
    # PYTHONDONTWRITEBYTECODE (set on some build machines) would compile every module at every start;
    # a deployed server has its bytecode, so the children may write and use it.
    env = {k: v for k, v in os.environ.items()
           if k not in ("REDIS_URL", "DATABASE_URL", "FLASK_DEBUG", "PYTHONDONTWRITEBYTECODE")}
    env.update(SECRET_KEY=secret, DATABASE_URL=url, LECTERN_DEMO="0")
    errors: list[str] = []
    figures: list[Figure] = []
    runs, walls = [], []
    try:
        def child(code: str, *extra: str) -> dict:
            started = time.perf_counter()
            done = subprocess.run([sys.executable, "-c", code, *extra], cwd=ROOT, env=env, capture_output=True, text=True)
            walls.append(time.perf_counter() - started)
            if done.returncode != 0:
                raise BenchError(f"start-up child failed:\n{done.stderr[-2000:]}")
            return json.loads(done.stdout.strip().splitlines()[-1])

        warm_cache = Path(folder) / "cache-warm"
        child(CHILD, str(warm_cache))                      # fills the rendered-content cache
        bare, cold = [], []
        for n in range(args.runs):
            bare.append(child(BARE)["total"])
            cold.append(child(CHILD, str(Path(folder) / f"cache-cold-{n}"))["total"])   # an empty cache: renders
            runs.append(child(CHILD, str(warm_cache)))                                  # the cache of that content
        total = statistics.median(r["total"] for r in runs)
        bare_s, cold_s = statistics.median(bare), statistics.median(cold)
        figures.append(judged("start-up: import + create_app() (content cache) / a bare Flask app's, same run",
                              total / bare_s, "x",
                              f"{total / bare_s:.1f}x ({total:.2f} s vs {bare_s:.2f} s, medians of {len(runs)}; import "
                              f"{statistics.median(r['import'] for r in runs):.2f} + create_app "
                              f"{statistics.median(r['create_app'] for r in runs):.2f} s)",
                              RATIO_BUDGET, "at most 3x"))
        figures.append(Figure("  the same with an empty cache (content parsed and rendered)", cold_s, "s",
                              f"{cold_s:.2f} s (median; the cache saves {cold_s - total:.2f} s, "
                              f"{100 * (cold_s - total) / cold_s:.0f}%)"))
        cpu = statistics.median(r["cpu"] for r in runs)
        figures.append(Figure("  CPU time of import + create_app()", cpu, "s",
                              f"{cpu:.2f} s (median; wall/CPU {total / cpu:.1f}: the rest is waiting for a core)"))
        figures.append(Figure("  whole process, interpreter start to exit", statistics.median(walls), "s",
                              f"{statistics.median(walls):.2f} s (median of all children; {runs[0]['lessons']} lessons, "
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
        figures.append(Figure("  gunicorn spawn to first 200 (/healthz), 1 worker", ready, "s",
                              f"{ready:.2f} s (median of {len(starts)}: {', '.join(f'{s:.2f}' for s in starts)})"))
        figures.append(Figure("  idle worker resident memory after start", max(idle, default=0), "MB",
                              f"{max(idle, default=0):.0f} MB"))
    except BenchError as exc:
        errors.append(str(exc))
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    report("start-up", "startup", figures, errors, args.json, {"runs": runs})


if __name__ == "__main__":
    main()
