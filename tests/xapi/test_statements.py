"""The statement builders and delivery rules of app/xapi/statements.py (pure: no app, no LRS)."""
from datetime import UTC, datetime, timedelta

import pytest

from app.xapi import statements as st

SITE = st.Site("https://learn.example.org/")
AT = datetime(2026, 3, 2, 10, 0, 5, 123456, tzinfo=UTC)
COURSE = SITE.course("CLU-101", "Cluster Development", "Five days")
DAY = SITE.day("CLU-101", 1, "Foundations")
LESSON = SITE.lesson("opening", "Opening")
QUIZ = SITE.quiz("day-2-assessment", "Day 2 assessment")


def test_statement_ids_are_stable_per_cause_and_instance():
    first = st.statement_id("https://learn.example.org", "quiz-attempt:7:submitted")
    assert first == st.statement_id("https://learn.example.org/", "quiz-attempt:7:submitted")   # same instance
    assert first != st.statement_id("https://learn.example.org", "quiz-attempt:8:submitted")
    assert first != st.statement_id("https://other.example.org", "quiz-attempt:7:submitted")    # another Lectern
    assert len(first) == 36 and first[14] == "5"                                                # a UUID, version 5


def test_the_actor_is_an_account_of_this_instance_without_address_or_name():
    statement = st.lesson_completed(SITE, completion_id=3, user_id=42, lesson=LESSON, day=DAY, course=COURSE, at=AT)
    assert statement["actor"] == {"objectType": "Agent",
                                  "account": {"homePage": "https://learn.example.org", "name": "42"}}
    assert "@" not in str(statement)


def test_a_completed_lesson():
    statement = st.lesson_completed(SITE, completion_id=3, user_id=42, lesson=LESSON, day=DAY, course=COURSE, at=AT)
    assert statement["id"] == st.statement_id("https://learn.example.org", "lesson-completion:3")
    assert statement["verb"] == {"id": "http://adlnet.gov/expapi/verbs/completed", "display": {"en-US": "completed"}}
    assert statement["object"] == {"objectType": "Activity", "id": "https://learn.example.org/xapi/activities/lesson/opening",
                                   "definition": {"name": {"en": "Opening"},
                                                  "type": "http://adlnet.gov/expapi/activities/lesson"}}
    assert statement["result"] == {"completion": True}
    context = statement["context"]
    assert context["platform"] == "Lectern" and context["language"] == "en"
    assert [a["id"] for a in context["contextActivities"]["parent"]] == [
        "https://learn.example.org/xapi/activities/course/CLU-101/day/1"]
    assert context["contextActivities"]["parent"][0]["definition"]["type"] == "http://adlnet.gov/expapi/activities/module"
    assert context["contextActivities"]["grouping"][0]["definition"] == {
        "name": {"en": "Cluster Development"}, "description": {"en": "Five days"},
        "type": "http://adlnet.gov/expapi/activities/course"}
    assert statement["timestamp"] == "2026-03-02T10:00:05.123Z" and statement["version"] == "1.0.3"


def test_quiz_attempts_passed_and_failed_carry_the_score():
    started = st.quiz_attempted(SITE, attempt_id=9, user_id=4, quiz=QUIZ, parents=[DAY], course=COURSE, at=AT)
    passed = st.quiz_finished(SITE, attempt_id=9, user_id=4, quiz=QUIZ, parents=[DAY], course=COURSE, started_at=AT,
                              finished_at=AT + timedelta(minutes=12, seconds=30), points=3.0, out_of=4.0, passed=True)
    failed = st.quiz_finished(SITE, attempt_id=10, user_id=4, quiz=QUIZ, parents=[DAY], course=COURSE, started_at=AT,
                              finished_at=AT + timedelta(seconds=40), points=0.5, out_of=4.0, passed=False)
    assert started["verb"]["id"].endswith("/verbs/attempted") and "result" not in started
    assert started["context"]["registration"] == passed["context"]["registration"] != failed["context"]["registration"]
    assert passed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert passed["result"] == {"success": True, "completion": True, "duration": "PT12M30S",
                                "score": {"scaled": 0.75, "raw": 3.0, "min": 0, "max": 4.0}}
    assert failed["verb"]["id"] == "http://adlnet.gov/expapi/verbs/failed"
    assert failed["result"]["success"] is False and failed["result"]["score"]["scaled"] == 0.125
    assert passed["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/assessment"
    assert len({started["id"], passed["id"], failed["id"]}) == 3


def test_poll_answers_attendance_and_certificates():
    session = SITE.live_session(5, "Live session, Day 1")
    question = SITE.live_poll(5, 2, "Which **one**?")
    answered = st.poll_answered(SITE, answer_id=77, user_id=4, question=question, session=session, course=COURSE,
                                answer=["o1", "o3"], scored=True, fraction=0.5, at=AT)
    assert answered["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    assert answered["object"]["id"] == "https://learn.example.org/xapi/activities/live-session/5/poll/2"
    assert answered["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/question"
    assert answered["result"] == {"response": "o1[,]o3", "completion": True, "success": False, "score": {"scaled": 0.5}}
    opinion = st.poll_answered(SITE, answer_id=78, user_id=4, question=question, session=session, course=COURSE,
                               answer="Launch", scored=False, fraction=0.0, at=AT)
    assert opinion["result"] == {"response": "Launch", "completion": True}
    attended = st.session_attended(SITE, session_id=5, user_id=4, session=session, day=DAY, course=COURSE,
                                   seconds=3725, at=AT)
    assert attended["verb"]["id"] == "http://adlnet.gov/expapi/verbs/attended"
    assert attended["object"]["definition"]["type"] == "http://adlnet.gov/expapi/activities/meeting"
    assert attended["result"]["duration"] == "PT1H2M5S"
    certificate = SITE.certificate("ABCD-EFGH", "Cluster Development")
    earned = st.certificate_earned(SITE, certificate_id=1, user_id=4, certificate=certificate, course=COURSE, at=AT)
    revoked = st.certificate_revoked(SITE, certificate_id=1, user_id=4, certificate=certificate, course=COURSE, at=AT)
    assert earned["verb"]["id"] == "http://id.tincanapi.com/verb/earned"
    assert earned["object"]["definition"]["type"] == "http://id.tincanapi.com/activitytype/certificate"
    assert revoked["verb"] == {"id": "https://learn.example.org/xapi/verbs/revoked", "display": {"en-US": "revoked"}}
    assert earned["id"] != revoked["id"]


@pytest.mark.parametrize(("seconds", "text"), [(0, "PT0S"), (59.6, "PT1M"), (60, "PT1M"), (3600, "PT1H"),
                                               (3661, "PT1H1M1S"), (-5, "PT0S")])
def test_iso_durations(seconds, text):
    assert st.iso_duration(seconds) == text


def test_score_is_left_out_without_marks_and_kept_in_range():
    assert st.score(None, 4) is None and st.score(2, 0) is None and st.score(float("nan"), 1) is None
    assert st.score(5, 4) == {"scaled": 1.0, "raw": 4.0, "min": 0, "max": 4.0}


def test_responses_and_long_names_are_bounded():
    assert st.response_text({"b": "2", "a": "1"}) == "a[.]1[,]b[.]2"
    assert st.response_text(True) == "true" and st.response_text(3.5) == "3.5"
    assert len(st.response_text("x" * 5000)) == st.MAX_RESPONSE
    assert len(SITE.lesson("s", "word " * 400).as_object()["definition"]["name"]["en"]) == 500


def test_activity_iris_escape_what_they_are_built_from():
    assert SITE.question("q 1", "a/b", "P").iri == "https://learn.example.org/xapi/activities/quiz/q%201/question/a%2Fb"


def test_delivery_rules():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert [st.retry_delay(n) for n in (0, 1, 2, 3)] == [timedelta(0), timedelta(minutes=1), timedelta(minutes=2),
                                                         timedelta(minutes=4)]
    assert st.retry_delay(40) == st.BACKOFF_CAP
    assert st.after_failure(1, now) == ("queued", now + timedelta(minutes=1))
    assert st.after_failure(st.MAX_ATTEMPTS, now) == ("failed", now)
    assert st.after_failure(1, now, permanent=True) == ("failed", now)
    assert [st.classify(s) for s in (200, 204, 400, 409, 401, 429, 503, 413)] == [
        "sent", "sent", "split", "split", "retry", "retry", "retry", "refused"]
