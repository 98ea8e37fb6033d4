"""What one lesson page costs the database, bounded (issue 19): the person and roles, the learner's
state, the notes, the quiz standing; a first view writes nothing in the request (the view goes to
this process's batch, app/learn/visits.py)."""
import sqlalchemy as sa

from app.content.catalog import catalog
from app.extensions import db
from app.learn import visits


def statements(client, path: str) -> list[str]:
    seen: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split())[:120])

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return [s for s in seen if s.upper() not in ("BEGIN", "COMMIT", "ROLLBACK")]


def writes(sql: list[str]) -> list[str]:
    return [s for s in sql if s.split()[0].upper() in ("INSERT", "UPDATE", "DELETE") or "IMMEDIATE" in s.upper()]


def test_a_stage_lesson_page_takes_four_reads_and_no_write(app, make_user, login):
    app.config["VISITS_BATCH_SECONDS"] = 3600   # the batch is written by hand below
    client = login(app, make_user())
    lesson = next(lesson for lesson in catalog().lessons if lesson.stage == 3 and catalog().lesson_quiz(lesson.slug))
    first = statements(client, f"/lessons/{lesson.slug}")
    assert len(first) <= 4 and not writes(first), first   # person, learner state, notes, quiz standing
    reload = statements(client, f"/lessons/{lesson.slug}")
    assert len(reload) <= 4 and not writes(reload), reload
    assert app.extensions[visits.EXTENSION_KEY].flush() == 2   # both views were queued; the write is the batch's


def test_written_in_the_request_a_first_view_is_one_small_transaction(app, make_user, login):
    client = login(app, make_user())
    lesson = catalog().lessons[0]
    sql = statements(client, f"/lessons/{lesson.slug}")
    assert len(writes(sql)) <= 2 and len(sql) <= 8, sql
