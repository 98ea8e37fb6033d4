"""With Redis, a mail is delivered by the real RQ worker process (`flask --app wsgi jobs worker`),
once, even when the delivery job is queued twice."""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.jobs import services as jobs
from app.outbox.models import OutboxMessage

pytestmark = pytest.mark.redis


@pytest.fixture
def queue_name() -> str:
    return f"lectern-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def app_config(database_uri, queue_name, redis_url, smtpd):
    if database_uri.startswith("sqlite:///:memory:"):
        pytest.skip("the worker process needs a database file it can share")
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "REDIS_URL": redis_url, "JOBS_BACKEND": "rq",
            "JOBS_INLINE": False, "JOBS_QUEUE": queue_name, "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtpd.port,
            "MAIL_USE_TLS": False, "LECTERN_BASE_URL": "https://learn.example.org"}


@pytest.fixture
def queue(app):
    q = jobs.queue(app)
    yield q
    q.empty()
    q.delete()


def run_worker(database_uri: str, queue_name: str, redis_url: str, smtp_port: int) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG", "JOBS_BACKEND")}
    env.update(DATABASE_URL=database_uri, REDIS_URL=redis_url, JOBS_QUEUE=queue_name, SECRET_KEY="w" * 40,
               LECTERN_DEMO="0", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port), MAIL_USE_TLS="0")
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker", "--burst"],
                          cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_reset_mail_waits_in_redis_and_the_worker_delivers_it_once(app, make_user, login, queue, smtpd, database_uri,
                                                                    queue_name, redis_url):
    admin, person = make_user(roles=("admin",)), make_user(email="bo@example.org")
    client = login(app, admin)
    page = client.post(f"/admin/users/{person.id}/link", data={"purpose": "reset"}).get_data(as_text=True)
    assert "queued for mailing to bo@example.org" in page and not smtpd.messages
    assert queue.count == 1
    jobs.start("mail.deliver", None, {})      # the delivery queued twice
    assert queue.count == 2
    run_worker(database_uri, queue_name, redis_url, smtpd.port)
    assert [m["To"] for m in smtpd.messages] == ["bo@example.org"]
    db.session.commit()
    assert db.session.scalar(sa.select(OutboxMessage.status)) == "sent"


def test_rq_cron_puts_the_tick_on_the_queue_and_the_worker_runs_it(app, make_user, make_cohort, queue, smtpd,
                                                                   database_uri, queue_name, redis_url):
    from datetime import timedelta

    from app.db import utcnow
    from app.learn.models import LessonVisit
    from app.reminders.cli import cron_scheduler

    bo = make_user(email="bo@example.org")
    make_cohort(track="self-study", trainees=[bo])     # the welcome waits in Redis for the worker
    seen = utcnow() - timedelta(days=8)
    db.session.add(LessonVisit(user_id=bo.id, lesson_key="x", first_seen_at=seen, last_seen_at=seen))
    db.session.commit()
    scheduler = cron_scheduler(app)
    assert [job.name for job in scheduler.enqueue_jobs()] == ["lectern.mail.tick"]
    cron_scheduler(app).enqueue_jobs()                 # a second scheduler: a second tick, harmless
    run_worker(database_uri, queue_name, redis_url, smtpd.port)
    subjects = sorted(str(m["Subject"]).split(":")[0] for m in smtpd.messages)
    assert len(subjects) == 2 and subjects[0] == "Continue where you left off" and subjects[1].startswith("Welcome to")
    # with an LRS set, the same scheduler also retries xAPI statements
    app.config["LECTERN_XAPI_ENDPOINT"] = "http://127.0.0.1:9/xAPI"
    assert sorted(job.name for job in cron_scheduler(app).enqueue_jobs()) == ["lectern.mail.tick", "lectern.xapi.send"]
