"""Rubrics for assessed activities, written in a lesson's Markdown. Pure.

An activity becomes "submit for review" with a `review: <id>` line at the top of its block, and a
`::: rubric <id>` block in the same lesson says how it is marked:

    ::: rubric stage-06-stepping-stones
    ### Stepping stones are states, not activities
    - **Not yet** (0 points): Most stones are projects or tasks ("run a workshop").
    - **Partly** (1 point): Some stones are states; others are still tasks.
    - **Fully** (2 points): Every stone is a dated state the cluster has reached,
      one that the Stage 11 review could check.
    :::

A `###` line starts a criterion; each `- **Name** (N points): description` line under it is one
level (the description may go on over indented lines). Problems are reported with the line of the
lesson file they are on.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

MAX_LEVEL_POINTS = 100
_CRITERION = re.compile(r"^###\s+(?P<title>\S.*?)\s*$")
_LEVEL = re.compile(r"^[-*]\s+\*\*(?P<name>[^*]+?)\*\*\s*\((?P<points>\d+)\s+points?\)\s*:\s*(?P<description>.*?)\s*$")
_LEVEL_LIKE = re.compile(r"^[-*]\s+")
LEVEL_EXAMPLE = "- **Partly** (1 point): what work at this level looks like"


@dataclass(frozen=True)
class Level:
    name: str
    points: int
    description: str


@dataclass(frozen=True)
class Criterion:
    title: str
    levels: tuple[Level, ...]

    @property
    def max_points(self) -> int:
        return max(level.points for level in self.levels)


@dataclass(frozen=True)
class Rubric:
    criteria: tuple[Criterion, ...]

    @property
    def out_of(self) -> int:
        return sum(criterion.max_points for criterion in self.criteria)


@dataclass(frozen=True)
class AssessedActivity:
    """An activity trainees submit for an instructor to mark against its rubric."""

    key: str              # the id after `review:`; permanent: submissions are stored against it
    title: str
    lesson_slug: str
    rubric: Rubric


def parse_rubric(text: str, first_line: int, problem: Callable[[int, str], None]) -> Rubric | None:
    """The rubric written in a `::: rubric` block (`first_line`: the file line of the text's first
    line). Every problem is reported through `problem(line, message)`; None if there were any."""
    found_problem = False

    def report(line: int, message: str) -> None:
        nonlocal found_problem
        found_problem = True
        problem(line, message)

    criteria: list[tuple[int, str, list[tuple[int, str, int, list[str]]]]] = []
    for offset, raw in enumerate(text.split("\n")):
        number = first_line + offset
        line = raw.rstrip()
        if not line.strip():
            continue
        heading = _CRITERION.match(line)
        if heading:
            criteria.append((number, heading["title"], []))
            continue
        level = _LEVEL.match(line)
        if level:
            if not criteria:
                report(number, "a rubric level must follow a criterion heading ('### What is judged')")
                continue
            criteria[-1][2].append((number, level["name"].strip(), int(level["points"]),
                                    [level["description"]] if level["description"] else []))
            continue
        if raw.startswith(("  ", "\t")) and criteria and criteria[-1][2]:
            criteria[-1][2][-1][3].append(line.strip())  # the level's description goes on
            continue
        if _LEVEL_LIKE.match(line):
            report(number, f"a rubric level looks like '{LEVEL_EXAMPLE}'")
        elif line.lstrip().startswith("#"):
            report(number, "a rubric criterion is a '###' heading: '### Stones are states, not activities'")
        else:
            report(number, "a rubric holds only criteria ('### …') and their levels "
                           f"('{LEVEL_EXAMPLE}'); put other text in the activity")
    if not criteria and not found_problem:
        report(first_line, "the rubric has no criteria: start each with '### What is judged'")
    parsed: list[Criterion] = []
    titles: set[str] = set()
    for at, title, levels in criteria:
        if title.casefold() in titles:
            report(at, f"the rubric has two criteria called {title!r}")
        titles.add(title.casefold())
        if len(levels) < 2:
            report(at, f"criterion {title!r} needs at least two levels ('{LEVEL_EXAMPLE}')")
            continue
        names: set[str] = set()
        for level_line, name, points, description in levels:
            if name.casefold() in names:
                report(level_line, f"criterion {title!r} has two levels called {name!r}")
            names.add(name.casefold())
            if points > MAX_LEVEL_POINTS:
                report(level_line, f"a level is worth at most {MAX_LEVEL_POINTS} points")
            if not description:
                report(level_line, f"level {name!r} needs a description: what work at this level looks like")
        if max(points for _l, _n, points, _d in levels) == 0:
            report(at, f"criterion {title!r}: at least one level must be worth some points")
        parsed.append(Criterion(title, tuple(Level(name, points, " ".join(description))
                                             for _l, name, points, description in levels)))
    if found_problem:
        return None
    return Rubric(tuple(parsed))
