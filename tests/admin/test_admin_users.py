import re

import sqlalchemy as sa

from app.auth import services
from app.auth.models import AuthToken, User
from app.extensions import db


def test_admin_lists_and_searches_people(client, make_user, sign_in):
    sign_in(make_user(roles=("admin",), display_name="Ada Admin"))
    make_user(display_name="Grace Hopper", email="grace@example.org")
    make_user(display_name="Alan Turing", email="alan@example.org")
    page = client.get("/admin/users?q=grace").get_data(as_text=True)
    assert "Grace Hopper" in page and "Alan Turing" not in page
    assert "Alan Turing" in client.get("/admin/users").get_data(as_text=True)
    assert "Nobody matches" in client.get("/admin/users?q=%25_").get_data(as_text=True)


def test_admin_invites_a_person_and_sees_the_link(app, client, make_user, sign_in):
    sign_in(make_user(roles=("admin",)))
    response = client.post("/admin/users/new", data={"email": "New@Example.org", "display_name": "New Person",
                                                      "roles": ["trainee", "instructor"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    link = re.search(r'value="(http[^"]+/invite/[^"]+)"', page).group(1)
    user = services.user_by_email("new@example.org")
    assert user is not None and user.password_hash is None
    assert {r.value for r in user.roles} == {"trainee", "instructor"}
    path = link.removeprefix(app.config["LECTERN_BASE_URL"])
    assert "Welcome, New Person" in app.test_client().get(path).get_data(as_text=True)


def test_invite_form_re_renders_with_errors(client, make_user, sign_in):
    sign_in(make_user(roles=("admin",)))
    make_user(email="taken@example.org")
    response = client.post("/admin/users/new", data={"email": "taken@example.org", "display_name": "X", "roles": ["trainee"]})
    assert response.status_code == 422 and "already an account" in response.get_data(as_text=True)
    response = client.post("/admin/users/new", data={"email": "not-an-email", "display_name": "Kept Name",
                                                     "roles": ["trainee"]})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "not valid" in page and 'value="Kept Name"' in page
    response = client.post("/admin/users/new", data={"email": "ok@example.org", "display_name": "Y"})
    assert response.status_code == 422 and "at least one role" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 2


def test_admin_creates_reset_link_deactivates_and_reactivates(client, make_user, sign_in):
    admin = make_user(roles=("admin",))
    sign_in(admin)
    person = make_user()
    page = client.post(f"/admin/users/{person.id}/link", data={"purpose": "reset"}).get_data(as_text=True)
    assert "/reset/" in page
    token = db.session.scalar(sa.select(AuthToken).where(AuthToken.user_id == person.id))
    assert token.created_by_id == admin.id and token.purpose == "reset"
    client.post(f"/admin/users/{person.id}/active", data={"active": "0"})
    assert db.session.get(User, person.id).is_active is False
    client.post(f"/admin/users/{person.id}/active", data={"active": "1"})
    assert db.session.get(User, person.id).is_active is True


def test_admin_cannot_lock_themselves_out(client, make_user, sign_in):
    admin = make_user(roles=("admin",))
    sign_in(admin)
    page = client.post(f"/admin/users/{admin.id}/active", data={"active": "0"}, follow_redirects=True).get_data(as_text=True)
    assert "cannot deactivate your own account" in page
    response = client.post(f"/admin/users/{admin.id}", data={"roles": ["trainee"]})
    assert response.status_code == 422 and "own administrator role" in response.get_data(as_text=True)
    assert db.session.get(User, admin.id).is_admin


def test_admin_edits_roles(client, make_user, sign_in):
    sign_in(make_user(roles=("admin",)))
    person = make_user()
    client.post(f"/admin/users/{person.id}", data={"roles": ["trainee", "instructor"]})
    assert {r.value for r in db.session.get(User, person.id).roles} == {"trainee", "instructor"}
    assert client.get("/admin/users/99999").status_code == 404
