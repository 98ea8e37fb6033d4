"""Assessed activities in the certificate rule (when course.yaml names them), and CSRF on their forms."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.activities import services
from app.activities.models import ActivitySubmission
from app.certificates import services as certificates
from app.content.catalog import catalog
from app.db import utcnow
from app.errors import NotEligible
from app.extensions import db

REPO = Path(__file__).resolve().parents[2]
SLUG = "stage-06-identifying-stepping-stones"       # the Stage 6 activity, as in test_activities.py
KEY = "stage-06-stepping-stones"
SUBMIT = f"/lessons/{SLUG}/activities/{KEY}/submit"


def mark_url(cohort_id, submission_id):
    return f"/teach/cohorts/{cohort_id}/activities/submissions/{submission_id}"


def submissions(user_id):
    return list(db.session.scalars(sa.select(ActivitySubmission).where(ActivitySubmission.user_id == user_id)
                                   .order_by(ActivitySubmission.number)))


@pytest.fixture
def app_config(database_uri, tmp_path, request):
    """The real course, with the Stage 6 activity added to the completion rule in a copy of course.yaml;
    CSRF on for the tests that ask for it."""
    course_dir = tmp_path / "curriculum"
    shutil.copytree(REPO / "curriculum", course_dir)
    course = course_dir / "course.yaml"
    course.write_text(course.read_text().replace(
        "completion:\n", f"completion:\n  activities: [{KEY}]\n  activity_pass: 50\n"))
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "CURRICULUM_DIR": str(course_dir),
            "QUIZZES_DIR": str(REPO / "quizzes"), "WTF_CSRF_ENABLED": "csrf" in request.node.name}


@pytest.fixture
def people(app, make_user, make_cohort):
    admin = make_user(roles=("admin",))
    teacher = make_user(roles=("instructor",))
    ana = make_user(display_name="Ana Ruiz")
    cohort = make_cohort(name="Mine", track="self-study", instructors=[teacher], trainees=[ana], by=admin)
    return admin, teacher, ana, cohort.id


def test_the_certificate_rule_counts_a_returned_activity_when_configured(app, people, make_eligible):
    admin, teacher, ana, cohort_id = people
    assert catalog().course.completion.activities == (KEY,)
    make_eligible(ana.id)          # every lesson and quiz: only the activity is missing
    lesson = catalog().lesson(SLUG)
    with pytest.raises(NotEligible) as info:
        certificates.issue(admin.id, ana.id, catalog(), now=utcnow())
    assert info.value.unmet == ("Have the activity “Back-cast three stepping stones for your cluster” marked at 50% or more",)

    services.submit(ana.id, lesson, KEY, "First", now=utcnow())
    services.return_submission(teacher.id, cohort_id, submissions(ana.id)[0].id, catalog(), {0: 1, 1: 1, 2: 1, 3: 0},
                               "Rank them", now=utcnow())   # 3 of 8: below half
    with pytest.raises(NotEligible) as info:
        certificates.issue(admin.id, ana.id, catalog(), now=utcnow())
    assert "(returned with 3/8)" in info.value.unmet[0]

    services.submit(ana.id, lesson, KEY, "Second", now=utcnow())
    services.return_submission(teacher.id, cohort_id, submissions(ana.id)[1].id, catalog(), {0: 1, 1: 1, 2: 1, 3: 1},
                               "Better", now=utcnow())   # 4 of 8: half
    certificate = certificates.issue(admin.id, ana.id, catalog(), now=utcnow())
    assert certificate.status == "valid" and certificate.override_reason is None


def test_activity_forms_refuse_a_post_without_csrf_token(app, client, people, password, csrf_token_from):
    _admin, teacher, ana, cohort_id = people
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"email": ana.email, "password": password, "csrf_token": token})
    assert client.post(SUBMIT, data={"body": "No token"}).status_code == 400
    page = client.get(f"/lessons/{SLUG}").get_data(as_text=True)
    assert client.post(SUBMIT, data={"body": "With token", "csrf_token": csrf_token_from(page)}).status_code == 302
    (submission,) = submissions(ana.id)

    staff = type(client)(app, app.response_class, use_cookies=True)
    token = csrf_token_from(staff.get("/login").get_data(as_text=True))
    staff.post("/login", data={"email": teacher.email, "password": password, "csrf_token": token})
    data = {f"criterion-{i}": "1" for i in range(4)}
    assert staff.post(mark_url(cohort_id, submission.id), data=data).status_code == 400
    assert submissions(ana.id)[0].returned_at is None
    token = csrf_token_from(staff.get(mark_url(cohort_id, submission.id)).get_data(as_text=True))
    assert staff.post(mark_url(cohort_id, submission.id), data={**data, "csrf_token": token}).status_code == 302
    assert submissions(ana.id)[0].points == 4
