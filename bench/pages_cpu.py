"""CPU per lesson page in one process, through the Flask test client (no server, no sockets): a
person's first view of a lesson and a reload, best of 3 rounds. For before/after comparisons on a
host whose load moves bench/pages.py's worker CPU: run it on two checkouts with the same interpreter.

    .venv/bin/python bench/pages_cpu.py [TREE] [--requests 300]   (TREE: a checkout; default this one)

CPU is process_time(): every thread of the process, so batched visit writes count too.
"""
from __future__ import annotations

import argparse
import importlib
import os
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

PASSWORD = "correct horse battery"
PEOPLE = 60


def best_of_three(label: str, request: Callable[[], None], count: int) -> None:
    for _ in range(20):
        request()
    rounds = []
    for _round in range(3):
        started = time.process_time()
        for _ in range(count):
            request()
        rounds.append((time.process_time() - started) / count * 1000)
    print(f"{label}: {min(rounds):.2f} ms CPU per request (best of 3 x {count})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", nargs="?", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    sys.path.insert(0, args.tree)
    os.chdir(args.tree)
    create_app = importlib.import_module("app").create_app
    db = importlib.import_module("app.extensions").db
    models = importlib.import_module("app.auth.models")
    hash_password = importlib.import_module("app.auth.passwords").hash_password
    catalog = importlib.import_module("app.content.catalog").catalog
    upgrade = importlib.import_module("flask_migrate").upgrade

    folder = tempfile.mkdtemp(prefix="lectern-bench-pages-cpu-")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/x.db",
                      "VISITS_BATCH_SECONDS": 0.5})
    with app.app_context():
        upgrade()
        hashed = hash_password(PASSWORD)
        for n in range(PEOPLE):
            person = models.User(email=f"p{n}@example.org", display_name=f"Person {n}", password_hash=hashed,
                                 created_at=datetime.now(UTC))
            person.role_rows = [models.UserRole(role="trainee")]
            db.session.add(person)
        db.session.commit()
        slugs = [lesson.slug for lesson in catalog().lessons]
    clients = []
    for n in range(PEOPLE):
        client = app.test_client()
        client.post("/login", data={"email": f"p{n}@example.org", "password": PASSWORD})
        clients.append(client)
    sent = [0]

    def first_view() -> None:
        sent[0] += 1
        n = sent[0]
        assert clients[n % PEOPLE].get(f"/lessons/{slugs[(n // PEOPLE) % len(slugs)]}").status_code == 200

    def reload() -> None:
        assert clients[0].get(f"/lessons/{slugs[3]}").status_code == 200

    print(f"tree {args.tree}")
    best_of_three("first view", first_view, args.requests)
    best_of_three("reload", reload, args.requests)


if __name__ == "__main__":
    main()
