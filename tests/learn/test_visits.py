"""Lesson views written in batches off the request path (app/learn/visits.py): study time stays exact."""
import random
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.learn import visits
from app.learn.models import LessonVisit
from app.learn.visits import View, replay

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
KEYS = ("a", "b", "c")


def fold(rows: dict, views: list[View]) -> dict:
    """Apply `views` to stored rows as apply_views would; rows: (user, key) -> [last_seen, seconds]."""
    changes = replay(views, {k: v[0] for k, v in rows.items()})
    out = {k: list(v) for k, v in rows.items()}
    for key, row in changes.items():
        seconds = out.get(key, [None, 0])[1] + row.added
        last = row.last_seen if key not in out else max(out[key][0], row.last_seen)
        out[key] = [last, seconds]
    return out


def random_views(rng: random.Random, people: int = 2, count: int = 30) -> list[View]:
    at, views = T0, []
    for _ in range(count):
        at += timedelta(seconds=rng.choice([5, 30, 90, 119, 121, 300, 1799, 1801, 4000]))
        views.append(View(rng.randrange(people), rng.choice(KEYS), at))
    return views


@pytest.mark.parametrize("seed", range(40))
def test_study_time_is_the_same_one_by_one_in_one_batch_and_in_any_split(seed):
    rng = random.Random(seed)
    views = random_views(rng)
    one_by_one: dict = {}
    for view in views:
        one_by_one = fold(one_by_one, [view])
    assert fold({}, views) == one_by_one
    split, start = {}, 0
    while start < len(views):
        end = start + rng.randint(1, 8)
        split = fold(split, views[start:end])
        start = end
    assert split == one_by_one


def test_the_rule_gaps_go_to_the_lesson_viewed_then_reloads_and_absences_count_nothing():
    views = [View(1, "a", T0), View(1, "a", T0 + timedelta(seconds=60)),        # a reload: nothing
             View(1, "b", T0 + timedelta(minutes=10)),                           # 10 min to a
             View(1, "c", T0 + timedelta(minutes=15)),                           # 5 min to b
             View(1, "a", T0 + timedelta(hours=2))]                              # away: nothing
    rows = fold({}, views)
    assert {k: v[1] for k, v in rows.items()} == {(1, "a"): 600, (1, "b"): 300, (1, "c"): 0}
    assert rows[(1, "a")][0] == T0 + timedelta(hours=2)


def test_a_view_written_after_a_later_one_counts_no_time_and_never_moves_last_seen_back():
    rows = fold({}, [View(1, "a", T0), View(1, "b", T0 + timedelta(minutes=10))])
    late = fold(rows, [View(1, "a", T0 + timedelta(minutes=5)), View(1, "c", T0 + timedelta(minutes=6))])
    assert late[(1, "a")] == [T0, 600] and late[(1, "b")] == [T0 + timedelta(minutes=10), 0]
    assert late[(1, "c")] == [T0 + timedelta(minutes=6), 0]


def stored(user_id: int) -> dict:
    db.session.rollback()
    return {k: (s, at) for k, s, at in db.session.execute(
        sa.select(LessonVisit.lesson_key, LessonVisit.seconds_spent, LessonVisit.last_seen_at)
        .where(LessonVisit.user_id == user_id))}


def test_batched_views_reach_the_database_as_views_written_in_the_request_would(app, make_user):
    first, second, third = (lesson.key for lesson in catalog().lessons[:3])
    start = utcnow() - timedelta(hours=3)
    plan = [(first, 0), (second, 10), (second, 11), (third, 15), (first, 120), (second, 130)]
    inline, batched = make_user(), make_user()
    for key, minutes in plan:
        visits.apply_views([View(inline.id, key, start + timedelta(minutes=minutes))])
    buffer = visits.VisitBuffer(app, seconds=3600)   # its thread would wait an hour: flushed by hand here
    for key, minutes in plan[:3]:
        buffer._views.append(View(batched.id, key, start + timedelta(minutes=minutes)))
    assert buffer.flush() == 3 and buffer.pending() == 0
    for key, minutes in plan[3:]:
        buffer._views.append(View(batched.id, key, start + timedelta(minutes=minutes)))
    assert buffer.flush() == 3
    assert stored(batched.id) == stored(inline.id)
    assert {k: s for k, (s, _at) in stored(inline.id).items()} == {first: 1200, second: 300, third: 0}


def test_the_lesson_page_leaves_its_view_to_the_buffer_which_writes_it_within_the_window(app, make_user, login):
    app.config["VISITS_BATCH_SECONDS"] = 0.2
    person = make_user()
    client = login(app, person)
    lessons = catalog().lessons[:2]
    assert client.get(f"/lessons/{lessons[0].slug}").status_code == 200
    assert client.get(f"/lessons/{lessons[1].slug}").status_code == 200
    deadline = time.monotonic() + 10
    while len(stored(person.id)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert set(stored(person.id)) == {lessons[0].key, lessons[1].key}
    assert app.extensions[visits.EXTENSION_KEY].pending() == 0


def test_views_a_failed_write_could_not_store_are_kept_for_the_next_try(app, make_user, monkeypatch):
    person = make_user()
    buffer = visits.VisitBuffer(app, seconds=3600)
    buffer._views.append(View(person.id, catalog().lessons[0].key, utcnow()))

    def broken(_views):
        raise sa.exc.OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(visits, "apply_views", broken)
    assert buffer.flush() == 0 and buffer.pending() == 1
    monkeypatch.undo()
    assert buffer.flush() == 1 and len(stored(person.id)) == 1


def test_views_still_waiting_when_the_process_ends_are_written(app, make_user):
    person = make_user()
    buffer = visits.VisitBuffer(app, seconds=3600)
    buffer._views.append(View(person.id, catalog().lessons[0].key, utcnow()))
    assert visits.flush_all() >= 1 and len(stored(person.id)) == 1
