"""Declarative base, column types and the SQLite write-transaction discipline."""
from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import CursorResult, Engine, Result
from sqlalchemy.orm import DeclarativeBase, Session, registry, scoped_session

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite stores them naive)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware UTC datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


# --- SQLite: WAL, busy timeout, foreign keys, and BEGIN IMMEDIATE for writes -------------
#
# A deferred SQLite transaction that reads first and writes later can fail at once with
# "database is locked" when another process committed in between (its snapshot is stale and
# busy_timeout cannot help). Every unit of work that writes therefore opens its transaction
# with BEGIN IMMEDIATE, taking the write lock up front and queueing behind other writers for
# up to busy_timeout. Read-only work keeps plain BEGIN, so readers never wait on writers.

_immediate: contextvars.ContextVar[bool] = contextvars.ContextVar("lectern_begin_immediate", default=False)

SQLITE_BUSY_TIMEOUT_MS = 15_000


def configure_engine(engine: Engine) -> None:
    """Install the SQLite pragmas and transaction handling on an engine (no I/O here)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")


def rowcount(result: Result[Any]) -> int:
    """Rows an UPDATE or DELETE matched (Session.execute is typed as returning a plain Result)."""
    return cast(CursorResult[Any], result).rowcount


_AFTER_COMMIT = "lectern_after_commit"

# Flask-SQLAlchemy's `db.session` is a scoped_session of its own Session subclass; scoped_session is
# invariant in its session type, so the functions below are generic over it.
_S = TypeVar("_S", bound=Session)


def after_commit(session: _S | scoped_session[_S], callback: Callable[[], None]) -> None:
    """Queue `callback` in the current unit of work (write_transaction): it runs once the work has
    committed, outside the transaction, so what it tells others is what the database now holds; a
    rolled-back unit of work drops it. Outside a unit of work it runs at once."""
    if isinstance(session, scoped_session):
        session = session()
    pending = session.info.get(_AFTER_COMMIT)
    if pending is None:
        callback()
    else:
        pending.append(callback)


@contextmanager
def write_transaction(session: _S | scoped_session[_S]) -> Iterator[_S]:
    """One unit of work that writes: commits on success, rolls back on error; what after_commit
    queued inside runs after the commit, in order (and is dropped on rollback).

    Any read transaction the request already holds is ended first, so the write starts from a
    fresh snapshot with the write lock held (SQLite) and cannot fail with "database is locked".
    A read-modify-write inside selects the row `.with_for_update()`: a row lock on PostgreSQL,
    already implied on SQLite by the database write lock.
    """
    if isinstance(session, scoped_session):
        session = session()
    if session.in_transaction():
        session.commit()
    token = _immediate.set(True)
    try:
        session.connection()  # begins now, as BEGIN IMMEDIATE on SQLite
    finally:
        _immediate.reset(token)
    outer = session.info.get(_AFTER_COMMIT)
    pending: list[Callable[[], None]] = []
    session.info[_AFTER_COMMIT] = pending
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        if outer is None:
            session.info.pop(_AFTER_COMMIT, None)
        else:
            session.info[_AFTER_COMMIT] = outer
    for callback in pending:
        callback()
