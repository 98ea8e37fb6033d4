"""How long a lesson takes, two ways, and the rules that keep the two figures honest.

- **Live**: the lesson's agenda slot in course.yaml. A facilitator note that states a timing
  (`**Timing** (40 min, as in the Day 1 agenda): …`) describes the same session, so it must agree
  with the slot.
- **Self-study**: `minutes:` in the front matter, shown to trainees ("about 40 min"). It is the time
  to read the lesson alone and do its activities in full, so it must be at least the reading time of
  what a trainee sees (at READING_RATE words a minute) plus the time each activity says it takes.
  When every activity states its time, it must also be at most half as much again (or EXTRA_MINUTES
  more, whichever is larger): a bigger figure usually means the live slot was copied into `minutes`.

The two figures differ on purpose: a live session shortens the activities and adds discussion,
while self-study reads the whole text and does every activity point.
"""
from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.content.course import AgendaItem, Day
from app.content.lessons import LessonSource, RawBlock
from app.content.problems import ContentProblem

READING_RATE = 200       # words a minute: a planning rate a little below adults' usual silent reading
CEILING_RATIO = 1.5      # self-study may be up to half as much again as the estimate …
EXTRA_MINUTES = 10       # … or this many minutes more, whichever is larger (reflection, takeaways, re-reading)

_DURATION = re.compile(r"(\d+)(?:\s*[–-]\s*(\d+))?\s*(?:minutes|mins|min)\b")
_TIMING = re.compile(r"Timing\W{0,6}(?:about\s+)?(\d+)\s*(?:minutes|mins|min)\b")


def stated_duration(text: str) -> tuple[int, int] | None:
    """The first duration written in text, as (low, high) minutes: "45–60 minutes" → (45, 60)."""
    match = _DURATION.search(text)
    if match is None:
        return None
    low = int(match[1])
    return low, max(low, int(match[2] or low))


def activity_duration(block: RawBlock) -> tuple[int, int] | None:
    """What an activity says it takes, from its title or its first paragraph ("Allow about 25 minutes")."""
    first_paragraph = block.text.strip().split("\n\n", 1)[0]
    return stated_duration(block.arg) or stated_duration(first_paragraph)


def facilitator_timing(text: str) -> int | None:
    """The minutes a facilitator note's `**Timing**` states, if it states them as a number."""
    match = _TIMING.search(text)
    return int(match[1]) if match else None


def reading_minutes(words: int) -> int:
    return math.ceil(words / READING_RATE)


def slot_minutes(item: AgendaItem) -> int:
    return item.minutes


@dataclass(frozen=True)
class SelfStudy:
    """What one lesson asks of a trainee working alone, in minutes."""

    words: int                                  # words a trainee sees (facilitator notes excluded)
    activities: tuple[tuple[int, int, int], ...]  # (line, low, high) for each activity that states its time
    untimed_activities: tuple[int, ...]         # lines of activities that state no time

    @property
    def reading(self) -> int:
        return reading_minutes(self.words)

    @property
    def least(self) -> int:
        return self.reading + sum(low for _, low, _ in self.activities)

    @property
    def usual(self) -> int:
        return self.reading + sum(high for _, _, high in self.activities)

    @property
    def most(self) -> int | None:
        """The ceiling, when the estimate is complete (at least one activity, every one timed)."""
        if not self.activities or self.untimed_activities:
            return None
        return max(math.ceil(self.usual * CEILING_RATIO), self.usual + EXTRA_MINUTES)


def self_study(source: LessonSource, visible_words: int) -> SelfStudy:
    timed: list[tuple[int, int, int]] = []
    untimed: list[int] = []
    for block in source.blocks:
        if block.kind != "activity":
            continue
        duration = activity_duration(block)
        if duration is None:
            untimed.append(block.line)
        else:
            timed.append((block.line, *duration))
    return SelfStudy(visible_words, tuple(timed), tuple(untimed))


def check_self_study(source: LessonSource, visible_words: int) -> list[ContentProblem]:
    """`minutes` against what the lesson asks of a trainee working alone."""
    study = self_study(source, visible_words)
    line = source.line_of.get("minutes", 1)

    def breakdown(index: int) -> str:  # index 1: the activities' lowest times, 2: their highest
        text = f"{study.reading} to read its {study.words:,} words (at {READING_RATE} a minute)"
        if study.activities:
            lines = ", ".join(str(a[0]) for a in study.activities)
            noun = "activity" if len(study.activities) == 1 else "activities"
            text += f" and {sum(a[index] for a in study.activities)} for its {noun} (line {lines})"
        return text

    if source.minutes < study.least:
        return [ContentProblem(source.path, line, f"'minutes' is {source.minutes}, less than the self-study this "
                                                  f"lesson asks for: {breakdown(1)} make {study.least}. 'minutes' "
                                                  f"is the time a trainee studying alone needs (docs/AUTHORING.md)")]
    most = study.most
    if most is not None and source.minutes > most:
        return [ContentProblem(source.path, line, f"'minutes' is {source.minutes}, but self-study of this lesson "
                                                  f"takes about {study.usual} minutes: {breakdown(2)}; allow at most "
                                                  f"{most}. If {source.minutes} is the live time, it belongs in "
                                                  f"the agenda, not in 'minutes' (docs/AUTHORING.md)")]
    return []


def _timing_line(source: LessonSource, block: RawBlock) -> int:
    lines = source.text.replace("\r\n", "\n").split("\n")
    for number in range(block.line, len(lines) + 1):
        if _TIMING.search(lines[number - 1]):
            return number
    return block.line


def check_live_timing(day: Day, item: AgendaItem, sources: Sequence[LessonSource],
                      course_file: str) -> list[ContentProblem]:
    """The facilitator timings of the lessons an agenda item teaches against the item's length."""
    slot = slot_minutes(item)
    stated: list[tuple[LessonSource, int, int]] = []  # (lesson, minutes, line)
    for source in sources:
        for block in source.blocks:
            minutes = facilitator_timing(block.text) if block.kind == "facilitator" else None
            if minutes is not None:
                stated.append((source, minutes, _timing_line(source, block)))
                break
    if not stated:
        return []
    where = (f"{day.label} agenda item {item.title!r} ({item.start}–{item.end}, {slot} minutes, "
             f"{course_file}:{item.line})")
    if len(sources) == 1:
        source, minutes, line = stated[0]
        if minutes == slot:
            return []
        return [ContentProblem(source.path, line, f"the facilitator timing says {minutes} minutes, but the {where} "
                                                  f"teaches this lesson; both are the live time, so make them agree")]
    total = sum(minutes for _, minutes, _ in stated)
    if total > slot or (len(stated) == len(sources) and total != slot):
        source, _, line = stated[0]
        return [ContentProblem(source.path, line, f"the facilitator timings of the lessons in the {where} add up "
                                                  f"to {total} minutes; make them fit the slot")]
    return []
