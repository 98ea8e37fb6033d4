from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from app.auth import services
from app.auth.models import AuthToken, User
from app.extensions import db

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def test_sign_in_lands_on_course_home_naming_both_days(client, make_user, sign_in):
    user = make_user(email="Ana@Example.org")
    response = sign_in(user)
    assert response.status_code == 302 and response.location == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Day 1" in page and "Day 2" in page and user.display_name in page
    assert db.session.get(User, user.id).last_sign_in_at is not None


def test_email_is_case_insensitive_and_unique(app, client, make_user, password):
    make_user(email="ana@example.org")
    response = client.post("/login", data={"email": "  ANA@example.ORG ", "password": password})
    assert response.status_code == 302
    try:
        services.create_user("ANA@EXAMPLE.ORG", "Another Ana", ["trainee"], password=None, now=NOW)
    except services.EmailTaken as exc:
        assert "already an account" in str(exc)
    else:
        raise AssertionError("duplicate email accepted")


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user, sign_in):
    user = make_user()
    wrong = sign_in(user, password="not the password").get_data(as_text=True)
    unknown = client.post("/login", data={"email": "nobody@example.org", "password": "whatever12"}).get_data(as_text=True)
    assert "Email or password is incorrect." in wrong and "Email or password is incorrect." in unknown


def test_deactivated_user_cannot_sign_in_and_loses_open_sessions(app, client, make_user, sign_in):
    admin = make_user(roles=("admin",))
    user = make_user()
    sign_in(user)
    assert client.get("/").status_code == 200
    services.set_active(admin.id, user.id, False, now=NOW)
    assert client.get("/").status_code == 302  # the open session ended
    response = sign_in(user)
    assert "deactivated" in response.get_data(as_text=True)


def test_sign_out_ends_the_session_even_if_the_cookie_is_replayed(app, client, make_user, sign_in):
    user = make_user()
    sign_in(user)
    stolen_cookie = client.get_cookie("session").value
    assert client.post("/logout").status_code == 302
    other = app.test_client()
    other.set_cookie("session", stolen_cookie)
    assert other.get("/").status_code == 302


def test_redirect_after_sign_in_stays_on_this_site(client, make_user, password):
    user = make_user()
    response = client.post("/login?next=https://evil.example/", data={"email": user.email, "password": password})
    assert response.location == "/"
    client.post("/logout")
    response = client.post("/login?next=/admin/users", data={"email": user.email, "password": password})
    assert response.location == "/admin/users"


def test_reset_link_works_once_and_ends_other_sessions(app, client, make_user, sign_in):
    user = make_user()
    sign_in(user)
    issued = services.issue_link(user.id, "reset", secret_key=app.config["SECRET_KEY"], max_age=3600,
                                 created_by_id=None, now=datetime.now(UTC))
    other = app.test_client()
    page = other.get(f"/reset/{issued.token}")
    assert page.status_code == 200 and user.email in page.get_data(as_text=True)
    weak = other.post(f"/reset/{issued.token}", data={"password": "short", "confirm": "short"})
    assert weak.status_code == 422 and "at least 10 characters" in weak.get_data(as_text=True)
    new = "lantern orchard velvet"
    done = other.post(f"/reset/{issued.token}", data={"password": new, "confirm": new})
    assert done.status_code == 302
    assert client.get("/").status_code == 302  # the first device was signed out
    again = app.test_client().post(f"/reset/{issued.token}", data={"password": new + "x", "confirm": new + "x"})
    assert again.status_code == 410
    assert services.authenticate(user.email, new, now=NOW).user is not None


def test_expired_and_forged_links_are_refused(app, client, make_user):
    user = make_user()
    past = datetime.now(UTC) - timedelta(hours=3)
    issued = services.issue_link(user.id, "reset", secret_key=app.config["SECRET_KEY"], max_age=3600,
                                 created_by_id=None, now=past)
    assert client.get(f"/reset/{issued.token}").status_code == 410
    assert client.get("/reset/not-a-real-token").status_code == 410
    invite = services.issue_link(user.id, "invite", secret_key=app.config["SECRET_KEY"], max_age=3600,
                                 created_by_id=None, now=datetime.now(UTC))
    assert client.get(f"/reset/{invite.token}").status_code == 410  # wrong purpose
    stored = db.session.scalars(sa.select(AuthToken.secret_hash)).all()
    assert all(len(h) == 64 for h in stored) and issued.token not in stored


def test_invitation_lets_a_new_person_choose_a_password(app, client):
    user = services.create_user("new.person@example.org", "New Person", ["trainee"], password=None, now=NOW)
    assert services.authenticate(user.email, "", now=NOW).user is None
    issued = services.issue_link(user.id, "invite", secret_key=app.config["SECRET_KEY"], max_age=3600,
                                 created_by_id=None, now=datetime.now(UTC))
    page = client.get(f"/invite/{issued.token}").get_data(as_text=True)
    assert "Welcome, New Person" in page
    response = client.post(f"/invite/{issued.token}", data={"password": "harbour quilt meadow",
                                                             "confirm": "harbour quilt meadow"})
    assert response.status_code == 302
    assert "Day 1" in client.get("/").get_data(as_text=True)


def test_change_password_keeps_this_session_and_ends_others(app, client, make_user, sign_in, password):
    user = make_user()
    sign_in(user)
    other = app.test_client()
    other.post("/login", data={"email": user.email, "password": password})
    new = "harbour quilt meadow"
    response = client.post("/account/password", data={"current": password, "password": new, "confirm": new})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other.get("/").status_code == 302


def test_remember_me_cookie_is_http_only(client, make_user, sign_in):
    user = make_user()
    response = sign_in(user, remember="y")
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("remember_token=") and "HttpOnly" in c and "SameSite=Lax" in c for c in cookies)
    assert any(c.startswith("session=") and "HttpOnly" in c for c in cookies)
