"""Checklist answers and progress per group. Pure.

Each item is answered yes, partly or no, or not yet answered. "Yes" counts as done; "partly" is
counted on its own, so a group half-way there does not look untouched or finished.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from app.content.checklist import Checklist

UNANSWERED = "unanswered"
ANSWERS = ("yes", "partly", "no")              # in the order they are offered
STATES = (*ANSWERS, UNANSWERED)
LABELS = {"yes": "Yes", "partly": "Partly", "no": "No", UNANSWERED: "Not yet answered"}


def parse_answer(raw: object) -> str:
    """A submitted answer: one of ANSWERS, anything else (missing, bent) is UNANSWERED."""
    return raw if isinstance(raw, str) and raw in ANSWERS else UNANSWERED


@dataclass(frozen=True)
class EntryState:
    answer: str = UNANSWERED
    note: str = ""
    target_on: date | None = None

    def __post_init__(self) -> None:
        if self.answer not in STATES:
            raise ValueError(f"unknown checklist answer {self.answer!r}")

    @property
    def done(self) -> bool:
        return self.answer == "yes"

    @property
    def is_empty(self) -> bool:
        return self.answer == UNANSWERED and not self.note and self.target_on is None


@dataclass(frozen=True)
class GroupProgress:
    group_id: str
    done: int           # answered yes
    partly: int
    no: int
    total: int

    @property
    def unanswered(self) -> int:
        return self.total - self.done - self.partly - self.no

    @property
    def percent(self) -> int:
        """Share answered yes (partly is shown beside it, never counted as done)."""
        return 0 if not self.total else 100 * self.done // self.total

    @property
    def partly_percent(self) -> int:
        return 0 if not self.total else 100 * self.partly // self.total

    @property
    def summary(self) -> str:
        """"3 of 10 yes · 2 partly · 1 no" (counts of zero beside yes are left out)."""
        parts = [f"{self.done} of {self.total} yes"]
        parts += [f"{count} {label}" for count, label in ((self.partly, "partly"), (self.no, "no")) if count]
        return " · ".join(parts)


def progress(checklist: Checklist, entries: Mapping[str, EntryState]) -> dict[str, GroupProgress]:
    out = {}
    for group in checklist.groups:
        answers = [entries.get(item.id, EntryState()).answer for item in group.items]
        out[group.id] = GroupProgress(group.id, answers.count("yes"), answers.count("partly"), answers.count("no"),
                                      len(answers))
    return out


def overall(groups: Mapping[str, GroupProgress]) -> GroupProgress:
    """Every group's counts added up."""
    counts = [sum(getattr(g, name) for g in groups.values()) for name in ("done", "partly", "no", "total")]
    return GroupProgress("all", *counts)


def overdue(checklist: Checklist, entries: Mapping[str, EntryState], today: date) -> list[str]:
    """Items not answered yes whose target date has passed."""
    return [i.id for i in checklist.items
            if (e := entries.get(i.id)) and not e.done and e.target_on is not None and e.target_on < today]
