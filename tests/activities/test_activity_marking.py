"""Marking against a rubric, where a trainee's submissions stand, and the certificate rule."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.activities.marking import (
    MAX_SUBMISSIONS,
    Mark,
    MarkingIncomplete,
    State,
    SubmissionFacts,
    mark,
    passes,
    standing,
)
from app.content.rubrics import Criterion, Level, Rubric
from app.progress.progress import ActivityRecord, CourseOutline, LearnerFacts, report

RUBRIC = Rubric((
    Criterion("States", (Level("Not yet", 0, "tasks"), Level("Partly", 1, "some"), Level("Fully", 3, "all"))),
    Criterion("Ranked", (Level("No", 0, "unranked"), Level("Yes", 2, "ranked"))),
))
T0 = datetime(2026, 12, 1, 9, tzinfo=UTC)


def test_one_level_per_criterion_gives_the_points():
    marks = mark(RUBRIC, {0: 2, 1: 0})
    assert [(m.criterion, m.level, m.points, m.out_of) for m in marks.marks] == [("States", "Fully", 3, 3),
                                                                              ("Ranked", "No", 0, 2)]
    assert (marks.points, marks.out_of) == (3, 5) == (marks.points, RUBRIC.out_of)
    assert Mark.from_json(marks.marks[0].as_json()) == marks.marks[0]


@pytest.mark.parametrize("choices", [{0: 1}, {0: 1, 1: None}, {0: 3, 1: 1}, {0: -1, 1: 1}, {}])
def test_every_criterion_needs_one_of_its_levels(choices):
    with pytest.raises(MarkingIncomplete) as info:
        mark(RUBRIC, choices)
    assert info.value.criteria and set(info.value.criteria) <= {"States", "Ranked"}


@pytest.mark.parametrize(("points", "out_of", "share", "expected"), [
    (4, 8, 50, True), (3, 8, 50, False), (5, 8, 62, True), (5, 8, 63, False), (0, 8, 0, True), (0, 0, 0, False),
])
def test_pass_share_is_exact(points, out_of, share, expected):
    assert passes(points, out_of, share) is expected


def sub(number, returned=False, points=None, out_of=8):
    return SubmissionFacts(number, T0 + timedelta(days=number), T0 + timedelta(days=number, hours=1) if returned else None,
                           points if returned else None, out_of if returned else None)


def test_standing_through_the_life_of_an_activity():
    assert standing([]) == replace(standing([]), state=State.NOT_SUBMITTED, submissions=0, can_submit=True)
    under_review = standing([sub(1)])
    assert under_review.state is State.SUBMITTED and not under_review.can_submit
    returned = standing([sub(1, True, 3)])
    assert returned.state is State.RETURNED and returned.can_submit and returned.best_points == 3
    assert not returned.passed(50) and returned.best_percent == 37.5
    resubmitted = standing([sub(1, True, 3), sub(2)])
    assert resubmitted.state is State.SUBMITTED and not resubmitted.can_submit and resubmitted.best_points == 3
    done = standing([sub(1, True, 6), sub(2, True, 5)])   # the best returned result counts
    assert done.state is State.RETURNED and not done.can_submit and done.best_points == 6 and done.passed(75)
    assert MAX_SUBMISSIONS == 2


OUTLINE = CourseOutline(lessons=(("plan", 1, "Plan"),), stage_lessons=(), lesson_quizzes=(), day_assessments=(),
                        activities=(("plan-it", "Plan it"),), activity_pass=50)


def facts(**activities: ActivityRecord) -> LearnerFacts:
    return LearnerFacts(frozenset({"plan"}), frozenset(), {}, activities={k.replace("_", "-"): v for k, v in activities.items()})


@pytest.mark.parametrize(("record", "eligible", "words"), [
    (None, False, "Have the activity “Plan it” marked at 50% or more"),
    (ActivityRecord("submitted"), False, "(submitted, awaiting review)"),
    (ActivityRecord("returned", 3, 8), False, "(returned with 3/8)"),
    (ActivityRecord("returned", 4, 8), True, ""),
    (ActivityRecord("submitted", 4, 8), True, ""),   # a resubmission under review keeps the earlier pass
])
def test_the_certificate_rule_counts_returned_activities(record, eligible, words):
    r = report(OUTLINE, facts(plan_it=record) if record else facts())
    assert r.eligible is eligible
    assert eligible or any(words in m for m in r.missing)


def test_without_activities_in_the_rule_nothing_is_asked():
    r = report(replace(OUTLINE, activities=()), facts())
    assert r.eligible and r.activity_label("plan-it") == "not submitted"
    assert report(OUTLINE, facts(plan_it=ActivityRecord("returned", 6, 8))).activity_label("plan-it") == "returned 6/8"
