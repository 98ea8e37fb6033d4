"""Assessed activities: submitting, the instructors' queue and marking, access, limits, exports."""
from __future__ import annotations

import csv
import io

import pytest
import sqlalchemy as sa

from app.activities import services
from app.activities.marking import MAX_SUBMISSIONS
from app.activities.models import ActivitySubmission
from app.audit.models import AuditEvent
from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.learn import services as learn

SLUG = "stage-06-identifying-stepping-stones"
KEY = "stage-06-stepping-stones"
SUBMIT = f"/lessons/{SLUG}/activities/{KEY}/submit"
ALL_FULLY = {f"criterion-{i}": "2" for i in range(4)}   # every criterion's third level: 2 points each


@pytest.fixture
def school(app, make_user, make_cohort):
    admin = make_user(roles=("admin",))
    teacher = make_user(roles=("instructor",), display_name="Tess Teacher")
    other_teacher = make_user(roles=("instructor",), display_name="Oli Other")
    ana = make_user(display_name="Ana <b>Ruiz</b>")
    ben = make_user(display_name="Ben Okafor")
    outsider = make_user(display_name="Olga Outsider")
    mine = make_cohort(name="Mine", track="self-study", instructors=[teacher], trainees=[ana, ben], by=admin)
    theirs = make_cohort(name="Theirs", track="self-study", instructors=[other_teacher], trainees=[outsider], by=admin)
    return {"admin": admin, "teacher": teacher, "other_teacher": other_teacher, "ana": ana, "ben": ben,
            "outsider": outsider, "mine": mine.id, "theirs": theirs.id}


def submissions(user_id):
    return list(db.session.scalars(sa.select(ActivitySubmission).where(ActivitySubmission.user_id == user_id)
                                   .order_by(ActivitySubmission.number)))


def test_the_form_starts_from_the_reflection_note_and_a_submission_shows_its_status(app, school, login):
    ana = school["ana"]
    lesson = catalog().lesson(SLUG)
    learn.save_note(ana.id, lesson, "stage-06-present-constraints", "Budget <script>x</script> felt fixed.", now=utcnow())
    client = login(app, ana)
    page = client.get(f"/lessons/{SLUG}").get_data(as_text=True)
    assert 'id="activity-stage-06-stepping-stones"' in page and "Submit for review" in page
    assert "Budget &lt;script&gt;x&lt;/script&gt; felt fixed." in page          # escaped, in the textarea
    assert "Stepping stones are states the cluster has reached" in page and "Not submitted" in page

    response = client.post(SUBMIT, data={"body": "Stone 1: <b>firms</b> co-design training."})
    assert response.status_code == 302 and response.location.endswith(f"/lessons/{SLUG}#activity-{KEY}")
    page = client.get(f"/lessons/{SLUG}").get_data(as_text=True)
    assert "Submitted, awaiting review" in page and "Submit for review" not in page
    assert "Stone 1: &lt;b&gt;firms&lt;/b&gt; co-design training." in page
    assert [s.number for s in submissions(ana.id)] == [1]


def test_a_double_submit_records_one_submission(app, school, login):
    client = login(app, school["ana"])
    first = client.post(SUBMIT, data={"body": "My stones"})
    second = client.post(SUBMIT, data={"body": "My stones"})
    assert first.status_code == second.status_code == 302
    assert len(submissions(school["ana"].id)) == 1
    assert "already with your instructor" in client.get(f"/lessons/{SLUG}").get_data(as_text=True)


def test_a_submit_racing_another_records_one(app, school, monkeypatch):
    """A request that read before a parallel one committed (simulated: it sees no submissions) hits
    the database's limits and answers with the submission already under review."""
    ana = school["ana"]
    lesson = catalog().lesson(SLUG)
    first, created = services.submit(ana.id, lesson, KEY, "First", now=utcnow())
    assert created
    real = services.own_submissions
    calls = []

    def stale(user_id, key):
        calls.append(key)
        return [] if len(calls) == 1 else real(user_id, key)

    monkeypatch.setattr(services, "own_submissions", stale)
    again, created = services.submit(ana.id, lesson, KEY, "Second click", now=utcnow())
    assert not created and again.id == first.id and len(submissions(ana.id)) == 1
    with pytest.raises(sa.exc.IntegrityError):   # one under review at a time, whatever the number
        db.session.add(ActivitySubmission(user_id=ana.id, activity_key=KEY, lesson_key=SLUG, content_hash="x",
                                          number=2, body="x", submitted_at=utcnow()))
        db.session.commit()
    db.session.rollback()


@pytest.mark.parametrize(("body", "words"), [("   ", "Write your work"), ("x" * 20_001, "up to 20,000"),
                                             ("bad \u202e text", "Retype it")])
def test_unusable_text_is_shown_again_with_the_reason(app, school, body, words, login):
    client = login(app, school["ana"])
    response = client.post(SUBMIT, data={"body": body})
    assert response.status_code == 422 and words in response.get_data(as_text=True)
    assert submissions(school["ana"].id) == []


def test_unknown_lesson_or_activity_is_not_found(app, school, login):
    client = login(app, school["ana"])
    assert client.post(f"/lessons/{SLUG}/activities/nope/submit", data={"body": "x"}).status_code == 404
    assert client.post(f"/lessons/no-such-lesson/activities/{KEY}/submit", data={"body": "x"}).status_code == 404
    assert client.post(f"/lessons/what-are-clusters/activities/{KEY}/submit", data={"body": "x"}).status_code == 404


def mark_url(cohort_id, submission_id):
    return f"/teach/cohorts/{cohort_id}/activities/submissions/{submission_id}"


def test_instructor_marks_with_the_rubric_and_the_trainee_sees_marks_and_feedback(app, school, login):
    ana, teacher = school["ana"], school["teacher"]
    trainee = login(app, ana)
    trainee.post(SUBMIT, data={"body": "First try"})
    (submission,) = submissions(ana.id)

    staff = login(app, teacher)
    queue = staff.get(f"/teach/cohorts/{school['mine']}/activities").get_data(as_text=True)
    assert "Awaiting review" in queue and "Ana &lt;b&gt;Ruiz&lt;/b&gt;" in queue and mark_url(school["mine"], submission.id) in queue
    page = staff.get(mark_url(school["mine"], submission.id)).get_data(as_text=True)
    assert "First try" in page and 'name="criterion-3"' in page

    # a criterion left out: the form comes back, nothing is returned
    partial = dict(ALL_FULLY)
    del partial["criterion-2"]
    response = staff.post(mark_url(school["mine"], submission.id), data={**partial, "feedback": "Good"})
    assert response.status_code == 422 and "Priorities ranked against explicit criteria" in response.get_data(as_text=True)
    assert submissions(ana.id)[0].returned_at is None

    response = staff.post(mark_url(school["mine"], submission.id),
                          data={**ALL_FULLY, "criterion-1": "0", "feedback": "Add a <forward check>."})
    assert response.status_code == 302
    (returned,) = submissions(ana.id)
    assert (returned.points, returned.out_of, returned.marked_by_id) == (6, 8, teacher.id)
    assert [m.level for m in returned.mark_list] == ["Fully", "Not yet", "Fully", "Fully"]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "activity.returned"))
    assert event.actor_id == teacher.id and event.details["points"] == 6

    # marking again (a double click) changes nothing and is no error page
    again = staff.post(mark_url(school["mine"], submission.id), data={**ALL_FULLY, "feedback": "Other"})
    assert again.status_code == 302 and submissions(ana.id)[0].points == 6

    lesson_page = trainee.get(f"/lessons/{SLUG}").get_data(as_text=True)
    assert "6/8" in lesson_page and "Add a &lt;forward check&gt;." in lesson_page and "Resubmit for review" in lesson_page
    progress_page = trainee.get("/progress").get_data(as_text=True)
    assert "Back-cast three stepping stones" in progress_page and "6/8" in progress_page


def test_one_resubmission_after_return_then_no_more(app, school, login):
    ana = school["ana"]
    client = login(app, ana)
    lesson = catalog().lesson(SLUG)
    for n in range(1, MAX_SUBMISSIONS + 1):
        assert client.post(SUBMIT, data={"body": f"Try {n}"}).status_code == 302
        if n == 1:   # under review: no second one yet
            client.post(SUBMIT, data={"body": "Too early"})
            assert len(submissions(ana.id)) == 1
        services.return_submission(school["teacher"].id, school["mine"], submissions(ana.id)[-1].id, catalog(),
                                   {i: 1 for i in range(4)}, "ok", now=utcnow())
    response = client.post(SUBMIT, data={"body": "Third"}, follow_redirects=True)
    assert response.status_code == 200 and "the most it allows" in response.get_data(as_text=True)
    assert [s.body for s in submissions(ana.id)] == ["Try 1", "Try 2"]
    with pytest.raises(services.SubmissionLimitReached):
        services.submit(ana.id, lesson, KEY, "Third", now=utcnow())
    assert "used both submissions" in client.get(f"/lessons/{SLUG}").get_data(as_text=True)
    with pytest.raises(sa.exc.IntegrityError):   # the database refuses a third as well
        db.session.add(ActivitySubmission(user_id=ana.id, activity_key=KEY, lesson_key=SLUG, content_hash="x", number=3,
                                          body="x", submitted_at=utcnow()))
        db.session.commit()
    db.session.rollback()


def test_only_the_cohorts_instructors_and_admins_see_a_submission(app, school, login):
    ana, ben = school["ana"], school["ben"]
    login(app, ana).post(SUBMIT, data={"body": "Ana's private plan"})
    (submission,) = submissions(ana.id)
    mine, theirs = school["mine"], school["theirs"]

    other = login(app, school["other_teacher"])
    for path in (f"/teach/cohorts/{mine}/activities", f"/teach/cohorts/{mine}/activities.csv", mark_url(mine, submission.id),
                 mark_url(theirs, submission.id)):   # nor through their own cohort's address
        assert other.get(path).status_code == 404, path
    assert other.post(mark_url(theirs, submission.id), data=ALL_FULLY).status_code == 404
    assert "Ana's private plan" not in other.get(f"/teach/cohorts/{theirs}/activities.csv").get_data(as_text=True)

    fellow = login(app, ben)   # another trainee: no staff pages, and not Ana's text on the lesson page
    for path in (f"/teach/cohorts/{mine}/activities", mark_url(mine, submission.id)):
        assert fellow.get(path).status_code == 403, path
    assert fellow.post(mark_url(mine, submission.id), data=ALL_FULLY).status_code == 403
    assert "Ana's private plan" not in fellow.get(f"/lessons/{SLUG}").get_data(as_text=True)
    assert "Ana&#39;s private plan" not in fellow.get(f"/lessons/{SLUG}").get_data(as_text=True)

    assert login(app, school["admin"]).get(mark_url(mine, submission.id)).status_code == 200
    assert submissions(ana.id)[0].returned_at is None


def test_csv_of_submissions_and_marks(app, school, login):
    ana = school["ana"]
    login(app, ana).post(SUBMIT, data={"body": "=HYPERLINK(\"http://x\")"})
    login(app, school["ben"]).post(SUBMIT, data={"body": "Ben's"})
    services.return_submission(school["teacher"].id, school["mine"], submissions(ana.id)[0].id, catalog(),
                               {0: 2, 1: 1, 2: 2, 3: 0}, "Fine", now=utcnow())
    response = login(app, school["teacher"]).get(f"/teach/cohorts/{school['mine']}/activities.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    by_name = {r["Name"]: r for r in rows}
    assert by_name["Ana <b>Ruiz</b>"]["Status"] == "returned" and by_name["Ana <b>Ruiz</b>"]["Points"] == "5"
    assert by_name["Ana <b>Ruiz</b>"]["Percent"] == "62" and by_name["Ana <b>Ruiz</b>"]["Text"].startswith("'=")
    assert by_name["Ana <b>Ruiz</b>"]["Stepping stones are states the cluster has reached (stage-06-stepping-stones)"] == "Fully (2/2)"
    assert by_name["Ben Okafor"]["Status"] == "awaiting review"


def test_grid_and_drill_down_show_activity_status(app, school, login):
    ana = school["ana"]
    login(app, ana).post(SUBMIT, data={"body": "x"})
    staff = login(app, school["teacher"])
    grid = staff.get(f"/teach/cohorts/{school['mine']}/grid.csv").get_data(as_text=True)
    rows = {r["Name"]: r for r in csv.DictReader(io.StringIO(grid.lstrip("\ufeff")))}
    column = "Back-cast three stepping stones for your cluster (activity)"
    assert rows["Ana <b>Ruiz</b>"][column] == "submitted" and rows["Ben Okafor"][column] == "not submitted"
    services.return_submission(school["teacher"].id, school["mine"], submissions(ana.id)[0].id, catalog(),
                               {i: 2 for i in range(4)}, "", now=utcnow())
    rows = {r["Name"]: r for r in csv.DictReader(io.StringIO(
        staff.get(f"/teach/cohorts/{school['mine']}/grid.csv").get_data(as_text=True).lstrip("\ufeff")))}
    assert rows["Ana <b>Ruiz</b>"][column] == "returned 8/8"
    drill = staff.get(f"/teach/cohorts/{school['mine']}/trainees/{ana.id}").get_data(as_text=True)
    assert "Assessed activities" in drill and "8/8" in drill and mark_url(school["mine"], submissions(ana.id)[0].id) in drill
