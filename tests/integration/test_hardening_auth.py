"""Regression tests for the authentication findings of the security test (issue 15).

Each test is named after its finding; the pure parts are tested in tests/unit/test_passwords.py
(the hash gate) and tests/unit/test_access_log.py (the access-log redaction).
"""
from __future__ import annotations

import pytest

from app.auth import passwords
from tests.conftest import PASSWORD

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

def test_finding_2_current_password_guessing_is_limited(client, make_user, sign_in):
    user = make_user()
    sign_in(user)
    statuses = [change(client, f"guess number {i}").status_code for i in range(5)]
    assert statuses == [422] * 5
    refused = change(client, "guess number 6")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Too many wrong current passwords" in refused.get_data(as_text=True)
    # the right password no longer gets through either: a stolen cookie does not become the account
    right = change(client, PASSWORD)
    assert right.status_code == 429
    assert client.post("/logout").status_code == 302
    assert sign_in(user).status_code == 302  # the old password still works: nothing was changed


def test_finding_2_current_password_guessing_is_limited_per_address(app, make_user, sign_in):
    """Twenty wrong current passwords from one address, over four accounts, close it for a fifth."""
    for _ in range(4):
        client = app.test_client()
        client.post("/login", data={"email": make_user().email, "password": PASSWORD})
        assert [change(client, "not my password").status_code for _ in range(5)] == [422] * 5
    fifth = app.test_client()
    fifth.post("/login", data={"email": make_user().email, "password": PASSWORD})
    assert change(fifth, "not my password").status_code == 429
    assert change(fifth, PASSWORD, address="198.51.100.4").status_code == 302  # elsewhere: allowed


def test_finding_2_a_right_current_password_is_not_counted(client, make_user, sign_in):
    user = make_user()
    sign_in(user)
    for _ in range(4):
        change(client, "not my password")
    assert change(client, PASSWORD).status_code == 302


@pytest.fixture
def busy_gate(monkeypatch):
    """This process's Argon2 gate, full: one slot, taken by the test, and (almost) no waiting."""
    gate = passwords.HashGate(1, 0.01)
    monkeypatch.setattr(passwords, "_gate", gate)
    with gate.turn():
        yield gate


def test_finding_2_busy_password_checks_answer_503_and_keep_the_email(client, make_user, busy_gate):
    user = make_user()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD},
                           environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 503 and response.headers["Retry-After"] == "2"
    page = response.get_data(as_text=True)
    assert "busy checking other passwords" in page and f'value="{user.email}"' in page


def test_finding_2_a_busy_sign_in_is_not_counted_as_a_failure(app, client, make_user, monkeypatch):
    user = make_user()
    gate = passwords.HashGate(1, 0.01)
    monkeypatch.setattr(passwords, "_gate", gate)
    with gate.turn():
        statuses = [client.post("/login", data={"email": user.email, "password": "wrong"}).status_code
                    for _ in range(8)]
    assert statuses == [503] * 8
    assert client.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 302


def test_finding_2_every_password_form_answers_503_when_busy(app, client, make_user, sign_in, monkeypatch):
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
            "change": change(client, PASSWORD),
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
