"""The rubric syntax of assessed activities, and how lesson files and course.yaml use it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.content.catalog import load_catalog
from app.content.problems import ContentInvalid
from app.content.rubrics import parse_rubric

MINI = Path(__file__).resolve().parents[1] / "fixtures" / "mini-course"

GOOD = """### Stones are states
- **Not yet** (0 points): Tasks, not states.
- **Partly** (1 point): Some are states.
- **Fully** (3 points): Every stone is a dated state
  that the Stage 11 review could check.

### Ranked against criteria
- **No** (0 points): Not ranked.
- **Yes** (2 points): Ranked with reasons.
"""


def parse(text: str, first_line: int = 10):
    problems: list[tuple[int, str]] = []
    rubric = parse_rubric(text, first_line, lambda line, message: problems.append((line, message)))
    return rubric, problems


def test_a_rubric_has_criteria_with_levels_and_points():
    rubric, problems = parse(GOOD)
    assert problems == []
    assert [c.title for c in rubric.criteria] == ["Stones are states", "Ranked against criteria"]
    first = rubric.criteria[0]
    assert [(level.name, level.points) for level in first.levels] == [("Not yet", 0), ("Partly", 1), ("Fully", 3)]
    assert first.levels[2].description == "Every stone is a dated state that the Stage 11 review could check."
    assert first.max_points == 3 and rubric.out_of == 5


@pytest.mark.parametrize(("text", "line", "words"), [
    ("- **Yes** (1 point): early\n### Late\n- **A** (0 points): a\n- **B** (1 point): b", 10, "must follow a criterion"),
    ("### Only one level\n- **Yes** (1 point): fine", 10, "at least two levels"),
    ("### Bad level\n- Yes (1 point): no bold\n- **B** (1 point): b", 11, "a rubric level looks like"),
    ("### Levels\n- **A** (0 points): a\n- **A** (1 point): again", 12, "two levels called 'A'"),
    ("### Nothing to earn\n- **A** (0 points): a\n- **B** (0 points): b", 10, "worth some points"),
    ("### No words\n- **A** (0 points):\n- **B** (1 point): b", 11, "needs a description"),
    ("Some prose that is not a criterion", 10, "only criteria"),
    ("## Wrong depth\n- **A** (0 points): a", 10, "'###' heading"),
    ("### Huge\n- **A** (0 points): a\n- **B** (500 points): b", 12, "at most 100 points"),
    ("### Twice\n- **A** (0 points): a\n- **B** (1 point): b\n### twice\n- **A** (0 points): a\n- **B** (1 point): b",
     13, "two criteria called"),
])
def test_rubric_problems_name_their_line(text, line, words):
    rubric, problems = parse(text)
    assert rubric is None
    assert any(found == line and words in message for found, message in problems), problems


ACTIVITY = """
::: activity Plan your first 90 days
review: mini-plan
Allow about 5 minutes.

Write the plan.
:::

::: rubric mini-plan
### Concrete
- **Vague** (0 points): No dates or owners.
- **Concrete** (2 points): Every action has an owner and a date.
:::
"""


def course_with(tmp_path: Path, lesson_extra: str = ACTIVITY, completion_extra: str = "") -> Path:
    target = tmp_path / "course"
    shutil.copytree(MINI, target)
    lesson = target / "day-1" / "01-opening.md"
    lesson.write_text(lesson.read_text() + lesson_extra)
    if completion_extra:
        course = target / "course.yaml"
        course.write_text(course.read_text().replace("completion:\n", "completion:\n" + completion_extra))
    return target


def problems_of(path: Path) -> list[str]:
    try:
        load_catalog(path)
    except ContentInvalid as exc:
        return [f"{p.path.rsplit('/', 1)[-1]}:{p.line}: {p.message}" for p in exc.problems]
    return []


def test_an_assessed_activity_carries_its_rubric_and_the_review_line_is_not_shown(tmp_path):
    catalog = load_catalog(course_with(tmp_path))
    (activity,) = catalog.activities
    assert (activity.key, activity.title, activity.lesson_slug) == ("mini-plan", "Plan your first 90 days", "opening")
    assert activity.rubric.out_of == 2 and catalog.activity("mini-plan") == activity
    segment = next(s for s in catalog.lesson("opening").segments if s.kind == "activity" and s.key == "mini-plan")
    assert "review:" not in segment.html and "Allow about 5 minutes" in segment.html
    assert not any(s.kind == "rubric" for s in catalog.lesson("opening").segments)


def test_the_real_course_has_one_assessed_plan_activity_outside_the_certificate_rule():
    repo = Path(__file__).resolve().parents[2]
    catalog = load_catalog(repo / "curriculum", repo / "quizzes")
    (activity,) = catalog.activities
    assert activity.key == "stage-06-stepping-stones" and 3 <= len(activity.rubric.criteria) <= 4
    assert catalog.course.completion.activities == ()


@pytest.mark.parametrize(("extra", "expected"), [
    (ACTIVITY.replace("review: mini-plan", "review: Mini Plan"), "needs the activity's id"),
    (ACTIVITY.replace("::: rubric mini-plan", "::: rubric other-plan"), "no activity in this lesson says 'review: other-plan'"),
    (ACTIVITY.split("::: rubric")[0], "has no '::: rubric mini-plan' block"),
    (ACTIVITY + ACTIVITY.split("::: rubric")[1].join(["::: rubric", ""]), "already has a rubric"),
    (ACTIVITY.replace("- **Vague** (0 points): No dates or owners.", "- Vague: no points"), "a rubric level looks like"),
])
def test_lesson_problems_are_reported_by_file_and_line(tmp_path, extra, expected):
    found = problems_of(course_with(tmp_path, extra))
    assert any(expected in p and p.startswith("01-opening.md:") for p in found), found


def test_the_rubric_line_numbers_are_the_lesson_files(tmp_path):
    path = course_with(tmp_path, ACTIVITY.replace("- **Vague** (0 points): No dates or owners.", "- Vague: oops"))
    text = (path / "day-1" / "01-opening.md").read_text().split("\n")
    line = text.index("- Vague: oops") + 1
    assert any(p.startswith(f"01-opening.md:{line}: a rubric level") for p in problems_of(path))


def test_the_completion_rule_may_name_assessed_activities(tmp_path):
    path = course_with(tmp_path, completion_extra="  activities: [mini-plan]\n  activity_pass: 60\n")
    rule = load_catalog(path).course.completion
    assert rule.activities == ("mini-plan",) and rule.activity_pass == 60
    wrong = course_with(tmp_path / "b", completion_extra="  activities: [no-such-thing]\n")
    assert any("course.yaml" in p and "'no-such-thing', which is not an activity" in p for p in problems_of(wrong))
    share = course_with(tmp_path / "c", completion_extra="  activity_pass: 150\n")
    assert any("'activity_pass' must be a whole percent" in p for p in problems_of(share))
