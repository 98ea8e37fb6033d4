"""Focused regressions for the bugs the robustness tests found: the 500s from fuzzing
(test_robust_fuzz.py), each of which now gets a clear 4xx or is recorded as a (wrong) answer, and
the double-clicked last attempt that two gunicorn workers on PostgreSQL refused
(test_robust_gunicorn_writes.py)."""
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.cohorts.models import Cohort
from app.extensions import db
from app.live.models import LiveAnswer, LivePoll
from app.quizzes.models import QuizAttempt

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
JSON = {"Accept": "application/json"}


@pytest.fixture
def app_config(database_uri):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "PROPAGATE_EXCEPTIONS": False,
            "CURRICULUM_DIR": str(FIXTURES / "mini-course"), "QUIZZES_DIR": str(FIXTURES / "mini-quizzes")}


@pytest.fixture
def staff(app, make_user):
    return make_user(roles=("admin", "instructor"))


@pytest.fixture
def room(app, make_user, make_cohort, make_live_session, staff, login):
    """A cohort with a trainee, a live session for it and a client for each of them."""
    trainee = make_user()
    cohort = make_cohort(name="Room", instructors=[staff], trainees=[trainee], by=staff)
    session = make_live_session(cohort, by=staff)
    return login(app, staff), login(app, trainee), session


@pytest.mark.parametrize("path", ["/admin/users/9223372036854775808", "/admin/cohorts/10000000000000000000000/edit",
                                  "/attempts/9223372036854775808", "/live/2147483648/state",
                                  "/teach/cohorts/99999999999999999999999999", "/admin/users/2147483647"])
def test_ids_no_table_can_hold_are_404(client, staff, sign_in, path):
    """SQLite refuses integers above 2**63 - 1 (OverflowError → 500); `<int:…>` now stops at the
    largest key a table can hold."""
    sign_in(staff)
    assert client.get(path).status_code == 404
    assert client.post(f"/live/{2**64}/heartbeat").status_code == 404


def test_json_bodies_sent_to_html_forms_fail_validation(client, staff, sign_in):
    """Flask-WTF fed JSON bodies to the forms: a string, list or number raised TypeError/ValueError
    and a nested object reached the services as a dict."""
    sign_in(staff)
    for body in ("text", [1, 2], 3.5, None, {"code": {"nested": 1}}, {"code": ["A", "B"]}):
        assert client.post("/cohorts/join", json=body).status_code == 422, body
        assert client.post("/account/password", json=body).status_code == 422, body
    assert client.post("/cohorts/join", data=b"NaN", content_type="application/json").status_code == 422
    response = client.post("/admin/cohorts/new", json={"name": {"a": 1}, "track": ["live"]})
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Cohort)) == 0
    # the ordinary form post still works
    assert client.post("/admin/cohorts/new", data={"name": "Real", "track": "live"}).status_code == 302


def test_nul_characters_are_refused_before_reaching_the_database(client, staff, sign_in):
    """PostgreSQL cannot store or compare NUL (psycopg DataError → 500 on notes, names, searches,
    the audit filter, checklist notes, revocation reasons…); now every backend answers 400."""
    from app.learn.models import ReflectionNote

    sign_in(staff)
    assert client.get("/admin/users", query_string={"q": "a\x00"}).status_code == 400
    assert client.get("/admin/audit", query_string={"actor": "\x00"}).status_code == 400
    assert client.post("/lessons/opening/notes/opening-first-thought", data={"body": "a\x00b"}).status_code == 400
    assert client.post(f"/admin/users/{staff.id}/name", data={"display_name": "N\x00"}).status_code == 400
    assert client.post("/admin/cohorts/new", data={"name": "C\x00", "track": "live"}).status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ReflectionNote)) == 0
    assert client.get("/admin/users", query_string={"q": "a"}).status_code == 200


def test_live_api_takes_any_json_without_500(room):
    """`(request.get_json() or {}).get(...)` failed on a JSON list, string or NaN; a number or a
    list of objects as an answer broke scoring ('float' object is not iterable) and the tally."""
    teacher, learner, session = room
    for body in (b"NaN", b"[1, 2]", b'"K7M3Q9"'):
        response = learner.post("/join", data=body, content_type="application/json", headers=JSON)
        assert response.status_code == 422, body
    assert learner.post("/join", json={"code": session.code}, headers=JSON).status_code == 200
    response = teacher.post(f"/live/{session.id}/polls", data={"source": "bank", "question": "opening-check/multi-q"},
                            headers=JSON)
    assert response.status_code == 200
    poll_id = db.session.scalar(sa.select(LivePoll.id).where(LivePoll.session_id == session.id))
    url = f"/live/{session.id}/polls/{poll_id}/answer"

    assert learner.post(url, data=b"[1]", content_type="application/json", headers=JSON).status_code == 422
    assert learner.post(url, json={"answer": {}}, headers=JSON).status_code == 422
    response = learner.post(url, json={"answer": 5}, headers=JSON)
    assert response.status_code == 200 and response.get_json()["answer"] == "5"
    response = learner.post(url, json={"answer": [{"a": 1}, ["b"], "a", True]}, headers=JSON)
    assert response.status_code == 200 and response.get_json()["answer"] == ["a", "true"]
    stored = db.session.scalar(sa.select(LiveAnswer).where(LiveAnswer.poll_id == poll_id))
    assert stored.answer == ["a", "true"] and stored.fraction == 0 and stored.changes == 1
    assert teacher.get(f"/live/{session.id}/present").status_code == 200
    tally = teacher.get(f"/live/{session.id}/staff/state").get_json()["poll"]["tally"]
    assert tally["responses"] == 1


def test_ordering_positions_that_are_not_plain_numbers_are_wrong_not_500(client, make_user, sign_in):
    """'²'.isdigit() is true but int('²') fails, and int() refuses more than 4,300 digits."""
    sign_in(make_user())
    attempt_id = int(client.post("/quizzes/opening-check/start").location.rsplit("/", 1)[1])
    token = db.session.get(QuizAttempt, attempt_id).submit_token
    response = client.post(f"/attempts/{attempt_id}", data={
        "action": "submit", "allow_unanswered": "1", "token": token, "q-order-q--s1": "²", "q-order-q--s2": "9" * 5000, "q-order-q--s3": "1"})
    assert response.status_code == 302
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.finished_at is not None and attempt.answers["order-q"] == ["s3", "", ""]


def test_double_click_on_the_last_attempt_starts_it_once(app, make_user):
    """PostgreSQL (READ COMMITTED) read "no open attempt" and then "limit used up" when the other
    click's attempt committed between the two queries: one click got 'You have used all 3
    attempts' (found by test_robust_gunicorn_writes.py). Both clicks must get the same attempt."""
    import threading

    from app.content.catalog import catalog
    from app.db import utcnow
    from app.quizzes import services

    quiz = catalog().quiz("opening-check")
    for _round in range(40):
        user_id = make_user().id
        for _n in range(quiz.attempts - 1):
            attempt = services.start_attempt(user_id, quiz, now=utcnow())
            services.submit_attempt(user_id, attempt.id, attempt.submit_token, {}, now=utcnow(), allow_unanswered=True)
        db.session.remove()
        got: list = [None, None]
        barrier = threading.Barrier(2)

        def click(index: int) -> None:
            with app.app_context():
                barrier.wait()
                try:
                    got[index] = services.start_attempt(user_id, quiz, now=utcnow()).id
                except Exception as exc:  # noqa: BLE001 - compared below
                    got[index] = repr(exc)
                finally:
                    db.session.remove()

        threads = [threading.Thread(target=click, args=(i,)) for i in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        assert got[0] == got[1] and isinstance(got[0], int), got


def test_adhoc_poll_right_answers_that_are_not_plain_numbers_are_refused(room):
    teacher, _learner, session = room
    for correct in ("²", "9" * 5000):
        response = teacher.post(f"/live/{session.id}/polls", headers=JSON, data={
            "source": "adhoc", "prompt": "Which?", "options": "Yes\nNo", "correct": correct})
        assert response.status_code == 422 and response.get_json()["field"] == "correct"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LivePoll)) == 0
