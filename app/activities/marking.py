"""Marking assessed activities against their rubric, and where a trainee's submissions stand. Pure.

A trainee submits; an instructor chooses one level per criterion, which gives the points, writes
feedback and returns the submission. One submission is under review at a time, and a returned one
can be followed by one more: MAX_SUBMISSIONS in all.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from app.content.rubrics import Rubric

MAX_SUBMISSIONS = 2          # the first submission and one resubmission after it is returned
SUBMISSION_MAX_CHARS = 20_000
FEEDBACK_MAX_CHARS = 10_000


class MarkingIncomplete(ValueError):
    """Some criteria have no level chosen, or a choice is not one of the criterion's levels."""

    def __init__(self, criteria: Sequence[str]):
        super().__init__("Choose a level for every criterion: " + "; ".join(criteria))
        self.criteria = tuple(criteria)


@dataclass(frozen=True)
class Mark:
    criterion: str
    level: str
    points: int
    out_of: int
    description: str = ""

    def as_json(self) -> dict[str, object]:
        return {"criterion": self.criterion, "level": self.level, "points": self.points, "out_of": self.out_of,
                "description": self.description}

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Mark:
        return cls(str(data.get("criterion", "")), str(data.get("level", "")), int(data.get("points", 0)),  # type: ignore[call-overload]
                   int(data.get("out_of", 0)), str(data.get("description", "")))  # type: ignore[call-overload]


@dataclass(frozen=True)
class Marks:
    marks: tuple[Mark, ...]

    @property
    def points(self) -> int:
        return sum(m.points for m in self.marks)

    @property
    def out_of(self) -> int:
        return sum(m.out_of for m in self.marks)


def mark(rubric: Rubric, choices: Mapping[int, int | None]) -> Marks:
    """The marks for one level chosen per criterion: `choices` maps a criterion's index to the index
    of the chosen level. Raises MarkingIncomplete naming every criterion left out or mis-chosen."""
    missing = []
    marks = []
    for index, criterion in enumerate(rubric.criteria):
        chosen = choices.get(index)
        if chosen is None or not 0 <= chosen < len(criterion.levels):
            missing.append(criterion.title)
            continue
        level = criterion.levels[chosen]
        marks.append(Mark(criterion.title, level.name, level.points, criterion.max_points, level.description))
    if missing:
        raise MarkingIncomplete(missing)
    return Marks(tuple(marks))


def percent(points: int, out_of: int) -> float:
    return 0.0 if out_of <= 0 else 100 * points / out_of


def passes(points: int, out_of: int, pass_percent: int) -> bool:
    """At least `pass_percent` of the rubric's points (whole numbers, so no rounding doubts)."""
    return out_of > 0 and points * 100 >= pass_percent * out_of


class State(StrEnum):
    NOT_SUBMITTED = "not-submitted"
    SUBMITTED = "submitted"     # under review
    RETURNED = "returned"

    @property
    def label(self) -> str:
        return {"not-submitted": "Not submitted", "submitted": "Submitted, awaiting review",
                "returned": "Returned"}[self.value]


@dataclass(frozen=True)
class SubmissionFacts:
    """What the rules need of one stored submission."""

    number: int
    submitted_at: datetime
    returned_at: datetime | None = None
    points: int | None = None
    out_of: int | None = None


@dataclass(frozen=True)
class Standing:
    """Where one trainee stands on one activity."""

    state: State
    submissions: int
    can_submit: bool
    best_points: int | None = None      # the best returned submission
    best_out_of: int | None = None

    @property
    def best_percent(self) -> float | None:
        return None if self.best_points is None or not self.best_out_of else percent(self.best_points, self.best_out_of)

    def passed(self, pass_percent: int) -> bool:
        return self.best_points is not None and passes(self.best_points, self.best_out_of or 0, pass_percent)


def standing(submissions: Sequence[SubmissionFacts]) -> Standing:
    """The latest submission decides the state; a new one may be made when none is under review and
    fewer than MAX_SUBMISSIONS were made. The best returned result is what counts."""
    ordered = sorted(submissions, key=lambda s: s.number)
    if not ordered:
        return Standing(State.NOT_SUBMITTED, 0, True)
    latest = ordered[-1]
    state = State.SUBMITTED if latest.returned_at is None else State.RETURNED
    returned = [s for s in ordered if s.returned_at is not None and s.points is not None and s.out_of]
    best = max(returned, key=lambda s: (percent(s.points or 0, s.out_of or 0), s.number), default=None)
    return Standing(state, len(ordered), state is State.RETURNED and len(ordered) < MAX_SUBMISSIONS,
                    best.points if best else None, best.out_of if best else None)
