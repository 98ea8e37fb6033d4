"""CPU per quiz attempt taken, in process: the same four requests as bench/quiz.py (start, the form,
submit, the results page) through the Flask test client, one at a time, with no server.

    .venv/bin/python bench/quiz_cpu.py [--people 12] [--tree PATH]

No threads, sockets or other clients: the figure is this process's CPU time per attempt, so it
moves little with the host's load, where bench/quiz.py's worker CPU under 20 clients does (GIL
contention, other jobs on the same cores). `--tree` measures another checkout of Lectern (for
example `git archive <commit> | tar -x -C /tmp/before`) with the same interpreter, for a before
and after on the same host minutes apart. Production settings (CSRF on), a fresh SQLite file.
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=12)
    parser.add_argument("--tree", type=Path, default=Path(__file__).resolve().parents[1])
    args = parser.parse_args()
    root = args.tree.resolve()
    sys.path[:0] = [str(root / "bench"), str(root)]
    os.chdir(root)

    from common import HOST, USER_AGENT, add_people, make_app, migrate, mint
    from quiz import form_answers
    from werkzeug.datastructures import MultiDict

    folder = tempfile.mkdtemp(prefix="lectern-bench-quizcpu-")
    try:
        app = make_app(f"sqlite:///{folder}/lectern.db", os.urandom(24).hex())
        migrate(app)
        people = mint(app, add_people(app, args.people))
        from app.content.catalog import catalog

        with app.app_context():
            quizzes = [q.id for q in catalog().quizzes]
        cookie = app.config.get("SESSION_COOKIE_NAME", "session")
        rng = random.Random(1)
        headers, environ = {"User-Agent": USER_AGENT}, {"REMOTE_ADDR": HOST}

        def take(person, quiz: str) -> bool:
            client = app.test_client()
            client.set_cookie(cookie, person.cookie, domain="localhost")
            started = client.post(f"/quizzes/{quiz}/start", data={"csrf_token": person.csrf},
                                  headers=headers, environ_base=environ)
            match = re.search(r"/attempts/(\d+)$", started.headers.get("Location", ""))
            if match is None:  # all attempts used
                return False
            url = f"/attempts/{match.group(1)}"
            token, fields = form_answers(client.get(url, headers=headers, environ_base=environ).get_data(as_text=True), rng)
            form = MultiDict([("csrf_token", person.csrf), ("token", token), *fields, ("allow_unanswered", "1"),
                              ("action", "submit")])
            if client.post(url, data=form, headers=headers, environ_base=environ).status_code != 302:
                raise SystemExit(f"submit {url} failed")
            if client.get(url, headers=headers, environ_base=environ).status_code != 200:
                raise SystemExit(f"results {url} failed")
            return True

        tasks = [(person, quiz) for person in people for quiz in quizzes]
        for person, quiz in tasks[:10]:  # warm-up: templates compiled, caches filled
            take(person, quiz)
        taken, cpu, wall = 0, time.process_time(), time.perf_counter()
        for person, quiz in tasks[10:]:
            taken += take(person, quiz)
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"{root}: {taken} attempts taken; {cpu / taken * 1000:.1f} ms CPU per attempt "
              f"(start, form, submit, results), wall {wall / taken * 1000:.1f} ms; "
              f"load average {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
