"""Lesson page throughput and latency against a trivial Flask endpoint, same gunicorn, 20 clients.

    .venv/bin/python bench/pages.py [--workers 1,2] [--clients 20] [--seconds 3] [--rounds 2]
                                    [--people-per-client 10] [--json PATH]

For each worker count: a fresh SQLite file migrated to head, trainees with session cookies minted
by the app's own signing serializer (as bench/live.py does), and two gunicorn servers started with
the project's gunicorn.conf.py (gthread, 400 threads; WEB_CONCURRENCY workers):

  Lectern     wsgi:app, SQLite file, LECTERN_DEMO=0, no Redis
  trivial     bench/trivial_app.py: a bare Flask app whose one route returns "ok" (the reference)

Targets, each driven by `--clients` keep-alive HTTP/1.1 connections with no think time (stdlib
asyncio client on the same 2 cores as the server):

  lesson      GET /lessons/<slug> as a signed-in trainee, each view a person's first view of that
              lesson, as when people read a lesson for minutes before the next: the view records
              the visit (and the study time of the previous lesson) in this worker's batch, written
              once a second (app/learn/visits.py; the batch's writes count in the worker's CPU). Client
              i walks its own people (--people-per-client of them) through all the lessons in turn.
  reload      the same page for 20 other trainees who viewed every lesson moments ago (visit rows
              seeded), so the view writes nothing: the page's read-only cost
  healthz     GET /healthz on Lectern (SELECT 1 and the schema revision: it touches the database)
  trivial     GET / on the trivial app

Targets run in turn, `--rounds` times each for `--seconds` (after a 0.5 s warm-up), so drift on
the shared machine falls on all of them alike. Worker CPU per request (from /proc) is reported as
well: unlike throughput and latency it hardly depends on what else the machine is running.
Budgets (DESIGN.md section 4, ratios to the trivial endpoint in the same run): lesson throughput at
least 40%, reload at least 50%, lesson p95 at most 4x trivial's; worker CPU per request at most
2.5x (lesson) and 2x (reload) trivial's (issue 19). Also reported: resident memory of each Lectern
worker after the run (budget under 250 MB per worker). `--profile DIR` samples the workers with
py-spy during the first round of lesson and reload and prints the top frames.
"""
from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import (
    BenchError,
    Figure,
    Gunicorn,
    LoadResult,
    Person,
    Profile,
    add_people,
    closed_loop,
    judged,
    make_app,
    migrate,
    mint,
    print_top_frames,
    proc_memory,
    report,
)

# DESIGN.md section 4, as ratios to the trivial endpoint in the same run; the CPU ratios are issue 19's goals
RATIO_BUDGET = 0.40          # lesson page (first view) throughput, at least this share of trivial's
RELOAD_RATIO_BUDGET = 0.50   # reload (no write) throughput
P95_RATIO_BUDGET = 4.0       # lesson page p95 at 20 clients, at most this many times trivial's p95
CPU_RATIO_BUDGET = 2.5       # worker CPU per request, lesson vs trivial
RELOAD_CPU_RATIO_BUDGET = 2.0
RSS_BUDGET_MB = 250.0


def seed_recent_visits(app, user_ids: list[int], slugs: list[str]) -> None:
    """Visit rows saying these people viewed every lesson just now (an hour ahead, so that every
    view during the run counts as a reload within VISIT_REFRESH and writes nothing)."""
    from datetime import timedelta

    from app.db import utcnow
    from app.extensions import db
    from app.learn.models import LessonVisit

    at = utcnow() + timedelta(hours=1)
    with app.app_context():
        db.session.add_all([LessonVisit(user_id=uid, lesson_key=slug, first_seen_at=at, last_seen_at=at)
                            for uid in user_ids for slug in slugs])
        db.session.commit()
        db.session.remove()


def run_workers(workers: int, clients: int, seconds: float, rounds: int,
                people_per_client: int, profile: Path | None = None) -> tuple[list[Figure], dict]:
    from app.content.catalog import catalog

    secret = os.urandom(24).hex()
    folder = tempfile.mkdtemp(prefix="lectern-bench-pages-")
    url = f"sqlite:///{folder}/lectern.db"
    servers: list[Gunicorn] = []
    try:
        app = make_app(url, secret)
        migrate(app)
        people: list[Person] = mint(app, add_people(app, clients * people_per_client))
        with app.app_context():
            slugs = [lesson.slug for lesson in catalog().lessons]
            title = catalog().lessons[0].title
        readers = add_people(app, clients, prefix="r")
        seed_recent_visits(app, [uid for uid, _epoch in readers], slugs)
        readers_in: list[Person] = mint(app, readers)
        cookie_name = app.config.get("SESSION_COOKIE_NAME", "session")
        with app.app_context():
            from app.extensions import db

            db.engine.dispose()

        lectern = Gunicorn(folder, workers=workers, env={"SECRET_KEY": secret, "DATABASE_URL": url, "LECTERN_DEMO": "0"})
        servers.append(lectern)
        lectern_start = lectern.start()
        trivial = Gunicorn(folder, workers=workers, env={}, app_spec="trivial_app:app", pythonpath="bench",
                           ready_path="/")
        servers.append(trivial)
        trivial.start()

        async def probe() -> None:
            from common import Connection

            connection = Connection(lectern.port, cookie_name)
            reply = await connection.request("GET", f"/lessons/{slugs[0]}", readers_in[0])
            connection.close()
            if reply.status != 200 or html.escape(title).encode() not in reply.body:
                raise BenchError(f"the minted cookie does not sign in: GET /lessons/{slugs[0]} answered {reply.status}")
        asyncio.run(probe())

        lectern_pids, trivial_pids = lectern.workers(), trivial.workers()
        walked = [0] * clients  # requests each client has sent to the lesson target, over all rounds
        views = len(slugs) * people_per_client

        def first_view(i: int, _n: int) -> tuple:
            n = walked[i]
            walked[i] += 1
            person = people[i + clients * ((n // len(slugs)) % people_per_client)]
            return "GET", f"/lessons/{slugs[(i + n) % len(slugs)]}", person, None, None

        targets = {
            "trivial": (trivial.port, lambda i, n: ("GET", "/", None, None, None)),
            "lesson": (lectern.port, first_view),
            "reload": (lectern.port, lambda i, n: ("GET", f"/lessons/{slugs[(i + n) % len(slugs)]}", readers_in[i],
                                                   None, None)),
            "healthz": (lectern.port, lambda i, n: ("GET", "/healthz", None, None, None)),
        }
        pids = {"lesson": lectern_pids, "reload": lectern_pids, "healthz": lectern_pids, "trivial": trivial_pids}
        results: dict[str, list[LoadResult]] = {name: [] for name in targets}
        for n_round in range(rounds):
            for name, (port, step) in targets.items():
                watch = profile is not None and n_round == 0 and name in ("lesson", "reload")
                with Profile(pids[name], profile / f"{name}-{workers}w.txt") if watch else contextlib.nullcontext():
                    results[name].append(asyncio.run(closed_loop(port, clients, seconds, 0.5, step,
                                                                 lambda r: r.status == 200, cookie_name, pids[name])))
        memory = {pid: proc_memory(pid) for pid in lectern.workers()}
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)

    merged = {}
    for name, parts in results.items():
        total = LoadResult(sum(p.seconds for p in parts))
        for part in parts:
            total.latencies += part.latencies
            total.failures += part.failures
            total.client_cpu += part.client_cpu
            total.reconnects += part.reconnects
            total.completed += part.completed
            total.server_cpu += part.server_cpu
            total.elapsed += part.elapsed
        merged[name] = total
    failures = [f for r in merged.values() for f in r.failures]
    if failures:
        raise BenchError(f"{len(failures)} requests failed, e.g. {failures[:3]}")
    lesson, reload, healthz, ref = merged["lesson"], merged["reload"], merged["healthz"], merged["trivial"]
    repeats = sum(max(0, w - views) for w in walked)
    tag = f"{workers} worker{'s' if workers > 1 else ''}"
    ratio = lesson.rate / ref.rate
    figures = [
        judged(f"lesson page throughput / trivial Flask endpoint ({tag})", ratio * 100, "%",
               f"{ratio:.0%} ({lesson.rate:.0f} vs {ref.rate:.0f} req/s)", RATIO_BUDGET * 100, "at least 40%",
               higher_is_better=True, note=f"{repeats} views were repeats" if repeats else ""),
        judged(f"lesson page p95 at {clients} clients / trivial p95 ({tag})", lesson.p(0.95) / ref.p(0.95), "x",
               f"{lesson.p(0.95) / ref.p(0.95):.1f}x ({lesson.p(0.95):.1f} vs {ref.p(0.95):.1f} ms; lesson p50 "
               f"{lesson.p50:.1f})", P95_RATIO_BUDGET, "at most 4x"),
        judged(f"lesson page reload (no write) throughput / trivial ({tag})", reload.rate / ref.rate * 100, "%",
               f"{reload.rate / ref.rate:.0%} ({reload.rate:.0f} req/s, p95 {reload.p(0.95):.1f} ms)",
               RELOAD_RATIO_BUDGET * 100, "at least 50%", higher_is_better=True),
        judged(f"worker CPU per request, lesson / trivial ({tag})", lesson.server_cpu_ms / ref.server_cpu_ms, "x",
               f"{lesson.server_cpu_ms / ref.server_cpu_ms:.0f}x ({lesson.server_cpu_ms:.2f} vs {ref.server_cpu_ms:.2f} ms; "
               f"workers busy {lesson.server_busy:.0%} / {ref.server_busy:.0%} of one core)", CPU_RATIO_BUDGET,
               "at most 2.5x"),
        judged(f"worker CPU per request, reload / trivial ({tag})", reload.server_cpu_ms / ref.server_cpu_ms, "x",
               f"{reload.server_cpu_ms / ref.server_cpu_ms:.0f}x ({reload.server_cpu_ms:.2f} ms)", RELOAD_CPU_RATIO_BUDGET,
               "at most 2x"),
        Figure(f"  Lectern's /healthz (2 SQL queries): throughput / trivial ({tag})", healthz.rate / ref.rate * 100, "%",
               f"{healthz.rate / ref.rate:.0%} ({healthz.rate:.0f} req/s, p95 {healthz.p(0.95):.1f} ms, "
               f"CPU {healthz.server_cpu_ms:.2f} ms)"),
    ]
    peak = max((m.get("VmHWM", 0) for m in memory.values()), default=0)
    figures.append(judged(f"resident memory per worker after the run ({tag})", peak, "MB",
                          " + ".join(f"{m.get('VmRSS', 0):.0f} MB (peak {m.get('VmHWM', 0):.0f})"
                                     for m in memory.values()), RSS_BUDGET_MB, "under 250 MB"))
    details = {
        "workers": workers, "repeat_views": repeats, "gunicorn_start_s": lectern_start,
        "targets": {name: {"requests": len(r.latencies), "seconds": r.seconds, "rate": r.rate, "p50_ms": r.p50,
                           "p95_ms": r.p(0.95), "p99_ms": r.p(0.99), "client_cpu_s": r.client_cpu,
                           "server_cpu_ms_per_request": r.server_cpu_ms, "server_busy": r.server_busy,
                           "reconnects": r.reconnects} for name, r in merged.items()},
        "memory_mb": {str(pid): m for pid, m in memory.items()},
    }
    return figures, details


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=3.0, help="per target and round (default 3)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--people-per-client", type=int, default=10,
                        help="trainees per client for first views (default 10: 220 lesson views each)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    parser.add_argument("--profile", metavar="DIR", help="sample the workers with py-spy during the first round of "
                        "lesson and reload; write the collapsed stacks to DIR and print the top frames")
    args = parser.parse_args()
    profile = Path(args.profile) if args.profile else None
    if profile:
        profile.mkdir(parents=True, exist_ok=True)

    figures: list[Figure] = []
    errors: list[str] = []
    details = []
    for workers in [int(w) for w in args.workers.split(",") if w.strip()]:
        try:
            got, detail = run_workers(workers, args.clients, args.seconds, args.rounds, args.people_per_client, profile)
        except BenchError as exc:
            errors.append(f"{workers} workers: {exc}")
            continue
        figures += got
        details.append(detail)
        for name, t in detail["targets"].items():
            print(f"  {workers}w {name:<8} {t['requests']:>6} requests in {t['seconds']:.0f} s: {t['rate']:7.0f} req/s, "
                  f"p50 {t['p50_ms']:5.1f} ms, p95 {t['p95_ms']:5.1f} ms, p99 {t['p99_ms']:5.1f} ms; "
                  f"worker CPU {t['server_cpu_ms_per_request']:.2f} ms/request, busy {t['server_busy']:.0%} of a core; "
                  f"client CPU {t['client_cpu_s']:.1f} s")
    if profile:
        for path in sorted(profile.glob("*.txt")):
            print_top_frames(path)
    report(f"lesson pages, {args.clients} concurrent keep-alive clients", "pages", figures, errors, args.json,
           {"details": details})


if __name__ == "__main__":
    main()
