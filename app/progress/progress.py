"""Progress through the course, derived from plain data and never stored.

Pure: no Flask, no database. Statuses come from the current catalog, so a percentage can never
pass 100 % and lessons removed from the course stop counting.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
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
