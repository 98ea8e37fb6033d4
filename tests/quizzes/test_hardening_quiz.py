"""Security test, issue 15, finding 8: day-assessment time limits were not enforced (a submission
three hours late was stored as late, passed, and counted toward the certificate).

The rule (app/quizzes/timing.py): a timed attempt closes at its deadline plus 2 minutes' grace;
anything saved or submitted later is not counted, and the attempt is marked on what was saved
by then. Times are injected (`now=`), or attempts are started in the past, never slept through.
"""
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from app.certificates.eligibility import eligibility
from app.content.catalog import catalog
from app.errors import AttemptClosed
from app.extensions import db
from app.progress import services as progress
from app.quizzes import services
from app.quizzes.models import QuizAttempt
from app.quizzes.timing import GRACE

START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
DEADLINE = START + timedelta(minutes=20)          # the fixture's day-2 assessment: 20 minutes
RIGHT = {"a1": "b", "a2": "true", "a3": "Sölvell"}
WRONG = {"a1": "a", "a2": "false", "a3": "nobody"}
FORM_RIGHT = {f"q-{k}": v for k, v in RIGHT.items()}


@pytest.fixture
def app_config(mini_course_config):
    return mini_course_config


def day_assessment():
    return catalog().quiz("day-2-assessment")


def begin(user_id, at=START):
    attempt = services.start_attempt(user_id, day_assessment(), now=at)
    assert attempt.deadline_at == at + timedelta(minutes=20) and attempt.closes_at == attempt.deadline_at + GRACE
    return attempt


def record(user_id):
    return progress.facts_for([user_id])[user_id].quizzes.get("day-2-assessment")


def test_finding_8_a_late_day_assessment_does_not_pass(app, make_user):
    user_id = make_user().id
    attempt = begin(user_id)
    finished, first_time = services.submit_attempt(user_id, attempt.id, attempt.submit_token, RIGHT,
                                                   now=START + timedelta(hours=3))
    assert first_time and finished.is_finished and finished.is_late
    assert finished.answers == {} and finished.score_percent == 0 and finished.passed is False
    assert finished.finished_at == DEADLINE + GRACE     # closed at time-up, not when the form arrived
    # nothing toward progress or the certificate
    assert record(user_id).passed is False and record(user_id).best_percent == 0
    status = eligibility(progress.outline_of(catalog()), progress.facts_for([user_id])[user_id])
    assert "Pass the Day 2 assessment" in status.unmet
    standing = services.standings(user_id, [day_assessment()])["day-2-assessment"]
    assert not standing.passed and standing.attempts_used == 1
    # a replay of the late form records nothing more
    again, first_time = services.submit_attempt(user_id, attempt.id, attempt.submit_token, RIGHT,
                                                now=START + timedelta(hours=4))
    assert not first_time and again.finished_at == DEADLINE + GRACE and again.passed is False


def test_what_was_saved_before_the_deadline_is_what_is_graded(app, make_user):
    user_id = make_user().id
    attempt = begin(user_id)
    services.save_answers(user_id, attempt.id, RIGHT, now=START + timedelta(minutes=15))
    finished, _ = services.submit_attempt(user_id, attempt.id, attempt.submit_token, WRONG,
                                          now=START + timedelta(hours=3))
    assert finished.is_late and finished.passed is True and finished.score_percent == 100
    assert finished.answers == {k: v for k, v in RIGHT.items() if k in {q["id"] for q in finished.questions}}
    assert finished.counts and record(user_id).passed is True  # an in-time result: it counts


def test_a_submission_inside_the_grace_is_marked_as_sent(app, make_user):
    user_id = make_user().id
    attempt = begin(user_id)
    at = DEADLINE + GRACE - timedelta(seconds=1)
    finished, _ = services.submit_attempt(user_id, attempt.id, attempt.submit_token, RIGHT, now=at)
    assert not finished.is_late and finished.passed is True and finished.finished_at == at
    assert record(user_id).passed is True


def test_saving_after_time_ran_out_is_refused_and_closes_the_attempt(app, make_user):
    user_id = make_user().id
    attempt = begin(user_id)
    first = attempt.questions[0]["id"]          # the fixture draws 2 of its 3 questions at random
    services.save_answers(user_id, attempt.id, {first: WRONG[first]}, now=START + timedelta(minutes=5))
    with pytest.raises(AttemptClosed, match="Time ran out at 10:22 UTC"):
        services.save_answers(user_id, attempt.id, RIGHT, now=DEADLINE + GRACE + timedelta(seconds=1))
    db.session.expire_all()
    row = db.session.get(QuizAttempt, attempt.id)
    assert row.is_finished and row.is_late and row.answers == {first: WRONG[first]} and row.passed is False


def test_an_attempt_left_open_is_closed_on_its_saved_answers_when_the_trainee_next_looks(client, make_user,
                                                                                          sign_in):
    user = make_user()
    sign_in(user)
    long_ago = datetime.now(UTC) - timedelta(hours=3)
    attempt = begin(user.id, at=long_ago)
    services.save_answers(user.id, attempt.id, RIGHT, now=long_ago + timedelta(minutes=10))
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "Time ran out: this attempt was not submitted by" in page
    assert "marked on the answers saved by that time; answers sent later were not counted" in page
    assert "100%" in page and "Passed" in page and "Submit answers" not in page
    db.session.expire_all()
    row = db.session.get(QuizAttempt, attempt.id)
    assert row.finished_at == row.closes_at and row.is_late and row.passed is True
    # the form still open in another tab changes nothing
    response = client.post(f"/attempts/{attempt.id}", data={"action": "submit", "token": row.submit_token,
                                                            **{f"q-{k}": v for k, v in WRONG.items()}})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt.id).passed is True


def test_a_late_form_post_shows_that_it_was_not_counted(client, make_user, sign_in):
    user = make_user()
    sign_in(user)
    attempt = begin(user.id, at=datetime.now(UTC) - timedelta(hours=3))
    response = client.post(f"/attempts/{attempt.id}", data={"action": "submit", "token": attempt.submit_token,
                                                            **FORM_RIGHT}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Time ran out" in page and "0%" in page and "Not passed" in page
    saving = client.post(f"/attempts/{attempt.id}", data={"action": "save", **FORM_RIGHT}, follow_redirects=True)
    assert saving.status_code == 200 and "closed when its time ran out" in saving.get_data(as_text=True)


def test_resuming_an_attempt_whose_time_ran_out_shows_its_result(client, make_user, sign_in):
    user = make_user()
    sign_in(user)
    attempt = begin(user.id, at=datetime.now(UTC) - timedelta(hours=1))
    quiz_page = client.get("/quizzes/day-2-assessment").get_data(as_text=True)
    assert "Resume your attempt" not in quiz_page and "Try again" in quiz_page
    assert "Closed when time ran out" in quiz_page
    assert db.session.scalar(sa.select(QuizAttempt.finished_at).where(QuizAttempt.id == attempt.id)) is not None


def test_start_closes_an_overdue_open_attempt_instead_of_resuming_it(app, make_user):
    user_id = make_user().id
    attempt = begin(user_id)
    again = services.start_attempt(user_id, day_assessment(), now=START + timedelta(hours=2))
    assert again.id == attempt.id and again.is_finished and again.finished_at == DEADLINE + GRACE


def test_instructor_and_certificate_views_close_attempts_left_open(app, make_user, runner):
    first, second = make_user().id, make_user().id
    for user_id in (first, second):
        attempt = begin(user_id)
        services.save_answers(user_id, attempt.id, RIGHT, now=START + timedelta(minutes=1))
    facts = progress.facts_for([first], now=START + timedelta(hours=1))
    assert facts[first].quizzes["day-2-assessment"].passed is True
    assert record(second) is None  # still open: nothing counted yet
    result = runner.invoke(args=["quizzes", "close-overdue"])
    assert result.exit_code == 0 and "Closed 1 timed-out attempt." in result.output
    assert record(second).passed is True


def test_a_result_marked_on_late_answers_under_the_earlier_rule_does_not_count(client, make_user, sign_in):
    """Attempts the old code passed on answers sent after time-up: kept for the record, not counted."""
    user = make_user()
    sign_in(user)
    attempt = begin(user.id)
    db.session.execute(sa.update(QuizAttempt).where(QuizAttempt.id == attempt.id).values(
        answers=RIGHT, finished_at=START + timedelta(hours=3), is_late=True, score_points=2, score_out_of=2,
        score_percent=100, passed=True))
    db.session.commit()
    assert record(user.id).passed is False and record(user.id).best_percent is None
    assert not services.standings(user.id, [day_assessment()])["day-2-assessment"].passed
    page = client.get(f"/attempts/{attempt.id}").get_data(as_text=True)
    assert "Not counted: submitted after time ran out" in page
    assert "this result does not count toward your progress or certificate" in page
    assert "Late: not counted" in client.get("/quizzes/day-2-assessment").get_data(as_text=True)


def test_the_pages_state_the_deadline_and_the_grace_before_and_during_the_attempt(client, make_user, sign_in):
    user = make_user()
    sign_in(user)
    before = client.get("/quizzes/day-2-assessment").get_data(as_text=True)
    assert "20 minutes from when you start, plus 2 minutes’ grace for slow connections" in before
    assert "marked on the answers you saved by then; answers sent later are not counted" in before
    response = client.post("/quizzes/day-2-assessment/start")
    attempt = db.session.get(QuizAttempt, int(response.location.rsplit("/", 1)[1]))
    during = client.get(response.location).get_data(as_text=True)
    assert f"submit by <strong><time datetime=\"{attempt.deadline_at.isoformat()}\">" in during
    assert (f"Allowing 2 minutes’ grace for slow connections, nothing saved or submitted after "
            f"<time datetime=\"{attempt.closes_at.isoformat()}\">{attempt.closes_at:%H:%M} UTC</time> is counted") in during
    saved = client.post(response.location, data={"action": "save", "q-a1": "b"}, follow_redirects=True)
    assert f"Submit them by {attempt.deadline_at:%H:%M} UTC" in saved.get_data(as_text=True)
    untimed = client.get("/quizzes/opening-check").get_data(as_text=True)
    assert "grace" not in untimed
