"""The blueprint check for day assessments (issue 17), on the blueprint fixture course."""
import shutil
from pathlib import Path

import pytest

from app.content import blueprint
from app.content.catalog import load_catalog

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STAGE_TWO_QUESTION = """  - id: lq
    type: numeric
    assesses: [stage-two#1]
    level: apply
    prompt: "Compute the location quotient: 10% of regional jobs, 5% of national jobs."
    answer: 2
    explanation: "10 / 5 = 2."
"""


@pytest.fixture
def course(tmp_path: Path) -> tuple[Path, Path]:
    shutil.copytree(FIXTURES / "blueprint-course", tmp_path / "curriculum")
    shutil.copytree(FIXTURES / "blueprint-quizzes", tmp_path / "quizzes")
    return tmp_path / "curriculum", tmp_path / "quizzes"


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def found(course) -> list[str]:
    catalog = load_catalog(*course)
    return [str(p) for quiz in catalog.quizzes for p in blueprint.check(quiz, catalog.lessons)]


def add_stage_two(course) -> None:
    path = course[1] / "day-1-assessment.yaml"
    path.write_text(path.read_text() + STAGE_TWO_QUESTION)


def test_a_pool_that_leaves_a_stage_out_fails_naming_the_stage_file_and_line(course):
    problems = found(course)
    assert len(problems) == 1
    assert problems[0].endswith("quizzes/day-1-assessment.yaml:8: Stage 2 (stage-two) has no question mainly about it: "
                                "give at least one question an 'assesses' list that starts with one of its objectives")


def test_a_pool_covering_every_stage_passes(course):
    add_stage_two(course)
    assert found(course) == []


def test_an_objective_that_is_only_secondary_does_not_cover_its_stage(course):
    edit(course[1] / "day-1-assessment.yaml", "assesses: [intro#1]", "assesses: [intro#1, stage-two#1]")
    assert any("Stage 2 (stage-two) has no question mainly about it" in p for p in found(course))


def test_untagged_questions_are_named_with_their_line(course):
    add_stage_two(course)
    edit(course[1] / "day-1-assessment.yaml", "    level: understand\n", "")
    assert [p.split("quizzes/")[1] for p in found(course)] == [
        "day-1-assessment.yaml:13: question 'what-cluster' has no 'level': every question of a day assessment with "
        "a blueprint is tagged"]


def test_not_assessed_lessons_are_refused(course):
    add_stage_two(course)
    edit(course[1] / "day-1-assessment.yaml", "assesses: [intro#1]", "assesses: [intro#1, dinner#1]")
    assert [p.split("quizzes/")[1] for p in found(course)] == [
        "day-1-assessment.yaml:15: question 'what-cluster' assesses dinner#1, but the blueprint lists 'dinner' as "
        "not assessed"]


def test_a_stage_over_max_share_fails(course):
    add_stage_two(course)
    edit(course[1] / "day-1-assessment.yaml", "max_share: 0.6", "max_share: 0.3")
    problems = found(course)
    assert any("day-1-assessment.yaml:8: Stage 1 (stage-one) has 2 of the 5 questions (40%), over max_share 30%" in p
               for p in problems), problems
    assert any("'intro' has 2 of the 5 questions (40%)" in p for p in problems), problems


def test_a_stage_over_max_share_of_a_draw_on_average_fails(course):
    add_stage_two(course)   # Stage 2 has 1 of 5 questions (20%), but every draw of 4 holds it: 25%
    edit(course[1] / "day-1-assessment.yaml", "max_share: 0.6", "max_share: 0.22")
    edit(course[1] / "day-1-assessment.yaml", "draw: 3", "draw: 4")
    problems = [p.split("quizzes/")[1] for p in found(course)]
    assert "day-1-assessment.yaml:8: Stage 2 (stage-two) takes 25% of a draw of 4 on average, over max_share 22%" \
        in problems
    assert not any("Stage 2 (stage-two) has" in p for p in problems)


def test_min_apply_share(course):
    add_stage_two(course)
    edit(course[1] / "day-1-assessment.yaml", "min_apply_share: 0.5", "min_apply_share: 0.8")
    assert any("day-1-assessment.yaml:8: 3 of the 5 questions (60%) are at level apply or above; the blueprint asks "
               "for at least 80%" in p for p in found(course))


def test_a_draw_too_small_for_one_question_per_stage(course):
    add_stage_two(course)
    edit(course[1] / "day-1-assessment.yaml", "draw: 3", "draw: 2")
    assert any("day-1-assessment.yaml:7: 'draw' is 2, fewer than the 3 stages the pool covers" in p for p in found(course))


def test_without_a_blueprint_nothing_is_required(course):
    edit(course[1] / "day-1-assessment.yaml", "blueprint:\n  max_share: 0.6\n  not_assessed: [dinner]\n"
                                              "  min_apply_share: 0.5\n", "")
    edit(course[1] / "day-1-assessment.yaml", "    level: understand\n", "")
    assert found(course) == []
