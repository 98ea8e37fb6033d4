"""Plugin: the live-session room (`room`: a cohort with an instructor and two trainees, an outsider
in another cohort with its own instructor, built with make_user and make_cohort) and the HTTP steps
live-session tests take, as fixtures returning callables: `start`, `join`, `bank_poll`, `first_single`."""
import pytest

from app.content.catalog import catalog
from app.extensions import db
from app.live import screens
from app.live.models import LiveSession
from tests.plugins.factories import signed_in as login


@pytest.fixture
def room(app, make_user, make_cohort):
    admin = make_user(roles=("admin",))
    teacher = make_user(roles=("instructor",), display_name="Tess Teacher")
    stranger_teacher = make_user(roles=("instructor",), display_name="Oli Other")
    ana = make_user(display_name="Ana Ruiz")
    ben = make_user(display_name="Ben Okafor")
    outsider = make_user(display_name="Olga Outsider")
    mine = make_cohort(name="Room cohort", instructors=[teacher], trainees=[ana, ben], by=admin)
    make_cohort(name="Other cohort", instructors=[stranger_teacher], trainees=[outsider], by=admin)
    return {"admin": admin, "teacher": teacher, "stranger_teacher": stranger_teacher, "ana": ana, "ben": ben,
            "outsider": outsider, "cohort": mine.id}


def _start(app, room, day=1):
    teacher = login(app, room["teacher"])
    response = teacher.post("/live/start", data={"cohort_id": room["cohort"], "day": day})
    assert response.status_code == 303
    session_id = int(response.headers["Location"].split("/")[2])
    return teacher, db.session.get(LiveSession, session_id)


def _join(app, user, code):
    client = login(app, user)
    response = client.post("/join", data={"code": code})
    return client, response


def _first_single(quiz_id="stage-03"):
    return next(q for q in catalog().quiz(quiz_id).questions if q.type == "single")


def _bank_poll(teacher, session, ref=None):
    ref = ref or f"stage-03/{_first_single().id}"
    response = teacher.post(f"/live/{session.id}/polls", data={"source": "bank", "question": ref})
    assert response.status_code == 303
    return screens.current_poll(session.id)


@pytest.fixture
def start():
    """`start(app, room, day=1)`: the room's instructor starts a session over HTTP → (their client, session)."""
    return _start


@pytest.fixture
def join():
    """`join(app, user, code)`: `user` joins with the session code → (their client, response)."""
    return _join


@pytest.fixture
def first_single():
    """`first_single(quiz_id="stage-03")`: the quiz's first single-choice question."""
    return _first_single


@pytest.fixture
def bank_poll():
    """`bank_poll(teacher_client, session, ref=None)`: a poll from the question bank → the current poll."""
    return _bank_poll
