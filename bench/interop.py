"""Mail, calendars and the course leaving Lectern (issues 21, 22): what the new features cost.

    .venv/bin/python bench/interop.py [--runs 30] [--participants 1000] [--trainees 300]
                                      [--database-url postgresql://postgres@127.0.0.1:5432/DB] [--json PATH]

One process, the Flask test client, throwaway SQLite databases (migrated to head). Every request
figure is a median and a p95 of --runs requests, put beside /healthz (2 SQL statements) timed the
same way in the same process, before and after, since the machine is shared: compare the ratios.

1. SCORM export (app/scorm/services.build, what `flask export scorm` calls): the first build in the
   process (cold: templates, fragments) and the next ones (warm); the zip's size.
2. Open Badges 3.0: the first download of a certificate's credential (built, signed with ES256,
   stored), the same again (stored), the baked PNG (the first in the process draws the artwork;
   later ones bake the JWS into the cached image) and POST /verify/badge with a baked PNG.
3. The calendar feed /calendar/<token>.ics of a person in 1 cohort and in 10 (two scheduled days
   and a certificate deadline each); SQL statements per request.
4. The course home page (/) of a trainee whose cohort has two scheduled days, and of one whose
   cohort has none: the schedule panel's cost; SQL statements per request (SQLAlchemy event).
5. Closing a live poll with --participants answers (POST /live/<id>/polls/<id>/close) with xAPI
   on (LECTERN_XAPI_ENDPOINT a dead local port: the statements are queued in the unit of work, and
   the delivery job, a thread here as in a worker without Redis, fails to connect afterwards) and
   off, alternating; statements written; SQLite, and PostgreSQL with --database-url (its schema
   is dropped and migrated again: give a database of your own).
6. `flask mail tick` (app/reminders/services.tick) over a cohort of --trainees ending in 5 days:
   a third invited and never signed in (invited 5 days ago), some deactivated, some not back for
   10 days, the rest seen yesterday; a real SMTP server (aiosmtpd, in this process). The first
   tick queues and delivers; the second finds everything queued already (dedup keys) and does
   nothing. Its queue and delivery halves are timed apart.

With --json PATH the figures are also written for bench/run_all.py. No budgets (DESIGN.md §4 has
none for these yet): every figure is context.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Figure, free_port, machine_line, pct, print_figures, write_json
from run_all import calibrate, loadavg

PASSWORD = "bench password one"   # throwaway accounts in a throwaway database


# --- measuring ----------------------------------------------------------------------------------

class Times:
    """Wall and CPU times of repeated calls, in ms."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def add(self, wall: float, cpu: float) -> None:
        self.wall.append(wall * 1000)
        self.cpu.append(cpu * 1000)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    @property
    def p95(self) -> float:
        return pct(self.wall, 0.95)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu)

    def text(self) -> str:
        return f"median {self.median:.1f} ms, p95 {self.p95:.1f} ms (CPU median {self.cpu_median:.1f} ms; n={len(self.wall)})"


@contextmanager
def stopwatch(times: Times) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    times.add(time.perf_counter() - wall, time.process_time() - cpu)


def repeat(fn: Callable[[int], Any], runs: int, warmup: int = 1) -> Times:
    for i in range(warmup):
        fn(-1 - i)
    out = Times()
    for i in range(runs):
        with stopwatch(out):
            fn(i)
    return out


class Statements:
    """SQL statements sent by an engine while `counting` is on (as the tests count them)."""

    def __init__(self, engine) -> None:
        from sqlalchemy import event

        self.seen: list[str] = []
        self.on = False
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, _conn, _cursor, statement, *_args) -> None:
        if self.on:
            self.seen.append(statement)

    @contextmanager
    def counting(self) -> Iterator[list[str]]:
        self.seen, self.on = [], True
        try:
            yield self.seen
        finally:
            self.on = False


# --- the application ----------------------------------------------------------------------------

def new_app(url: str, **config: Any):
    """A migrated app on `url` (TESTING: CSRF and rate limits off, as the other benches use it)."""
    import logging

    import sqlalchemy as sa
    from flask_migrate import upgrade

    from app import create_app

    if url.startswith("postgresql"):
        engine = sa.create_engine(url)
        with engine.begin() as conn:
            conn.execute(sa.text("DROP SCHEMA public CASCADE"))
            conn.execute(sa.text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, **config})
    with app.app_context():
        logging.disable(logging.INFO)
        try:
            upgrade()
        finally:
            logging.disable(logging.NOTSET)
    logging.getLogger().setLevel(logging.WARNING)
    return app


def people(count: int, role: str, prefix: str, *, password_hash: str | None, now: datetime, **extra: Any) -> list:
    from app.auth.models import User, UserRole
    from app.extensions import db

    made = [User(email=f"{prefix}{i}@bench.test", display_name=f"{prefix.title()} {i:04d}", password_hash=password_hash,
                 created_at=now, **extra) for i in range(count)]
    for person in made:
        person.role_rows = [UserRole(role=role)]
    db.session.add_all(made)
    db.session.commit()
    return made


def signed_in(app, email: str):
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, response.status_code
    return client


def healthz(client, runs: int) -> Times:
    def one(_i: int) -> None:
        assert client.get("/healthz").status_code == 200

    return repeat(one, runs, warmup=3)


# --- 1-4: SCORM, badges, calendar feeds, the home page ---------------------------------------------

def interop_pages(folder: Path, runs: int, figures: list[Figure]) -> None:
    from app.auth.passwords import hash_password
    from app.badges import artwork
    from app.certificates import services as certificates
    from app.cohorts import services as cohorts
    from app.content.catalog import catalog
    from app.db import utcnow
    from app.extensions import db
    from app.schedule import services as schedules
    from app.schedule.times import EntryInput
    from app.scorm import services as scorm

    app = new_app(f"sqlite:///{folder}/pages.db", LECTERN_OB_KEY_DIR=str(folder / "keys"))
    anonymous = app.test_client()
    with app.app_context():
        now, cat = utcnow(), catalog()
        hashed = hash_password(PASSWORD)
        [admin] = people(1, "admin", "admin", password_hash=hashed, now=now)
        holders = people(runs + 2, "trainee", "holder", password_hash=hashed, now=now)
        lone, many, plain, scheduled = (p.id for p in people(4, "trainee", "reader", password_hash=hashed, now=now))
        admin_id = admin.id

        # 1. SCORM
        cold = Times()
        with stopwatch(cold):
            export = scorm.build()
        warm = repeat(lambda _i: scorm.build(), max(5, runs // 6), warmup=0)
        size = len(export.data)

        # 2. Open Badges: a certificate each (not timed)
        codes = [certificates.issue(admin_id, h.id, cat, now=now, override_reason="Bench").display_code for h in holders]

    calibration_before = healthz(anonymous, runs)
    figures.append(Figure("/healthz (test client, 2 SQL statements), median (before)", calibration_before.median, "ms",
                          calibration_before.text()))
    ref = calibration_before.median

    figures += [
        Figure("SCORM 1.2 export of the whole course, cold (first build in the process)", cold.median, "ms",
               f"{cold.median:.0f} ms (CPU {cold.cpu_median:.0f} ms); zip {size / 1e6:.2f} MB"),
        Figure("SCORM 1.2 export, warm", warm.median, "ms", f"{warm.text()}; {len(export.data):,} bytes"),
    ]

    client = signed_in(app, "admin0@bench.test")
    first = Times()
    with stopwatch(first):  # the process's first credential: the key pair is made and written too
        assert client.get(f"/badges/credentials/{codes[-1]}.json").status_code == 200
    signing = Times()
    for code in codes[:runs]:
        with stopwatch(signing):
            assert client.get(f"/badges/credentials/{code}.json").status_code == 200
    stored = repeat(lambda i: client.get(f"/badges/credentials/{codes[i % runs]}.json"), runs, warmup=0)
    artwork.badge_png.cache_clear()
    png_first = Times()
    with stopwatch(png_first):
        baked = client.get(f"/badges/credentials/{codes[-2]}.png").data
    png = repeat(lambda i: client.get(f"/badges/credentials/{codes[i % runs]}.png"), runs, warmup=0)
    verifier = app.test_client()

    def verify(_i: int) -> None:
        import io

        page = verifier.post("/verify/badge", data={"badge": (io.BytesIO(baked), "badge.png")},
                             content_type="multipart/form-data")
        assert page.status_code == 200 and b"refused" not in page.data.lower(), page.status_code

    checked = repeat(verify, runs)
    figures += [
        Figure("Open Badge: a certificate's first download, first in the process (keys made)", first.median, "ms",
               f"{first.median:.0f} ms"),
        Figure("Open Badge: a certificate's first download (built, signed, stored)", signing.median, "ms",
               f"{signing.text()}; {signing.median / ref:.0f}x /healthz"),
        Figure("Open Badge: the credential again (stored)", stored.median, "ms",
               f"{stored.text()}; {stored.median / ref:.0f}x /healthz"),
        Figure("Open Badge: baked PNG, first in the process (artwork drawn)", png_first.median, "ms",
               f"{png_first.median:.0f} ms; {len(baked) / 1e3:.0f} kB"),
        Figure("Open Badge: baked PNG (artwork cached)", png.median, "ms", f"{png.text()}; {png.median / ref:.0f}x /healthz"),
        Figure("Open Badge: POST /verify/badge with a baked PNG", checked.median, "ms",
               f"{checked.text()}; {checked.median / ref:.0f}x /healthz"),
    ]

    # 3. calendar feeds, 4. the home page
    with app.app_context():
        today = now.date()
        made = []
        for n in range(11):
            cohort = cohorts.save_cohort(admin_id, None, name=f"Scheduled {n}", track="live", starts_on=today,
                                         ends_on=today + timedelta(days=30), instructor_ids=[], now=now)
            members = ([many] if n < 10 else [scheduled]) + ([lone] if n == 0 else [])
            cohorts.enrol(admin_id, cohort.id, members, now=now)
            for day in (1, 2):
                schedules.add_entry(admin_id, cohort.id, EntryInput(day, today + timedelta(days=6 + day + n), clock(9),
                                                                    clock(17), "Europe/Berlin", f"Room {n}"), cat, now=now)
            made.append(cohort.id)
        cohort = cohorts.save_cohort(admin_id, None, name="Unscheduled", track="live", starts_on=today,
                                     ends_on=today + timedelta(days=30), instructor_ids=[], now=now)
        cohorts.enrol(admin_id, cohort.id, [plain], now=now)
        tokens = {1: schedules.new_feed_token(lone, now=now), 10: schedules.new_feed_token(many, now=now)}
        statements = Statements(db.engine)

    for n, token in tokens.items():
        path = f"/calendar/{token}.ics"
        with statements.counting() as seen:
            body = anonymous.get(path).data
        events = body.count(b"BEGIN:VEVENT")
        assert events == 3 * n, (n, events)

        def fetch(_i: int, path: str = path) -> None:
            assert anonymous.get(path).status_code == 200

        feed = repeat(fetch, runs)
        figures.append(Figure(f"calendar feed, a person in {n} cohort{'s' if n > 1 else ''} ({events} events)",
                              feed.median, "ms", f"{feed.text()}; {feed.median / ref:.1f}x /healthz; "
                              f"{len(seen)} SQL statements, {len(body) / 1e3:.1f} kB"))

    home: dict[str, tuple[Times, int]] = {}
    for label, email in (("no schedule", "reader2@bench.test"), ("two scheduled days", "reader3@bench.test")):
        reader = signed_in(app, email)
        page = reader.get("/")
        assert page.status_code == 200
        assert (b"Room 10" in page.data) == (label != "no schedule"), label
        with statements.counting() as seen:
            reader.get("/")
        home[label] = repeat(lambda _i, reader=reader: reader.get("/"), runs), len(seen)
    (bare, bare_sql), (panel, panel_sql) = home["no schedule"], home["two scheduled days"]
    figures += [
        Figure("course home page (/), trainee whose cohort has no schedule", bare.median, "ms",
               f"{bare.text()}; {bare_sql} SQL statements"),
        Figure("course home page (/), trainee whose cohort has two scheduled days", panel.median, "ms",
               f"{panel.text()}; {panel_sql} SQL statements; the panel: {panel.median - bare.median:+.1f} ms "
               f"({panel.median / bare.median - 1:+.0%}), {panel_sql - bare_sql:+d} statements"),
    ]
    with app.app_context():   # the panel's own work (app/schedule/services.upcoming_for), for either trainee
        for label, user_id in (("no schedule", plain), ("two scheduled days", scheduled)):
            with statements.counting() as seen:
                shown = schedules.upcoming_for(user_id, cat, now=utcnow())
            db.session.commit()
            alone = repeat(lambda _i, user_id=user_id: (schedules.upcoming_for(user_id, cat, now=utcnow()),
                                                        db.session.commit()), runs)
            figures.append(Figure(f"  the schedule panel's query alone (upcoming_for), {label}", alone.median, "ms",
                                  f"{alone.text()}; {len(seen)} SQL statements, {len(shown)} days shown"))
    after = healthz(anonymous, runs)
    figures.append(Figure("/healthz (test client), median (after)", after.median, "ms", after.text()))


# --- 5: closing a poll with xAPI on and off --------------------------------------------------------

def poll_close(url: str, label: str, participants: int, rounds: int, figures: list[Figure]) -> None:
    import logging

    import sqlalchemy as sa

    from app.auth.passwords import hash_password
    from app.cohorts import services as cohorts
    from app.content.catalog import catalog
    from app.db import utcnow
    from app.extensions import db
    from app.jobs.models import Job
    from app.live import polls, rules, sessions
    from app.live.broker import current_broker
    from app.live.models import LiveAnswer, LiveParticipant
    from app.xapi.models import XapiStatement

    dead = f"http://127.0.0.1:{free_port()}/xAPI"    # nothing listens there
    app = new_app(url, JOBS_INLINE=False, JOBS_BACKEND="thread")
    app.logger.setLevel(logging.ERROR)   # the delivery job warns once per statement it could not send
    with app.app_context():
        now, cat = utcnow(), catalog()
        [admin] = people(1, "admin", "padmin", password_hash=None, now=now)
        [teacher] = people(1, "instructor", "teacher", password_hash=hash_password(PASSWORD), now=now)
        room = people(participants, "trainee", "p", password_hash=None, now=now)
        cohort = cohorts.save_cohort(admin.id, None, name="Room", track="live", starts_on=None, ends_on=None,
                                     instructor_ids=[teacher.id], now=now)
        cohorts.enrol(admin.id, cohort.id, [p.id for p in room], now=now)
        session = sessions.start_session(teacher.id, cohort.id, 1, cat, now=now)
        db.session.execute(sa.insert(LiveParticipant), [
            {"session_id": session.id, "user_id": p.id, "joined_at": now, "last_seen_at": now, "seconds_present": 60}
            for p in room])
        db.session.commit()
        teacher_id, session_id, room_ids = teacher.id, session.id, [p.id for p in room]
        quiz_key, question = polls.bank_question(cat, "day-1-assessment/location-paradox")
        statements = Statements(db.engine)
    client = signed_in(app, "teacher0@bench.test")

    def open_poll_with_answers() -> int:
        with app.app_context():
            poll = polls.launch_poll(current_broker(), teacher_id, session_id, question, quiz_key=quiz_key, scored=True,
                                     now=utcnow())
            options = [o["id"] for o in poll.question["options"]]
            at = utcnow()
            rows = []
            for i, uid in enumerate(room_ids):
                raw = options[i % len(options)]
                fraction = rules.score_answer(poll.question, raw)
                rows.append({"poll_id": poll.id, "user_id": uid, "answer": raw, "fraction": fraction,
                             "points": rules.points_for(fraction, poll.opened_at, at), "answered_at": at, "changes": 0})
            db.session.execute(sa.insert(LiveAnswer), rows)
            db.session.commit()
            return poll.id

    def queued() -> int:
        with app.app_context():
            return db.session.scalar(sa.select(sa.func.count()).select_from(XapiStatement)) or 0

    def wait_for_delivery(timeout: float = 60) -> float:
        """Seconds until no xapi.send job is queued or running (the thread's attempt at the dead port)."""
        started = time.perf_counter()
        while time.perf_counter() < started + timeout:
            with app.app_context():
                busy = db.session.scalar(sa.select(sa.func.count()).select_from(Job).where(
                    Job.kind == "xapi.send", Job.status.in_(("queued", "running"))))
                db.session.commit()
            if not busy:
                return time.perf_counter() - started
            time.sleep(0.02)
        raise RuntimeError("the xapi.send job did not finish")

    results: dict[str, Times] = {"off": Times(), "on": Times()}
    sql: dict[str, int] = {}
    written: dict[str, list[int]] = {"off": [], "on": []}
    delivery: list[float] = []
    for turn in range(2 * rounds + 2):
        mode = ("off", "on")[turn % 2]
        app.config["LECTERN_XAPI_ENDPOINT"] = dead if mode == "on" else ""
        poll_id = open_poll_with_answers()
        before = queued()
        with statements.counting() as seen:
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.post(f"/live/{session_id}/polls/{poll_id}/close")
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert response.status_code in (302, 303), response.status_code
        count = len(seen)
        waited = wait_for_delivery() if mode == "on" else 0.0
        if turn >= 2:                      # the first of each is a warm-up
            results[mode].add(wall, cpu)
            sql[mode] = count
            written[mode].append(queued() - before)
            if mode == "on":
                delivery.append(waited)
    off, on = results["off"], results["on"]
    assert set(written["on"]) == {participants} and set(written["off"]) == {0}, written
    figures += [
        Figure(f"{label}: close a poll of {participants} answers, xAPI off", off.median, "ms",
               f"{off.text()}; {sql['off']} SQL statements"),
        Figure(f"{label}: close a poll of {participants} answers, xAPI on (dead LRS)", on.median, "ms",
               f"{on.text()}; {sql['on']} SQL statements; {participants} statements queued; "
               f"{on.median / off.median:.1f}x off, +{(on.median - off.median) / participants * 1000:.0f} µs per answer"),
        Figure(f"  {label}: then the delivery job (a thread) fails to reach the LRS, median", statistics.median(delivery),
               "s", f"{statistics.median(delivery) * 1000:.0f} ms after the close returned"),
    ]
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


# --- 6: the mail tick --------------------------------------------------------------------------------

def mail_tick(folder: Path, trainees: int, figures: list[Figure]) -> None:
    import sqlalchemy as sa
    from aiosmtpd.controller import Controller

    from app.auth import services as accounts
    from app.auth.passwords import hash_password
    from app.cohorts import services as cohorts
    from app.content.catalog import catalog
    from app.db import utcnow
    from app.extensions import db
    from app.learn.models import LessonCompletion, LessonVisit
    from app.outbox import services as outbox
    from app.outbox.models import OutboxMessage
    from app.reminders import services as reminders

    class Inbox:
        received = 0

        async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook
            Inbox.received += 1
            return "250 OK"

    smtpd = Controller(Inbox(), hostname="127.0.0.1", port=free_port())
    smtpd.start()
    try:
        app = new_app(f"sqlite:///{folder}/mail.db", MAIL_SERVER="127.0.0.1", MAIL_PORT=smtpd.port, MAIL_USE_TLS=False,
                      MAIL_SENDER="Lectern <lectern@bench.test>", LECTERN_BASE_URL="https://learn.bench.test")
        with app.app_context():
            now, cat = utcnow(), catalog()
            hashed = hash_password(PASSWORD)
            [admin] = people(1, "admin", "madmin", password_hash=hashed, now=now)
            teachers = people(2, "instructor", "mteacher", password_hash=hashed, now=now)
            third = trainees // 3
            invited = people(third, "trainee", "invited", password_hash=None, now=now - timedelta(days=6))
            gone = people(trainees // 15, "trainee", "gone", password_hash=hashed, now=now, is_active=False)
            rest = trainees - third - len(gone)
            idle = people(rest // 2, "trainee", "idle", password_hash=hashed, now=now)
            busy = people(rest - rest // 2, "trainee", "busy", password_hash=hashed, now=now)
            cohort = cohorts.save_cohort(admin.id, None, name="Ending", track="live", starts_on=now.date() - timedelta(days=20),
                                         ends_on=now.date() + timedelta(days=5), instructor_ids=[t.id for t in teachers],
                                         now=now)
            cohorts.enrol(admin.id, cohort.id, [p.id for p in (*invited, *gone, *idle, *busy)], now=now)
            accounts.issue_invitations([p.id for p in invited], secret_key=app.config["SECRET_KEY"],
                                       max_age=app.config["TOKEN_MAX_AGE_INVITE"], created_by_id=None,
                                       now=now - timedelta(days=5))
            first = cat.lessons[0].slug
            for group, ago in ((idle, 10), (busy, 1)):
                at = now - timedelta(days=ago)
                db.session.add_all(LessonVisit(user_id=p.id, lesson_key=first, first_seen_at=at, last_seen_at=at)
                                   for p in group)
                db.session.add_all(LessonCompletion(user_id=p.id, lesson_key=first, content_hash="x", completed_at=at)
                                   for p in group)
            db.session.commit()
            statements = Statements(db.engine)

            halves: dict[str, float] = {}
            real = outbox.deliver_due

            def timed_delivery(*args: Any, **kwargs: Any):
                started = time.perf_counter()
                try:
                    return real(*args, **kwargs)
                finally:
                    halves["deliver"] = time.perf_counter() - started

            outbox.deliver_due = timed_delivery  # type: ignore[assignment]  # timed, not changed
            Inbox.received = 0   # the welcome mails of the enrolment went out already
            ticks = []
            try:
                for _ in range(2):
                    with statements.counting() as seen:
                        wall, cpu = time.perf_counter(), time.process_time()
                        done = reminders.tick()
                        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
                    ticks.append((wall, cpu, done, len(seen), halves.pop("deliver")))
            finally:
                outbox.deliver_due = real  # type: ignore[assignment]
            kinds = dict(db.session.execute(sa.select(OutboxMessage.kind, sa.func.count()).group_by(OutboxMessage.kind)).all())
    finally:
        smtpd.stop()
    (wall1, cpu1, done1, sql1, deliver1), (wall2, cpu2, done2, sql2, deliver2) = ticks
    queued1 = sum(done1.queued.values())
    assert queued1 > 0 and sum(done2.queued.values()) == 0 and done2.delivery.sent == 0, (done1, done2)
    assert Inbox.received == done1.delivery.sent, (Inbox.received, done1.delivery)
    mix = ", ".join(f"{n} {kind}" for kind, n in sorted(done1.queued.items()) if n)
    who = (f"{trainees} trainees: {third} invited 5 days ago, {len(gone)} deactivated, {len(idle)} not back for 10 days, "
           f"{len(busy)} seen yesterday")
    figures += [
        Figure(f"mail tick, first: queues and delivers ({trainees} trainees, cohort ending in 5 days)", wall1, "s",
               f"{wall1:.2f} s (CPU {cpu1:.2f} s): queued {mix} = {queued1} ({(wall1 - deliver1) * 1000:.0f} ms, "
               f"{(wall1 - deliver1) / queued1 * 1000:.1f} ms each), delivered {done1.delivery.sent} over SMTP "
               f"({deliver1 * 1000:.0f} ms); {sql1} SQL statements", note=who),
        Figure("mail tick, second: nothing new (dedup)", wall2, "s",
               f"{wall2 * 1000:.0f} ms (CPU {cpu2 * 1000:.0f} ms): queued 0, delivered 0; {sql2} SQL statements "
               f"(outbox: {sum(kinds.values())} messages)"),
    ]


# --------------------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30, help="requests per request figure (default 30)")
    parser.add_argument("--participants", type=int, default=1000, help="answers in the closed poll (default 1000)")
    parser.add_argument("--rounds", type=int, default=5, help="poll closes of each kind, after one warm-up (default 5)")
    parser.add_argument("--trainees", type=int, default=300, help="trainees in the mail tick's cohort (default 300)")
    parser.add_argument("--database-url", help="also close polls on this PostgreSQL database (its schema is dropped)")
    parser.add_argument("--only", default="pages,xapi,mail", help="parts to run (default pages,xapi,mail)")
    parser.add_argument("--json", metavar="PATH", help="also write the figures as JSON to PATH")
    args = parser.parse_args()
    parts = {p.strip() for p in args.only.split(",")}
    load_before, calibration = loadavg(), calibrate()
    started = time.monotonic()

    folder = Path(tempfile.mkdtemp(prefix="lectern-bench-interop-"))
    figures: list[Figure] = []
    if "pages" in parts:
        interop_pages(folder, args.runs, figures)
    if "xapi" in parts:
        poll_close(f"sqlite:///{folder}/live.db", "sqlite", args.participants, args.rounds, figures)
        if args.database_url:
            poll_close(args.database_url, "postgresql", args.participants, args.rounds, figures)
    if "mail" in parts:
        mail_tick(folder, args.trainees, figures)

    load_after = loadavg()
    print_figures("mail, calendars, badges, SCORM, xAPI (issues 21, 22)", figures)
    for f in figures:
        if f.note:
            print(f"  {f.name.strip()}: {f.note}")
    print(f"load average {load_before} before, {load_after} after; {calibration}; "
          f"whole run {time.monotonic() - started:.0f} s")
    print(f"machine: {machine_line()}; at {datetime.now(UTC):%Y-%m-%d %H:%M UTC}")
    write_json(args.json, "interop", figures, extra={"load": [load_before, load_after], "calibration": calibration})


if __name__ == "__main__":
    main()
