"""Long jobs through RQ (JOBS_BACKEND "rq", the default with REDIS_URL): the web request only
queues the job in Redis; the real `flask --app wsgi jobs worker` command, in its own process,
runs it against the same database. Real Redis, real worker, no mocks."""
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.auth.models import User
from app.certificates.models import Certificate
from app.cohorts import services as cohorts
from app.db import utcnow
from app.extensions import db
from app.jobs import services as jobs
from app.jobs.models import Job

pytestmark = pytest.mark.redis


@pytest.fixture
def queue_name() -> str:
    return f"lectern-test-{uuid.uuid4().hex[:10]}"     # test runs side by side never share a queue


@pytest.fixture
def app_config(database_uri, queue_name, redis_url):
    if database_uri.startswith("sqlite:///:memory:"):
        pytest.skip("the worker process needs a database file it can share")
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "REDIS_URL": redis_url,
            "JOBS_BACKEND": "rq", "JOBS_INLINE": False, "JOBS_QUEUE": queue_name}


@pytest.fixture
def queue(app):
    q = jobs.queue(app)
    yield q
    q.empty()
    q.delete()


def run_worker(database_uri: str, queue_name: str, redis_url: str) -> str:
    """`flask --app wsgi jobs worker --burst`: run what is queued, then stop."""
    env = {k: v for k, v in os.environ.items() if k not in ("FLASK_DEBUG", "JOBS_BACKEND")}
    env.update(DATABASE_URL=database_uri, REDIS_URL=redis_url, JOBS_QUEUE=queue_name, SECRET_KEY="w" * 40,
               LECTERN_DEMO="0")
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "worker", "--burst"], cwd=Path(__file__).resolve().parents[2],
                          env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_an_import_waits_in_redis_until_a_worker_process_runs_it(app, make_user, database_uri, queue_name, queue, login, people_csv, upload_people, redis_url):
    admin = make_user(roles=("admin",))
    cohorts.save_cohort(admin.id, None, name="Spring 2027", track="live", starts_on=None, ends_on=None,
                        instructor_ids=[], now=utcnow())
    client = login(app, admin)
    response = upload_people(client, people_csv(30), "import")
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Waiting for a job worker" in page and 'http-equiv="refresh"' in page
    assert queue.count == 1 and db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1

    log = run_worker(database_uri, queue_name, redis_url)
    assert f"queue {queue_name!r}" in log
    page = client.get(response.location).get_data(as_text=True)
    assert "Imported 30 rows from people.csv: 30 new accounts, 30 enrolments" in page
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 31 and queue.count == 0
    assert db.session.scalars(sa.select(Job)).one().params == {}       # the uploaded file is not kept


def test_bulk_issue_runs_in_the_worker_and_a_job_delivered_twice_runs_once(app, make_user, database_uri,
                                                                           queue_name, queue, login, make_eligible, redis_url):
    admin = make_user(roles=("admin",))
    ready, waiting = make_user(display_name="Ready"), make_user(display_name="Not Ready")
    cohort = cohorts.save_cohort(admin.id, None, name="Queue cohort", track="live", starts_on=None, ends_on=None,
                                 instructor_ids=[], now=utcnow())
    cohorts.enrol(admin.id, cohort.id, [ready.id, waiting.id], now=utcnow())
    make_eligible(ready.id)
    client = login(app, admin)
    response = client.post(f"/admin/cohorts/{cohort.id}/certificates/issue-all")
    job_id = int(response.location.rsplit("/", 1)[1])
    jobs.queue(app).enqueue_call("app.jobs.worker.perform", args=(job_id,))      # as if delivered twice
    assert queue.count == 2

    run_worker(database_uri, queue_name, redis_url)
    page = client.get(response.location).get_data(as_text=True)
    assert "Issued 1 certificates in Queue cohort; 1 trainees were not eligible or already had one" in page
    db.session.rollback()
    assert [c.user_id for c in db.session.scalars(sa.select(Certificate))] == [ready.id]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "certificate.issue")) == 1
    assert db.session.get(Job, job_id).status == "done"


def test_a_job_no_worker_takes_is_shown_as_not_started(app, make_user, queue, login, people_csv):
    admin = make_user(roles=("admin",))
    job = jobs.start("users.import", admin.id, {"actor_id": admin.id, "text": people_csv(2), "source_name": "a.csv"})
    db.session.query(Job).filter_by(id=job.id).update({"updated_at": utcnow() - jobs.STALLED_AFTER * 2})
    db.session.commit()
    page = login(app, admin).get(f"/admin/jobs/{job.id}").get_data(as_text=True)
    assert "No job worker took this job within 15 minutes" in page and "flask --app wsgi jobs worker" in page


def test_the_worker_command_explains_when_no_queue_is_configured(app, runner):
    app.config.update(JOBS_BACKEND="thread")
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0 and "no job worker is needed" in result.output


def test_where_jobs_run():
    assert jobs.backend({"REDIS_URL": "redis://r"}) == "rq"
    assert jobs.backend({}) == "thread"
    assert jobs.backend({"REDIS_URL": "redis://r", "JOBS_BACKEND": "thread"}) == "thread"
    assert jobs.backend({"REDIS_URL": "redis://r", "JOBS_INLINE": True}) == "inline"
