"""Two writers at once never fail with "database is locked" and lose nothing.

Each worker reads first and writes later: the pattern that breaks plain deferred SQLite
transactions (the reader's snapshot goes stale when the other commits). write_transaction takes
the write lock up front, so every write waits its turn instead.
"""
import threading
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.auth.models import User
from app.db import write_transaction
from app.extensions import db

WRITES_PER_WORKER = 40


def test_two_writers_interleaving_reads_and_writes_lose_nothing(app, make_user):
    user_id = make_user().id
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)
    engine = db.engine

    def worker() -> None:
        try:
            barrier.wait()
            for _ in range(WRITES_PER_WORKER):
                with Session(engine) as session:
                    session.scalar(sa.select(User.session_epoch).where(User.id == user_id))  # read first
                    with write_transaction(session):
                        current = session.scalar(sa.select(User.session_epoch).where(User.id == user_id).with_for_update())
                        session.execute(sa.update(User).where(User.id == user_id).values(session_epoch=current + 1))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    db.session.rollback()  # end this session's own read snapshot
    assert db.session.get(User, user_id).session_epoch == 2 * WRITES_PER_WORKER


def test_write_transaction_rolls_back_on_error(app, make_user):
    user = make_user()
    try:
        with write_transaction(db.session):
            db.session.get(User, user.id).display_name = "Changed"
            raise RuntimeError("stop")
    except RuntimeError:
        pass
    db.session.expire_all()
    assert db.session.get(User, user.id).display_name != "Changed"


def test_datetimes_come_back_aware_utc(app, make_user):
    user = make_user(created_at=datetime(2026, 5, 1, 12, 0, tzinfo=UTC))
    db.session.expire_all()
    loaded = db.session.get(User, user.id).created_at
    assert loaded.tzinfo is not None and loaded.utcoffset().total_seconds() == 0 and loaded.hour == 12
