"""`db upgrade` from the first release's schema, with a course's worth of data in it.

The first release is revision 95584a1448cc ("add facilitator checklist entries"): the head before
live sessions. A fresh database is migrated to it, filled with plain SQL as that release wrote its
rows (people and roles, an invitation, cohorts with instructors and enrolments, settings, audit
events, a finished job, completions, visits, a note, a finished and an open quiz attempt with
their JSON snapshots, a valid, a revoked and a superseded certificate, checklist entries), and then
upgraded to head. Every row of every first-release table must come through unchanged, and the
application must work on the result: sign-in, the progress page, results and an open attempt
that can still be submitted, certificate verification, an invitation link, the instructor's
grid, and a live session started for the migrated cohort and joined by a migrated trainee.
(test_migrations.py covers an empty database and drift between models and migrations.)

On PostgreSQL the database is a separate schema of the test database, dropped afterwards.
"""
from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.auth import links
from app.certificates.codes import format_code, new_code, normalise
from app.content.catalog import catalog
from app.extensions import db
from app.quizzes import scoring
from app.quizzes.snapshot import freeze, thaw

FIRST_RELEASE = "95584a1448cc"
SCHEMA = "lectern_upgrade_test"
SECRET = "upgrade-test-secret"


@pytest.fixture
def old_database(tmp_path, on_postgres, postgres_url) -> Iterator[str]:
    if not on_postgres:
        yield f"sqlite:///{tmp_path / 'first-release.db'}"
        return
    server = sa.create_engine(postgres_url)
    with server.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {SCHEMA}"))
    try:
        yield f"{postgres_url}?options=-csearch_path%3D{SCHEMA}"
    finally:
        with server.begin() as conn:
            conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        server.dispose()


class Rows:
    """Plain INSERTs, with values spelled the way the first release stored them."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn, self.sqlite = conn, conn.dialect.name == "sqlite"

    def at(self, text: str) -> str:
        """A UTC timestamp: naive text on SQLite (as UTCDateTime wrote it), with offset on PostgreSQL."""
        moment = datetime.fromisoformat(text).replace(tzinfo=UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else moment.isoformat()

    def add(self, table: str, **values: object) -> None:
        values = {k: json.dumps(v) if isinstance(v, (dict, list)) else v for k, v in values.items()}
        columns = ", ".join(f'"{k}"' for k in values)
        self.conn.execute(sa.text(f"INSERT INTO {table} ({columns}) VALUES ({', '.join(':' + k for k in values)})"),
                          values)


def _fill(conn: sa.Connection, password_hash: str) -> dict:
    rows, cat = Rows(conn), catalog()
    at = rows.at
    people = [(1, "admin@example.org", "Ada Admin", ("admin", "instructor")),
              (2, "tess@example.org", "Tess Teacher", ("instructor",)),
              (3, "zoe@example.org", "Zoë Łukasiewicz-Ngữ", ("trainee",)),
              (4, "ben@example.org", "Ben Okafor", ("trainee",)),
              (5, "gone@example.org", "Gone Person", ("trainee",)),
              (6, "new@example.org", "New Invitee", ("trainee",))]
    for uid, email, name, roles in people:
        rows.add("users", id=uid, email=email, display_name=name, is_active=uid != 5, session_epoch=uid % 2,
                 password_hash=None if uid == 6 else password_hash, created_at=at("2026-02-01 08:00"),
                 last_sign_in_at=None if uid == 6 else at("2026-03-01 08:30"))
        for role in roles:
            rows.add("user_roles", user_id=uid, role=role)
    invite_secret = links.new_secret()
    rows.add("auth_tokens", id=1, user_id=6, purpose="invite", secret_hash=links.secret_hash(invite_secret),
             created_by_id=1, created_at=at("2026-03-01 09:00"), expires_at=at("2099-01-01 00:00"), used_at=None)
    rows.add("auth_tokens", id=2, user_id=4, purpose="reset", secret_hash=links.secret_hash("used"),
             created_by_id=1, created_at=at("2026-02-10 09:00"), expires_at=at("2026-02-10 11:00"),
             used_at=at("2026-02-10 09:20"))
    rows.add("cohorts", id=1, name="Spring Navigators", name_key="spring navigators", track="live",
             starts_on="2026-03-02", ends_on="2026-03-03", enrolment_code="K7M3Q9XA", is_archived=False,
             created_at=at("2026-02-01 09:00"))
    rows.add("cohorts", id=2, name="Self-study 2025", name_key="self-study 2025", track="self-study",
             starts_on=None, ends_on=None, enrolment_code="ZZZZ2222", is_archived=True,
             created_at=at("2025-09-01 09:00"))
    rows.add("cohort_instructors", cohort_id=1, user_id=2)
    for n, (cohort, uid, source) in enumerate([(1, 3, "admin"), (1, 4, "code"), (2, 5, "import")], start=1):
        rows.add("enrolments", id=n, cohort_id=cohort, user_id=uid, enrolled_at=at("2026-02-15 10:00"), source=source)
    rows.add("site_settings", key="self_registration", value="on", updated_at=at("2026-02-01 09:00"))
    rows.add("audit_events", id=1, actor_id=1, actor_label="Ada Admin <admin@example.org>", action="cohort.create",
             target_type="cohort", target_id="1", target_label="Spring Navigators",
             details={"track": "live", "note": "ünïcode ✓"}, created_at=at("2026-02-01 09:00"))
    rows.add("audit_events", id=2, actor_id=None, actor_label="command line", action="certificate.issue",
             target_type="certificate", target_id="X", target_label="Zoë", details={}, created_at=at("2026-03-03 17:00"))
    rows.add("jobs", id=1, kind="users.import", status="done", stage="Finished", done=3, total=3,
             result={"ok": True, "rows": 3, "created": 2, "enrolled": 3, "file": "people.csv"}, created_by_id=1,
             created_at=at("2026-02-15 10:00"), finished_at=at("2026-02-15 10:01"))

    day_one = cat.day_lessons(1)
    for n, lesson in enumerate(day_one, start=1):
        rows.add("lesson_completions", id=n, user_id=3, lesson_key=lesson.slug, content_hash=lesson.content_hash,
                 completed_at=at(f"2026-03-02 {9 + n // 2:02d}:{(n * 7) % 60:02d}"))
        rows.add("lesson_visits", user_id=3, lesson_key=lesson.slug, first_seen_at=at("2026-03-02 09:00"),
                 last_seen_at=at("2026-03-02 16:00"), seconds_spent=600 + n)
    noted = next(lesson for lesson in day_one if lesson.reflection_keys)
    rows.add("reflection_notes", id=1, user_id=3, lesson_key=noted.slug, prompt_key=noted.reflection_keys[0],
             body="Our cluster: **boat builders** — «first» note.\nSecond line.",
             created_at=at("2026-03-02 11:00"), updated_at=at("2026-03-02 11:05"))

    rng = random.Random(7)
    done_quiz, open_quiz = cat.quiz("stage-01"), cat.quiz("stage-02")
    questions = freeze(done_quiz, rng)
    answers = {q["id"]: q["correct"][0] for q in questions if q["type"] == "single"}
    result = scoring.score_attempt([thaw(q) for q in questions], answers, done_quiz.pass_mark)
    rows.add("quiz_attempts", id=1, user_id=3, quiz_key=done_quiz.id, attempt_no=1, max_attempts=done_quiz.attempts,
             content_hash=done_quiz.content_hash, submit_token="t" * 43, feedback_mode=done_quiz.feedback,
             pass_mark=done_quiz.pass_mark, questions=questions, answers=answers, checked=[],
             started_at=at("2026-03-02 12:00"), deadline_at=None, finished_at=at("2026-03-02 12:09"), is_late=False,
             score_points=result.points, score_out_of=result.out_of, score_percent=result.percent,
             passed=result.passed)
    open_questions = freeze(open_quiz, rng)
    checked = next(q for q in open_questions if q["type"] == "single")
    rows.add("quiz_attempts", id=2, user_id=3, quiz_key=open_quiz.id, attempt_no=1, max_attempts=open_quiz.attempts,
             content_hash=open_quiz.content_hash, submit_token="u" * 43, feedback_mode=open_quiz.feedback,
             pass_mark=open_quiz.pass_mark, questions=open_questions, answers={checked["id"]: checked["correct"][0]},
             checked=[checked["id"]], started_at=at("2026-03-02 14:00"), deadline_at=None, finished_at=None,
             is_late=False, score_points=None, score_out_of=None, score_percent=None, passed=None)

    codes = [normalise(new_code()) for _ in range(3)]
    for n, (code, revoked, superseded_by) in enumerate([(codes[0], None, None), (codes[1], "Issued in error", None),
                                                        (codes[2], None, 1)], start=1):
        rows.add("certificates", id=n, code=code, user_id=4 if n == 2 else 3, cohort_id=1,
                 holder_name="Zoë Łukasiewicz-Ngữ" if n != 2 else "Ben Okafor", course_title=cat.course.title,
                 course_code=cat.course.code, hours=cat.course.hours, completed_on="2026-03-03",
                 issuer_org="Lectern Professional Training", issuer_name="Ada Admin", issued_by_id=1,
                 issued_at=at(f"2026-03-0{2 + n} 17:00"), override_reason="Attended both days" if n == 1 else None,
                 pdf=b"%PDF-1.7\n% first-release certificate " + code.encode(), sha256=f"{n:064d}",
                 revoked_at=at("2026-03-05 09:00") if revoked else None, revoked_reason=revoked,
                 revoked_by_id=1 if revoked else None,
                 superseded_at=at("2026-03-04 09:00") if superseded_by else None, superseded_by_id=superseded_by)
    item = cat.checklist.items[0].id
    rows.add("checklist_profiles", user_id=3, initiative_name="Boat builders of the north coast",
             updated_at=at("2026-03-03 10:00"))
    rows.add("checklist_entries", user_id=3, item_key=item, is_done=True, note="Done with the mayor ✓",
             target_on="2026-04-30", updated_at=at("2026-03-03 10:00"))
    return {"invite": links.sign(SECRET, "invite", invite_secret), "codes": [format_code(c) for c in codes],
            "day_one": len(day_one), "note": noted, "score": result.percent, "open_question": checked["id"]}


# Columns later migrations replaced: (table, old column) → (new column, the old value as the new one)
REPLACED = {("checklist_entries", "is_done"): ("state", lambda done: "yes" if done else "unanswered")}


def _after_upgrade(columns: dict[str, list[str]], rows: dict[str, list[tuple]]):
    """The columns to read after the upgrade and the rows expected there."""
    new_columns = {t: [REPLACED.get((t, c), (c,))[0] for c in names] for t, names in columns.items()}
    expected = {}
    for table, names in columns.items():
        recast = [REPLACED.get((table, c), (c, lambda v: v))[1] for c in names]
        expected[table] = sorted((tuple(f(v) for f, v in zip(recast, row)) for row in rows[table]), key=repr)
    return new_columns, expected


def _dump(conn: sa.Connection, columns: dict[str, list[str]]) -> dict[str, list[tuple]]:
    out = {}
    for table, names in columns.items():
        quoted = ", ".join(f'"{name}"' for name in names)
        result = conn.execute(sa.text(f"SELECT {quoted} FROM {table}"))
        out[table] = sorted((tuple(row) for row in result), key=repr)
    return out


def test_upgrade_from_the_first_release_keeps_data_and_the_app_works(old_database, password_hash, login, isolated_client_class):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": old_database, "SECRET_KEY": SECRET})
    app.test_client_class = isolated_client_class
    with app.app_context():
        upgrade(revision=FIRST_RELEASE)
        with db.engine.begin() as conn:
            seeded = _fill(conn, password_hash)
        with db.engine.connect() as conn:
            inspector = sa.inspect(conn)
            columns = {t: [c["name"] for c in inspector.get_columns(t)]
                       for t in inspector.get_table_names() if t != "alembic_version"}
            before = _dump(conn, columns)
        assert all(before[t] for t in columns), [t for t in columns if not before[t]]   # every table has rows

        upgrade()

        with db.engine.connect() as conn:
            head = conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()
            new_columns, expected = _after_upgrade(columns, before)
            assert _dump(conn, new_columns) == expected
        from alembic.script import ScriptDirectory

        assert head == ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config()).get_current_head()
        db.engine.dispose()

        from app.auth.models import User
        from app.progress import services as progress

        zoe = db.session.get(User, 3)
        trainee = login(app, zoe)
        page = trainee.get("/progress")
        assert page.status_code == 200
        text = page.get_data(as_text=True)
        assert seeded["codes"][0] in text and "boat builders" in text
        report = progress.report_for(3, catalog())
        assert report.course.done == seeded["day_one"]
        assert trainee.get(f"/lessons/{seeded['note'].slug}").status_code == 200
        assert trainee.get("/checklist").get_data(as_text=True).count("Done with the mayor") == 1

        results = trainee.get("/attempts/1")
        assert results.status_code == 200 and f">{round(seeded['score'])}%<" in results.get_data(as_text=True)
        assert trainee.get("/attempts/2").status_code == 200
        response = trainee.post("/attempts/2", data={"action": "submit", "allow_unanswered": "1", "token": "u" * 43})
        assert response.status_code == 302
        from app.quizzes.models import QuizAttempt

        submitted = db.session.get(QuizAttempt, 2)
        assert submitted.finished_at is not None and seeded["open_question"] in submitted.answers

        anonymous = app.test_client()
        valid, revoked, superseded = (anonymous.get(f"/verify/{code}") for code in seeded["codes"])
        assert valid.status_code == revoked.status_code == superseded.status_code == 200
        assert "revoked" in revoked.get_data(as_text=True).lower()
        assert seeded["codes"][0] in superseded.get_data(as_text=True)   # points to its replacement
        assert "New Invitee" in anonymous.get(f"/invite/{seeded['invite']}").get_data(as_text=True)
        assert login(app, db.session.get(User, 5)).get("/progress").status_code == 302   # still inactive

        teacher = login(app, db.session.get(User, 2))
        grid = teacher.get("/teach/cohorts/1")
        assert grid.status_code == 200 and "Zoë" in grid.get_data(as_text=True)
        started = teacher.post("/live/start", data={"cohort_id": 1, "day": 1})
        assert started.status_code == 303
        session_id = int(started.headers["Location"].split("/")[2])
        assert teacher.get(f"/live/{session_id}/present").status_code == 200
        from app.live.models import LiveSession

        code = db.session.get(LiveSession, session_id).code
        joined = login(app, db.session.get(User, 4)).post("/join", data={"code": code})
        assert joined.status_code == 303 and joined.headers["Location"].endswith(f"/live/{session_id}")

        admin = login(app, db.session.get(User, 1))
        for path in ("/admin/audit", "/admin/jobs/1", "/admin/cohorts/1", "/admin/cohorts", "/admin/users/3"):
            assert admin.get(path).status_code == 200, path
        db.session.remove()
        db.engine.dispose()
