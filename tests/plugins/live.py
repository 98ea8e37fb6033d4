"""A cohort with an instructor and two trainees, an outsider and another cohort's instructor (the
`room` fixture, registered in conftest.py), and the HTTP steps live-session tests take."""
import pytest

from app.cohorts import services as cohorts
from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.live import screens
from app.live.models import LiveSession
from tests.plugins.factories import signed_in as login

JSON = {"Accept": "application/json"}


@pytest.fixture
def room(app, make_user):
    admin = make_user(roles=("admin",))
    teacher = make_user(roles=("instructor",), display_name="Tess Teacher")
    stranger_teacher = make_user(roles=("instructor",), display_name="Oli Other")
    ana = make_user(display_name="Ana Ruiz")
    ben = make_user(display_name="Ben Okafor")
    outsider = make_user(display_name="Olga Outsider")
    mine = cohorts.save_cohort(admin.id, None, name="Room cohort", track="live", starts_on=None, ends_on=None,
                               instructor_ids=[teacher.id], now=utcnow())
    theirs = cohorts.save_cohort(admin.id, None, name="Other cohort", track="live", starts_on=None, ends_on=None,
                                 instructor_ids=[stranger_teacher.id], now=utcnow())
    cohorts.enrol(admin.id, mine.id, [ana.id, ben.id], now=utcnow())
    cohorts.enrol(admin.id, theirs.id, [outsider.id], now=utcnow())
    return {"admin": admin, "teacher": teacher, "stranger_teacher": stranger_teacher, "ana": ana, "ben": ben,
            "outsider": outsider, "cohort": mine.id}


def start(app, room, day=1):
    teacher = login(app, room["teacher"])
    response = teacher.post("/live/start", data={"cohort_id": room["cohort"], "day": day})
    assert response.status_code == 303
    session_id = int(response.headers["Location"].split("/")[2])
    return teacher, db.session.get(LiveSession, session_id)


def join(app, user, code):
    client = login(app, user)
    response = client.post("/join", data={"code": code})
    return client, response


def first_single(quiz_id="stage-03"):
    return next(q for q in catalog().quiz(quiz_id).questions if q.type == "single")


def bank_poll(teacher, session, ref=None):
    ref = ref or f"stage-03/{first_single().id}"
    response = teacher.post(f"/live/{session.id}/polls", data={"source": "bank", "question": ref})
    assert response.status_code == 303
    return screens.current_poll(session.id)
