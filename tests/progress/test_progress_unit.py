import pytest

from app.progress.progress import (
    CourseOutline,
    LearnerFacts,
    QuizRecord,
    Status,
    combined_status,
    continue_lesson,
    report,
    share_done,
    stage_status,
)

OUTLINE = CourseOutline(
    lessons=(("intro", 1, "Intro"), ("s1", 1, "Stage 1"), ("s2", 1, "Stage 2"), ("s3", 2, "Stage 3"), ("wrap", 2, "Wrap")),
    stage_lessons=((1, "s1"), (2, "s2"), (3, "s3")),
    lesson_quizzes=(("s1", "q1", "Stage 1 check"), ("s2", "q2", "Stage 2 check"), ("s3", "q3", "Stage 3 check"),
                    ("intro", "q0", "Opening check")),
    day_assessments=((1, "d1", "Day 1 assessment"), (2, "d2", "Day 2 assessment")),
)
PASS, FAIL = QuizRecord(1, 90.0, True), QuizRecord(2, 40.0, False)
ALL_LESSONS = frozenset({"intro", "s1", "s2", "s3", "wrap"})
ALL_QUIZZES = {q: PASS for q in ("q1", "q2", "q3", "d1", "d2")}


def facts(completed=(), visited=(), quizzes=None, attended=(), live=False):
    return LearnerFacts(frozenset(completed), frozenset(visited), quizzes or {}, frozenset(attended), live)


@pytest.mark.parametrize("lesson,record,has_check,expected", [
    (Status.DONE, PASS, True, Status.DONE),
    (Status.DONE, FAIL, True, Status.IN_PROGRESS),
    (Status.DONE, None, True, Status.IN_PROGRESS),
    (Status.DONE, None, False, Status.DONE),
    (Status.NOT_STARTED, FAIL, True, Status.IN_PROGRESS),
    (Status.NOT_STARTED, None, True, Status.NOT_STARTED),
    (Status.IN_PROGRESS, None, True, Status.IN_PROGRESS),
])
def test_stage_status(lesson, record, has_check, expected):
    assert stage_status(lesson, record, has_check) is expected


def test_nothing_done():
    r = report(OUTLINE, facts())
    assert r.course.percent == 0 and not r.eligible
    assert [s.status for s in r.stages] == [Status.NOT_STARTED] * 3
    assert r.missing[0].startswith("Complete 5 more lessons: Intro; Stage 1; Stage 2; Stage 3; Wrap")
    assert "Pass 3 stage knowledge checks: Stage 1 check; Stage 2 check; Stage 3 check" in r.missing
    assert "Pass the Day 2 assessment" in r.missing
    assert not any("Opening check" in m for m in r.missing)  # only stage checks count


def test_everything_done_is_eligible_and_never_over_100():
    r = report(OUTLINE, facts(ALL_LESSONS | {"old-removed-lesson"}, quizzes=ALL_QUIZZES))
    assert r.eligible and r.missing == ()
    assert r.course.percent == 100 and r.course.done == 5  # completions of removed lessons don't count
    assert all(s.status is Status.DONE for s in r.stages)
    assert r.days[1].percent == 100 and r.days[2].percent == 100


def test_day_shares():
    r = report(OUTLINE, facts({"intro", "s1"}, visited={"s2"}))
    assert (r.days[1].done, r.days[1].total, r.days[1].percent) == (2, 3, 66)
    assert (r.days[2].done, r.days[2].total) == (0, 2)
    assert r.lesson_status["s2"] is Status.IN_PROGRESS


@pytest.mark.parametrize("quizzes,missing_count", [
    ({**ALL_QUIZZES, "q2": FAIL}, 1), ({k: v for k, v in ALL_QUIZZES.items() if k != "d1"}, 1), ({}, 3),
])
def test_quiz_requirements(quizzes, missing_count):
    r = report(OUTLINE, facts(ALL_LESSONS, quizzes=quizzes))
    assert len(r.missing) == missing_count and not r.eligible


def test_live_track_attendance_replaces_lessons():
    attended_both = report(OUTLINE, facts(set(), quizzes=ALL_QUIZZES, attended={1, 2}, live=True))
    assert attended_both.eligible
    one_day = report(OUTLINE, facts({"intro"}, quizzes=ALL_QUIZZES, attended={1}, live=True))
    assert one_day.missing == ("Complete 4 more lessons: Stage 1; Stage 2; Stage 3; Wrap (or attend the live Day 2 sessions)",)
    self_study = report(OUTLINE, facts(set(), quizzes=ALL_QUIZZES, attended={1, 2}, live=False))
    assert not self_study.eligible


def test_rules_can_be_switched_off():
    lax = CourseOutline(OUTLINE.lessons, OUTLINE.stage_lessons, OUTLINE.lesson_quizzes, OUTLINE.day_assessments,
                        rule_stage_checks=False, rule_day_assessments=False)
    assert report(lax, facts(ALL_LESSONS)).eligible


def test_helpers():
    assert combined_status([]) is Status.NOT_STARTED
    assert share_done([], {"x"}).percent == 0
    assert continue_lesson(["a", "b"], {"a", "b"}, {}) is None
