"""Guessing live-session codes is rate-limited; the right code never counts against anyone."""
import pytest

from app.cohorts import services as cohorts
from app.content.catalog import catalog
from app.db import utcnow
from app.live import sessions


@pytest.fixture
def app_config(database_uri):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "RATELIMIT_ENABLED": True}


def test_wrong_codes_are_limited_per_person_and_right_ones_are_not(app, make_user, password):
    admin = make_user(roles=("admin",))
    teacher = make_user(roles=("instructor",))
    guesser, other = make_user(), make_user()
    cohort = cohorts.save_cohort(admin.id, None, name="Limits", track="live", starts_on=None, ends_on=None,
                                 instructor_ids=[teacher.id], now=utcnow())
    cohorts.enrol(admin.id, cohort.id, [guesser.id, other.id], now=utcnow())
    code = sessions.start_session(teacher.id, cohort.id, 1, catalog(), now=utcnow()).code
    wrong = "22222" + ("3" if code != "222223" else "4")

    client = app.test_client()
    client.post("/login", data={"email": guesser.email, "password": password})
    for _ in range(5):   # right codes, again and again: never limited
        assert client.post("/join", data={"code": code}).status_code == 303
    statuses = [client.post("/join", data={"code": wrong}).status_code for _ in range(12)]
    assert statuses[:10] == [422] * 10 and statuses[10:] == [429, 429]
    assert client.post("/join", data={"code": code}).status_code == 429   # over the limit: wait a minute

    neighbour = app.test_client()    # same address, another person: still free to join
    neighbour.post("/login", data={"email": other.email, "password": password})
    assert neighbour.post("/join", data={"code": code}).status_code == 303
