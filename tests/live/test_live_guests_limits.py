"""Guests' joining is rate-limited like members' (wrong codes only), and CSRF guards joining,
the presenter's switch and removal."""
import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.live import guests, sessions
from app.live.broker import current_broker


@pytest.fixture
def app_config(database_uri):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "RATELIMIT_ENABLED": True,
            "WTF_CSRF_ENABLED": True}


def _token(client, url):
    from tests.plugins.factories import csrf_token_from
    return csrf_token_from(client.get(url).get_data(as_text=True))


def test_guest_join_is_limited_on_wrong_codes_and_needs_csrf(app, room, csrf_sign_in):
    session = sessions.start_session(room["teacher"].id, room["cohort"], 1, catalog(), now=utcnow())
    guests.set_guests_allowed(current_broker(), room["teacher"].id, session.id, True, now=utcnow())
    wrong = "22222" + ("3" if session.code != "222223" else "4")

    client = app.test_client()
    token = _token(client, f"/join/guest?code={session.code}")
    assert client.post("/join/guest", data={"code": session.code, "nickname": "Sam"}).status_code == 400  # no token
    # refused nicknames never count against anyone
    for _ in range(12):
        assert client.post("/join/guest", data={"code": session.code, "nickname": "...",
                                                "csrf_token": token}).status_code == 422
    statuses = [client.post("/join/guest", data={"code": wrong, "nickname": "Sam", "csrf_token": token}).status_code
                for _ in range(12)]
    assert statuses[:10] == [422] * 10 and statuses[10:] == [429, 429]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.guest_session_id.is_not(None))) == 0

    other = app.test_client()
    token = _token(other, "/join/guest")
    # another browser from the same address (a room shares one): the address limit is higher
    response = other.post("/join/guest", data={"code": session.code, "nickname": "Sam", "csrf_token": token})
    assert response.status_code in (303, 429)


def test_the_presenters_switch_and_removal_need_csrf(app, room, csrf_sign_in):
    session = sessions.start_session(room["teacher"].id, room["cohort"], 1, catalog(), now=utcnow())
    teacher = csrf_sign_in(app.test_client(), room["teacher"])
    assert teacher.post(f"/live/{session.id}/guests", data={"allowed": "1"}).status_code == 400
    token = _token(teacher, f"/live/{session.id}/present")
    assert teacher.post(f"/live/{session.id}/guests", data={"allowed": "1", "csrf_token": token}).status_code == 303

    guest_client = app.test_client()
    token_g = _token(guest_client, f"/join/guest?code={session.code}")
    assert guest_client.post("/join/guest", data={"code": session.code, "nickname": "Sam",
                                                  "csrf_token": token_g}).status_code == 303
    guest_id = db.session.scalar(sa.select(User.id).where(User.guest_session_id == session.id))
    assert teacher.post(f"/live/{session.id}/guests/{guest_id}/remove").status_code == 400
    assert db.session.get(User, guest_id) is not None
    token = _token(teacher, f"/live/{session.id}/present")
    assert teacher.post(f"/live/{session.id}/guests/{guest_id}/remove", data={"csrf_token": token}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, guest_id) is None
