"""Quiz files (`quizzes/*.yaml`): parsed and validated into frozen data.

The answer key lives in these objects; it never leaves the server before an attempt is finished.
"""
from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from app.content.lessons import lesson_url
from app.content.problems import ContentProblem
from app.content.yamlsource import LineDict, LineList, load_mapping
from app.quizzes.types import registry as question_types
from app.quizzes.types.base import QuestionType

KINDS = ("knowledge-check", "day-assessment")
FEEDBACK_MODES = ("immediate", "deferred")
ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

QUIZ_KEYS = {"id", "title", "lesson", "day", "kind", "pass_mark", "attempts", "feedback", "shuffle_questions",
             "shuffle_options", "subset", "draw", "blueprint", "time_limit_minutes", "description", "questions"}
QUESTION_KEYS = {"id", "type", "prompt", "points", "explanation", "section", "assesses", "level"}  # + the type's own
BLUEPRINT_KEYS = {"max_share", "not_assessed", "min_apply_share"}
# Bloom's levels (revised), lowest first; "apply or above" is APPLY_OR_ABOVE.
LEVELS = ("remember", "understand", "apply", "analyse", "evaluate", "create")
APPLY_OR_ABOVE = frozenset(LEVELS[2:])
OBJECTIVE_REF = re.compile(r"^(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)#(?P<index>[1-9][0-9]*)$")


@dataclass(frozen=True)
class Question:
    """One question of a quiz: what every type has, plus `body`, its type's own part (options and
    key, pairs, a number…; app/quizzes/types/). `kind` is the type itself."""

    id: str
    type: str
    prompt: str                                   # Markdown
    points: float
    explanation: str                              # Markdown
    body: Any                                     # the type's frozen body (app/quizzes/types/<type>.py)
    section: str = ""                             # "anchor" in the quiz's lesson, or "lesson-slug#anchor"
    assesses: tuple[str, ...] = ()                # "lesson-slug#n" objectives; the first is the main one
    level: str = ""                               # one of LEVELS, or "" when untagged
    line: int = field(default=0, compare=False)
    assesses_line: int = field(default=0, compare=False)

    @property
    def kind(self) -> QuestionType:
        return question_types.get(self.type)

    @property
    def has_key(self) -> bool:
        """Whether an answer can be right or wrong (an opinion scale without an accepted range cannot)."""
        return self.kind.has_key(self.body)

    @property
    def objectives(self) -> tuple[tuple[str, int], ...]:
        """The objectives it assesses as (lesson slug, 1-based index), main one first."""
        out = []
        for ref in self.assesses:
            match = OBJECTIVE_REF.match(ref)
            if match:
                out.append((match["slug"], int(match["index"])))
        return tuple(out)

    @property
    def main_lesson(self) -> str | None:
        """The lesson of its main objective: what the question is mainly about (None if untagged)."""
        objectives = self.objectives
        return objectives[0][0] if objectives else None

    @property
    def is_apply_or_above(self) -> bool:
        return self.level in APPLY_OR_ABOVE

    def review_link(self, quiz_lesson: str | None) -> str | None:
        """Where to review this question's topic, as a path and fragment."""
        if not self.section:
            return None
        slug, _, anchor = self.section.rpartition("#")
        target = slug or quiz_lesson
        return f"{lesson_url(target)}#{anchor}" if target else None

    def to_dict(self) -> dict[str, Any]:
        """What an attempt or a poll stores: JSON, answer key included (server-side only)."""
        return {"id": self.id, "type": self.type, "prompt": self.prompt, "points": self.points,
                "explanation": self.explanation, "section": self.section, "assesses": list(self.assesses),
                "level": self.level, **self.body.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Question:
        kind = question_types.get(str(data["type"]))
        return cls(id=str(data["id"]), type=kind.name, prompt=str(data.get("prompt", "")),
                   points=float(data.get("points", 1)), explanation=str(data.get("explanation", "") or ""),
                   body=kind.from_dict(data), section=str(data.get("section", "") or ""),
                   assesses=tuple(data.get("assesses", ()) or ()), level=str(data.get("level", "") or ""))


@dataclass(frozen=True)
class Blueprint:
    """What a day assessment's pool must cover (checked by `content check`, app/content/blueprint.py)."""

    max_share: float | None = None                # no stage above this share of the questions
    not_assessed: tuple[str, ...] = ()            # lesson slugs no question may assess
    min_apply_share: float | None = None          # at least this share at level apply or above
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Quiz:
    id: str
    title: str
    kind: str
    lesson: str | None
    day: int | None
    pass_mark: float
    attempts: int | None                          # None = unlimited
    feedback: str
    shuffle_questions: bool
    shuffle_options: bool
    subset: int | None
    time_limit_minutes: int | None
    description: str
    questions: tuple[Question, ...]
    path: str
    content_hash: str
    draw: int | None = None                       # each attempt draws this many (stratified by stage)
    blueprint: Blueprint | None = None
    key_lines: tuple[tuple[str, int], ...] = field(default=(), compare=False)

    def line_of(self, key: str) -> int:
        """The line a top-level key is on (1 when it is absent)."""
        return dict(self.key_lines).get(key, 1)

    @property
    def key(self) -> str:
        return f"quiz:{self.id}"

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    @property
    def points(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def question_count(self) -> int:
        """How many questions one attempt asks."""
        return self.draw or self.subset or len(self.questions)


def parse_quiz(path: Path, display_path: str) -> tuple[Quiz | None, list[ContentProblem]]:
    problems: list[ContentProblem] = []

    def problem(line: int, message: str) -> None:
        problems.append(ContentProblem(display_path, line, message))

    raw = path.read_bytes()
    data, problems = load_mapping(raw, display_path, QUIZ_KEYS, keys_called="quiz key",
                                  what="a quiz file is a mapping of settings with a 'questions' list")
    if data is None:
        return None, problems
    quiz_id = data.get("id")
    if not isinstance(quiz_id, str) or not ID.match(quiz_id):
        problem(data.line_of("id"), "'id' must be lower-case letters, digits and hyphens")
    elif quiz_id != path.stem:
        problem(data.line_of("id"), f"'id' is {quiz_id!r} but the file is named {path.name!r}; make them agree")
    title = _text(data, "title", problem)
    kind = data.get("kind", "knowledge-check")
    if kind not in KINDS:
        problem(data.line_of("kind"), f"'kind' must be one of {', '.join(KINDS)}")
    lesson, day = data.get("lesson"), data.get("day")
    if kind == "knowledge-check" and not isinstance(lesson, str):
        problem(data.line_of("lesson"), "a knowledge check names the lesson it belongs to: 'lesson: <slug>'")
    if kind == "day-assessment" and not (isinstance(day, int) and not isinstance(day, bool) and day >= 1):
        problem(data.line_of("day"), "a day assessment names its day: 'day: 1'")
    pass_mark = data.get("pass_mark", 70)
    if not _number(pass_mark) or not 0 <= pass_mark <= 100:
        problem(data.line_of("pass_mark"), "'pass_mark' is a percentage from 0 to 100")
        pass_mark = 0
    attempts = data.get("attempts", "unlimited")
    if attempts == "unlimited":
        attempts = None
    elif not (isinstance(attempts, int) and not isinstance(attempts, bool) and 1 <= attempts <= 100):
        problem(data.line_of("attempts"), "'attempts' is a number from 1 to 100, or 'unlimited'")
        attempts = None
    feedback = data.get("feedback", "immediate" if kind == "knowledge-check" else "deferred")
    if feedback not in FEEDBACK_MODES:
        problem(data.line_of("feedback"), f"'feedback' must be one of {', '.join(FEEDBACK_MODES)}")
    flags = {}
    for key in ("shuffle_questions", "shuffle_options"):
        flags[key] = data.get(key, True)
        if not isinstance(flags[key], bool):
            problem(data.line_of(key), f"'{key}' must be true or false")
    subset = data.get("subset")
    time_limit = data.get("time_limit_minutes")
    if time_limit is not None and not (isinstance(time_limit, int) and not isinstance(time_limit, bool)
                                       and 1 <= time_limit <= 600):
        problem(data.line_of("time_limit_minutes"), "'time_limit_minutes' is a whole number from 1 to 600")
    description = data.get("description", "")
    if not isinstance(description, str):
        problem(data.line_of("description"), "'description' must be text")
        description = ""

    questions: list[Question] = []
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, LineList) or not raw_questions:
        problem(data.line_of("questions"), "'questions' must be a list of one or more questions")
        raw_questions = LineList()
    seen: set[str] = set()
    for raw_question in raw_questions:
        question = _question(raw_question, raw_questions.line, problem)
        if question is None:
            continue
        if question.id in seen:
            problem(question.line, f"question id {question.id!r} is used twice in this quiz")
        seen.add(question.id)
        questions.append(question)
    if subset is not None and not (isinstance(subset, int) and not isinstance(subset, bool)
                                   and 1 <= subset <= len(questions)):
        problem(data.line_of("subset"), f"'subset' must be a number from 1 to the number of questions ({len(questions)})")
    draw = data.get("draw")
    if draw is not None:
        if not (isinstance(draw, int) and not isinstance(draw, bool) and draw >= 1):
            problem(data.line_of("draw"), "'draw' is how many questions each attempt draws from the pool: a whole number")
            draw = None
        elif draw > len(questions):
            problem(data.line_of("draw"), f"'draw' is {draw}, but the pool has only {len(questions)} question(s)")
        if subset is not None:
            problem(data.line_of("draw"), "use 'draw' (stratified by stage) or 'subset' (plain random), not both")
    blueprint = _blueprint(data, kind, problem)
    if problems:
        return None, problems
    return Quiz(
        id=cast(str, quiz_id), title=title, kind=kind, lesson=lesson if isinstance(lesson, str) else None,
        day=day if isinstance(day, int) else None, pass_mark=float(pass_mark), attempts=attempts, feedback=feedback,
        shuffle_questions=flags["shuffle_questions"], shuffle_options=flags["shuffle_options"], subset=subset,
        time_limit_minutes=time_limit, description=description.strip(), questions=tuple(questions),
        path=display_path, content_hash=hashlib.sha256(raw).hexdigest(), draw=draw, blueprint=blueprint,
        key_lines=tuple(sorted(data.key_lines.items())),
    ), []


def _blueprint(data: LineDict, kind: Any, problem: Any) -> Blueprint | None:
    raw = data.get("blueprint")
    if raw is None:
        return None
    at = data.line_of("blueprint")
    if kind != "day-assessment":
        problem(at, "only a day assessment has a 'blueprint'")
        return None
    if not isinstance(raw, LineDict):
        problem(at, "'blueprint' maps max_share, not_assessed and min_apply_share to their values")
        return None
    for key in sorted(set(raw) - BLUEPRINT_KEYS):
        problem(raw.line_of(key), f"unknown blueprint key {key!r} (allowed: {', '.join(sorted(BLUEPRINT_KEYS))})")
    shares: dict[str, float | None] = {}
    for key in ("max_share", "min_apply_share"):
        value = raw.get(key)
        if value is not None and not (_number(value) and 0 <= value <= 1):
            problem(raw.line_of(key), f"blueprint '{key}' is a share from 0 to 1, e.g. 0.25")
            value = None
        shares[key] = float(value) if value is not None else None
    not_assessed = raw.get("not_assessed", []) or []
    if not (isinstance(not_assessed, list) and all(isinstance(s, str) and ID.match(s) for s in not_assessed)):
        problem(raw.line_of("not_assessed"), "blueprint 'not_assessed' is a list of lesson slugs")
        not_assessed = []
    return Blueprint(max_share=shares["max_share"], not_assessed=tuple(not_assessed),
                     min_apply_share=shares["min_apply_share"], line=at)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _text(data: LineDict, key: str, problem: Any, *, required: bool = True) -> str:
    value = data.get(key)
    if value is None and not required:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        problem(data.line_of(key), f"{key!r} must be non-empty text")
        return ""
    return value.strip()


def _question(raw: Any, line: int, problem: Any) -> Question | None:
    if not isinstance(raw, LineDict):
        problem(line, "each question must be a mapping with id, type, prompt, …")
        return None
    local: list[tuple[int, str]] = []

    def bad(at: int, message: str) -> None:
        local.append((at, message))

    qid = raw.get("id")
    label = f"question {qid!r}" if isinstance(qid, str) else "question"
    if not isinstance(qid, str) or not ID.match(qid):
        bad(raw.line_of("id"), "question 'id' must be lower-case letters, digits, hyphens or underscores")
    qtype = raw.get("type")
    kind = question_types.TYPES.get(qtype) if isinstance(qtype, str) else None
    if kind is None:
        bad(raw.line_of("type"), f"{label}: 'type' must be one of {', '.join(question_types.NAMES)}")
    for key in sorted(set(raw) - QUESTION_KEYS - (kind.keys if kind else set())):
        bad(raw.line_of(key), f"unknown key {key!r} in {label}"
            + (f" (a {kind.label} question takes {', '.join(sorted(kind.keys))})" if kind else ""))
    prompt = _text(raw, "prompt", lambda at, m: bad(at, f"{label}: {m}"))
    explanation = _text(raw, "explanation", lambda at, m: bad(at, f"{label}: {m} (every question explains its answer)"))
    points = raw.get("points", 1)
    if not _number(points) or points <= 0 or points > 100:
        bad(raw.line_of("points"), f"{label}: 'points' must be a positive number")
        points = 1
    section = raw.get("section", "")
    if not isinstance(section, str):
        bad(raw.line_of("section"), f"{label}: 'section' is a heading anchor in the lesson, e.g. 'back-casting'")
        section = ""
    assesses = raw.get("assesses", [])
    if isinstance(assesses, str):
        assesses = [assesses]
    if not (isinstance(assesses, list) and (assesses or "assesses" not in raw)
            and all(isinstance(a, str) and OBJECTIVE_REF.match(a) for a in assesses)):
        bad(raw.line_of("assesses"), f"{label}: 'assesses' lists objectives as 'lesson-slug#n' (n counts the "
                                     "lesson's objectives from 1), the main one first")
        assesses = []
    elif len(set(assesses)) != len(assesses):
        bad(raw.line_of("assesses"), f"{label}: an objective is listed twice in 'assesses'")
    level = raw.get("level", "")
    if level not in ("", *LEVELS) or ("level" in raw and not level):
        bad(raw.line_of("level"), f"{label}: 'level' must be one of {', '.join(LEVELS)}")
        level = ""

    question_body = kind.parse(raw, label, bad) if kind is not None else None

    for at, message in local:
        problem(at, message)
    if local:
        return None
    return Question(id=cast(str, qid), type=cast(str, qtype), prompt=prompt, points=float(points), explanation=explanation,
                    body=question_body, section=section, assesses=tuple(assesses), level=level, line=raw.line,
                    assesses_line=raw.line_of("assesses"))


