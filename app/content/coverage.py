"""Objectives × questions: which questions assess each lesson objective, and where the gaps are. Pure.

An objective is covered when a question's `assesses` names it (as main objective or not), or when
its lesson lists it in `assessed_by_activity` (plan/design/draft objectives that fixed-answer
questions cannot reach). Objectives of a lesson that a day assessment's blueprint lists as
`not_assessed` (the Cluster Dinner) are not assessed by design. Anything else is a gap.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from app.content.quizzes import Quiz


class LessonLike(Protocol):
    @property
    def slug(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def stage(self) -> int | None: ...
    @property
    def objectives(self) -> tuple[str, ...]: ...
    @property
    def assessed_by_activity(self) -> tuple[int, ...]: ...


@dataclass(frozen=True)
class Use:
    quiz_id: str
    question_id: str
    level: str
    main: bool            # this objective is the question's main one (first in `assesses`)

    def __str__(self) -> str:
        details = ", ".join(x for x in (self.level or "no level", "main" if self.main else "") if x)
        return f"{self.quiz_id}/{self.question_id} ({details})"


@dataclass(frozen=True)
class ObjectiveRow:
    lesson_slug: str
    lesson_title: str
    stage: int | None
    number: int           # 1-based, as in `assesses: [slug#n]`
    text: str
    by_activity: bool
    uses: tuple[Use, ...]
    not_assessed: bool = False    # the lesson is excluded from assessment by a blueprint

    @property
    def status(self) -> str:
        if self.uses:
            return "questions"
        if self.by_activity:
            return "activity"
        return "not assessed" if self.not_assessed else "gap"

    @property
    def levels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(u.level for u in self.uses if u.level))


@dataclass(frozen=True)
class Coverage:
    rows: tuple[ObjectiveRow, ...]
    untagged: tuple[tuple[str, str], ...]    # (quiz id, question id) of questions with no `assesses`

    @property
    def gaps(self) -> tuple[ObjectiveRow, ...]:
        return tuple(r for r in self.rows if r.status == "gap")

    def count(self, status: str) -> int:
        return sum(1 for r in self.rows if r.status == status)


def coverage(lessons: Sequence[LessonLike], quizzes: Sequence[Quiz]) -> Coverage:
    uses: dict[tuple[str, int], list[Use]] = {}
    untagged = []
    for quiz in quizzes:
        for question in quiz.questions:
            if not question.assesses:
                untagged.append((quiz.id, question.id))
            for position, (slug, number) in enumerate(question.objectives):
                uses.setdefault((slug, number), []).append(Use(quiz.id, question.id, question.level, position == 0))
    excluded = {slug for quiz in quizzes if quiz.blueprint is not None for slug in quiz.blueprint.not_assessed}
    rows = tuple(
        ObjectiveRow(lesson.slug, lesson.title, lesson.stage, number, text, number in lesson.assessed_by_activity,
                     tuple(uses.get((lesson.slug, number), ())), lesson.slug in excluded)
        for lesson in lessons for number, text in enumerate(lesson.objectives, start=1))
    return Coverage(rows, tuple(untagged))


def text_report(report: Coverage) -> list[str]:
    """The table as plain-text lines, lesson by lesson."""
    lines: list[str] = []
    current = None
    for row in report.rows:
        if row.lesson_slug != current:
            current = row.lesson_slug
            if lines:
                lines.append("")
            lines.append(f"{row.lesson_title} ({row.lesson_slug})")
        lines.append(f"  {row.number}. {row.text}")
        if row.uses:
            lines.extend(f"       {use}" for use in row.uses)
        if row.by_activity:
            lines.append("       assessed by activity")
        if row.status == "gap":
            lines.append("       GAP: no question assesses it")
        elif row.status == "not assessed":
            lines.append("       not assessed by design (a blueprint's not_assessed)")
    lines.append("")
    lines.append(f"{len(report.rows)} objectives: {report.count('questions')} assessed by questions, "
                 f"{report.count('activity')} by activity only, {report.count('not assessed')} not assessed by "
                 f"design, {report.count('gap')} gap(s). "
                 f"{len(report.untagged)} question(s) have no 'assesses' tag.")
    return lines


CSV_HEADER = ["Lesson", "Stage", "Objective", "Text", "Status", "Questions", "Assessed by", "Levels"]


def csv_rows(report: Coverage) -> list[list[object]]:
    return [[r.lesson_slug, r.stage or "", r.number, r.text,
             r.status if r.status in ("gap", "not assessed") else ("activity" if r.by_activity and not r.uses else
                                              "questions + activity" if r.by_activity else "questions"),
             len(r.uses), "; ".join(str(u) for u in r.uses), " ".join(r.levels)] for r in report.rows]
