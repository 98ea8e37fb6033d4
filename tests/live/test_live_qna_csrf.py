"""Q&A (issue 20) with CSRF switched on, as in production: the participant's JSON posts need the
X-CSRFToken header (as poll answers do), the presenter's forms their csrf_token field."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.live.models import LiveQuestion, LiveQuestionVote


@pytest.fixture
def app_config(database_uri):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "WTF_CSRF_ENABLED": True}


def _signed_in(app, user, csrf_sign_in, csrf_token_from):
    client = csrf_sign_in(app.test_client(), user)
    return client, csrf_token_from(client.get("/join").get_data(as_text=True))


def test_asking_voting_and_marking_need_the_csrf_token(app, room, csrf_sign_in, csrf_token_from):
    teacher, teacher_token = _signed_in(app, room["teacher"], csrf_sign_in, csrf_token_from)
    started = teacher.post("/live/start", data={"cohort_id": room["cohort"], "day": 1, "csrf_token": teacher_token})
    sid = int(started.headers["Location"].split("/")[2])
    code = teacher.get(f"/live/{sid}/present").get_data(as_text=True).split('class="live-code"')[1].split(">")[1][:6]
    people = {}
    for name in ("ana", "ben"):
        client, token = _signed_in(app, room[name], csrf_sign_in, csrf_token_from)
        assert client.post("/join", data={"code": code, "csrf_token": token}).status_code == 303
        people[name] = (client, token)
    ana, ana_token = people["ana"]
    ben, ben_token = people["ben"]
    json_headers = {"Accept": "application/json"}

    assert ana.post(f"/live/{sid}/qna", json={"text": "No token"}, headers=json_headers).status_code == 400
    posted = ana.post(f"/live/{sid}/qna", json={"text": "With token"}, headers={**json_headers, "X-CSRFToken": ana_token})
    assert posted.status_code == 200
    question = posted.get_json()["question"]
    assert ben.post(f"/live/{sid}/qna/{question}/vote", headers=json_headers).status_code == 400
    assert ben.post(f"/live/{sid}/qna/{question}/vote", headers={**json_headers, "X-CSRFToken": ben_token}).status_code == 200
    assert teacher.post(f"/live/{sid}/qna/{question}/hide").status_code == 400
    assert teacher.post(f"/live/{sid}/qna/anonymous", data={"anonymous": "0"}).status_code == 400
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveQuestion)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveQuestionVote)) == 1
    assert db.session.get(LiveQuestion, question).hidden_at is None
    hidden = teacher.post(f"/live/{sid}/qna/{question}/hide", data={"csrf_token": teacher_token})
    assert hidden.status_code == 303
    db.session.rollback()
    assert db.session.get(LiveQuestion, question).hidden_at is not None
