"""The time-limit rule (app/quizzes/timing.py): when a timed attempt closes and what counts."""
from datetime import UTC, datetime, timedelta

import pytest

from app.quizzes.timing import GRACE, GRACE_MINUTES, Timing, closes_at, closing, counts, is_overdue, timing

DEADLINE = datetime(2026, 3, 2, 10, 30, tzinfo=UTC)
CLOSES = DEADLINE + GRACE
SAVED = {"q1": "b"}
SENT = {"q1": "a", "q2": "true", "other": "x"}


def test_the_grace_is_two_minutes_of_slack_and_closes_at_adds_it():
    assert timedelta(minutes=2) == GRACE and GRACE_MINUTES == 2
    assert closes_at(DEADLINE) == DEADLINE + timedelta(minutes=2)
    assert closes_at(None) is None  # no time limit: never closes


@pytest.mark.parametrize(("now", "overdue"), [
    (DEADLINE - timedelta(minutes=5), False),
    (DEADLINE + timedelta(seconds=30), False),   # inside the grace
    (CLOSES, False),                             # the last accepted moment
    (CLOSES + timedelta(microseconds=1), True),
    (DEADLINE + timedelta(hours=3), True),
])
def test_an_attempt_is_overdue_only_after_its_closing_time(now, overdue):
    assert is_overdue(CLOSES, now) is overdue
    assert is_overdue(None, now) is False


def test_a_submission_in_time_is_marked_on_saved_and_sent_answers_for_editable_questions():
    ending = closing(CLOSES, SAVED, SENT, {"q1", "q2"}, DEADLINE + timedelta(minutes=1))
    assert ending.answers == {"q1": "a", "q2": "true"}  # unknown ids are dropped
    assert ending.finished_at == DEADLINE + timedelta(minutes=1) and not ending.is_late


def test_a_locked_answer_is_not_replaced_by_the_form():
    ending = closing(CLOSES, SAVED, SENT, {"q2"}, DEADLINE)
    assert ending.answers == {"q1": "b", "q2": "true"}


def test_a_late_submission_is_ignored_the_attempt_closes_at_its_closing_time_on_the_saved_answers():
    ending = closing(CLOSES, SAVED, SENT, {"q1", "q2"}, DEADLINE + timedelta(hours=3))
    assert ending.answers == SAVED and ending.finished_at == CLOSES and ending.is_late


def test_without_a_time_limit_nothing_is_ever_late():
    ending = closing(None, {}, {"q1": "a"}, {"q1"}, DEADLINE + timedelta(days=400))
    assert ending.answers == {"q1": "a"} and not ending.is_late


@pytest.mark.parametrize(("closes", "finished_at", "is_late", "counted", "how"), [
    (None, DEADLINE + timedelta(days=3), False, True, Timing.ON_TIME),
    (CLOSES, DEADLINE - timedelta(minutes=1), False, True, Timing.ON_TIME),
    (CLOSES, CLOSES, False, True, Timing.ON_TIME),                  # submitted inside the grace
    (CLOSES, CLOSES, True, True, Timing.TIMED_OUT),                 # closed on time-up, saved answers marked
    (CLOSES, DEADLINE + timedelta(hours=3), True, False, Timing.LATE_NOT_COUNTED),  # the earlier rule's late pass
    (CLOSES, None, False, False, Timing.LATE_NOT_COUNTED),          # unfinished: nothing to count
])
def test_only_results_finished_by_the_closing_time_count(closes, finished_at, is_late, counted, how):
    assert counts(closes, finished_at) is counted
    if finished_at is not None:
        assert timing(closes, finished_at, is_late) is how
