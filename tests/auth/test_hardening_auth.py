"""Regression tests for the authentication findings of the security test (issue 15).

Each test is named after its finding; the pure parts are tested in tests/auth/test_passwords.py
(the hash gate) and tests/platform/test_access_log.py (the access-log redaction).
"""
from __future__ import annotations

from datetime import UTC

import pytest

from app.auth import passwords

NEW_PASSWORD = "harbour quilt meadow"


@pytest.fixture
def app_config(database_uri):
    # the shipped default limits, switched on (the test configuration switches them off)
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "RATELIMIT_ENABLED": True}


def change(client, current: str, address: str = "203.0.113.7"):
    return client.post("/account/password", data={"current": current, "password": NEW_PASSWORD,
                                                  "confirm": NEW_PASSWORD},
                       environ_base={"REMOTE_ADDR": address})


# --- finding 2: current-password guessing and Argon2 load ------------------------------------

def test_finding_2_current_password_guessing_is_limited(client, make_user, sign_in, password):
    user = make_user()
    sign_in(user)
    statuses = [change(client, f"guess number {i}").status_code for i in range(5)]
    assert statuses == [422] * 5
    refused = change(client, "guess number 6")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many wrong current passwords" in refused.get_data(as_text=True)
    # the right password no longer gets through either: a stolen cookie does not become the account
    right = change(client, password)
    assert right.status_code == 429
    assert client.post("/logout").status_code == 302
    assert sign_in(user).status_code == 302  # the old password still works: nothing was changed


def test_finding_2_current_password_guessing_is_limited_per_address(app, make_user, sign_in, password):
    """Twenty wrong current passwords from one address, over four accounts, close it for a fifth."""
    for _ in range(4):
        client = app.test_client()
        client.post("/login", data={"email": make_user().email, "password": password})
        assert [change(client, "not my password").status_code for _ in range(5)] == [422] * 5
    fifth = app.test_client()
    fifth.post("/login", data={"email": make_user().email, "password": password})
    assert change(fifth, "not my password").status_code == 429
    assert change(fifth, password, address="198.51.100.4").status_code == 302  # elsewhere: allowed


def test_finding_2_a_right_current_password_is_not_counted(client, make_user, sign_in, password):
    user = make_user()
    sign_in(user)
    for _ in range(4):
        change(client, "not my password")
    assert change(client, password).status_code == 302


@pytest.fixture
def busy_gate(monkeypatch):
    """This process's Argon2 gate, full: one slot, taken by the test, and (almost) no waiting."""
    gate = passwords.HashGate(1, 0.01)
    monkeypatch.setattr(passwords, "_gate", gate)
    with gate.turn():
        yield gate


def test_finding_2_busy_password_checks_answer_503_and_keep_the_email(client, make_user, busy_gate, password):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": password},
                           environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    page = response.get_data(as_text=True)
    assert "busy checking other passwords" in page and f'value="{user.email}"' in page


def test_finding_2_a_busy_sign_in_is_not_counted_as_a_failure(app, client, make_user, monkeypatch, password):
    user = make_user()
    gate = passwords.HashGate(1, 0.01)
    monkeypatch.setattr(passwords, "_gate", gate)
    with gate.turn():
        statuses = [client.post("/login", data={"email": user.email, "password": "wrong"}).status_code
                    for _ in range(8)]
    assert statuses == [503] * 8
    assert client.post("/login", data={"email": user.email, "password": password}).status_code == 302


def test_finding_2_every_password_form_answers_503_when_busy(app, client, make_user, sign_in, monkeypatch, password):
    from app.auth import services
    from app.cohorts import services as cohorts
    from app.db import utcnow

    admin = make_user(roles=("admin",))
    sign_in(admin)
    invited = services.create_user("invited@example.org", "Invited Person", ["trainee"], password=None, now=utcnow())
    reset = services.issue_link(admin.id, "reset", secret_key=app.config["SECRET_KEY"], max_age=3600,
                                created_by_id=None, now=utcnow())
    invite = services.issue_link(invited.id, "invite", secret_key=app.config["SECRET_KEY"], max_age=3600,
                                 created_by_id=None, now=utcnow())
    cohort = cohorts.save_cohort(admin.id, None, name="Room", track="live", starts_on=None, ends_on=None,
                                 instructor_ids=[], now=utcnow())
    cohorts.set_self_registration(admin.id, True, now=utcnow())
    gate = passwords.HashGate(1, 0.01)
    monkeypatch.setattr(passwords, "_gate", gate)
    new = {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    with gate.turn():
        answers = {
            "change": change(client, password),
            "reset": app.test_client().post(f"/reset/{reset.token}", data=new),
            "invite": app.test_client().post(f"/invite/{invite.token}", data=new),
            "register": app.test_client().post("/register", data={
                "email": "newcomer@example.org", "display_name": "New Comer", "password": NEW_PASSWORD,
                "code": cohort.enrolment_code}),
        }
    for name, response in answers.items():
        assert response.status_code == 503, name
        # (Flask-Limiter raises Retry-After to its window's end on routes it limits: /reset, /invite, /register)
        assert int(response.headers["Retry-After"]) >= 1, name
        assert "busy checking other passwords" in response.get_data(as_text=True), name
    page = answers["register"].get_data(as_text=True)
    assert 'value="newcomer@example.org"' in page and 'value="New Comer"' in page  # what was typed stays
    # nothing happened meanwhile: the links still work and the account was not created
    assert app.test_client().post(f"/reset/{reset.token}", data=new).status_code == 302
    assert services.user_by_email("newcomer@example.org") is None


# --- finding 4: reset and invitation links stay out of the logs ------------------------------

def test_finding_4_issuing_links_logs_no_token(app, client, make_user, sign_in, caplog):
    import logging
    import re

    admin = make_user(roles=("admin",))
    sign_in(admin)
    caplog.set_level(logging.DEBUG)
    page = client.post("/admin/users/new", data={"email": "newcomer@example.org", "display_name": "New Comer",
                                                 "roles": ["trainee"]}).get_data(as_text=True)
    invite_token = re.search(r'value="http[^"]+/invite/([^"]+)"', page).group(1)
    person = make_user()
    page = client.post(f"/admin/users/{person.id}/link", data={"purpose": "reset"}).get_data(as_text=True)
    reset_token = re.search(r'value="http[^"]+/reset/([^"]+)"', page).group(1)
    issued = [r.getMessage() for r in caplog.records if " link " in r.getMessage()]
    assert len(issued) == 2, issued                  # that a link was issued is still logged
    assert re.fullmatch(r"invite link \d+ for user \d+ issued by user \d+, valid until .+ UTC", issued[0])
    assert "reset link" in issued[1] and f"for user {person.id} issued by user {admin.id}" in issued[1]
    for record in caplog.records:
        text = record.getMessage() + repr(record.args)
        assert invite_token not in text and reset_token not in text
        assert "/invite/" not in text and "/reset/" not in text


def test_finding_4_gunicorn_access_log_has_no_link_tokens(database_uri, tmp_path, servers):
    """The real server (gunicorn, app.serving.Worker, uvicorn's access log) writes the request line
    with the token replaced."""
    import urllib.error
    import urllib.request


    port, log = servers.free_port(), tmp_path / "gunicorn.log"
    process = servers.start(database_uri, port, log, threads=2)
    try:
        servers.wait_until_serving(process, port, log)
        token = "Zm9yZ2VkLXNlY3JldC10b2tlbi1mb3ItdGhlLWxvZw.aBcDeF.s1gnatur3-xyz"
        for path in (f"/reset/{token}", f"/invite/{token}", f"/login?next=%2Freset%2F{token}"):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10).read()
            except urllib.error.HTTPError as exc:
                assert exc.code in (410, 200), path
    finally:
        servers.stop(process)
    text = log.read_text()
    assert token not in text
    assert '"GET /reset/[redacted] HTTP/1.1" 410' in text and '"GET /invite/[redacted] HTTP/1.1" 410' in text
    assert "/login?next=%2Freset%2F[redacted]" in text


# --- finding 5: a used link, a new password or a new link ends the older links -----------------

def _link(app, user, purpose: str, **kwargs):
    from app.auth import services
    from app.db import utcnow

    return services.issue_link(user.id, purpose, secret_key=app.config["SECRET_KEY"], max_age=3600,
                               created_by_id=None, now=kwargs.get("now") or utcnow()).token


def _link_from_before_this_fix(app, user, purpose: str) -> str:
    """An outstanding link as the database may hold several from before this change (issuing one
    now ends the others, so the service cannot make two at once any more)."""
    from datetime import timedelta

    from app.auth import links
    from app.auth.models import AuthToken
    from app.db import utcnow
    from app.extensions import db

    secret = links.new_secret()
    db.session.add(AuthToken(user_id=user.id, purpose=purpose, secret_hash=links.secret_hash(secret),
                             created_by_id=None, created_at=utcnow(), expires_at=utcnow() + timedelta(days=14)))
    db.session.commit()
    return links.sign(app.config["SECRET_KEY"], purpose, secret)


def set_password(app, purpose: str, token: str, password: str = NEW_PASSWORD):
    return app.test_client().post(f"/{purpose}/{token}", data={"password": password, "confirm": password})


def test_finding_5_using_a_link_voids_the_persons_other_links(app, make_user):
    person = make_user()
    first, second, third = (_link_from_before_this_fix(app, person, "reset") for _ in range(3))
    invitation = _link_from_before_this_fix(app, person, "invite")
    assert app.test_client().get(f"/reset/{second}").status_code == 200  # all four are open
    assert set_password(app, "reset", first).status_code == 302
    assert set_password(app, "reset", second, "another fine passphrase").status_code == 410
    assert set_password(app, "reset", third, "another fine passphrase").status_code == 410
    page = set_password(app, "invite", invitation, "another fine passphrase")
    assert page.status_code == 410 and "not valid any more" in page.get_data(as_text=True)
    assert app.test_client().post("/login", data={"email": person.email, "password": NEW_PASSWORD}).status_code == 302


def test_finding_5_changing_the_password_voids_outstanding_links(app, client, make_user, sign_in, password):
    person = make_user()
    reset = _link(app, person, "reset")
    invitation = _link_from_before_this_fix(app, person, "invite")  # e.g. the 14-day one they never used
    sign_in(person)
    assert change(client, password).status_code == 302
    assert set_password(app, "reset", reset, "another fine passphrase").status_code == 410
    assert set_password(app, "invite", invitation, "another fine passphrase").status_code == 410
    assert app.test_client().post("/login", data={"email": person.email, "password": NEW_PASSWORD}).status_code == 302


def test_finding_5_issuing_a_link_voids_the_earlier_ones(app, make_user):
    person = make_user()
    invitation = _link(app, person, "invite")
    first_reset = _link(app, person, "reset")
    assert app.test_client().get(f"/invite/{invitation}").status_code == 410  # the invitation ended
    latest = _link(app, person, "reset")
    assert app.test_client().get(f"/reset/{first_reset}").status_code == 410
    assert set_password(app, "reset", latest).status_code == 302             # only the newest works


# --- finding 11a: a new CSRF token at sign-in and at sign-out ----------------------------------

def test_finding_11a_csrf_token_is_rotated_at_sign_in_and_sign_out(app, client, make_user, password, csrf_token_from):

    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user()
    before = csrf_token_from(client.get("/login").get_data(as_text=True))
    signed_in = client.post("/login", data={"email": user.email, "password": password, "csrf_token": before})
    assert signed_in.status_code == 302
    refused = client.post("/logout", data={"csrf_token": before})
    assert refused.status_code == 400 and client.get("/").status_code == 200   # still signed in
    after = csrf_token_from(client.get("/account/password").get_data(as_text=True))
    assert after != before
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302
    # signing out rotates it too: the signed-in token does not work for the next person's sign-in
    again = client.post("/login", data={"email": user.email, "password": password, "csrf_token": after})
    assert again.status_code == 400
    fresh = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert fresh not in (before, after)
    assert client.post("/login", data={"email": user.email, "password": password, "csrf_token": fresh}).status_code == 302


# --- finding 11d: "keep me signed in" lasts 14 days, not 365 -----------------------------------

def test_finding_11d_remember_me_cookie_lasts_remember_cookie_days(app, client, make_user, sign_in):
    from datetime import datetime, timedelta
    from email.utils import parsedate_to_datetime

    assert app.config["REMEMBER_COOKIE_DAYS"] == 14
    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
    response = sign_in(make_user(), remember="y")
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token="))
    attributes = dict(part.strip().partition("=")[::2] for part in cookie.split(";")[1:])
    expires = parsedate_to_datetime(attributes["Expires"])
    assert abs(expires - (datetime.now(UTC) + timedelta(days=14))) < timedelta(minutes=1)


def test_finding_11d_remember_cookie_days_is_a_setting(database_uri, monkeypatch):
    from datetime import timedelta

    from app import create_app
    from app.config import ConfigError

    monkeypatch.setenv("REMEMBER_COOKIE_DAYS", "30")
    configured = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri})
    assert configured.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=30)
    monkeypatch.setenv("REMEMBER_COOKIE_DAYS", "0")
    with pytest.raises(ConfigError, match="REMEMBER_COOKIE_DAYS"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri})


# --- finding 6: self-registration does not say which addresses have accounts --------------------



@pytest.fixture
def open_registration(app, make_user):
    from app.cohorts import services as cohorts
    from app.db import utcnow

    admin = make_user(roles=("admin",))
    cohort = cohorts.save_cohort(admin.id, None, name="Open house", track="self-study", starts_on=None,
                                 ends_on=None, instructor_ids=[], now=utcnow())
    cohorts.set_self_registration(admin.id, True, now=utcnow())
    return cohort


def register(app, email: str, code: str):
    client = app.test_client()
    response = client.post("/register", data={"display_name": "Nia New", "email": email,
                                              "password": NEW_PASSWORD, "code": code})
    return client, response


def test_finding_6_registration_answers_the_same_for_an_existing_email(app, make_user, open_registration,
                                                                       monkeypatch, password):
    from app.auth import services
    from app.cohorts import services as cohorts

    hashed = []
    real_hash = services.hash_password
    monkeypatch.setattr(services, "hash_password", lambda p: hashed.append(p) or real_hash(p))
    owner = make_user(email="owner@example.org")
    answers = {}
    for email in ("owner@example.org", "newcomer@example.org"):
        client, response = register(app, email, open_registration.enrolment_code)
        page = client.get(response.location)
        answers[email] = (response.status_code, response.location, page.status_code,
                          page.get_data(as_text=True).replace(email, "EMAIL"), client.get("/").status_code)
    assert answers["owner@example.org"] == answers["newcomer@example.org"]
    status, location, page_status, page, home = answers["owner@example.org"]
    assert (status, location, page_status, home) == (302, "/login", 200, 302)   # nobody is signed in
    assert "already had an account" in page and 'value="EMAIL"' in page         # the sign-in form is filled in
    assert "There is already an account" not in page
    assert len(hashed) == 2                                  # both ways do the Argon2 work: no timing tell
    # the new person's account is ready and enrolled; they sign in with the password they chose
    newcomer = services.user_by_email("newcomer@example.org")
    assert [u.id for u in cohorts.trainees(open_registration.id)] == [newcomer.id]
    assert app.test_client().post("/login", data={"email": "newcomer@example.org",
                                                  "password": NEW_PASSWORD}).status_code == 302
    # the owner's account is untouched: same password, not enrolled by whoever typed the address
    assert app.test_client().post("/login", data={"email": owner.email, "password": password}).status_code == 302
    assert app.test_client().post("/login", data={"email": owner.email,
                                                  "password": NEW_PASSWORD}).status_code == 422


def test_finding_6_registration_mails_the_new_person_or_the_owner(app, make_user, open_registration,
                                                                  smtp_server):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.server_address[1], MAIL_USE_TLS=False)
    make_user(email="owner@example.org")
    pages = []
    for email in ("owner@example.org", "newcomer@example.org"):
        client, response = register(app, email, open_registration.enrolment_code)
        pages.append(client.get(response.location).get_data(as_text=True).replace(email, "EMAIL"))
    assert pages[0] == pages[1] and "We have sent a message to that address" in pages[0]
    to_owner, to_newcomer, welcome = smtp_server.messages   # the newcomer is also welcomed to the cohort
    assert "To: newcomer@example.org" in welcome and f"Subject: Welcome to {open_registration.name}" in welcome
    assert "To: owner@example.org" in to_owner and "already has one" in to_owner and "Nothing has changed" in to_owner
    assert "To: newcomer@example.org" in to_newcomer and "Your account is ready" in to_newcomer
    assert "http://localhost/login" in to_owner and "http://localhost/login" in to_newcomer


def test_finding_6_mistakes_are_still_explained(app, make_user, open_registration):
    make_user(email="owner@example.org")
    client = app.test_client()
    weak = client.post("/register", data={"display_name": "Nia", "email": "owner@example.org",
                                          "password": "password1", "code": open_registration.enrolment_code})
    assert weak.status_code == 422 and "at least 10 characters" in weak.get_data(as_text=True)
    bad = client.post("/register", data={"display_name": "Nia", "email": "not an address",
                                         "password": NEW_PASSWORD, "code": open_registration.enrolment_code})
    assert bad.status_code == 422 and "not valid" in bad.get_data(as_text=True)
