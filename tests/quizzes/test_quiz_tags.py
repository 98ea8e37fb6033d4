"""Issue 17 schema: `assesses`/`level` per question, `draw`/`blueprint` per quiz, `assessed_by_activity`
per lesson; every mistake reported with file and line."""
import shutil
from pathlib import Path

import pytest

from app.content.catalog import load_catalog
from app.content.problems import ContentInvalid

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture
def course(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(FIXTURES / "blueprint-course", tmp_path / "curriculum")
    shutil.copytree(FIXTURES / "blueprint-quizzes", tmp_path / "quizzes")
    return tmp_path / "curriculum", tmp_path / "quizzes"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def problems_of(course: tuple[Path, Path]) -> list[str]:
    with pytest.raises(ContentInvalid) as info:
        load_catalog(*course)
    return [str(p) for p in info.value.problems]


def test_tags_draw_blueprint_and_activity_objectives_load(course):
    catalog = load_catalog(*course)
    quiz = catalog.quiz("day-1-assessment")
    assert quiz.draw == 3 and quiz.question_count == 3
    assert quiz.blueprint.max_share == 0.6 and quiz.blueprint.not_assessed == ("dinner",)
    assert quiz.blueprint.min_apply_share == 0.5 and quiz.blueprint.line == 8
    funder = quiz.question("which-funder")
    assert funder.assesses == ("stage-one#2", "intro#2") and funder.level == "apply"
    assert funder.objectives == (("stage-one", 2), ("intro", 2)) and funder.main_lesson == "stage-one"
    assert funder.is_apply_or_above and not quiz.question("what-cluster").is_apply_or_above
    untagged = catalog.quiz("stage-one-check").question("untagged")
    assert untagged.assesses == () and untagged.level == "" and untagged.main_lesson is None
    assert catalog.lesson("stage-one").assessed_by_activity == (3,)
    assert catalog.lesson("intro").assessed_by_activity == ()


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("assesses: [intro#1]", "assesses: [nowhere#1]",
     "day-1-assessment.yaml:15: question 'what-cluster': 'assesses' names 'nowhere', which is not a lesson"),
    ("assesses: [intro#1]", "assesses: [intro#3]",
     "day-1-assessment.yaml:15: question 'what-cluster': 'assesses' names objective 3 of 'intro', which has 2 objective(s)"),
    ("assesses: [intro#1]", "assesses: [intro]",
     "day-1-assessment.yaml:15: question 'what-cluster': 'assesses' lists objectives as 'lesson-slug#n'"),
    ("assesses: [intro#1]", "assesses: [intro#0]", "day-1-assessment.yaml:15: question 'what-cluster': 'assesses'"),
    ("assesses: [intro#1]", "assesses: [intro#1, intro#1]",
     "day-1-assessment.yaml:15: question 'what-cluster': an objective is listed twice in 'assesses'"),
    ("level: understand", "level: analyze",
     "day-1-assessment.yaml:16: question 'what-cluster': 'level' must be one of remember, understand, apply, analyse"),
    ("draw: 3", "draw: 5", "day-1-assessment.yaml:7: 'draw' is 5, but the pool has only 4 question(s)"),
    ("draw: 3", "draw: 0", "day-1-assessment.yaml:7: 'draw' is how many questions each attempt draws"),
    ("draw: 3", "draw: 3\nsubset: 2", "day-1-assessment.yaml:7: use 'draw' (stratified by stage) or 'subset'"),
    ("max_share: 0.6", "max_share: 60", "day-1-assessment.yaml:9: blueprint 'max_share' is a share from 0 to 1"),
    ("min_apply_share: 0.5", "min_apply_share: half",
     "day-1-assessment.yaml:11: blueprint 'min_apply_share' is a share from 0 to 1"),
    ("not_assessed: [dinner]", "not_assessed: [supper]",
     "day-1-assessment.yaml:8: blueprint 'not_assessed' names 'supper', which is not a lesson"),
    ("not_assessed: [dinner]", "not_assessed: [dinner]\n  max_questions: 9",
     "day-1-assessment.yaml:11: unknown blueprint key 'max_questions'"),
])
def test_quiz_tag_mistakes_are_reported_with_file_and_line(course, old, new, expected):
    edit(course[1] / "day-1-assessment.yaml", old, new)
    found = problems_of(course)
    assert any(expected in p for p in found), found


def test_a_blueprint_belongs_to_day_assessments_only(course):
    edit(course[1] / "stage-one-check.yaml", "questions:", "blueprint: {max_share: 0.5}\nquestions:")
    assert any("stage-one-check.yaml:5: only a day assessment has a 'blueprint'" in p for p in problems_of(course))


@pytest.mark.parametrize(("new", "expected"), [
    ("assessed_by_activity: [4]", "02-stage-one.md:10: 'assessed_by_activity' names objective 4, but the lesson has 3"),
    ("assessed_by_activity: [three]", "02-stage-one.md:10: 'assessed_by_activity' lists objective numbers"),
    ("assessed_by_activity: [3, 3]", "02-stage-one.md:10: an objective is listed twice in 'assessed_by_activity'"),
])
def test_assessed_by_activity_mistakes_are_reported_with_file_and_line(course, new, expected):
    edit(course[0] / "day-1" / "02-stage-one.md", "assessed_by_activity: [3]", new)
    found = problems_of(course)
    assert any(expected in p for p in found), found
