"""A form posted with an expired session or CSRF token loses nothing (app/auth/resume.py, issue 13)."""
import re
from html import unescape

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.content.catalog import catalog
from app.extensions import db
from app.learn.models import ReflectionNote

NOTE = "What I learnt today:\nclusters need a <champion> & a shared vision"


@pytest.fixture
def app_config(database_uri):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "WTF_CSRF_ENABLED": True}


def form_of(html: str, action: str | None = None) -> tuple[str, list[tuple[str, str]]]:
    """The (action, fields) of the first form on the page whose action matches."""
    for match in re.finditer(r'<form method="post" action="([^"]*)"[^>]*>(.*?)</form>', html, re.S):
        if action is None or unescape(match.group(1)).startswith(action):
            body = match.group(2)
            fields = []
            for tag in re.findall(r"<input\b[^>]*>", body):
                attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag))
                if attrs.get("type") == "hidden":
                    fields.append((unescape(attrs["name"]), unescape(attrs.get("value", ""))))
            fields += [(unescape(n), unescape(v)) for n, v in
                       re.findall(r'<textarea[^>]* name="([^"]+)"[^>]*>(.*?)</textarea>', body, re.S)]
            return unescape(match.group(1)), MultiDict(fields)
    raise AssertionError(f"no form posting to {action} on the page")


def saved_notes(user):
    return db.session.scalars(sa.select(ReflectionNote.body).where(ReflectionNote.user_id == user.id)).all()


def lesson_and_prompt():
    lesson = next(les for les in catalog().lessons if les.reflection_keys)
    return lesson, lesson.reflection_keys[0]


def test_a_note_posted_after_the_session_expired_comes_back_after_signing_in(app, make_user, password, csrf_token_from, csrf_sign_in):
    user = make_user()
    lesson, key = lesson_and_prompt()
    browser = app.test_client()
    csrf_sign_in(browser, user)
    page = browser.get(f"/lessons/{lesson.slug}").get_data(as_text=True)
    old_token = csrf_token_from(page)
    browser.delete_cookie("session")          # the session expired while the trainee was typing
    response = browser.post(f"/lessons/{lesson.slug}/notes/{key}", data={"body": NOTE, "csrf_token": old_token},
                            headers={"Referer": f"http://localhost/lessons/{lesson.slug}", "Origin": "http://localhost"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Sign in again to save what you typed" in html
    assert "clusters need a &lt;champion&gt; &amp; a shared vision" in html     # shown, escaped
    assert saved_notes(user) == []
    action, fields = form_of(html, "/login")
    fields.update({"email": user.email, "password": password})
    review = browser.post(action, data=fields)
    review_html = review.get_data(as_text=True)
    assert review.status_code == 200 and "Save what you typed" in review_html and "Signed in again" in review_html
    assert saved_notes(user) == []                       # one more deliberate click
    target, fields = form_of(review_html, f"/lessons/{lesson.slug}/notes/")
    assert fields["body"].replace("\r\n", "\n") == NOTE
    saved = browser.post(target, data=fields)
    assert saved.status_code == 302 and saved.location.endswith(f"/lessons/{lesson.slug}#reflect-{key}")
    assert saved_notes(user) == [NOTE]


def test_a_wrong_password_on_the_recovery_page_keeps_the_text(app, make_user):
    user = make_user()
    lesson, key = lesson_and_prompt()
    browser = app.test_client()
    response = browser.post(f"/lessons/{lesson.slug}/notes/{key}", data={"body": NOTE, "csrf_token": "stale"})
    action, fields = form_of(response.get_data(as_text=True), "/login")
    fields.update({"email": user.email, "password": "not it at all"})
    again = browser.post(action, data=fields)
    html = again.get_data(as_text=True)
    assert again.status_code == 422 and "Email or password is incorrect" in html
    assert "clusters need a &lt;champion&gt;" in html and "Sign in again to save what you typed" in html


def test_an_expired_token_while_signed_in_shows_the_form_again(app, make_user, csrf_sign_in):
    user = make_user()
    lesson, key = lesson_and_prompt()
    browser = app.test_client()
    csrf_sign_in(browser, user)
    response = browser.post(f"/lessons/{lesson.slug}/notes/{key}", data={"body": NOTE, "csrf_token": "expired-token"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "The form had expired" in html
    target, fields = form_of(html, f"/lessons/{lesson.slug}/notes/")
    assert browser.post(target, data=fields).status_code == 302
    assert saved_notes(user) == [NOTE]


def test_passwords_are_never_echoed_back(app, make_user, password, csrf_sign_in):
    user = make_user()
    browser = app.test_client()
    csrf_sign_in(browser, user)
    response = browser.post("/account/password", data={"current": password, "password": "new secret phrase 1",
                                                        "confirm": "new secret phrase 1", "csrf_token": "old"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and password not in html and "new secret phrase 1" not in html


def test_a_cross_site_post_gets_the_plain_error(app, make_user):
    lesson, key = lesson_and_prompt()
    browser = app.test_client()
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        response = browser.post(f"/lessons/{lesson.slug}/notes/{key}", data={"body": NOTE}, headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and "clusters need" not in html and "The form has expired" in html


def test_quiz_answers_in_progress_are_kept(app, make_user, csrf_token_from, csrf_sign_in):
    user = make_user()
    browser = app.test_client()
    csrf_sign_in(browser, user)
    quiz = catalog().quizzes[0]
    page = browser.get(f"/quizzes/{quiz.id}").get_data(as_text=True)
    started = browser.post(f"/quizzes/{quiz.id}/start", data={"csrf_token": csrf_token_from(page)})
    attempt_url = started.location
    form_page = browser.get(attempt_url).get_data(as_text=True)
    first = quiz.questions[0]
    browser.delete_cookie("session")
    answer = {"csrf_token": csrf_token_from(form_page), "token": re.search(r'name="token" value="([^"]+)"', form_page).group(1)}
    answer[f"q-{first.id}"] = "an answer in progress"
    response = browser.post(attempt_url, data=answer)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "Sign in again" in html
    _, fields = form_of(html, "/login")
    kept = fields
    assert kept["resume:token"] == answer["token"] and "resume:csrf_token" not in kept


def test_an_expired_sign_in_form_keeps_the_email(app, make_user, password):
    user = make_user()
    response = app.test_client().post("/login", data={"email": user.email, "password": password, "csrf_token": "old"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "sign-in form has expired" in html
    assert f'value="{user.email}"' in html and password not in html
