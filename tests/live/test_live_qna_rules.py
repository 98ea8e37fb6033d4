"""Q&A in a live session (issue 20): the pure rules — the posting limit, the order of the list, who
sees an author's name, how a question is tidied."""
from datetime import UTC, datetime, timedelta

import pytest

from app.live import qna_rules, rules
from app.live.qna_rules import Line

T0 = datetime(2026, 12, 12, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


@pytest.mark.parametrize("recent", [[], [at(0)], [at(0), at(10)]])
def test_fewer_than_three_questions_in_the_last_minute_may_be_followed_by_another(recent):
    assert qna_rules.next_post_at(recent, at(20)) is None


def test_a_fourth_question_within_a_minute_waits_for_the_oldest_to_leave_the_window():
    recent = [at(0), at(10), at(20)]
    assert qna_rules.next_post_at(recent, at(30)) == at(60)
    assert qna_rules.wait_seconds(at(60), at(30)) == 30
    assert qna_rules.next_post_at(recent, at(59.9)) == at(60)
    assert qna_rules.next_post_at(recent, at(60)) is None            # the first one is a minute old


def test_older_questions_and_future_stamps_do_not_count():
    assert qna_rules.next_post_at([at(-120), at(-61), at(-60), at(5), at(10)], at(0)) is None
    assert qna_rules.next_post_at([at(-30), at(-20), at(-10), at(-5)], at(0)) == at(40)   # 3rd newest + 60


def test_the_limit_and_window_are_settings():
    assert qna_rules.next_post_at([at(0)], at(1), limit=1, window=timedelta(seconds=10)) == at(10)
    assert qna_rules.POSTS_PER_WINDOW == 3
    assert qna_rules.POST_WINDOW.total_seconds() == 60


@pytest.mark.parametrize(("until", "now", "wait"), [(at(10), at(0), 10), (at(10), at(9.2), 1), (at(10), at(10), 1),
                                                    (at(10.5), at(0), 11)])
def test_the_wait_is_whole_seconds_rounded_up_and_at_least_one(until, now, wait):
    assert qna_rules.wait_seconds(until, now) == wait


def test_open_questions_by_votes_then_the_earlier_and_answered_ones_apart_latest_first():
    lines = [Line(1, "a", 2, at(5)), Line(2, "b", 5, at(9)), Line(3, "c", 2, at(1)), Line(4, "d", 0, at(0)),
             Line(5, "e", 9, at(2), answered_at=at(30)), Line(6, "f", 0, at(3), answered_at=at(40))]
    open_, answered = qna_rules.ordered(lines)
    assert [q.id for q in open_] == [2, 3, 1, 4]
    assert [q.id for q in answered] == [6, 5]


def test_equal_votes_and_times_fall_back_to_the_id():
    open_, _ = qna_rules.ordered([Line(8, "x", 1, at(0)), Line(7, "y", 1, at(0))])
    assert [q.id for q in open_] == [7, 8]


@pytest.mark.parametrize(("anonymous", "audience", "shown"), [(True, "staff", True), (True, "room", False),
                                                             (False, "staff", True), (False, "room", True)])
def test_names_go_to_staff_always_and_to_the_room_only_when_not_anonymous(anonymous, audience, shown):
    assert qna_rules.shows_author(anonymous, audience) is shown


def test_an_unknown_audience_is_a_programming_error():
    with pytest.raises(ValueError):
        qna_rules.shows_author(True, "projector")


def test_a_question_is_stored_on_one_line_and_limited_to_280_characters():
    assert qna_rules.tidy("  Why   is\nthe sky\tblue?  ") == "Why is the sky blue?"
    assert not qna_rules.too_long("x" * 280)
    assert qna_rules.too_long("x" * 281)


def test_the_projector_shows_a_question_when_the_presenter_puts_one_there():
    assert "qna" in rules.PROJECTOR_SCREENS
    assert rules.projector_view("qna", has_lesson=False, has_poll=False, leaderboard=False) == "qna"
    assert rules.projector_view("poll", has_lesson=True, has_poll=True, leaderboard=False) == "poll"
