"""Jobs that a restart cuts short say so: at once when the worker stops gracefully, or after
STALLED_AFTER without progress (a crash); their pages say what was kept and how to finish (both
kinds of job can simply be run again: bulk issue skips people who have a certificate, an import
enrols existing accounts instead of duplicating them)."""
import threading
from datetime import timedelta

from app.cohorts import services as cohorts
from app.db import utcnow
from app.extensions import db
from app.jobs import services as jobs
from app.jobs.models import Job


def test_a_job_silent_for_too_long_is_shown_as_interrupted_with_what_was_kept(app, make_user, login):
    admin = make_user(roles=("admin",))
    cohort = cohorts.save_cohort(admin.id, None, name="March cohort", track="self-study", starts_on=None,
                                 ends_on=None, instructor_ids=[], now=utcnow())
    job = jobs.create_job("certificates.issue", admin.id, total=500,
                          context={"cohort": cohort.name, "cohort_id": cohort.id})
    jobs.update_job(job.id, status="running", stage="Issuing certificates", done=200)
    client = login(app, admin)
    page = client.get(f"/admin/jobs/{job.id}").get_data(as_text=True)
    assert "200 of 500" in page and 'http-equiv="refresh"' in page          # still within the limit

    db.session.query(Job).filter_by(id=job.id).update({"updated_at": utcnow() - jobs.STALLED_AFTER - timedelta(1)})
    db.session.commit()
    page = client.get(f"/admin/jobs/{job.id}").get_data(as_text=True)
    assert "The server stopped while certificates were being issued, after 200 of 500" in page
    assert "people who already have a certificate are skipped" in page and 'http-equiv="refresh"' not in page
    assert f'href="/admin/cohorts/{cohort.id}/certificates"' in page
    db.session.expire_all()
    row = db.session.get(Job, job.id)
    assert (row.status, row.stage, row.result["interrupted"], row.result["cohort_id"]) == (
        "failed", "Interrupted", True, cohort.id) and row.finished_at is not None


def test_an_interrupted_import_says_nothing_was_saved(app, make_user, login):
    admin = make_user(roles=("admin",))
    job = jobs.create_job("users.import", admin.id)
    jobs.update_job(job.id, status="running", stage="Checking rows")
    db.session.query(Job).filter_by(id=job.id).update({"updated_at": utcnow() - timedelta(hours=1)})
    db.session.commit()
    page = login(app, admin).get(f"/admin/jobs/{job.id}").get_data(as_text=True)
    assert "saved completely or not at all" in page and "never duplicated" in page and "Import the file again" in page


STARTED, RELEASE = threading.Event(), threading.Event()


def slow_job(job_id: int, params: dict) -> dict:
    """A job kind for these tests: reports progress, then waits to be released."""
    jobs.update_job(job_id, stage="Working", done=3, total=10)
    STARTED.set()
    RELEASE.wait(10)
    return {"ok": True, "waited": params["why"]}


def test_a_stopping_worker_marks_its_running_jobs_interrupted_and_leaves_finished_ones(app, make_user, monkeypatch):
    admin = make_user(roles=("admin",))
    monkeypatch.setitem(jobs.KINDS, "test.slow", "tests.jobs.test_jobs:slow_job")
    STARTED.clear(), RELEASE.set()
    finished = jobs.start("test.slow", admin.id, {"why": "inline"})             # JOBS_INLINE: done at once
    db.session.rollback()
    assert db.session.get(Job, finished.id).result == {"ok": True, "waited": "inline"}
    STARTED.clear(), RELEASE.clear()
    app.config["JOBS_INLINE"] = False
    running = jobs.start("test.slow", admin.id, {"why": "thread"})
    assert STARTED.wait(10)
    try:
        assert jobs.interrupt_local_jobs() == 1                 # what gunicorn's worker_exit hook calls
        db.session.rollback()                                   # a fresh look, past this session's snapshot
        row = db.session.get(Job, running.id)
        assert row.status == "failed" and row.result["interrupted"] and row.result["done"] == 3
        assert row.result["started"] and row.stage == "Interrupted"
        assert db.session.get(Job, finished.id).status == "done"
    finally:
        RELEASE.set()
    for thread in threading.enumerate():
        if thread.name == f"lectern-job-{running.id}":
            thread.join(10)
    assert jobs.interrupt_local_jobs() == 0                      # nothing of this process is running now


def test_stalled_is_about_unfinished_jobs_without_news():
    now = utcnow()
    assert jobs.stalled("running", now - jobs.STALLED_AFTER - timedelta(seconds=1), now)
    assert jobs.stalled("queued", now - timedelta(hours=2), now)
    assert not jobs.stalled("running", now - timedelta(minutes=1), now)
    assert not jobs.stalled("done", now - timedelta(days=3), now)
    assert not jobs.stalled("running", None, now)
