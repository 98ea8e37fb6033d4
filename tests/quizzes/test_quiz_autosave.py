"""Autosave (issue 16, item 5): the attempt page's script posts the answers so far to
/attempts/<id>/autosave, which keeps them as "Save and finish later" does. CSRF is on here, as in
production: the script sends the page's token in the X-CSRFToken header."""
import re
from datetime import timedelta

import pytest

from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.quizzes import services
from app.quizzes.models import QuizAttempt

JSON = {"Accept": "application/json"}


@pytest.fixture
def app_config(mini_course_config):
    return {**mini_course_config, "WTF_CSRF_ENABLED": True}


@pytest.fixture
def signed_in(csrf_sign_in):
    def sign_in(app, user):
        return csrf_sign_in(app.test_client(), user)
    return sign_in


@pytest.fixture
def open_attempt(csrf_token_from):
    def start(client, quiz_id="day-2-assessment"):
        page = client.get(f"/quizzes/{quiz_id}").get_data(as_text=True)
        started = client.post(f"/quizzes/{quiz_id}/start", data={"csrf_token": csrf_token_from(page)})
        attempt_id = int(started.location.rsplit("/", 1)[1])
        return attempt_id, client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    return start


def test_the_page_carries_the_times_and_the_autosave_address_for_its_script(app, make_user, signed_in, open_attempt):
    client = signed_in(app, make_user())
    attempt_id, page = open_attempt(client)
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert f'data-autosave-url="/attempts/{attempt_id}/autosave"' in page
    assert f'data-deadline-at="{attempt.deadline_at.isoformat()}"' in page
    assert f'data-closes-at="{attempt.closes_at.isoformat()}"' in page
    assert re.search(r'data-server-now="\d{4}-\d\d-\d\dT[\d:.]+\+00:00"', page)
    assert '<script src="/static/js/quiz.js" defer></script>' in page
    assert 'aria-live="polite"' in page
    # the server-rendered UTC deadline stays as the text without JavaScript
    assert re.search(r"submit by <strong><time datetime=\"[^\"]+\">\d\d:\d\d UTC</time></strong>", page)


def test_autosave_keeps_the_answers_and_says_when(app, make_user, csrf_token_from, signed_in, open_attempt):
    client = signed_in(app, make_user())
    attempt_id, page = open_attempt(client)
    questions = [q["id"] for q in db.session.get(QuizAttempt, attempt_id).questions]
    form = {"csrf_token": csrf_token_from(page)}
    before = utcnow()
    response = client.post(f"/attempts/{attempt_id}/autosave", data={f"q-{questions[0]}": "x-in-progress"},
                           headers={**JSON, "X-CSRFToken": form["csrf_token"]})
    assert response.status_code == 200
    saved_at = response.get_json()["saved_at"]
    assert saved_at >= before.isoformat()
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.answers == {questions[0]: "x-in-progress"} and attempt.finished_at is None


def test_autosave_without_the_csrf_token_is_refused_and_saves_nothing(app, make_user, signed_in, open_attempt):
    client = signed_in(app, make_user())
    attempt_id, _page = open_attempt(client)
    response = client.post(f"/attempts/{attempt_id}/autosave", data={"q-a1": "b"}, headers=JSON)
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt_id).answers == {}


def test_autosave_after_the_session_ended_is_refused_so_the_page_can_say_sign_in_again(app, make_user, csrf_token_from, signed_in, open_attempt):
    """The script tells the person to sign in again on 400/401; the answers stay in the page, and
    the form's own submit goes through app/auth/resume.py, which keeps them."""
    user = make_user()
    client = signed_in(app, user)
    attempt_id, page = open_attempt(client)
    client.delete_cookie("session")
    response = client.post(f"/attempts/{attempt_id}/autosave", data={"q-a1": "b"},
                           headers={**JSON, "X-CSRFToken": csrf_token_from(page)})
    assert response.status_code in (400, 401)
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt_id).answers == {}
    # the form itself, sent now, comes back on the sign-in page with the answer kept
    resumed = client.post(f"/attempts/{attempt_id}", data={"csrf_token": csrf_token_from(page), "q-a1": "b",
                                                           "action": "submit"})
    assert resumed.status_code in (400, 401) and 'name="resume:q-a1" value="b"' in resumed.get_data(as_text=True)


def test_autosave_after_the_closing_time_is_refused_and_the_attempt_closes_on_what_was_saved(app, make_user, csrf_token_from, signed_in):
    user = make_user()
    client = signed_in(app, user)
    quiz = catalog().quiz("day-2-assessment")
    attempt = services.start_attempt(user.id, quiz, now=utcnow() - timedelta(minutes=30))
    first = attempt.questions[0]["id"]
    services.save_answers(user.id, attempt.id, {first: "saved-in-time"}, now=utcnow() - timedelta(minutes=25))
    page = client.get("/").get_data(as_text=True)  # any page: the session's CSRF token
    response = client.post(f"/attempts/{attempt.id}/autosave", data={f"q-{first}": "too-late"},
                           headers={**JSON, "X-CSRFToken": csrf_token_from(page)})
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "closed" and "Time ran out" in body["message"]
    assert body["results"] == f"/attempts/{attempt.id}"
    db.session.expire_all()
    closed = db.session.get(QuizAttempt, attempt.id)
    assert closed.is_finished and closed.is_late and closed.answers == {first: "saved-in-time"}
    assert closed.finished_at == closed.closes_at


def test_autosave_of_someone_elses_attempt_is_not_found(app, make_user, csrf_token_from, signed_in, open_attempt):
    owner = signed_in(app, make_user())
    attempt_id, _page = open_attempt(owner)
    other = signed_in(app, make_user())
    page = other.get("/").get_data(as_text=True)
    response = other.post(f"/attempts/{attempt_id}/autosave", data={"q-a1": "b"},
                          headers={**JSON, "X-CSRFToken": csrf_token_from(page)})
    assert response.status_code == 404 and response.is_json
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt_id).answers == {}
