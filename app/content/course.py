"""The course description (`curriculum/course.yaml`) as frozen, validated data."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.content.problems import ContentProblem
from app.content.yamlsource import LineDict, LineList, load_mapping

AGENDA_KINDS = ("session", "break", "lunch", "event")
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class AgendaItem:
    start: str
    end: str
    kind: str
    title: str
    lesson_slugs: tuple[str, ...]
    line: int = field(default=0, compare=False)

    @property
    def minutes(self) -> int:
        """The planned length: "09:15"–"10:15" → 60 (times are HH:MM, checked when the course loads)."""
        def minute_of_day(hh_mm: str) -> int:
            hours, _, minutes = hh_mm.partition(":")
            return int(hours) * 60 + int(minutes)

        return minute_of_day(self.end) - minute_of_day(self.start)


@dataclass(frozen=True)
class Day:
    number: int
    title: str
    summary: str
    agenda: tuple[AgendaItem, ...]

    @property
    def label(self) -> str:
        return f"Day {self.number}"

    @property
    def starts(self) -> str:
        return self.agenda[0].start if self.agenda else ""

    @property
    def ends(self) -> str:
        return self.agenda[-1].end if self.agenda else ""


@dataclass(frozen=True)
class CompletionRule:
    """What a trainee must have done to earn the certificate (course.yaml `completion:`)."""

    all_lessons: bool = True
    stage_checks_passed: bool = True
    day_assessments_passed: bool = True
    live_attendance_replaces_lessons: bool = True
    live_attendance_minutes: int = 240   # minutes present in a day's live sessions that count as attending it
    activities: tuple[str, ...] = ()     # assessed activities (ids) that must be returned with …
    activity_pass: int = 50              # … at least this percent of their rubric's points
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Course:
    title: str
    code: str
    description: str
    hours: float
    days: tuple[Day, ...]
    completion: CompletionRule = CompletionRule()


COURSE_KEYS = {"title", "code", "description", "hours", "days", "completion"}
DAY_KEYS = {"number", "title", "summary", "agenda"}
ITEM_KEYS = {"start", "end", "kind", "title", "lessons"}


def load_course(path: Path, display_path: str) -> tuple[Course | None, list[ContentProblem]]:
    """Parse and check course.yaml, returning every problem found (not just the first)."""
    problems: list[ContentProblem] = []

    def problem(line: int, message: str) -> None:
        problems.append(ContentProblem(display_path, line, message))

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [ContentProblem(display_path, 0, "file is missing")]
    data, found = load_mapping(raw, display_path, COURSE_KEYS, what="expected a mapping of course settings")
    problems.extend(found)
    if data is None:
        return None, problems
    title = _text(data, "title", problem)
    code = _text(data, "code", problem)
    description = _text(data, "description", problem)
    hours = data.get("hours")
    if not isinstance(hours, (int, float)) or isinstance(hours, bool) or hours <= 0:
        problem(data.line_of("hours"), "'hours' must be a positive number")
        hours = 0

    days: list[Day] = []
    raw_days = data.get("days")
    if not isinstance(raw_days, LineList) or not raw_days:
        problem(data.line_of("days"), "'days' must be a non-empty list")
        raw_days = LineList()
    for index, raw in enumerate(raw_days, start=1):
        day = _day(raw, index, raw_days.line, problem)
        if day is not None:
            days.append(day)
    completion = _completion(data, problem)
    if problems:
        return None, problems
    return Course(title=title, code=code, description=description, hours=float(hours), days=tuple(days),
                  completion=completion), []


def _completion(data: LineDict, problem: Any) -> CompletionRule:
    raw = data.get("completion")
    if raw is None:
        problem(1, "'completion' is missing: say what earns the certificate (see docs/AUTHORING.md)")
        return CompletionRule()
    if not isinstance(raw, LineDict):
        problem(data.line_of("completion"), "'completion' must be a mapping of rules to true/false")
        return CompletionRule()
    known = {f for f in CompletionRule.__dataclass_fields__} - {"line"}
    values: dict[str, Any] = {"line": raw.line_of("activities")}
    for key in raw:
        if key not in known:
            problem(raw.line_of(key), f"unknown completion rule {key!r} (known: {', '.join(sorted(known))})")
        elif key == "live_attendance_minutes":
            minutes = raw[key]
            if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= 24 * 60:
                problem(raw.line_of(key), "'live_attendance_minutes' must be a whole number of minutes (0–1440)")
            else:
                values[key] = minutes
        elif key == "activities":
            keys = raw[key]
            if not isinstance(keys, list) or not all(isinstance(k, str) and k.strip() for k in keys):
                problem(raw.line_of(key), "'activities' must be a list of assessed activity ids")
            else:
                values[key] = tuple(k.strip() for k in keys)
        elif key == "activity_pass":
            share = raw[key]
            if isinstance(share, bool) or not isinstance(share, int) or not 0 <= share <= 100:
                problem(raw.line_of(key), "'activity_pass' must be a whole percent (0–100)")
            else:
                values[key] = share
        elif not isinstance(raw[key], bool):
            problem(raw.line_of(key), f"completion rule {key!r} must be true or false")
        else:
            values[key] = raw[key]
    return CompletionRule(**values)


def _text(data: LineDict, key: str, problem: Any) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value.strip():
        problem(data.line_of(key), f"{key!r} must be non-empty text")
        return ""
    return value.strip()


def _day(raw: Any, index: int, line: int, problem: Any) -> Day | None:
    if not isinstance(raw, LineDict):
        problem(line, f"day {index} must be a mapping")
        return None
    for key in sorted(set(raw) - DAY_KEYS):
        problem(raw.line_of(key), f"unknown key {key!r} in day {index}")
    if raw.get("number") != index:
        problem(raw.line_of("number"), f"day {index} must have 'number: {index}'")
    title = _text(raw, "title", problem)
    summary = _text(raw, "summary", problem)
    items: list[AgendaItem] = []
    agenda = raw.get("agenda")
    if not isinstance(agenda, LineList) or not agenda:
        problem(raw.line_of("agenda"), f"day {index} needs an 'agenda' list")
        agenda = LineList()
    previous_end = ""
    for item in agenda:
        if not isinstance(item, LineDict):
            problem(agenda.line, "each agenda item must be a mapping")
            continue
        for key in sorted(set(item) - ITEM_KEYS):
            problem(item.line_of(key), f"unknown key {key!r} in agenda item")
        start, end = str(item.get("start", "")), str(item.get("end", ""))
        if not _TIME.match(start) or not _TIME.match(end):
            problem(item.line, "agenda times must look like 09:00")
        elif end <= start:
            problem(item.line, f"agenda item ends ({end}) before it starts ({start})")
        elif previous_end and start < previous_end:
            problem(item.line, f"agenda item starts at {start}, before the previous one ends ({previous_end})")
        previous_end = end if _TIME.match(end) else previous_end
        kind = item.get("kind")
        if kind not in AGENDA_KINDS:
            problem(item.line_of("kind"), f"agenda 'kind' must be one of {', '.join(AGENDA_KINDS)}")
        item_title = _text(item, "title", problem)
        lessons = item.get("lessons", [])
        if not isinstance(lessons, list) or not all(isinstance(s, str) for s in lessons):
            problem(item.line_of("lessons"), "'lessons' must be a list of lesson slugs")
            lessons = []
        items.append(AgendaItem(start, end, str(kind), item_title, tuple(lessons), line=item.line))
    return Day(number=index, title=title, summary=summary, agenda=tuple(items))
