"""Quiz submission under load: 20 trainees taking quizzes at once on real gunicorn; nothing lost or doubled.

    .venv/bin/python bench/quiz.py [--clients 20] [--seconds 10] [--people-per-client 3] [--double-every 10]
                                   [--workers 1] [--json PATH]

A fresh SQLite file migrated to head; clients x people-per-client trainees with minted session
cookies and CSRF tokens (the app's signing serializer, as bench/live.py does); gunicorn with the
project's gunicorn.conf.py (default: 1 worker, 400 threads: the no-Redis default). Each of the
`--clients` keep-alive HTTP/1.1 connections (stdlib asyncio, same 2 cores as the server) takes
quizzes as its people one after another, with no think time, through the real forms:

  1. POST /quizzes/<id>/start              -> 302 to /attempts/<n> (or back to the quiz when the
                                              person has used all attempts: the next quiz, then)
  2. GET  /attempts/<n>                    the form: submit token and answer fields
  3. POST /attempts/<n> action=submit, allow_unanswered=1 ...  -> 302 to /attempts/<n>        (the figure that is judged)
  4. GET  /attempts/<n>                    the results page

Every `--double-every`-th submission is sent twice at once on a second connection (a double click).
Quizzes allow 2 or 3 attempts each (quizzes/*.yaml), so every client works through several people
and all 16 quizzes; no person is ever used by two clients. Submissions run for `--seconds` after a
1 s warm-up; each client then finishes the attempt in hand. Afterwards the database must hold
exactly one attempt row per start that returned a new attempt, every submitted attempt finished and
graded once, nothing else finished, and attempt numbers 1..k per person and quiz.

Reference: bench/trivial_app.py (a bare Flask app answering "ok") on the same gunicorn settings,
driven by the same number of clients for `--seconds` after the quizzes: its p95 and worker CPU per
request. Budgets (DESIGN.md section 4): submission p95 at most 5x the trivial endpoint's p95; worker
CPU per attempt taken at most 15x the trivial endpoint's CPU per request; no attempt lost or
counted twice.
"""
from __future__ import annotations

import argparse
import asyncio
import html
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from common import (
    BenchError,
    Connection,
    Figure,
    Gunicorn,
    Person,
    add_people,
    closed_loop,
    judged,
    make_app,
    migrate,
    mint,
    pct,
    proc_memory,
    report,
)

# DESIGN.md section 4, as ratios to a trivial Flask endpoint measured in the same run
P95_RATIO_BUDGET = 5.0     # submission p95 at 20 clients, at most this many times trivial's p95
CPU_RATIO_BUDGET = 15.0    # worker CPU per attempt taken, at most this many trivial requests' CPU
TAG = re.compile(r"<(input)\b([^>]*)>()|<(select)\b([^>]*)>(.*?)</select>", re.S)
ATTR = re.compile(r'([a-zA-Z_-]+)="([^"]*)"')
OPTION = re.compile(r'<option value="([^"]*)"')
ATTEMPT = re.compile(r"/attempts/(\d+)$")


def form_answers(page: str, rng: random.Random) -> tuple[str, list[tuple[str, str]]]:
    """The submit token and a random answer for every question field of a take page."""
    token = ""
    choices: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    fields: list[tuple[str, str]] = []
    for match in TAG.findall(page):
        tag, attrs_text, select_body = match[:3] if match[0] else match[3:]
        attrs = dict(ATTR.findall(attrs_text))
        name = html.unescape(attrs.get("name", ""))
        if name == "token":
            token = html.unescape(attrs.get("value", ""))
        if not name.startswith("q-"):
            continue
        if tag == "select":
            options = [v for v in OPTION.findall(select_body or "") if v]
            fields.append((name, rng.choice(options) if options else ""))
        elif attrs.get("type") in ("radio", "checkbox"):
            choices.setdefault(name, []).append(html.unescape(attrs.get("value", "")))
            kinds[name] = attrs["type"]
        elif attrs.get("type") == "hidden":
            fields.append((name, attrs.get("value", "")))
        else:
            fields.append((name, str(rng.randint(1, 20))))
    for name, values in choices.items():
        if kinds[name] == "radio":
            fields.append((name, rng.choice(values)))
        else:
            fields += [(name, v) for v in rng.sample(values, rng.randint(1, len(values)))]
    return token, fields


@dataclass
class Tally:
    start: list[float] = field(default_factory=list)
    form: list[float] = field(default_factory=list)
    submit: list[float] = field(default_factory=list)
    results: list[float] = field(default_factory=list)
    submit_and_results: list[float] = field(default_factory=list)
    doubles: list[float] = field(default_factory=list)
    started_ids: set[int] = field(default_factory=set)
    submitted_ids: set[int] = field(default_factory=set)
    doubled_ids: set[int] = field(default_factory=set)
    submits_total: int = 0
    errors: list[str] = field(default_factory=list)
    limit_reached: int = 0


async def take_quizzes(port: int, cookie_name: str, index: int, people: list[Person], quizzes: list[str],
                       seconds: float, warmup: float, double_every: int, tally: Tally, counter: list[int]) -> None:
    rng = random.Random(index)
    main, second = Connection(port, cookie_name), Connection(port, cookie_name)
    tasks = [(person, quiz) for person in people for quiz in quizzes]
    begin = time.monotonic()
    window_start, window_end = begin + warmup, begin + warmup + seconds
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    try:
        while tasks and time.monotonic() < window_end:
            person, quiz = tasks[0]
            in_window = time.monotonic() >= window_start
            reply = await main.request("POST", f"/quizzes/{quiz}/start", person, headers=form_type,
                                       body=urlencode({"csrf_token": person.csrf}).encode())
            location = reply.headers.get("location", "")
            match = ATTEMPT.search(location)
            if reply.status != 302:
                raise BenchError(f"start {quiz} as {person.user_id}: {reply.status} {reply.body[:200]!r}")
            if match is None:  # all attempts used: back to the quiz page with a message
                tasks.pop(0)
                tally.limit_reached += 1
                await main.request("GET", location if location.startswith("/") else f"/quizzes/{quiz}", person)
                continue
            attempt_id = int(match.group(1))
            tally.started_ids.add(attempt_id)
            form = await main.request("GET", f"/attempts/{attempt_id}", person)
            if form.status != 200:
                raise BenchError(f"attempt form {attempt_id}: {form.status}")
            token, fields = form_answers(form.body.decode("utf-8"), rng)
            if not token:
                raise BenchError(f"no submit token on the form of attempt {attempt_id}")
            body = urlencode([("csrf_token", person.csrf), ("token", token), *fields, ("allow_unanswered", "1"), ("action", "submit")]).encode()
            counter[0] += 1
            double = double_every > 0 and counter[0] % double_every == 0
            if double:
                sent, again = await asyncio.gather(
                    main.request("POST", f"/attempts/{attempt_id}", person, headers=form_type, body=body),
                    second.request("POST", f"/attempts/{attempt_id}", person, headers=form_type, body=body))
                replies = [sent, again]
            else:
                sent = await main.request("POST", f"/attempts/{attempt_id}", person, headers=form_type, body=body)
                replies = [sent]
            for r in replies:
                if r.status != 302 or not r.headers.get("location", "").endswith(f"/attempts/{attempt_id}"):
                    raise BenchError(f"submit {attempt_id}: {r.status} {r.headers.get('location')} {r.body[:200]!r}")
            tally.submitted_ids.add(attempt_id)
            tally.submits_total += len(replies)
            if double:
                tally.doubled_ids.add(attempt_id)
            results = await main.request("GET", f"/attempts/{attempt_id}", person)
            if results.status != 200 or b"Submit answers" in results.body:
                raise BenchError(f"results of attempt {attempt_id}: {results.status}")
            if in_window:
                tally.start.append(reply.seconds)
                tally.form.append(form.seconds)
                tally.submit.append(sent.seconds)
                if double:
                    tally.doubles.append(replies[1].seconds)
                tally.results.append(results.seconds)
                tally.submit_and_results.append(sent.seconds + results.seconds)
        if not tasks:
            tally.errors.append(f"client {index} ran out of attempts: give it more people")
    except (TimeoutError, BenchError, OSError) as exc:
        tally.errors.append(f"client {index}: {exc!r}")
    finally:
        main.close()
        second.close()


def check_database(app, tally: Tally) -> tuple[list[Figure], list[str]]:
    import sqlalchemy as sa

    from app.extensions import db
    from app.quizzes.models import QuizAttempt

    with app.app_context():
        rows = db.session.execute(sa.select(QuizAttempt.id, QuizAttempt.user_id, QuizAttempt.quiz_key,
                                            QuizAttempt.attempt_no, QuizAttempt.finished_at,
                                            QuizAttempt.score_percent)).all()
        db.session.remove()
    ids = {r.id for r in rows}
    finished = {r.id for r in rows if r.finished_at is not None}
    graded = {r.id for r in rows if r.finished_at is not None and r.score_percent is not None}
    numbers: dict[tuple[int, str], list[int]] = {}
    for r in rows:
        numbers.setdefault((r.user_id, r.quiz_key), []).append(r.attempt_no)
    gaps = [k for k, v in numbers.items() if sorted(v) != list(range(1, len(v) + 1))]
    problems = []
    if ids != tally.started_ids:
        problems.append(f"attempt rows {len(ids)} != attempts started {len(tally.started_ids)} "
                        f"(extra {sorted(ids - tally.started_ids)[:5]}, missing {sorted(tally.started_ids - ids)[:5]})")
    if finished != tally.submitted_ids:
        problems.append(f"finished {len(finished)} != submitted {len(tally.submitted_ids)} "
                        f"(lost {sorted(tally.submitted_ids - finished)[:5]}, unexpected {sorted(finished - tally.submitted_ids)[:5]})")
    if graded != finished:
        problems.append(f"{len(finished - graded)} finished attempts without a score")
    if gaps:
        problems.append(f"attempt numbers not 1..k for {len(gaps)} person/quiz pairs, e.g. {gaps[:3]}")
    shown = (f"{len(tally.submitted_ids)} submitted ({tally.submits_total} POSTs, {len(tally.doubled_ids)} sent twice) "
             f"= {len(finished)} finished rows; {len(ids)} rows for {len(tally.started_ids)} starts")
    figure = Figure("quiz attempts lost or counted twice", float(len(problems)), "problems", shown,
                    "none", not problems, "; ".join(problems))
    return [figure], problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--people-per-client", type=int, default=3)
    parser.add_argument("--double-every", type=int, default=10, help="send every n-th submission twice (0: never)")
    parser.add_argument("--workers", type=int, default=None, help="WEB_CONCURRENCY (default: gunicorn.conf.py's, 1)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    args = parser.parse_args()

    from app.content.catalog import catalog

    secret = os.urandom(24).hex()
    folder = tempfile.mkdtemp(prefix="lectern-bench-quiz-")
    url = f"sqlite:///{folder}/lectern.db"
    server: Gunicorn | None = None
    errors: list[str] = []
    figures: list[Figure] = []
    tally = Tally()
    try:
        app = make_app(url, secret)
        migrate(app)
        people = mint(app, add_people(app, args.clients * args.people_per_client))
        with app.app_context():
            quizzes = [q.id for q in catalog().quizzes]
        cookie_name = app.config.get("SESSION_COOKIE_NAME", "session")
        server = Gunicorn(folder, workers=args.workers, env={"SECRET_KEY": secret, "DATABASE_URL": url, "LECTERN_DEMO": "0"})
        server.start()
        workers = server.workers()
        cpu_before = sum(proc_memory(pid).get("cpu", 0) for pid in workers)

        async def drive() -> float:
            counter = [0]
            started = time.monotonic()
            await asyncio.gather(*(
                take_quizzes(server.port, cookie_name, i, people[i::args.clients], quizzes[i % len(quizzes):] +
                             quizzes[:i % len(quizzes)], args.seconds, 1.0, args.double_every, tally, counter)
                for i in range(args.clients)))
            return time.monotonic() - started

        elapsed = asyncio.run(drive())
        cpu = sum(proc_memory(pid).get("cpu", 0) for pid in workers) - cpu_before
        errors += tally.errors
        if not tally.submit:
            raise BenchError("no submission completed")
        submit_ms = [s * 1000 for s in tally.submit]
        both_ms = [s * 1000 for s in tally.submit_and_results]
        tag = f"{args.workers or 1} worker{'s' if (args.workers or 1) > 1 else ''}"
        trivial = Gunicorn(folder, workers=args.workers, env={}, app_spec="trivial_app:app", pythonpath="bench",
                           ready_path="/")
        try:
            trivial.start()
            ref = asyncio.run(closed_loop(trivial.port, args.clients, min(args.seconds, 5.0), 0.5,
                                          lambda i, n: ("GET", "/", None, None, None), lambda r: r.status == 200,
                                          cookie_name, trivial.workers()))
        finally:
            trivial.stop()
        submit_p95, per_attempt = pct(submit_ms, 0.95), cpu / max(1, len(tally.started_ids)) * 1000
        figures.append(judged(f"quiz submission p95 at {args.clients} clients / trivial p95 ({tag})",
                              submit_p95 / ref.p(0.95), "x",
                              f"{submit_p95 / ref.p(0.95):.1f}x ({submit_p95:.0f} vs {ref.p(0.95):.1f} ms; submission p50 "
                              f"{statistics.median(submit_ms):.0f} ms, {len(submit_ms) / args.seconds:.0f} submissions/s)",
                              P95_RATIO_BUDGET, "at most 5x"))
        figures.append(judged(f"quiz: worker CPU per attempt taken / trivial request ({tag})",
                              per_attempt / ref.server_cpu_ms, "x",
                              f"{per_attempt / ref.server_cpu_ms:.0f}x ({per_attempt:.1f} vs {ref.server_cpu_ms:.2f} ms; "
                              f"start, form, submit, results: 4-5 requests)", CPU_RATIO_BUDGET, "at most 15x"))
        figures.append(Figure("  submission + results page p50 / p95", pct(both_ms, 0.95), "ms",
                              f"{statistics.median(both_ms):.0f} / {pct(both_ms, 0.95):.0f} ms"))
        more, _problems = check_database(app, tally)  # a budget missed, not an error
        figures += more
        for name in ("start", "form", "submit", "results", "doubles"):
            values = [v * 1000 for v in getattr(tally, name)]
            if values:
                print(f"  {name:<8} {len(values):>5} requests: p50 {statistics.median(values):6.1f} ms, "
                      f"p95 {pct(values, 0.95):6.1f} ms, max {max(values):6.1f} ms")
        print(f"  {len(tally.submitted_ids)} attempts submitted in {elapsed:.1f} s (all, warm-up included); "
              f"{tally.limit_reached} starts refused at the attempt limit; worker CPU {cpu:.1f} s "
              f"({cpu / max(1, len(tally.started_ids)) * 1000:.0f} ms per attempt taken, 4-5 requests)")
        figures.append(Figure("  worker CPU: busy share of one core; per attempt taken", cpu / elapsed * 100, "%",
                              f"{cpu / elapsed:.0%}; {cpu / max(1, len(tally.started_ids)) * 1000:.0f} ms "
                              f"(start, form, submit, results: 4-5 requests)"))
    except BenchError as exc:
        errors.append(str(exc))
    finally:
        if server is not None:
            if errors:
                errors.append(f"gunicorn log (last lines):\n{server.log_tail()}")
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)

    report(f"quiz submission, {args.clients} concurrent clients", "quiz", figures, errors, args.json)


if __name__ == "__main__":
    main()
