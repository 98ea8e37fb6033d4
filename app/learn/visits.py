"""Lesson views and study time, written in batches off the request path.

A lesson page view that counts (not a reload within VISIT_REFRESH) becomes a `View`. With
VISITS_BATCH_SECONDS > 0 (the default outside tests) the request only appends it to this process's
`VisitBuffer`; a daemon thread writes what has gathered every VISITS_BATCH_SECONDS in one write
transaction, and the buffer is written out when the process ends (gunicorn's worker_exit hook and
atexit). With 0 the view is written in the request, by the same code.

Study time is exact either way: `apply_views` replays the views in time order against the visit
rows as the database holds them, locked for the write (BEGIN IMMEDIATE on SQLite, FOR UPDATE on
PostgreSQL), so a batch ends where the same views written one by one would have ended, and two
processes writing the same person's views cannot both count one gap. A view older than the latest
one already written (the person's next view was written by another process first) counts no time
and never moves `last_seen_at` back. What a killed process had not yet written (at most
VISITS_BATCH_SECONDS of views) is lost: a view is not an attempt or a completion.
"""
from __future__ import annotations

import atexit
import logging
import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import sqlalchemy as sa
from flask import Flask, current_app

from app.db import write_transaction
from app.extensions import db
from app.learn.models import LessonVisit

log = logging.getLogger(__name__)

VISIT_REFRESH = timedelta(minutes=2)  # a page view within this window writes nothing
IDLE_GAP = timedelta(minutes=30)      # a longer gap between page views is not counted as study time
EXTENSION_KEY = "lectern.visits"


@dataclass(frozen=True)
class View:
    user_id: int
    lesson_key: str
    at: datetime


@dataclass
class _Row:
    last_seen: datetime
    exists: bool
    added: int = 0
    moved: bool = False


def replay(views: Iterable[View], rows: dict[tuple[int, str], datetime]) -> dict[tuple[int, str], _Row]:
    """The visit rows after `views`, from `rows` ((user, lesson) -> last_seen_at as stored).
    Pure: the rule of study time, in one place. Each view gives the gap since the person's
    previous view to the lesson viewed then, unless the gap is longer than IDLE_GAP (they were
    away); a view within VISIT_REFRESH of that lesson's own last view changes nothing (a reload:
    its time is counted with the next view that is written)."""
    state = {key: _Row(at, exists=True) for key, at in rows.items()}
    latest: dict[int, tuple[datetime, str]] = {}
    for (user_id, key), at in rows.items():
        if user_id not in latest or at > latest[user_id][0]:
            latest[user_id] = (at, key)
    for view in sorted(views, key=lambda v: v.at):
        row = state.get((view.user_id, view.lesson_key))
        if row is not None and view.at - row.last_seen < VISIT_REFRESH:
            continue
        previous = latest.get(view.user_id)
        if previous is not None:
            gap = view.at - previous[0]
            if timedelta(0) < gap <= IDLE_GAP:
                state[(view.user_id, previous[1])].added += int(gap.total_seconds())
            if gap < timedelta(0):
                # written out of order by another process: no time, and last_seen never moves back
                if row is None:
                    state[(view.user_id, view.lesson_key)] = _Row(view.at, exists=False, moved=True)
                continue
        if row is None:
            state[(view.user_id, view.lesson_key)] = _Row(view.at, exists=False, moved=True)
        else:
            row.last_seen, row.moved = view.at, True
        latest[view.user_id] = (view.at, view.lesson_key)
    return {key: row for key, row in state.items() if row.added or row.moved}


def apply_views(views: list[View]) -> None:
    """Write `views` in one write transaction (see the module's docstring)."""
    if not views:
        return
    table = cast(sa.Table, LessonVisit.__table__)
    people = sorted({v.user_id for v in views})
    with write_transaction(db.session):
        query = sa.select(table.c.user_id, table.c.lesson_key, table.c.last_seen_at).where(table.c.user_id.in_(people))
        if db.session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        stored = {(u, k): at for u, k, at in db.session.execute(query)}
        changes = replay(views, stored)
        updates = [{"u": u, "k": k, "add": row.added, "at": row.last_seen}
                   for (u, k), row in changes.items() if row.exists]
        if updates:
            db.session.execute(
                sa.update(table).where(table.c.user_id == sa.bindparam("u"), table.c.lesson_key == sa.bindparam("k"))
                .values(seconds_spent=table.c.seconds_spent + sa.bindparam("add"), last_seen_at=sa.bindparam("at")),
                updates)
        fresh = [{"user_id": u, "lesson_key": k, "first_seen_at": row.last_seen, "last_seen_at": row.last_seen,
                  "seconds_spent": row.added} for (u, k), row in changes.items() if not row.exists]
        if fresh:
            _insert_or_keep_latest(fresh)


def _insert_or_keep_latest(rows: list[dict[str, Any]]) -> None:
    """Insert first visits; one another process inserted meanwhile keeps the later last_seen_at."""
    table = cast(sa.Table, LessonVisit.__table__)
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    statement = insert(table)
    later = sa.case((statement.excluded.last_seen_at > table.c.last_seen_at, statement.excluded.last_seen_at),
                    else_=table.c.last_seen_at)
    db.session.execute(statement.on_conflict_do_update(
        index_elements=[table.c.user_id, table.c.lesson_key],
        set_={"last_seen_at": later, "seconds_spent": table.c.seconds_spent + statement.excluded.seconds_spent}), rows)


class VisitBuffer:
    """This process's views not yet written, and the thread that writes them."""

    def __init__(self, app: Flask, seconds: float) -> None:
        self.app, self.seconds = app, seconds
        self._views: list[View] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        _BUFFERS.add(self)

    def add(self, view: View) -> None:
        with self._lock:
            self._views.append(view)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="lectern-visits", daemon=True)
                self._thread.start()

    def pending(self) -> int:
        with self._lock:
            return len(self._views)

    def flush(self) -> int:
        """Write what has gathered; the number of views written. A failed write keeps them for the next try."""
        with self._lock:
            views, self._views = self._views, []
        if not views:
            return 0
        try:
            with self.app.app_context():
                apply_views(views)
                db.session.remove()
        except Exception:
            log.warning("could not write %d lesson views; keeping them for the next try", len(views), exc_info=True)
            with self._lock:
                self._views[:0] = views
            return 0
        return len(views)

    def _run(self) -> None:
        while not self._wake.wait(self.seconds):
            self.flush()


_BUFFERS: weakref.WeakSet[VisitBuffer] = weakref.WeakSet()


def record(view: View) -> None:
    """Write the view now (VISITS_BATCH_SECONDS = 0) or leave it to this process's buffer."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the app, not the proxy: the thread outlives the request
    seconds = float(app.config.get("VISITS_BATCH_SECONDS", 0) or 0)
    if seconds <= 0:
        apply_views([view])
        return
    buffer = app.extensions.get(EXTENSION_KEY)
    if buffer is None:
        buffer = app.extensions.setdefault(EXTENSION_KEY, VisitBuffer(app, seconds))
    buffer.add(view)


def flush_all() -> int:
    """Write every buffer of this process (gunicorn's worker_exit, atexit); the views written."""
    return sum(buffer.flush() for buffer in list(_BUFFERS))


atexit.register(flush_all)
