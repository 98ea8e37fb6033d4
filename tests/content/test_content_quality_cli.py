"""`content check` with the cue and blueprint checks, `content cues` and `content coverage` (issue 17)."""
import csv
import io
import shutil
from pathlib import Path

import pytest

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
def quizzes_dir(tmp_path):
    shutil.copytree(FIXTURES / "blueprint-quizzes", tmp_path / "quizzes")
    return tmp_path / "quizzes"


@pytest.fixture
def app_config(database_uri, quizzes_dir):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri,
            "CURRICULUM_DIR": str(FIXTURES / "blueprint-course"), "QUIZZES_DIR": str(quizzes_dir)}


def test_content_check_fails_when_a_day_assessment_leaves_a_stage_out(runner):
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 1, result.output
    assert "quizzes/day-1-assessment.yaml:8: Stage 2 (stage-two) has no question mainly about it" in result.output
    assert "1 problem(s) found." in result.output and "OK:" not in result.output


def test_content_check_passes_once_every_stage_is_covered(runner, quizzes_dir):
    path = quizzes_dir / "day-1-assessment.yaml"
    path.write_text(path.read_text() + STAGE_TWO_QUESTION)
    result = runner.invoke(args=["content", "check"])
    assert result.exit_code == 0, result.output
    assert "OK: 5 lessons over 2 days" in result.output


def test_content_check_fails_a_day_assessment_passable_on_cues_and_warns_on_long_keys(runner, quizzes_dir):
    path = quizzes_dir / "day-1-assessment.yaml"
    text = path.read_text() + STAGE_TWO_QUESTION
    text = text.replace('"Linked firms in one place"', '"Linked firms and institutions in one place"')
    text = text.replace('"Jobs in the traded sector"', '"Jobs in the traded sector that sells beyond the region"')
    path.write_text(text.replace("answer: true\n", "answer: false\n"))
    result = runner.invoke(args=["content", "check", "--verbose"])
    assert result.exit_code == 1, result.output
    assert ("quizzes/day-1-assessment.yaml:5: the cue-only strategy (longest option, 'false', tick everything, random "
            "order and matching) expects 66.7% on this day assessment, within 25 points of its pass mark (70%)"
            ) in result.output
    assert ("quizzes/day-1-assessment.yaml:12: warning: the key is the longest option in 100% of its 2 "
            "single-answer question(s)") in result.output
    assert "1 problem(s) found. 2 warning(s)." in result.output
    row = next(line for line in result.output.splitlines() if line.startswith("day-1-assessment "))
    assert row.split() == ["day-1-assessment", "day", "2", "100%", "1.76", "1", "100%", "66.7%", "70%", "FAIL"]


def test_content_cues_prints_the_figures_per_quiz_and_overall(runner):
    result = runner.invoke(args=["content", "cues", "--csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["Quiz", "Kind", "Single", "Longest=key", "Key/distr.", "T/F", "False", "Cue-only", "Pass",
                       "Verdict"]
    assert rows[1] == ["day-1-assessment", "day", "2", "0%", "0.92", "1", "0%", "8.3%", "70%", "ok"]
    assert [r[0] for r in rows[1:]] == ["day-1-assessment", "stage-one-check", "all"]


def test_content_coverage_as_text_and_csv(runner):
    text = runner.invoke(args=["content", "coverage"])
    assert text.exit_code == 0, text.output
    assert "Stage 1. Starting (stage-one)\n  1. Explain why a mandate matters\n" \
           "       day-1-assessment/why-mandate (apply, main)\n" in text.output
    assert "  3. Draft a one-page mandate for your region\n       assessed by activity\n" in text.output
    assert "  1. Compute a location quotient\n       GAP: no question assesses it\n" in text.output
    table = runner.invoke(args=["content", "coverage", "--csv"])
    rows = list(csv.reader(io.StringIO(table.output)))
    assert rows[0] == ["Lesson", "Stage", "Objective", "Text", "Status", "Questions", "Assessed by", "Levels"]
    assert ["stage-two", "2", "1", "Compute a location quotient", "gap", "0", "", ""] in rows
