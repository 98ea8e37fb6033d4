"""Lesson files: YAML front matter, Markdown body and the course's custom `:::` blocks."""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, cast

from app.content.problems import ContentProblem
from app.content.rubrics import Rubric, parse_rubric
from app.content.yamlsource import LineDict, load_mapping

LESSON_PATH = "/lessons/"  # learn.lesson's route (app/learn/views.py); the workbook parses it back


def lesson_url(slug: str) -> str:
    """The address of a lesson's page: the one place content, quizzes and the workbook spell it."""
    return f"{LESSON_PATH}{slug}"

FRONT_MATTER_KEYS = {"title", "slug", "minutes", "stage", "objectives", "glossary", "quiz", "assessed_by_activity"}
REQUIRED_KEYS = {"title", "slug", "minutes", "objectives"}
BLOCK_KINDS = ("activity", "reflection", "takeaways", "facilitator", "rubric", "slide")
SLIDE_KINDS = ("slide", "slide-break")   # slide-only content and slide breaks: never on the lesson page
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FILE_NAME = re.compile(r"^(?P<position>\d\d)-(?P<slug>[a-z0-9-]+)\.md$")
_FENCE = re.compile(r"^:::\s*(?P<kind>[A-Za-z]+)?(?:\s+(?P<arg>.*?))?\s*$")
_SLIDE_BREAK = re.compile(r"^<!--\s*slide\s*-->\s*$")
_SLIDE_COMMENT = re.compile(r"^\s*<!--.*\bslides?\b", re.IGNORECASE)
_BAD_SLIDE_FENCE = re.compile(r"^:::\s*slides?[^A-Za-z\s]", re.IGNORECASE)
_REVIEW = re.compile(r"^review:\s*(?P<key>.*?)\s*$")


@dataclass(frozen=True)
class RawBlock:
    """A `::: kind arg` … `:::` block as written (Markdown not yet rendered)."""

    kind: str
    arg: str
    text: str
    line: int
    text_line: int = 0   # the file line of the text's first line
    review: str = ""     # an activity's `review: <id>`: submitted for an instructor to mark


@dataclass(frozen=True)
class LessonSource:
    """A lesson file parsed but not yet rendered."""

    path: str
    day_number: int
    position: int
    slug: str
    title: str
    minutes: int
    stage: int | None
    objectives: tuple[str, ...]
    glossary: tuple[tuple[str, str], ...]
    quiz: str | None
    assessed_by_activity: tuple[int, ...]   # 1-based objective indices an assessed activity covers
    body: str                    # Markdown with each block replaced by a placeholder paragraph
    blocks: tuple[RawBlock, ...]
    content_hash: str
    line_of: dict[str, int]      # front-matter key → line, for later checks
    text: str = ""               # the file as written, to point at lines found later
    rubrics: tuple[tuple[str, Rubric], ...] = ()   # (activity id, rubric) from `::: rubric` blocks

    def line_containing(self, fragment: str) -> int:
        for number, line in enumerate(self.text.split("\n"), start=1):
            if fragment in line:
                return number
        return 1


PLACEHOLDER = "LECTERNBLOCK{index}"
PLACEHOLDER_HTML = re.compile(r"<p>LECTERNBLOCK(\d+)</p>")


def split_front_matter(text: str) -> tuple[str | None, str, int]:
    """(front matter YAML or None, body, line number where the body starts)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        return None, text, 1
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1:]), index + 2
    return None, text, 1


def split_blocks(body: str, first_line: int, problem: Any) -> tuple[str, tuple[RawBlock, ...]]:
    """Lift `:::` blocks out of the body, leaving numbered placeholders where they stood."""
    out: list[str] = []
    blocks: list[RawBlock] = []
    current: dict[str, Any] | None = None
    in_code = False
    for offset, line in enumerate(body.split("\n")):
        number = first_line + offset
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        match = None if in_code else _FENCE.match(line)
        if not in_code and _BAD_SLIDE_FENCE.match(line):
            problem(number, "a slide break is written '<!-- slide -->'; slide-only content goes in a "
                            "'::: slide' block closed with ':::'")
            continue
        if match is None and not in_code and _SLIDE_COMMENT.match(line):
            if current is not None:
                problem(number, f"a slide break goes between paragraphs of the lesson, not inside the "
                                f"'::: {current['kind']}' block from line {current['line']}")
            elif not _SLIDE_BREAK.match(line):
                problem(number, "a slide break is written '<!-- slide -->' on a line of its own")
            else:
                blocks.append(RawBlock("slide-break", "", "", number, text_line=number))
                out.extend(["", PLACEHOLDER.format(index=len(blocks) - 1), ""])
            continue
        if match is None:
            (current["lines"] if current else out).append(line)
            continue
        kind, arg = (match["kind"] or "").lower(), (match["arg"] or "").strip()
        if current is None:
            if not kind:
                problem(number, "':::' closes a block that was never opened")
                continue
            if kind not in BLOCK_KINDS:
                problem(number, f"unknown block '::: {kind}' (use one of: {', '.join(BLOCK_KINDS)})")
            current = {"kind": kind, "arg": arg, "line": number, "lines": []}
        elif kind:
            problem(number, f"'::: {kind}' opens a block inside the '::: {current['kind']}' block from line "
                            f"{current['line']}; close that one first with ':::'")
        else:
            index = len(blocks)
            lead = next((i for i, text in enumerate(current["lines"]) if text != ""), 0)
            blocks.append(RawBlock(current["kind"], current["arg"], "\n".join(current["lines"]).strip("\n"),
                                   current["line"], text_line=current["line"] + 1 + lead))
            out.extend(["", PLACEHOLDER.format(index=index), ""])
            current = None
    if current is not None:
        problem(current["line"], f"'::: {current['kind']}' is never closed with ':::'")
    return "\n".join(out), tuple(blocks)


def parse_lesson(path: Path, display_path: str, day_number: int) -> tuple[LessonSource | None, list[ContentProblem]]:
    problems: list[ContentProblem] = []

    def problem(line: int, message: str) -> None:
        problems.append(ContentProblem(display_path, line, message))

    name = FILE_NAME.match(path.name)
    if not name:
        return None, [ContentProblem(display_path, 1, "lesson file names look like 'NN-slug.md' (two digits, a hyphen, the slug)")]
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [ContentProblem(display_path, 1, f"not UTF-8 text ({exc.reason})")]
    front, body, body_line = split_front_matter(text.replace("\r\n", "\n"))
    if front is None:
        return None, [ContentProblem(display_path, 1, "a lesson starts with YAML front matter between '---' lines")]
    meta, found = load_mapping(front, display_path, FRONT_MATTER_KEYS, keys_called="front-matter key",
                               what="front matter must be a mapping of keys to values", first_line=2)
    problems.extend(found)
    if meta is None:
        return None, problems
    for key in sorted(REQUIRED_KEYS - set(meta)):
        problem(1, f"front matter is missing {key!r}")

    title = meta.get("title")
    if "title" in meta and (not isinstance(title, str) or not title.strip()):
        problem(meta.line_of("title"), "'title' must be non-empty text")
    slug = meta.get("slug")
    if "slug" in meta:
        if not isinstance(slug, str) or not SLUG.match(slug):
            problem(meta.line_of("slug"), "'slug' must be lower-case words joined by hyphens")
        elif slug != name["slug"]:
            problem(meta.line_of("slug"), f"'slug' is {slug!r} but the file name says {name['slug']!r}")
    minutes = meta.get("minutes")
    if "minutes" in meta and (not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 600):
        problem(meta.line_of("minutes"), "'minutes' must be a whole number of minutes between 1 and 600")
    stage = meta.get("stage")
    if stage is not None and (not isinstance(stage, int) or isinstance(stage, bool) or not 1 <= stage <= 12):
        problem(meta.line_of("stage"), "'stage' must be a stage number from 1 to 12")
    objectives = meta.get("objectives")
    if "objectives" in meta and (not isinstance(objectives, list) or not objectives
                                 or not all(isinstance(o, str) and o.strip() for o in objectives)):
        problem(meta.line_of("objectives"), "'objectives' must be a list of one or more sentences")
    glossary = meta.get("glossary") or {}
    if not isinstance(glossary, dict) or not all(isinstance(k, str) and isinstance(v, str) and v.strip()
                                                 for k, v in glossary.items()):
        problem(meta.line_of("glossary"), "'glossary' must map each term to a one-sentence definition")
        glossary = {}
    quiz = meta.get("quiz")
    if quiz is not None and not (isinstance(quiz, str) and SLUG.match(quiz)):
        problem(meta.line_of("quiz"), "'quiz' must be a quiz id")
    by_activity = meta.get("assessed_by_activity", []) or []
    count = len(objectives) if isinstance(objectives, list) else 0
    if not (isinstance(by_activity, list)
            and all(isinstance(n, int) and not isinstance(n, bool) for n in by_activity)):
        problem(meta.line_of("assessed_by_activity"), "'assessed_by_activity' lists objective numbers, counted from 1")
        by_activity = []
    for number in by_activity:
        if not 1 <= number <= count:
            problem(meta.line_of("assessed_by_activity"), f"'assessed_by_activity' names objective {number}, but the "
                                                          f"lesson has {count} objective(s)")
    if len(set(by_activity)) != len(by_activity):
        problem(meta.line_of("assessed_by_activity"), "an objective is listed twice in 'assessed_by_activity'")

    if re.search(r"^#\s", body, flags=re.MULTILINE):
        first = next(i for i, line in enumerate(body.split("\n")) if re.match(r"#\s", line))
        problem(body_line + first, "do not start a '#' heading: the title is shown from the front matter; use '##'")
    markdown_body, blocks = split_blocks(body, body_line, problem)
    blocks, rubrics = _assessed_activities(blocks, problem)
    for block in blocks:
        if block.kind == "reflection" and not SLUG.match(block.arg or ""):
            problem(block.line, "'::: reflection' needs an id: '::: reflection stage-05-united-view'")
        if block.kind == "activity" and not block.arg:
            problem(block.line, "'::: activity' needs a title: '::: activity Draft your preferred future'")
        if not block.text.strip() and block.kind != "slide-break":
            problem(block.line, f"the '::: {block.kind}' block is empty")

    if problems:
        return None, problems
    return LessonSource(
        path=display_path, day_number=day_number, position=int(name["position"]), slug=str(slug),
        title=str(title).strip(), minutes=int(cast(int, minutes)), stage=stage,
        objectives=tuple(o.strip() for o in cast(list[str], objectives)),
        glossary=tuple((k.strip(), v.strip()) for k, v in glossary.items()), quiz=quiz,
        assessed_by_activity=tuple(sorted(by_activity)), body=markdown_body,
        blocks=blocks, content_hash=hashlib.sha256(raw).hexdigest(),
        line_of={**meta.key_lines, **{f"glossary:{t.strip()}": glossary.line_of(t) for t in glossary}
                 } if isinstance(glossary, LineDict) else dict(meta.key_lines),
        text=text, rubrics=rubrics,
    ), []


def _assessed_activities(blocks: tuple[RawBlock, ...], problem: Any
                         ) -> tuple[tuple[RawBlock, ...], tuple[tuple[str, Rubric], ...]]:
    """Activities marked `review: <id>` (the line is taken out of the text) and their `::: rubric <id>`
    blocks: each assessed activity has exactly one rubric in the same lesson (docs/AUTHORING.md)."""
    out: list[RawBlock] = []
    reviewed: dict[str, int] = {}
    rubrics: dict[str, Rubric] = {}
    for block in blocks:
        first, _, rest = block.text.partition("\n")
        review = _REVIEW.match(first.strip()) if block.kind == "activity" else None
        if review:
            key = review["key"]
            if not SLUG.match(key):
                problem(block.text_line, "'review:' needs the activity's id: 'review: stage-06-stepping-stones'")
            elif key in reviewed:
                problem(block.text_line, f"activity id {key!r} is also used on line {reviewed[key]}")
            else:
                reviewed[key] = block.text_line
            following = rest.strip("\n")
            lead = len(rest) - len(rest.lstrip("\n"))
            block = replace(block, text=following, review=key, text_line=block.text_line + 1 + lead)
        elif block.kind == "rubric":
            if not SLUG.match(block.arg or ""):
                problem(block.line, "'::: rubric' needs the id of the activity it marks: '::: rubric stage-06-stepping-stones'")
            elif block.arg in rubrics:
                problem(block.line, f"activity {block.arg!r} already has a rubric")
            elif block.text.strip():
                rubric = parse_rubric(block.text, block.text_line, problem)
                if rubric is not None:
                    rubrics[block.arg] = rubric
        out.append(block)
    for block in out:
        if block.kind == "rubric" and SLUG.match(block.arg or "") and block.arg not in reviewed:
            problem(block.line, f"no activity in this lesson says 'review: {block.arg}'")
    for key, line in reviewed.items():
        if key not in rubrics and not any(b.kind == "rubric" and b.arg == key for b in out):
            problem(line, f"activity {key!r} is submitted for review but has no '::: rubric {key}' block")
    return tuple(out), tuple(rubrics.items())
