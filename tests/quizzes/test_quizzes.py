"""Taking quizzes through the Flask client, on a small fixture course with every question type."""
import re
import shutil
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.quizzes.models import QuizAttempt

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SECRETS = ("EXPLANATION-", "ANSWER-FEEDBACK", "Correct answer", "review__option--right", "verdict--right",
           "It was true", "B was right", "Spelling with accents")


@pytest.fixture
def quizzes_dir(tmp_path):
    target = tmp_path / "quizzes"
    shutil.copytree(FIXTURES / "mini-quizzes", target)
    return target


@pytest.fixture
def app_config(database_uri, quizzes_dir):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri,
            "CURRICULUM_DIR": str(FIXTURES / "mini-course"), "QUIZZES_DIR": str(quizzes_dir)}


def start(client, quiz_id="opening-check"):
    response = client.post(f"/quizzes/{quiz_id}/start")
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(response.location.rsplit("/", 1)[1])


def token_of(page: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


ALL_RIGHT = {
    "q-single-q": "a", "q-multi-q": ["a", "b"], "q-multi-q--present": "1", "q-tf-q": "false",
    "q-order-q--s1": "1", "q-order-q--s2": "2", "q-order-q--s3": "3",
    "q-match-q--m1": "Firms side by side", "q-match-q--m2": "Uncoordinated agencies",
    "q-num-q": "12", "q-text-q": "  BACKCASTING ",
}


def test_quiz_page_and_json_carry_no_answers_before_submission(client, make_user, sign_in):
    sign_in(make_user())
    attempt_id = start(client)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    data = client.get(f"/attempts/{attempt_id}", headers={"Accept": "application/json"}).get_data(as_text=True)
    for text in (page, data):
        for secret in SECRETS:
            assert secret not in text, secret
        assert "correct" not in text.lower().replace("correct horse", "")
        assert "accept" not in text.replace("Accept", "") or "backcasting" not in text
        assert "backcasting" not in text.lower() and "back-casting" not in text.lower()
    assert 'name="q-single-q"' in page and "Submit answers" in page and "Check answer" in page
    json = client.get(f"/attempts/{attempt_id}", headers={"Accept": "application/json"}).json
    assert {q["type"] for q in json["questions"]} == {"single", "multiple", "true_false", "ordering", "matching",
                                                      "numeric", "short_text"}
    ordering = next(q for q in json["questions"] if q["type"] == "ordering")
    assert [o["id"] for o in ordering["options"]] != ["s1", "s2", "s3"]  # never shown in the right order


def test_immediate_check_marks_one_question_and_locks_it(client, make_user, sign_in):
    sign_in(make_user())
    attempt_id = start(client)
    response = client.post(f"/attempts/{attempt_id}", data={"check": "single-q", "q-single-q": "b", "q-num-q": "11"})
    assert response.status_code == 302 and response.location.endswith("#question-single-q")
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Not quite" in page and "EXPLANATION-SINGLE" in page and "ANSWER-FEEDBACK-B" in page
    assert "EXPLANATION-MULTI" not in page and "EXPLANATION-NUM" not in page
    assert 'value="11"' in page  # the other answer typed so far was kept
    # the locked answer cannot be changed afterwards
    client.post(f"/attempts/{attempt_id}", data={"check": "single-q", "q-single-q": "a"})
    client.post(f"/attempts/{attempt_id}", data={"action": "submit", "allow_unanswered": "1", "token": token_of(page),
                                                 "q-single-q": "a"})
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.answers["single-q"] == "b" and attempt.is_finished


def test_full_marks_and_results_page(client, make_user, sign_in):
    sign_in(make_user())
    attempt_id = start(client)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    response = client.post(f"/attempts/{attempt_id}", data={"action": "submit", "token": token_of(page), **ALL_RIGHT})
    assert response.status_code == 302
    results = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "100%" in results and "Passed" in results and "7 of 7 questions fully right" in results
    assert "EXPLANATION-SINGLE" in results and 'href="/lessons/opening#why-clusters-matter"' in results
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.score_percent == 100 and attempt.passed and attempt.finished_at is not None


def test_partial_credit_and_tampered_answers_are_marked_not_errors(client, make_user, sign_in):
    sign_in(make_user())
    attempt_id = start(client)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    tampered = {"q-single-q": "zzz", "q-multi-q": ["a", "<script>"], "q-tf-q": "maybe",
                "q-order-q--s1": "1", "q-order-q--s2": "1", "q-order-q--s3": "3",
                "q-match-q--m1": "Firms side by side", "q-match-q--evil": "x", "q-num-q": "1e999",
                "q-text-q": "x" * 5000, "q-not-a-question": "1"}
    response = client.post(f"/attempts/{attempt_id}", data={"action": "submit", "allow_unanswered": "1",
                                                            "token": token_of(page), **tampered})
    assert response.status_code == 302
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.score_points == pytest.approx(0.5)  # only the matching question's first pair
    assert "not-a-question" not in attempt.answers
    assert client.get(f"/attempts/{attempt_id}").status_code == 200


def test_double_submit_records_one_attempt(client, make_user, sign_in):
    user = make_user()
    sign_in(user)
    attempt_id = start(client)
    form = {"action": "submit", "token": token_of(client.get(f"/attempts/{attempt_id}").get_data(as_text=True)), **ALL_RIGHT}
    first = client.post(f"/attempts/{attempt_id}", data=form)
    second = client.post(f"/attempts/{attempt_id}", data={**form, "q-single-q": "b"})
    assert first.status_code == second.status_code == 302
    rows = db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == user.id)).all()
    assert len(rows) == 1 and rows[0].score_percent == 100
    assert "recorded once" in client.get(second.location).get_data(as_text=True)


def test_attempt_limit_holds(client, make_user, sign_in):
    user = make_user()
    sign_in(user)
    for _ in range(3):
        attempt_id = start(client)
        page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
        client.post(f"/attempts/{attempt_id}", data={"action": "submit", "allow_unanswered": "1", "token": token_of(page)})
    response = client.post("/quizzes/opening-check/start", follow_redirects=True)
    assert "used all 3 attempts" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 3


def test_start_resumes_the_open_attempt(client, make_user, sign_in):
    sign_in(make_user())
    assert start(client) == start(client)


def test_someone_elses_attempt_is_not_found(app, make_user, password):
    owner, other = make_user(), make_user()
    a, b = app.test_client(), app.test_client()
    a.post("/login", data={"email": owner.email, "password": password})
    b.post("/login", data={"email": other.email, "password": password})
    attempt_id = start(a)
    token = token_of(a.get(f"/attempts/{attempt_id}").get_data(as_text=True))
    assert b.get(f"/attempts/{attempt_id}").status_code == 404
    assert b.post(f"/attempts/{attempt_id}", data={"action": "submit", "token": token, **ALL_RIGHT}).status_code == 404
    assert b.post(f"/attempts/{attempt_id}", data={"check": "single-q", "q-single-q": "a"}).status_code == 404
    assert db.session.get(QuizAttempt, attempt_id).finished_at is None


def test_deferred_assessment_reveals_nothing_until_submitted(client, make_user, sign_in):
    sign_in(make_user())
    attempt_id = start(client, "day-2-assessment")
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "Check answer" not in page and "Time limit" in page
    assert page.count('class="question"') == 2  # subset of 2 out of 3
    for secret in SECRETS:
        assert secret not in page
    response = client.post(f"/attempts/{attempt_id}", data={"check": "a1", "q-a1": "b"}, follow_redirects=True)
    assert "marked when the whole attempt is submitted" in response.get_data(as_text=True)
    assert "B was right" not in response.get_data(as_text=True)


def test_old_results_do_not_change_when_the_quiz_is_edited(app, client, make_user, sign_in, quizzes_dir):
    sign_in(make_user())
    attempt_id = start(client)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    client.post(f"/attempts/{attempt_id}", data={"action": "submit", "token": token_of(page), **ALL_RIGHT})
    path = quizzes_dir / "opening-check.yaml"
    path.write_text(path.read_text().replace("answer: a\n", "answer: b\n").replace("EXPLANATION-SINGLE", "EDITED"))
    app.config["CONTENT_RELOAD_SECONDS"] = 0.001
    from app.content.catalog import catalog

    app.extensions["lectern.catalog"].reload_seconds = 0.001
    import os
    import time
    os.utime(path, (time.time() + 5, time.time() + 5))
    time.sleep(0.01)
    assert catalog().quiz("opening-check").questions[0].body.correct == ("b",)
    results = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "100%" in results and "EXPLANATION-SINGLE" in results and "EDITED" not in results


def test_best_score_shows_on_lesson_day_and_home(client, make_user, sign_in):
    sign_in(make_user())
    attempt_id = start(client)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    client.post(f"/attempts/{attempt_id}", data={"action": "submit", "token": token_of(page), **ALL_RIGHT})
    for path in ("/lessons/opening", "/days/1", "/"):
        assert "Best 100%" in client.get(path).get_data(as_text=True), path
    assert "1 of 3 attempts used" in client.get("/days/1").get_data(as_text=True)


def test_concurrent_submissions_never_pass_the_limit(app, make_user):
    """Ten threads keep starting and submitting against a 3-attempt quiz: exactly 3 are recorded."""
    from app.content.catalog import catalog
    from app.db import utcnow
    from app.errors import AttemptLimitReached
    from app.quizzes import services

    user_id = make_user().id
    quiz = catalog().quiz("opening-check")
    errors: list[BaseException] = []
    barrier = threading.Barrier(10)

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                for _ in range(6):
                    try:
                        attempt = services.start_attempt(user_id, quiz, now=utcnow())
                    except AttemptLimitReached:
                        return
                    services.submit_attempt(user_id, attempt.id, attempt.submit_token, {}, now=utcnow(),
                                           allow_unanswered=True)
                    db.session.remove()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert errors == []
    db.session.rollback()
    rows = db.session.scalars(sa.select(QuizAttempt).where(QuizAttempt.user_id == user_id)).all()
    assert len(rows) == 3 and all(r.is_finished for r in rows)
    assert sorted(r.attempt_no for r in rows) == [1, 2, 3]


def test_a_submission_with_unanswered_questions_is_not_graded_until_confirmed(client, make_user, sign_in):
    """Submitting spends an attempt: with questions unanswered the server asks first (no JS needed),
    keeping the answers given, and grades only a submission that carries the confirmation."""
    sign_in(make_user())
    attempt_id = start(client)
    token = token_of(client.get(f"/attempts/{attempt_id}").get_data(as_text=True))
    partial = {k: v for k, v in ALL_RIGHT.items() if not k.startswith(("q-order-q", "q-text-q", "q-match-q--m2"))}
    response = client.post(f"/attempts/{attempt_id}", data={"action": "submit", "token": token, **partial})
    assert response.status_code == 302 and response.location.endswith(f"/attempts/{attempt_id}?confirm=1#unanswered")
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.finished_at is None and attempt.score_percent is None
    assert attempt.answers["num-q"] == "12" and attempt.answers["match-q"] == {"m1": "Firms side by side"}

    page = client.get(response.location).get_data(as_text=True)
    assert "3 questions unanswered: submit anyway?" in page
    assert "Submitting uses attempt 1 of 3, and unanswered questions earn no marks." in page
    listed = {reason: re.findall(r'<a href="#question-([\w-]+)">Question (\d+)</a>', links) for reason, links in
              re.findall(r'<p class="unanswered__reason" id="[^"]+">([^<]+):</p>\s*<ul class="unanswered__list"[^>]*>(.*?)</ul>',
                         page, re.S)}
    assert listed == {"Not answered": [("order-q", "4"), ("text-q", "7")], "Not every item is matched": [("match-q", "5")]}
    assert '<button type="submit" name="allow_unanswered" value="1" class="button button--primary">Submit anyway</button>' in page
    assert '<a class="button" href="#question-order-q">Go back and answer</a>' in page
    assert 'value="12"' in page and 'value="Firms side by side" selected' in page   # the answers given are kept
    for secret in SECRETS:
        assert secret not in page, secret
    # the same page without ?confirm asks nothing
    assert "submit anyway?" not in client.get(f"/attempts/{attempt_id}").get_data(as_text=True)

    # answering the rest and submitting again needs no confirmation
    rest = {k: v for k, v in ALL_RIGHT.items() if k.startswith(("q-order-q", "q-match-q"))}
    form = {"action": "submit", "token": token, **partial, **rest}
    assert client.post(f"/attempts/{attempt_id}", data=form).location.endswith("?confirm=1#unanswered")
    db.session.expire_all()
    assert db.session.get(QuizAttempt, attempt_id).finished_at is None   # text-q is still unanswered

    confirmed = {**form, "allow_unanswered": "1"}
    first, second = (client.post(f"/attempts/{attempt_id}", data=confirmed) for _ in range(2))  # a double click
    assert first.location.endswith(f"/attempts/{attempt_id}") and second.location.endswith(f"/attempts/{attempt_id}")
    db.session.expire_all()
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.is_finished and attempt.score_points == pytest.approx(6)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 1


def test_an_untouched_ordering_question_is_unanswered_and_earns_nothing(client, make_user, sign_in):
    """Positions start blank, so an ordering question nobody touched is never taken as its displayed order."""
    sign_in(make_user())
    attempt_id = start(client)
    page = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    for item in ("s1", "s2", "s3"):
        select = re.search(rf'<select id="q-order-q--{item}".*?</select>', page, re.S).group(0)
        assert '<option value="" selected>–</option>' in select and "selected" not in select.split("</option>", 1)[1]
    untouched = {**ALL_RIGHT, "q-order-q--s1": "", "q-order-q--s2": "", "q-order-q--s3": ""}
    response = client.post(f"/attempts/{attempt_id}", data={"action": "submit", "token": token_of(page), **untouched})
    assert response.location.endswith("?confirm=1#unanswered")
    notice = client.get(response.location).get_data(as_text=True)
    assert re.search(r'Not answered:</p>\s*<ul class="unanswered__list"[^>]*>\s*<li><a href="#question-order-q">Question 4</a></li>\s*</ul>',
                     notice)
    client.post(f"/attempts/{attempt_id}", data={"action": "submit", "token": token_of(page), "allow_unanswered": "1",
                                                 **untouched})
    attempt = db.session.get(QuizAttempt, attempt_id)
    assert attempt.is_finished and "order-q" not in attempt.answers and attempt.score_points == pytest.approx(6)
    results = client.get(f"/attempts/{attempt_id}").get_data(as_text=True)
    assert "6 of 7 questions fully right" in results
