"""Word clouds, open answers and rating scales in live polls (issue 20), through the Flask test
client: launched from the presenter's quick-question form, answered by two trainees, moderated by
the instructor (hide a word, approve an answer), and what each screen and the CSV then hold."""
import csv
import io

import pytest

from app.errors import InputRejected
from app.extensions import db
from app.live import kinds, screens
from app.live.models import LiveAnswer, LiveSession

JSON = {"Accept": "application/json"}


def _adhoc(teacher, session_id, kind, prompt="What makes a group work?", **fields):
    return teacher.post(f"/live/{session_id}/polls", data={"source": "adhoc", "kind": kind, "prompt": prompt, **fields})


def _send(client, session_id, poll_id, answer):
    return client.post(f"/live/{session_id}/polls/{poll_id}/answer", json={"answer": answer}, headers=JSON)


def _csv(teacher, session_id):
    return list(csv.reader(io.StringIO(teacher.get(f"/live/{session_id}/polls.csv").get_data(as_text=True))))


@pytest.fixture
def live_room(app, room, start, join):
    teacher, session = start(app, room)
    ana, _ = join(app, room["ana"], session.code)
    ben, _ = join(app, room["ben"], session.code)
    return teacher, session.id, ana, ben


def test_a_word_cloud_counts_terms_per_person_and_hides_a_word_everywhere_but_the_csv(live_room):
    teacher, session_id, ana, ben = live_room
    assert _adhoc(teacher, session_id, "word_cloud", lang="en").status_code == 303
    poll = screens.current_poll(session_id)
    assert poll.question["type"] == "word_cloud" and poll.scored is False and poll.source == "adhoc"
    state = ana.get(f"/live/{session_id}/state").get_json()
    assert state["poll"]["question"]["type"] == "word_cloud" and state["poll"]["question"]["slots"] == 3
    page = ana.get(f"/live/{session_id}/poll").get_data(as_text=True)
    assert 'name="q-adhoc--1"' in page and 'name="q-adhoc--3"' in page

    assert _send(ana, session_id, poll.id, ["Trust", "the TRUST!", "Goals<b>x</b>y"]).status_code == 200
    # the form's three fields work as well as JSON
    form = ben.post(f"/live/{session_id}/polls/{poll.id}/answer",
                    data={"q-adhoc--1": "trust", "q-adhoc--2": "Pizza", "q-adhoc--3": "the"})
    assert form.status_code == 303
    assert db.session.scalar(db.select(LiveAnswer.answer).filter_by(poll_id=poll.id, user_id=_uid(ben))) == ["trust", "Pizza", "the"]

    projector = teacher.get(f"/live/{session_id}/projector/panel").get_data(as_text=True)
    assert "<svg class=\"cloud__svg\"" in projector and ">trust</text>" in projector and ">pizza</text>" in projector
    assert "goals&lt;b&gt;x&lt;/b&gt;y" in projector and "<b>" not in projector      # escaped
    assert 'data-count="2">trust<' in projector                                            # Ana's twice counts once
    present = teacher.get(f"/live/{session_id}/present/panel").get_data(as_text=True)
    assert "pizza" in present and "Hide" in present

    # hide "pizza": gone from the projector and from participants' results, marked in the CSV
    version = db.session.get(LiveSession, session_id).version
    assert teacher.post(f"/live/{session_id}/polls/{poll.id}/terms", data={"term": "pizza", "hidden": "1"}).status_code == 303
    db.session.rollback()
    assert db.session.get(LiveSession, session_id, populate_existing=True).version == version + 1
    projector = teacher.get(f"/live/{session_id}/projector/panel").get_data(as_text=True)
    assert "pizza" not in projector.lower() and ">trust</text>" in projector
    present = teacher.get(f"/live/{session_id}/present/panel").get_data(as_text=True)
    assert "pizza" in present and "hidden" in present and "Show" in present
    assert teacher.post(f"/live/{session_id}/polls/{poll.id}/reveal").status_code == 303
    results = ana.get(f"/live/{session_id}/state").get_json()["poll"]["results"]
    assert [b["label"] for b in results["bars"]] == ["trust", "goals<b>x</b>y"]
    assert "pizza" not in ana.get(f"/live/{session_id}/poll").get_data(as_text=True).lower()
    rows = _csv(teacher, session_id)
    ben_row = next(r for r in rows[1:] if r[7] == "Ben Okafor")
    assert ben_row[10] == "opinion; terms: pizza (hidden), trust" and ben_row[11] == "0"
    totals = next(r for r in rows[1:] if r[7] == "(all answers)")
    assert totals[9] == "trust: 2 | goals<b>x</b>y: 1 | pizza: 1 (hidden)"

    # and shown again
    assert teacher.post(f"/live/{session_id}/polls/{poll.id}/terms", data={"term": "Pizza", "hidden": "0"}).status_code == 303
    assert ">pizza</text>" in teacher.get(f"/live/{session_id}/projector/panel").get_data(as_text=True)
    assert screens.standings(session_id) == []                              # never on the leaderboard


def _uid(client):
    with client.session_transaction() as s:
        return int(s["_user_id"].split(":")[0])


def test_open_answers_queue_for_the_instructor_and_only_approved_ones_reach_the_projector(live_room):
    teacher, session_id, ana, ben = live_room
    assert _adhoc(teacher, session_id, "open_text", prompt="One worry?").status_code == 303
    poll = screens.current_poll(session_id)
    assert poll.question["type"] == "open_text" and not poll.show_names
    assert _send(ana, session_id, poll.id, "Nobody will <em>come</em>").status_code == 200
    assert _send(ben, session_id, poll.id, "   \n  ").status_code == 422              # nothing written
    assert _send(ben, session_id, poll.id, "x" * 400).status_code == 200
    stored = db.session.scalar(db.select(LiveAnswer.answer).filter_by(poll_id=poll.id, user_id=_uid(ben)))
    assert stored == "x" * 280

    present = teacher.get(f"/live/{session_id}/present/panel").get_data(as_text=True)
    assert "Ana Ruiz" in present and "Ben Okafor" in present and "Nobody will &lt;em&gt;come&lt;/em&gt;" in present
    assert present.index("Ana Ruiz") < present.index("Ben Okafor")           # newest last
    projector = teacher.get(f"/live/{session_id}/projector/panel").get_data(as_text=True)
    assert "Nobody will" not in projector and "xxxx" not in projector and "<strong>2</strong> answers" in projector

    ana_answer = db.session.scalar(db.select(LiveAnswer).filter_by(poll_id=poll.id, user_id=_uid(ana)))
    ben_answer = db.session.scalar(db.select(LiveAnswer).filter_by(poll_id=poll.id, user_id=_uid(ben)))
    url = f"/live/{session_id}/polls/{poll.id}/answers"
    assert teacher.post(f"{url}/{ana_answer.id}", data={"action": "approve"}).status_code == 303
    assert teacher.post(f"{url}/{ben_answer.id}", data={"action": "reject"}).status_code == 303
    projector = teacher.get(f"/live/{session_id}/projector/panel").get_data(as_text=True)
    assert "Nobody will &lt;em&gt;come&lt;/em&gt;" in projector and "xxxx" not in projector
    assert "Ana Ruiz" not in projector                                       # anonymous by default
    # Ana sees hers was shown; Ben's page shows neither Ana's name nor her answer
    assert ana.get(f"/live/{session_id}/state").get_json()["poll"]["shown"] is True
    assert "showed your answer" in ana.get(f"/live/{session_id}/poll").get_data(as_text=True)
    ben_state = ben.get(f"/live/{session_id}/state").get_json()
    assert ben_state["poll"]["shown"] is False and "Ana" not in str(ben_state) and "Nobody" not in str(ben_state)
    assert ben_state["poll"]["approved"] == [ana_answer.id] and ben_state["poll"]["my_answer_id"] == ben_answer.id
    assert teacher.post(f"/live/{session_id}/polls/{poll.id}/reveal").status_code == 303
    for page in (ben.get(f"/live/{session_id}/poll").get_data(as_text=True), str(ben.get(f"/live/{session_id}/state").get_json())):
        assert "Ana Ruiz" not in page and "Nobody will" not in page

    rows = _csv(teacher, session_id)
    assert next(r for r in rows[1:] if r[7] == "Ana Ruiz")[9:11] == ["Nobody will <em>come</em>", "approved: yes"]
    assert next(r for r in rows[1:] if r[7] == "Ben Okafor")[10] == "approved: no (rejected)"

    # un-approving takes it off the projector; a changed answer goes back to the queue
    assert teacher.post(f"{url}/{ana_answer.id}", data={"action": "unapprove"}).status_code == 303
    assert "Nobody will" not in teacher.get(f"/live/{session_id}/projector/panel").get_data(as_text=True)
    assert teacher.post(f"{url}/{ana_answer.id}", data={"action": "explode"}, headers=JSON).status_code == 422


def test_names_show_on_the_projector_only_when_the_poll_was_launched_so(live_room):
    teacher, session_id, ana, _ben = live_room
    assert _adhoc(teacher, session_id, "open_text", prompt="One hope?", show_names="1").status_code == 303
    poll = screens.current_poll(session_id)
    assert poll.show_names
    _send(ana, session_id, poll.id, "Clear roles")
    mine = db.session.scalar(db.select(LiveAnswer).filter_by(poll_id=poll.id))
    teacher.post(f"/live/{session_id}/polls/{poll.id}/answers/{mine.id}", data={"action": "approve"})
    projector = teacher.get(f"/live/{session_id}/projector/panel").get_data(as_text=True)
    assert "Clear roles" in projector and "Ana Ruiz" in projector
    # a changed answer must be approved again
    _send(ana, session_id, poll.id, "Clear roles and a chair")
    assert "Clear roles" not in teacher.get(f"/live/{session_id}/projector/panel").get_data(as_text=True)


def test_an_ad_hoc_rating_scale_shows_its_distribution_and_mean_on_the_projector(live_room):
    teacher, session_id, ana, ben = live_room
    assert _adhoc(teacher, session_id, "rating", prompt="How ready are you?", scale="4", low="Not at all",
                  high="Completely").status_code == 303
    poll = screens.current_poll(session_id)
    assert poll.question["type"] == "rating" and poll.question["scale"] == 4 and not poll.scored
    assert _send(ana, session_id, poll.id, "4").status_code == 200
    assert _send(ben, session_id, poll.id, "3").status_code == 200
    projector = teacher.get(f"/live/{session_id}/projector/panel").get_data(as_text=True)
    assert "1 (Not at all)" in projector and "4 (Completely)" in projector
    assert "Mean 3.5 of 4 · 2 ratings" in projector


@pytest.mark.parametrize(("fields", "message"), [
    ({"kind": "rating", "scale": "11", "low": "a", "high": "b"}, "scale from 2 to 10"),
    ({"kind": "rating", "scale": "5", "low": "", "high": "b"}, "both ends"),
    ({"kind": "word_cloud", "lang": "xx"}, "language"),
    ({"kind": "quiz"}, "what kind"),
    ({"kind": "open_text", "prompt": ""}, "Type the question"),
])
def test_an_ad_hoc_kind_with_bad_settings_is_refused_saying_why(live_room, fields, message):
    teacher, session_id, _ana, _ben = live_room
    response = teacher.post(f"/live/{session_id}/polls", data={"source": "adhoc", "prompt": "Q?", **fields}, headers=JSON)
    assert response.status_code == 422 and message in response.get_json()["message"]
    assert screens.current_poll(session_id) is None
    # without JavaScript the form comes back with the kind chosen
    page = teacher.post(f"/live/{session_id}/polls", data={"source": "adhoc", "prompt": "Q?", **fields})
    assert page.status_code == 303 and "kind=" in page.headers["Location"]


def test_the_presenter_form_offers_every_kind_without_javascript(live_room):
    teacher, session_id, _ana, _ben = live_room
    page = teacher.get(f"/live/{session_id}/present").get_data(as_text=True)
    for value in ("choice", "word_cloud", "open_text", "rating"):
        assert f'name="kind" value="{value}"' in page
    assert 'name="scale"' in page and 'name="low"' in page and 'name="show_names"' in page
    assert 'value="choice" checked' in page
    # the choice poll still launches as before
    assert _adhoc(teacher, session_id, "choice", prompt="Tea?", options="Tea\nCoffee").status_code == 303
    assert screens.current_poll(session_id).question["type"] == "single"


def test_only_the_sessions_staff_may_moderate(app, room, live_room, login):
    teacher, session_id, ana, _ben = live_room
    _adhoc(teacher, session_id, "open_text")
    poll = screens.current_poll(session_id)
    _send(ana, session_id, poll.id, "Mine")
    answer_id = db.session.scalar(db.select(LiveAnswer.id).filter_by(poll_id=poll.id))
    other = login(app, room["stranger_teacher"])
    for client in (ana, other):
        assert client.post(f"/live/{session_id}/polls/{poll.id}/answers/{answer_id}",
                           data={"action": "approve"}).status_code in (403, 404)
        assert client.post(f"/live/{session_id}/polls/{poll.id}/terms", data={"term": "x", "hidden": "1"}).status_code in (403, 404)
    assert ana.post(f"/live/{session_id}/polls/{poll.id}/answers/{answer_id}", data={"action": "approve"}).status_code == 403
    assert ana.get(f"/live/{session_id}/present/panel").status_code == 403
    assert db.session.get(LiveAnswer, answer_id).approved_at is None
    # a word cloud action on an open question (and the reverse) is refused
    assert teacher.post(f"/live/{session_id}/polls/{poll.id}/terms", data={"term": "x", "hidden": "1"},
                        headers=JSON).status_code == 422


def test_question_analytics_count_word_clouds_and_open_answers_without_a_facility_or_their_texts():
    from app.content.quizzes import Question
    from app.quizzes.types import registry
    from app.teach.analytics import question_stats

    cloud = Question(id="words", type="word_cloud", prompt="P", points=1.0, explanation="",
                     body=registry.get("word_cloud").from_dict({"lang": "en"})).to_dict()
    open_q = Question(id="open", type="open_text", prompt="Q", points=1.0, explanation="",
                      body=registry.get("open_text").from_dict({})).to_dict()
    attempts = [([cloud, open_q], {"words": ["Trust", "the trust"], "open": "private text"}),
                ([cloud, open_q], {"words": "trust"}), ([cloud, open_q], {})]
    stats = {s.question_id: s for s in question_stats(attempts)}
    assert stats["words"].answered == 3 and stats["words"].facility is None and stats["words"].summary == "1 different term"
    assert stats["open"].facility is None and stats["open"].summary == "1 written answer"
    assert "private text" not in str(stats["open"])
    assert registry.get("open_text").tally(None, {}, [("secret", 0.0)], scored=False, with_key=True).bars == ()


def test_kinds_refuse_an_unknown_kind_without_flask():
    with pytest.raises(InputRejected):
        kinds.adhoc_question("nope", "Q?")
    question = kinds.adhoc_question("rating", "Q?", scale="7", low="Low", high="High")
    assert question.body.top == 7 and not question.has_key


class TestWithCsrf:
    @pytest.fixture
    def app_config(self, database_uri):
        return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "WTF_CSRF_ENABLED": True}

    def test_hiding_a_word_needs_the_pages_csrf_token(self, app, room, csrf_sign_in, csrf_token_from):
        teacher = csrf_sign_in(app.test_client(), room["teacher"])
        token = csrf_token_from(teacher.get("/").get_data(as_text=True))
        started = teacher.post("/live/start", data={"cohort_id": room["cohort"], "day": 1, "csrf_token": token})
        session_id = int(started.headers["Location"].split("/")[2])
        assert _adhoc(teacher, session_id, "word_cloud", csrf_token=token).status_code == 303
        poll = screens.current_poll(session_id)
        url = f"/live/{session_id}/polls/{poll.id}/terms"
        assert teacher.post(url, data={"term": "x", "hidden": "1"}).status_code == 400
        assert teacher.post(url, data={"term": "x", "hidden": "1", "csrf_token": token}).status_code == 303
        db.session.rollback()
        assert screens.current_poll(session_id).hidden_terms == ["x"]
        assert teacher.post(f"/live/{session_id}/polls/{poll.id}/answers/1", data={"action": "approve"}).status_code == 400
