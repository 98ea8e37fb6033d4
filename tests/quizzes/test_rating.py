"""The rating-scale question type (app/quizzes/types/rating.py), added through the type registry
alone: parsing with file:line problems, scoring with and without an accepted range, the
distribution and mean, GIFT's nearest form, a quiz taken through the web, a live poll and the
question analytics."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.content.quizzes import parse_quiz
from app.extensions import db
from app.live.models import LiveAnswer, LivePoll
from app.quizzes.gift import export_gift, import_gift
from app.quizzes.scoring import score_attempt
from app.quizzes.types import registry
from app.quizzes.types.rating import RatingBody

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures"
RATING = registry.get("rating")

PULSE = """\
id: pulse-check
title: "Pulse check"
kind: day-assessment
day: 1
pass_mark: 50
shuffle_questions: false
questions:
  - id: readiness
    type: rating
    prompt: How ready are you to open a first working-group meeting?
    scale: 5
    low: Not at all
    high: Completely
    explanation: No right answer; it tells the trainer where the room stands.
  - id: share-of-exporters
    type: rating
    prompt: On this scale, how strongly does a cluster depend on firms that sell outside the region?
    scale: 5
    low: Not at all
    high: Entirely
    accept: [4, 5]
    explanation: Traded firms bring money into the region; that is what makes a cluster worth building.
"""


def write_quiz(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "pulse-check.yaml"
    path.write_text(text)
    return path


# --- the module on its own --------------------------------------------------------------------

def test_problems_name_their_line(tmp_path):
    bad = PULSE.replace("    scale: 5\n    low: Not at all\n    high: Completely\n", "    scale: 11\n    high: Completely\n", 1)
    bad = bad.replace("accept: [4, 5]", "accept: [0, 3]")
    quiz, problems = parse_quiz(write_quiz(tmp_path, bad), "quizzes/pulse-check.yaml")
    assert quiz is None
    said = {(p.line, p.message.split(": ", 1)[1]) for p in problems}
    assert (11, "'scale' is the top of the scale, a whole number from 2 to 10") in said
    assert (8, "'low' says what the bottom of the scale means") in said      # missing: the question's line
    assert any(line == 20 and message.startswith("'accept' is the range of right answers") for line, message in said)
    assert all(p.path == "quizzes/pulse-check.yaml" for p in problems)


def pulse(tmp_path):
    quiz, problems = parse_quiz(write_quiz(tmp_path, PULSE), "pulse-check.yaml")
    assert not problems
    return quiz


def test_an_opinion_earns_and_counts_nothing_and_a_range_is_all_or_nothing(tmp_path):
    opinion, ranged = pulse(tmp_path).questions
    assert not opinion.has_key and ranged.has_key
    for answer, right in (("4", True), ("5", True), ("3", False), ("6", False), ("4.5", False), ("x", False),
                          (["5"], True), ("", False)):
        assert RATING.score(ranged.body, answer)[0] == (1.0 if right else 0.0), answer
    assert RATING.score(ranged.body, "") == (0.0, False) and RATING.score(ranged.body, "6") == (0.0, True)
    result = score_attempt([opinion, ranged], {"readiness": "1", "share-of-exporters": "4"}, pass_mark=50)
    assert result.out_of == 1.0 and result.points == 1.0 and result.percent == 100.0 and result.passed
    assert [m.scored for m in result.marks] == [False, True]


def test_the_tally_is_a_distribution_with_its_mean():
    body = RatingBody(5, "Not at all", "Completely", (4, 5))
    answers = [("1", 0.0), ("4", 1.0), ("4", 1.0), ("5", 1.0), ("junk", 0.0)]
    tally = RATING.tally(body, {}, answers, scored=True, with_key=False)
    assert [(b.label, b.count, b.correct) for b in tally.bars] == [
        ("1 (Not at all)", 1, None), ("2", 0, None), ("3", 0, None), ("4", 2, None), ("5 (Completely)", 1, None)]
    assert tally.responses == 5 and tally.summary == "Mean 3.5 of 5 · 4 ratings"
    revealed = RATING.tally(body, {}, answers, scored=True, with_key=True)
    assert [b.correct for b in revealed.bars] == [False, False, False, True, True]


def test_gift_gets_the_nearest_form_a_numeric_range(tmp_path):
    opinion, ranged = pulse(tmp_path).questions
    text, notes = export_gift([opinion, ranged])
    assert "{#1..5####" in text and "{#4..5####" in text
    assert sum("GIFT has no rating scale" in n.message for n in notes) == 2
    back = import_gift(text).questions
    assert [q["type"] for q in back] == ["numeric", "numeric"]
    assert back[1]["answer"] == 4.5 and back[1]["tolerance"] == 0.5


# --- through the web --------------------------------------------------------------------------

def quizzes_dir(tmp_path):
    target = tmp_path / "quizzes"
    shutil.copytree(FIXTURES / "mini-quizzes", target)
    (target / "pulse-check.yaml").write_text(PULSE)
    return target


@pytest.fixture
def app_config(request, database_uri, tmp_path):
    """The small fixture course with the pulse check, or for the live test the real course with the
    pulse questions added to stage 3's bank."""
    if "poll" in request.node.name:
        return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri,
                "CURRICULUM_DIR": str(REPO / "curriculum"), "QUIZZES_DIR": str(course_quizzes(tmp_path))}
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri,
            "CURRICULUM_DIR": str(FIXTURES / "mini-course"), "QUIZZES_DIR": str(quizzes_dir(tmp_path))}


def test_a_trainee_rates_in_a_quiz_and_sees_it_marked(app, make_user, login):
    client = login(app, make_user())
    started = client.post("/quizzes/pulse-check/start")
    attempt_id = int(started.location.rsplit("/", 1)[1])
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert page.count('name="q-share-of-exporters"') == 5 and 'type="radio"' in page
    assert "1 · Not at all" in page and "5 · Entirely" in page
    assert "Accepted" not in page and "Traded firms" not in page          # no key before marking
    token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    response = client.post(f"/attempts/{attempt_id}", data={"action": "submit", "token": token,
                                                           "q-readiness": "2", "q-share-of-exporters": "5"})
    assert response.status_code in (302, 303)
    results = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "100" in results and "Your rating: <strong>5</strong>" in results and "Accepted: <strong>4 to 5</strong>" in results
    assert "There is no right answer" in results


# --- a live poll and the analytics (the real course, with the pulse questions in its bank) -----

def course_quizzes(tmp_path):
    target = tmp_path / "course-quizzes"
    shutil.copytree(REPO / "quizzes", target)
    bank = target / "stage-03.yaml"                 # the pulse questions join stage 3's bank
    bank.write_text(bank.read_text().rstrip("\n") + "\n\n" + PULSE.split("questions:\n", 1)[1])
    return target


def test_a_rating_poll_shows_the_distribution_and_mean_and_reaches_the_analytics(app, make_user, make_cohort,
                                                                                  make_live_session, login):
    teacher = make_user(roles=("instructor",))
    people = [make_user(display_name=f"Rater {n}") for n in range(3)]
    cohort = make_cohort(name="Raters", instructors=[teacher], trainees=people)
    session = make_live_session(cohort, by=teacher)
    session_id, code = session.id, session.code
    staff = login(app, teacher)
    phones = []
    for person in people:
        phone = login(app, person)
        joined = phone.post("/join", data={"code": code})
        assert joined.status_code in (302, 303), joined.get_data(as_text=True)[-3000:]
        phones.append(phone)

    for ref, scored in (("stage-03/readiness", False), ("stage-03/share-of-exporters", True)):
        assert staff.post(f"/live/{session_id}/polls", data={"source": "bank", "question": ref}).status_code == 303
        poll = db.session.scalars(sa.select(LivePoll).where(LivePoll.session_id == session_id)
                                  .order_by(LivePoll.seq.desc())).first()
        assert poll.scored is scored
        panel = phones[0].get(f"/live/{session_id}/poll").get_data(as_text=True)
        assert panel.count('type="radio"') == 5 and "Traded firms" not in panel
        for phone, value in zip(phones, (4, "5", 2)):
            response = phone.post(f"/live/{session_id}/polls/{poll.id}/answer", json={"answer": value},
                                  headers={"Accept": "application/json"})
            assert response.status_code == 200, response.get_data(as_text=True)
        tally = staff.get(f"/live/{session_id}/staff/state").get_json()["poll"]["tally"]
        assert tally["responses"] == 3 and tally["summary"] == "Mean 3.7 of 5 · 3 ratings"
        assert [bar["count"] for bar in tally["bars"]] == [0, 1, 0, 1, 1]
        assert staff.post(f"/live/{session_id}/polls/{poll.id}/reveal").status_code == 303
        projector = staff.get(f"/live/{session_id}/projector/panel").get_data(as_text=True)
        assert "Mean 3.7 of 5" in projector and ("5 (Entirely)" in projector or "5 (Completely)" in projector)
        state = phones[0].get(f"/live/{session_id}/state").get_json()["poll"]
        assert state["correct"] == ({"from": 4, "to": 5} if scored else None)

    points = dict(db.session.execute(sa.select(LiveAnswer.answer, LiveAnswer.points)
                                      .join(LivePoll).where(LivePoll.question_id == "share-of-exporters")).all())
    assert points["2"] == 0 and points["5"] > 0 and points["4"] > 0
    analytics = staff.get(f"/teach/cohorts/{cohort.id}/quizzes/stage-03").get_data(as_text=True)
    assert "rating scale" in analytics and "Mean 3.7 of 5" in analytics
    csv = staff.get(f"/live/{session_id}/polls.csv").get_data(as_text=True)
    assert "How ready are you" in csv
