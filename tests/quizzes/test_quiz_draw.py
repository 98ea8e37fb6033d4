"""Per-attempt draws (issue 17): an attempt at a quiz with `draw` freezes its own stratified draw,
is scored on the drawn questions only, and a second attempt gets a different set. Attempts started
before `draw` was added keep the questions they were given."""
import os
import random
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.content.catalog import catalog
from app.quizzes.services import start_attempt, submit_attempt

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
NOW = datetime(2030, 5, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def quizzes_dir(tmp_path):
    target = tmp_path / "quizzes"
    shutil.copytree(FIXTURES / "blueprint-quizzes", target)
    return target


@pytest.fixture
def app_config(database_uri, quizzes_dir):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri,
            "CURRICULUM_DIR": str(FIXTURES / "blueprint-course"), "QUIZZES_DIR": str(quizzes_dir)}


def ids(attempt) -> set[str]:
    return {q["id"] for q in attempt.questions}


def test_an_attempt_freezes_a_stratified_draw_and_is_scored_on_it_only(app, make_user):
    user = make_user()
    quiz = catalog().quiz("day-1-assessment")
    attempt = start_attempt(user.id, quiz, now=NOW)
    assert len(attempt.questions) == 3
    lessons = {catalog().quiz("day-1-assessment").question(qid).main_lesson for qid in ids(attempt)}
    assert lessons == {"intro", "stage-one"}     # one question from each stage the pool covers
    answers = {"what-cluster": "a", "why-mandate": "true", "which-funder": "a",
               "stages-in-order": ["s1", "s2", "s3"]}
    finished, recorded = submit_attempt(user.id, attempt.id, attempt.submit_token, answers, now=NOW + timedelta(minutes=5))
    assert recorded and finished.score_out_of == 3 and finished.score_percent == 100


def test_a_second_attempt_draws_a_different_set(app, make_user):
    user = make_user()
    quiz = catalog().quiz("day-1-assessment")
    first = start_attempt(user.id, quiz, now=NOW, rng=random.Random(5))
    submit_attempt(user.id, first.id, first.submit_token, {}, now=NOW + timedelta(minutes=1), allow_unanswered=True)
    second = start_attempt(user.id, quiz, now=NOW + timedelta(minutes=2), rng=random.Random(5))  # same seed on purpose
    assert second.attempt_no == 2 and len(second.questions) == 3
    assert ids(second) != ids(first)


def test_attempts_started_before_draw_was_added_keep_their_questions(app, make_user, quizzes_dir):
    path = quizzes_dir / "day-1-assessment.yaml"
    path.write_text(path.read_text().replace("draw: 3\n", ""))
    app.extensions["lectern.catalog"].reload_seconds = 0.001
    os.utime(path, (time.time() + 5, time.time() + 5))
    time.sleep(0.01)
    assert catalog().quiz("day-1-assessment").draw is None
    user = make_user()
    attempt = start_attempt(user.id, catalog().quiz("day-1-assessment"), now=NOW)
    assert len(attempt.questions) == 4

    path.write_text(path.read_text().replace("attempts: 3\n", "attempts: 3\ndraw: 3\n"))
    os.utime(path, (time.time() + 10, time.time() + 10))
    time.sleep(0.01)
    assert catalog().quiz("day-1-assessment").draw == 3
    resumed = start_attempt(user.id, catalog().quiz("day-1-assessment"), now=NOW + timedelta(minutes=1))
    assert resumed.id == attempt.id and len(resumed.questions) == 4
    finished, _ = submit_attempt(user.id, attempt.id, attempt.submit_token, {"what-cluster": "a"},
                                 now=NOW + timedelta(minutes=2), allow_unanswered=True)
    assert finished.score_out_of == 4 and finished.score_percent == 25
