"""The instructor's progress grid: trainees × lessons and quizzes. Pure."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.progress.progress import CourseOutline, LearnerFacts, QuizRecord, Report, Status, report

SORTS = ("name", "progress", "quizzes", "missing")


@dataclass(frozen=True)
class Row:
    user_id: int
    name: str
    email: str
    report: Report
    quizzes_passed: int

    def lesson(self, slug: str) -> Status:
        return self.report.lesson_status[slug]

    def quiz(self, quiz_id: str) -> QuizRecord | None:
        return self.report.quizzes.get(quiz_id)


def build_rows(outline: CourseOutline, people: Sequence[tuple[int, str, str]],
               facts: Mapping[int, LearnerFacts], sort: str = "name", descending: bool = False) -> list[Row]:
    rows = []
    for user_id, name, email in people:
        r = report(outline, facts[user_id])
        rows.append(Row(user_id, name, email, r, sum(1 for q in r.quizzes.values() if q.passed)))
    keys = {
        "name": lambda row: (row.name.casefold(), row.user_id),
        "progress": lambda row: (row.report.course.done, row.name.casefold()),
        "quizzes": lambda row: (row.quizzes_passed, row.name.casefold()),
        "missing": lambda row: (len(row.report.missing), row.name.casefold()),
    }
    rows.sort(key=keys.get(sort, keys["name"]), reverse=descending)
    return rows
