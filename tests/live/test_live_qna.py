"""Q&A in a live session (issue 20), through the Flask test client: asking, upvoting (once, never
one's own, withdrawn), the posting limit, anonymous and named lists, the presenter's marks, who may
do what, and the CSV."""
import csv
import io
import json
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.db import utcnow
from app.extensions import db
from app.live import qna, qna_rules
from app.live.broker import current_broker
from app.live.models import LiveQuestion, LiveQuestionVote, LiveSession

JSON = {"Accept": "application/json"}


def _ask(client, session_id, text):
    return client.post(f"/live/{session_id}/qna", json={"text": text}, headers=JSON)


def _vote(client, session_id, question_id, undo=False):
    return client.post(f"/live/{session_id}/qna/{question_id}/{'unvote' if undo else 'vote'}", headers=JSON)


def _questions(client, session_id):
    response = client.get(f"/live/{session_id}/questions")
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture
def qna_room(app, room, start, join):
    teacher, session = start(app, room)
    ana, _ = join(app, room["ana"], session.code)
    ben, _ = join(app, room["ben"], session.code)
    return {"teacher": teacher, "ana": ana, "ben": ben, "id": session.id, "code": session.code}


def test_participants_ask_and_upvote_others_questions_and_the_list_is_sorted_by_votes_then_time(qna_room):
    sid, ana, ben = qna_room["id"], qna_room["ana"], qna_room["ben"]
    first = _ask(ana, sid, "  What counts as   a cluster? ")
    assert first.status_code == 200 and first.get_json()["text"] == "What counts as a cluster?"
    second = _ask(ben, sid, "Can we see the slides later?").get_json()["question"]
    assert [q["text"] for q in _questions(ana, sid)["questions"]] == ["What counts as a cluster?",
                                                                    "Can we see the slides later?"]
    voted = _vote(ana, sid, second)
    assert voted.status_code == 200 and voted.get_json() == {"question": second, "votes": 1, "voted": True}
    listed = _questions(ana, sid)
    assert [(q["text"], q["votes"]) for q in listed["questions"]] == [("Can we see the slides later?", 1),
                                                                      ("What counts as a cluster?", 0)]
    assert listed["mine"] == [first.get_json()["question"]] and listed["voted"] == [second]
    page = ana.get(f"/live/{sid}").get_data(as_text=True)
    assert "Questions for the instructor" in page and "Can we see the slides later?" in page
    assert "You asked this" in page and "Upvoted · withdraw" in page


def test_a_second_vote_changes_nothing_and_a_vote_can_be_withdrawn(qna_room):
    sid, ana, ben = qna_room["id"], qna_room["ana"], qna_room["ben"]
    question = _ask(ben, sid, "Why twelve stages?").get_json()["question"]
    sub = current_broker().subscribe(sid, staff=True)
    assert _vote(ana, sid, question).get_json()["votes"] == 1
    told = sub.get(timeout=2)                              # the vote is news: the list with 1 vote
    assert told is not None and told.kind == "qna" and "1 vote<" in json.loads(told.data)["html"]
    again = _vote(ana, sid, question)
    assert again.status_code == 200 and again.get_json()["votes"] == 1
    assert sub.get(timeout=0.3) is None                    # the same vote again is not
    sub.close()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveQuestionVote)) == 1
    assert _vote(ana, sid, question, undo=True).get_json() == {"question": question, "votes": 0, "voted": False}
    assert _vote(ana, sid, question, undo=True).get_json()["votes"] == 0
    assert _vote(ana, sid, question).get_json()["votes"] == 1


def test_voting_for_ones_own_question_is_refused(qna_room):
    sid, ana = qna_room["id"], qna_room["ana"]
    question = _ask(ana, sid, "Is lunch at one?").get_json()["question"]
    refused = _vote(ana, sid, question)
    assert refused.status_code == 422 and "your own question" in refused.get_json()["message"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveQuestionVote)) == 0


def test_one_person_voting_from_eight_tabs_at_once_counts_once(app, room, qna_room, join):
    sid = qna_room["id"]
    question = _ask(qna_room["ben"], sid, "Parallel?").get_json()["question"]
    tabs = [join(app, room["ana"], qna_room["code"])[0] for _ in range(8)]
    barrier = threading.Barrier(len(tabs))
    statuses: list[int] = []

    def vote(client):
        barrier.wait()
        statuses.append(_vote(client, sid, question).status_code)

    threads = [threading.Thread(target=vote, args=(c,)) for c in tabs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    db.session.rollback()
    assert statuses == [200] * len(tabs)
    assert db.session.scalar(sa.select(sa.func.count()).where(LiveQuestionVote.question_id == question)) == 1


def test_the_database_refuses_a_second_vote_by_the_same_person(qna_room, room):
    question = _ask(qna_room["ben"], qna_room["id"], "Constraint?").get_json()["question"]
    db.session.add(LiveQuestionVote(question_id=question, user_id=room["ana"].id, voted_at=utcnow()))
    db.session.commit()
    db.session.add(LiveQuestionVote(question_id=question, user_id=room["ana"].id, voted_at=utcnow()))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_database_keeps_one_question_on_screen_per_session(qna_room):
    sid = qna_room["id"]
    ids = [_ask(qna_room["ana"], sid, f"Q{i}").get_json()["question"] for i in range(2)]
    db.session.execute(sa.update(LiveQuestion).where(LiveQuestion.id == ids[0]).values(on_screen_at=utcnow()))
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(sa.update(LiveQuestion).where(LiveQuestion.id == ids[1]).values(on_screen_at=utcnow()))
        db.session.commit()
    db.session.rollback()


def test_a_fourth_question_in_a_minute_is_refused_saying_when_to_ask_again(qna_room):
    sid, ana = qna_room["id"], qna_room["ana"]
    for i in range(qna_rules.POSTS_PER_WINDOW):
        assert _ask(ana, sid, f"Question {i}").status_code == 200
    refused = _ask(ana, sid, "One too many")
    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 1 <= wait <= 60
    assert "3 questions a minute" in refused.get_json()["message"] and "ask again in" in refused.get_json()["message"]
    assert _ask(qna_room["ben"], sid, "Someone else may").status_code == 200
    # a form post (no JavaScript) comes back to the page with the reason
    form = ana.post(f"/live/{sid}/qna", data={"text": "by form"})
    assert form.status_code == 303 and "ask again in" in ana.get(form.headers["Location"]).get_data(as_text=True)


def test_the_limit_counts_the_last_sixty_seconds_in_the_database(app, room, qna_room):
    sid, ana_id, broker = qna_room["id"], room["ana"].id, current_broker()
    t0 = utcnow()
    for i in range(3):
        qna.post_question(broker, ana_id, sid, f"q{i}", now=t0 + timedelta(seconds=i))
    with pytest.raises(qna.QuestionLimitReached) as refused:
        qna.post_question(broker, ana_id, sid, "too soon", now=t0 + timedelta(seconds=30))
    assert refused.value.retry_after == 30
    db.session.rollback()
    qna.post_question(broker, ana_id, sid, "a minute later", now=t0 + timedelta(seconds=60, milliseconds=1))
    assert db.session.scalar(sa.select(sa.func.count()).where(LiveQuestion.user_id == ana_id)) == 4


@pytest.mark.parametrize(("text", "why"), [("", "Type your question"), ("x" * 281, "280 characters"),
                                           ("bad \u202e name", "text-direction control")])
def test_empty_long_or_unsafe_questions_are_refused(qna_room, text, why):
    refused = _ask(qna_room["ana"], qna_room["id"], text)
    assert refused.status_code == 422 and why in refused.get_json()["message"]


def test_anonymous_questions_never_carry_the_authors_name_to_the_room(app, qna_room):
    sid, ana, ben, teacher = qna_room["id"], qna_room["ana"], qna_room["ben"], qna_room["teacher"]
    sub = current_broker().subscribe(sid, staff=True)
    question = _ask(ana, sid, "Anonymous by default?").get_json()["question"]
    message = sub.get(timeout=2)
    assert message is not None and message.kind == "qna" and message.audience == "class"
    event = json.loads(message.data)
    assert "Anonymous by default?" in event["html"] and "Ana Ruiz" not in message.data
    assert 'name="csrf_token" value=""' in event["html"]                  # nothing personal in the shared copy
    listed = _questions(ben, sid)
    assert listed["anonymous"] is True and "author" not in listed["questions"][0]
    for url in (f"/live/{sid}/questions", f"/live/{sid}/qna", f"/live/{sid}"):
        body = ben.get(url).get_data(as_text=True)
        assert "Anonymous by default?" in body and "Ana Ruiz" not in body, url
        assert str(qna_room["ana"]) not in body
    assert "Ana Ruiz" not in json.dumps(_questions(ana, sid))          # not even to herself, in the list
    # staff see who asked; the projector (the room reads it) does not
    assert "Ana Ruiz" in teacher.get(f"/live/{sid}/qna/staff").get_data(as_text=True)
    assert teacher.post(f"/live/{sid}/qna/{question}/screen", data={"on": "1"}).status_code == 303
    projector = teacher.get(f"/live/{sid}/projector/panel").get_data(as_text=True)
    assert "Anonymous by default?" in projector and "Ana Ruiz" not in projector
    sub.close()


def test_named_questions_show_the_authors_name_to_everyone(qna_room):
    sid, ana, ben, teacher = qna_room["id"], qna_room["ana"], qna_room["ben"], qna_room["teacher"]
    question = _ask(ana, sid, "Who asked?").get_json()["question"]
    assert teacher.post(f"/live/{sid}/qna/anonymous", data={"anonymous": "0"}).status_code == 303
    listed = _questions(ben, sid)
    assert listed["anonymous"] is False and listed["questions"][0]["author"] == "Ana Ruiz"
    assert "Ana Ruiz" in ben.get(f"/live/{sid}/qna").get_data(as_text=True)
    teacher.post(f"/live/{sid}/qna/{question}/screen", data={"on": "1"})
    assert "Ana Ruiz" in teacher.get(f"/live/{sid}/projector/panel").get_data(as_text=True)
    teacher.post(f"/live/{sid}/qna/anonymous", data={"anonymous": "1"})
    assert "Ana Ruiz" not in ben.get(f"/live/{sid}/qna").get_data(as_text=True)
    assert "Ana Ruiz" not in teacher.get(f"/live/{sid}/projector/panel").get_data(as_text=True)


def test_the_presenter_puts_one_question_on_screen_marks_answered_and_hides(qna_room):
    sid, ana, ben, teacher = qna_room["id"], qna_room["ana"], qna_room["ben"], qna_room["teacher"]
    first = _ask(ana, sid, "First question").get_json()["question"]
    second = _ask(ben, sid, "Second question").get_json()["question"]
    _vote(ana, sid, second)
    board = teacher.get(f"/live/{sid}/present").get_data(as_text=True)
    assert "Questions from the room" in board and "1 vote" in board and "Put on screen" in board
    version = db.session.get(LiveSession, sid).version

    teacher.post(f"/live/{sid}/qna/{first}/screen", data={"on": "1"})
    session = db.session.get(LiveSession, sid, populate_existing=True)
    assert session.projector == "qna" and session.version == version + 1
    panel = teacher.get(f"/live/{sid}/projector/panel").get_data(as_text=True)
    assert 'data-screen="qna"' in panel and "First question" in panel and "<strong>0</strong> votes" in panel
    # a second one replaces it: one at a time
    teacher.post(f"/live/{sid}/qna/{second}/screen", data={"on": "1"})
    panel = teacher.get(f"/live/{sid}/projector/panel").get_data(as_text=True)
    assert "Second question" in panel and "<strong>1</strong> vote" in panel and "First question" not in panel
    assert [q["on_screen"] for q in _questions(ben, sid)["questions"]] == [True, False]
    # taken off: the projector goes back (no lesson yet: the join code)
    teacher.post(f"/live/{sid}/qna/{second}/screen", data={"on": "0"})
    assert db.session.get(LiveSession, sid, populate_existing=True).projector == "lesson"
    assert 'data-screen="join"' in teacher.get(f"/live/{sid}/projector/panel").get_data(as_text=True)

    teacher.post(f"/live/{sid}/qna/{second}/answered", data={"answered": "1"})
    listed = _questions(ben, sid)
    assert [q["text"] for q in listed["questions"]] == ["First question"]
    assert [(q["text"], q["answered"]) for q in listed["answered"]] == [("Second question", True)]
    assert "Answered" in ben.get(f"/live/{sid}/qna").get_data(as_text=True)
    teacher.post(f"/live/{sid}/qna/{second}/answered", data={"answered": "0"})
    assert len(_questions(ben, sid)["questions"]) == 2

    teacher.post(f"/live/{sid}/qna/{first}/screen", data={"on": "1"})
    teacher.post(f"/live/{sid}/qna/{first}/hide")
    assert [q["text"] for q in _questions(ben, sid)["questions"]] == ["Second question"]
    assert db.session.get(LiveSession, sid, populate_existing=True).projector == "lesson"
    assert _vote(ben, sid, first).status_code == 404
    assert "First question" not in teacher.get(f"/live/{sid}/qna/staff").get_data(as_text=True)


def test_trainees_get_403_and_other_cohorts_instructors_404_on_staff_endpoints(app, room, qna_room):
    from tests.plugins.factories import signed_in
    sid, ana = qna_room["id"], qna_room["ana"]
    question = _ask(ana, sid, "Staff only?").get_json()["question"]
    stranger = signed_in(app, room["stranger_teacher"])
    posts = [(f"/live/{sid}/qna/{question}/screen", {"on": "1"}), (f"/live/{sid}/qna/{question}/answered",
             {"answered": "1"}), (f"/live/{sid}/qna/{question}/hide", {}), (f"/live/{sid}/qna/anonymous",
                                                                          {"anonymous": "0"})]
    for url, data in posts:
        assert ana.post(url, data=data).status_code == 403, url
        assert stranger.post(url, data=data).status_code == 404, url
    for url in (f"/live/{sid}/qna/staff", f"/live/{sid}/questions.csv"):
        assert ana.get(url).status_code == 403 and stranger.get(url).status_code == 404
    question_row = db.session.get(LiveQuestion, question)
    assert question_row.hidden_at is None and question_row.answered_at is None and question_row.on_screen_at is None
    assert db.session.get(LiveSession, sid).qna_anonymous is True


def test_only_people_who_joined_may_ask_read_or_vote(app, room, start, qna_room):
    from tests.plugins.factories import signed_in
    sid = qna_room["id"]
    question = _ask(qna_room["ana"], sid, "Members only").get_json()["question"]
    for person in ("outsider", "admin"):
        client = signed_in(app, room[person])
        assert _ask(client, sid, "let me in").status_code == 403
        assert _vote(client, sid, question).status_code == 403
        assert client.get(f"/live/{sid}/questions").status_code == 403
        assert client.get(f"/live/{sid}/qna").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveQuestion)) == 1


def test_nothing_can_be_asked_once_the_session_has_ended(qna_room):
    sid, teacher = qna_room["id"], qna_room["teacher"]
    question = _ask(qna_room["ana"], sid, "Before the end").get_json()["question"]
    teacher.post(f"/live/{sid}/end", data={"confirm": "yes"})
    refused = _ask(qna_room["ana"], sid, "After the end")
    assert refused.status_code == 422 and "ended" in refused.get_json()["message"]
    assert _vote(qna_room["ben"], sid, question).status_code == 422
    assert "Before the end" in qna_room["ben"].get(f"/live/{sid}").get_data(as_text=True)


def test_the_csv_lists_every_question_with_votes_author_times_and_hidden(qna_room):
    sid, ana, ben, teacher = qna_room["id"], qna_room["ana"], qna_room["ben"], qna_room["teacher"]
    kept = _ask(ana, sid, "=1+1 is it formula?").get_json()["question"]
    gone = _ask(ben, sid, "Rude question").get_json()["question"]
    _vote(ben, sid, kept)
    teacher.post(f"/live/{sid}/qna/{kept}/answered", data={"answered": "1"})
    teacher.post(f"/live/{sid}/qna/{gone}/hide")
    present = teacher.get(f"/live/{sid}/present").get_data(as_text=True)
    assert f"/live/{sid}/questions.csv" in present
    response = teacher.get(f"/live/{sid}/questions.csv")
    assert response.status_code == 200 and "questions.csv" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0] == ["Question", "Votes", "Name", "Email", "Posted (UTC)", "Answered (UTC)", "Hidden"]
    assert rows[1][0].startswith("'=") and rows[1][1:3] == ["1", "Ana Ruiz"] and rows[1][5] and rows[1][6] == ""
    assert rows[2][0] == "Rude question" and rows[2][2] == "Ben Okafor" and rows[2][6] == "yes"


def test_beyond_the_top_five_the_phones_list_folds_the_rest_away(app, room, qna_room):
    sid, broker = qna_room["id"], current_broker()
    t0 = utcnow()
    for i in range(7):
        qna.post_question(broker, room["ana"].id if i % 2 else room["ben"].id, sid, f"Question number {i}",
                          now=t0 - timedelta(minutes=10 - i))
    page = qna_room["ana"].get(f"/live/{sid}/qna").get_data(as_text=True)
    top, _, folded = page.partition("data-qna-more")
    assert all(f"Question number {i}" in top for i in range(5))
    assert "2 more questions" in folded and "Question number 5" in folded and "Question number 6" in folded


def _data(block: str) -> dict:
    return json.loads(next(line for line in block.splitlines() if line.startswith("data: "))[6:])


def test_qna_events_reach_phones_with_the_shared_list_and_staff_as_a_nudge_and_bursts_are_coalesced(
        app, qna_room, event_stream, engine):
    sid, ana, ben, teacher = qna_room["id"], qna_room["ana"], qna_room["ben"], qna_room["teacher"]
    with engine(app) as (base, _asgi):
        phone = event_stream(base, f"/live/{sid}/events", ana, timeout=3)
        staff = event_stream(base, f"/live/{sid}/staff/events", teacher, timeout=3)
        assert "event: state" in phone.events(2)[1]         # retry, state
        staff.events(4)                                    # retry, state, presence, tally
        question = _ask(ben, sid, "Streams?").get_json()["question"]
        block = phone.next()
        assert block.startswith("event: qna")
        shared = _data(block)
        assert shared["count"] == 1 and "Streams?" in shared["html"] and "Ben Okafor" not in block
        nudge = staff.next()
        assert nudge.startswith("event: qna") and _data(nudge) == {}
        # a burst of changes within a second: the phone gets the latest list once more, not each change
        for undo in (False, True, False, True, False):      # five changes
            _vote(ana, sid, question, undo=undo)
        seen = []
        try:
            while True:
                seen.append(phone.next())
        except TimeoutError:
            pass
        lists = [_data(b) for b in seen if b.startswith("event: qna")]
        assert 1 <= len(lists) <= 3 and "1 vote<" in lists[-1]["html"]     # fewer lists than changes; the last is right
        phone.close()
        staff.close()
