"""Progress through the course, derived from plain data and never stored.

Pure: no Flask, no database. Statuses come from the current catalog, so a percentage can never
pass 100 % and lessons removed from the course stop counting.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    NOT_STARTED = "not-started"
    IN_PROGRESS = "in-progress"
    DONE = "done"

    @property
    def label(self) -> str:
        return {"not-started": "Not started", "in-progress": "In progress", "done": "Done"}[self.value]


def lesson_status(slug: str, completed: Iterable[str], visited: Iterable[str]) -> Status:
    if slug in set(completed):
        return Status.DONE
    if slug in set(visited):
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


def combined_status(statuses: Sequence[Status]) -> Status:
    """All done → done; nothing begun → not started; anything else → in progress."""
    if statuses and all(s is Status.DONE for s in statuses):
        return Status.DONE
    if any(s is not Status.NOT_STARTED for s in statuses):
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


@dataclass(frozen=True)
class Share:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return 0 if self.total == 0 else (100 * self.done) // self.total


def share_done(slugs: Sequence[str], completed: Iterable[str]) -> Share:
    completed_set = set(completed)
    return Share(sum(1 for s in slugs if s in completed_set), len(slugs))


def continue_lesson(ordered_slugs: Sequence[str], completed: Iterable[str],
                    last_seen: Mapping[str, datetime]) -> str | None:
    """Where to pick up: the most recently opened unfinished lesson, else the first unfinished one.

    None when every lesson is complete.
    """
    done = set(completed)
    unfinished = [s for s in ordered_slugs if s not in done]
    if not unfinished:
        return None
    opened = [s for s in unfinished if s in last_seen]
    if opened:
        return max(opened, key=lambda s: last_seen[s])
    return unfinished[0]


# --- the whole picture for one person ---------------------------------------------------------

@dataclass(frozen=True)
class CourseOutline:
    """The parts of the catalog progress depends on, as plain data (see outline_of in services)."""

    lessons: tuple[tuple[str, int, str], ...]            # (slug, day, title) in course order
    stage_lessons: tuple[tuple[int, str], ...]            # (stage number, lesson slug)
    lesson_quizzes: tuple[tuple[str, str, str], ...]      # (lesson slug, quiz id, quiz title)
    day_assessments: tuple[tuple[int, str, str], ...]     # (day, quiz id, quiz title)
    rule_all_lessons: bool = True
    rule_stage_checks: bool = True
    rule_day_assessments: bool = True
    rule_live_attendance: bool = True
    activities: tuple[tuple[str, str], ...] = ()          # (activity id, title): assessed activities the rule requires
    activity_pass: int = 50                               # … each returned with at least this percent of its points

    @property
    def days(self) -> tuple[int, ...]:
        return tuple(sorted({day for _slug, day, _title in self.lessons}))


@dataclass(frozen=True)
class QuizRecord:
    attempts: int
    best_percent: float | None
    passed: bool


@dataclass(frozen=True)
class ActivityRecord:
    """One assessed activity for one person: the latest submission's state and the best returned marks."""

    state: str                      # "submitted" (under review) or "returned"
    best_points: int | None = None
    best_out_of: int | None = None

    def passed(self, pass_percent: int) -> bool:
        return (self.best_points is not None and bool(self.best_out_of)
                and self.best_points * 100 >= pass_percent * (self.best_out_of or 0))

    @property
    def label(self) -> str:
        if self.state == "returned" and self.best_points is not None:
            return f"returned {self.best_points}/{self.best_out_of}"
        return self.state


@dataclass(frozen=True)
class LearnerFacts:
    completed: frozenset[str]
    visited: frozenset[str]
    quizzes: Mapping[str, QuizRecord]
    attended_days: frozenset[int] = frozenset()
    live_track: bool = False
    activities: Mapping[str, ActivityRecord] = field(default_factory=dict)


@dataclass(frozen=True)
class StageProgress:
    stage: int
    lesson_slug: str
    status: Status
    lesson_done: bool
    check_passed: bool | None      # None when the stage has no knowledge check


@dataclass(frozen=True)
class Report:
    lesson_status: Mapping[str, Status]
    stages: tuple[StageProgress, ...]
    days: Mapping[int, Share]
    course: Share
    quizzes: Mapping[str, QuizRecord]
    eligible: bool
    missing: tuple[str, ...]
    activities: Mapping[str, ActivityRecord] = field(default_factory=dict)

    def activity_label(self, key: str) -> str:
        record = self.activities.get(key)
        return record.label if record else "not submitted"


def stage_status(lesson: Status, check: QuizRecord | None, has_check: bool) -> Status:
    """A stage is done when its lesson is complete and its knowledge check (if any) passed."""
    passed = (check.passed if check else False) if has_check else True
    if lesson is Status.DONE and passed:
        return Status.DONE
    if lesson is not Status.NOT_STARTED or (check is not None and check.attempts > 0):
        return Status.IN_PROGRESS
    return Status.NOT_STARTED


def report(outline: CourseOutline, facts: LearnerFacts) -> Report:
    statuses = {slug: lesson_status(slug, facts.completed, facts.visited) for slug, _d, _t in outline.lessons}
    quiz_of = {slug: quiz_id for slug, quiz_id, _title in outline.lesson_quizzes}
    stages = []
    for stage, slug in sorted(outline.stage_lessons):
        quiz_id = quiz_of.get(slug)
        record = facts.quizzes.get(quiz_id) if quiz_id else None
        stages.append(StageProgress(stage, slug, stage_status(statuses.get(slug, Status.NOT_STARTED), record,
                                                              quiz_id is not None),
                                    statuses.get(slug) is Status.DONE, (record.passed if record else False)
                                    if quiz_id else None))
    days = {day: share_done([s for s, d, _t in outline.lessons if d == day], facts.completed) for day in outline.days}
    course = share_done([s for s, _d, _t in outline.lessons], facts.completed)
    missing = tuple(missing_for_certificate(outline, facts))
    return Report(statuses, tuple(stages), days, course, facts.quizzes, not missing, missing, facts.activities)


def missing_for_certificate(outline: CourseOutline, facts: LearnerFacts) -> list[str]:
    """Everything still needed under the course's completion rule, in words a trainee understands."""
    missing: list[str] = []
    attendance_counts = outline.rule_live_attendance and facts.live_track
    if outline.rule_all_lessons:
        if attendance_counts and set(outline.days) <= facts.attended_days:
            pass  # live-track trainees who attended both days need not mark every lesson
        else:
            left = [title for slug, _d, title in outline.lessons if slug not in facts.completed]
            if left:
                text = (f"Complete {len(left)} more {'lesson' if len(left) == 1 else 'lessons'}: "
                        + "; ".join(left[:5]) + ("; …" if len(left) > 5 else ""))
                if attendance_counts:
                    absent = [d for d in outline.days if d not in facts.attended_days]
                    text += " (or attend the live " + " and ".join(f"Day {d}" for d in absent) + " sessions)"
                missing.append(text)
    if outline.rule_stage_checks:
        stage_slugs = {slug for _stage, slug in outline.stage_lessons}
        pending = [title for slug, quiz_id, title in outline.lesson_quizzes
                   if slug in stage_slugs and not (facts.quizzes.get(quiz_id) and facts.quizzes[quiz_id].passed)]
        if len(pending) == 1:
            missing.append(f"Pass the {pending[0]}")
        elif pending:
            missing.append(f"Pass {len(pending)} stage knowledge checks: " + "; ".join(pending))
    if outline.rule_day_assessments:
        for _day, quiz_id, title in sorted(outline.day_assessments):
            if not (facts.quizzes.get(quiz_id) and facts.quizzes[quiz_id].passed):
                missing.append(f"Pass the {title}")
    for key, title in outline.activities:
        record = facts.activities.get(key)
        if record is None or not record.passed(outline.activity_pass):
            where = ("" if record is None else " (submitted, awaiting review)" if record.state == "submitted"
                     else f" (returned with {record.best_points}/{record.best_out_of})")
            missing.append(f"Have the activity “{title}” marked at {outline.activity_pass}% or more{where}")
    return missing
