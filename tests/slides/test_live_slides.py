"""Presenting a lesson as slides in a live session, through the test client: the presenter starts,
moves (forms and JSON), polls sit between slides, phones follow only when asked; trainees and other
instructors are refused; CSRF is required; nothing sent to the room carries facilitator notes."""
import json

import pytest

from app.content.catalog import catalog
from app.extensions import db
from app.live.broker import current_broker
from app.live.models import LiveSession
from app.slides.deck import build_deck
from tests.plugins.factories import csrf_token_from, signed_in

SLUG = "stage-05-developing-the-clusters-vision"
NOTE = "Trainees work alone on points 2"          # in stage 5's facilitator notes (its title slide)


def _drain(subscription):
    messages = []
    while (message := subscription.get(0)) is not None:
        messages.append(message)
    return messages


def _row(session_id):
    return db.session.get(LiveSession, session_id, populate_existing=True)


@pytest.fixture
def presenting(app, room, start, join):
    teacher, session = start(app, room)
    phone, _ = join(app, room["ana"], session.code)
    response = teacher.post(f"/live/{session.id}/slides/start", data={"lesson": SLUG})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/live/{session.id}/present#slides")
    return teacher, phone, session.id


def test_start_next_previous_and_the_presenter_view(app, presenting):
    teacher, _phone, session_id = presenting
    row = _row(session_id)
    assert (row.lesson_key, row.slide_index, row.projector) == (SLUG, 0, "slide")
    deck = build_deck(catalog().lesson(SLUG))
    page = teacher.get(f"/live/{session_id}/present").get_data(as_text=True)
    assert "Slide <strong data-slide-position>1</strong> of" in page
    assert NOTE in page                                    # the title slide's notes, beside it
    assert f"Next: <strong data-slide-next>{deck.slides[1].title}" in page.replace("&#39;", "'")

    assert teacher.post(f"/live/{session_id}/slides/next").status_code == 303
    assert _row(session_id).slide_index == 1
    reply = teacher.post(f"/live/{session_id}/slides/next", headers={"Accept": "application/json"})
    body = reply.get_json()
    assert reply.status_code == 200 and body["index"] == 2 and body["version"] == _row(session_id).version
    assert "data-slide-position>3<" in body["html"]
    teacher.post(f"/live/{session_id}/slides/previous", headers={"Accept": "application/json"})
    assert _row(session_id).slide_index == 1
    for _ in range(3):
        teacher.post(f"/live/{session_id}/slides/previous")
    assert _row(session_id).slide_index == 0                # never before the first slide
    for _ in range(len(deck) + 2):
        teacher.post(f"/live/{session_id}/slides/next")
    assert _row(session_id).slide_index == len(deck) - 1    # nor past the last

    teacher.post(f"/live/{session_id}/slides/stop")
    row = _row(session_id)
    assert row.slide_index is None and row.projector == "lesson"
    assert teacher.post(f"/live/{session_id}/slides/next", headers={"Accept": "application/json"}).status_code == 422


def test_trainees_and_other_instructors_are_refused(app, room, presenting):
    _teacher, phone, session_id = presenting
    for path in ("next", "previous", "back", "stop", "phones", "start"):
        assert phone.post(f"/live/{session_id}/slides/{path}").status_code == 403, path
    assert phone.get(f"/live/{session_id}/slides/panel").status_code == 403
    other = signed_in(app, room["stranger_teacher"])
    assert other.post(f"/live/{session_id}/slides/next").status_code == 404
    assert _row(session_id).slide_index == 0
    outsider = signed_in(app, room["outsider"])
    assert outsider.get(f"/live/{session_id}/slide").status_code == 403


def test_csrf_is_required(app, room, start):
    teacher, session = start(app, room)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        assert teacher.post(f"/live/{session.id}/slides/start", data={"lesson": SLUG}).status_code == 400
        page = teacher.get(f"/live/{session.id}/present?lesson={SLUG}").get_data(as_text=True)
        token = csrf_token_from(page)
        assert teacher.post(f"/live/{session.id}/slides/start",
                            data={"lesson": SLUG, "csrf_token": token}).status_code == 303
        assert teacher.post(f"/live/{session.id}/slides/next", headers={"Accept": "application/json"}).status_code == 400
        reply = teacher.post(f"/live/{session.id}/slides/next",
                             headers={"Accept": "application/json", "X-CSRFToken": token})
        assert reply.status_code == 200 and reply.get_json()["index"] == 1
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_events_carry_the_slide_without_notes_and_phones_follow_only_when_asked(app, room, presenting):
    teacher, phone, session_id = presenting
    broker = current_broker()
    assert phone.get(f"/live/{session_id}/slide").status_code == 204     # phones keep the lesson
    with broker.subscribe(session_id, staff=False) as room_screen:
        teacher.post(f"/live/{session_id}/slides/previous")              # already first: no change, no event
        assert _drain(room_screen) == []
        teacher.post(f"/live/{session_id}/slides/phones", data={"on": "1"})
        teacher.post(f"/live/{session_id}/slides/next")
        messages = _drain(room_screen)
    assert [m.kind for m in messages] == ["state", "state"]
    states = [json.loads(m.data) for m in messages]
    assert states[-1]["slide"]["index"] == 1 and states[-1]["slide"]["on_phones"] is True
    assert states[-1]["change"] == "slide" and 'data-slide-index="1"' in states[-1]["slide"]["html"]
    for message in messages:
        assert NOTE not in message.data and "Facilitator notes" not in message.data

    # the title slide carries notes: showing it to phones and the projector must not leak them
    teacher.post(f"/live/{session_id}/slides/previous")
    fragment = phone.get(f"/live/{session_id}/slide")
    assert fragment.status_code == 200 and "slide--title" in fragment.get_data(as_text=True)
    assert NOTE not in fragment.get_data(as_text=True)
    state = phone.get(f"/live/{session_id}/state").get_json()
    assert state["slide"] == {"index": 0, "on_phones": True} and NOTE not in json.dumps(state)
    participant_page = phone.get(f"/live/{session_id}").get_data(as_text=True)
    assert NOTE not in participant_page and 'id="live-slide"' in participant_page
    projector = teacher.get(f"/live/{session_id}/projector/panel").get_data(as_text=True)
    assert 'data-screen="slide"' in projector and "slide--title" in projector and NOTE not in projector
    assert NOTE in teacher.get(f"/live/{session_id}/slides/panel").get_data(as_text=True)   # the presenter's own

    teacher.post(f"/live/{session_id}/slides/phones", data={"on": "0"})
    assert phone.get(f"/live/{session_id}/slide").status_code == 204


def test_a_poll_between_slides_then_back_to_the_same_slide(app, room, presenting, bank_poll):
    teacher, _phone, session_id = presenting
    teacher.post(f"/live/{session_id}/slides/next")
    teacher.post(f"/live/{session_id}/slides/next")
    poll = bank_poll(teacher, _row(session_id))
    row = _row(session_id)
    assert row.projector == "poll" and row.slide_index == 2
    panel = teacher.get(f"/live/{session_id}/projector/panel").get_data(as_text=True)
    assert 'data-screen="poll"' in panel
    page = teacher.get(f"/live/{session_id}/present").get_data(as_text=True)
    assert "Back to slides" in page
    teacher.post(f"/live/{session_id}/slides/back")
    row = _row(session_id)
    assert row.projector == "slide" and row.slide_index == 2
    panel = teacher.get(f"/live/{session_id}/projector/panel").get_data(as_text=True)
    assert 'data-projector-slide="2"' in panel
    assert poll.id


def test_showing_another_lesson_ends_the_slides_of_the_last(app, presenting):
    teacher, _phone, session_id = presenting
    teacher.post(f"/live/{session_id}/slides/next")
    other = catalog().day_lessons(1)[0].slug
    teacher.post(f"/live/{session_id}/show", data={"lesson": other})
    row = _row(session_id)
    assert row.lesson_key == other and row.slide_index is None and row.projector == "lesson"
