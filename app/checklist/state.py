"""Checklist progress per group. Pure."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from app.content.checklist import Checklist


@dataclass(frozen=True)
class EntryState:
    done: bool = False
    note: str = ""
    target_on: date | None = None


@dataclass(frozen=True)
class GroupProgress:
    group_id: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        return 0 if not self.total else 100 * self.done // self.total


def progress(checklist: Checklist, entries: Mapping[str, EntryState]) -> dict[str, GroupProgress]:
    return {g.id: GroupProgress(g.id, sum(1 for i in g.items if entries.get(i.id, EntryState()).done), len(g.items))
            for g in checklist.groups}


def overdue(checklist: Checklist, entries: Mapping[str, EntryState], today: date) -> list[str]:
    """Items not done whose target date has passed."""
    return [i.id for i in checklist.items
            if (e := entries.get(i.id)) and not e.done and e.target_on is not None and e.target_on < today]
