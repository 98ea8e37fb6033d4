"""Objectives × questions (issue 17): who assesses each objective, at what level; activities; gaps."""
from pathlib import Path

from app.content.catalog import load_catalog
from app.content.coverage import coverage, csv_rows, text_report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def report():
    catalog = load_catalog(FIXTURES / "blueprint-course", FIXTURES / "blueprint-quizzes")
    return coverage(catalog.lessons, catalog.quizzes)


def test_each_objective_lists_the_questions_assessing_it():
    rows = {(r.lesson_slug, r.number): r for r in report().rows}
    assert len(rows) == 8
    mandate = rows[("stage-one", 1)]
    assert [str(u) for u in mandate.uses] == ["day-1-assessment/why-mandate (apply, main)",
                                              "stage-one-check/mandate-for (understand, main)"]
    assert mandate.levels == ("apply", "understand") and mandate.status == "questions"
    stages = rows[("intro", 2)]
    assert [str(u) for u in stages.uses] == ["day-1-assessment/which-funder (apply)",
                                             "day-1-assessment/stages-in-order (remember, main)"]
    assert rows[("stage-one", 3)].status == "activity" and rows[("stage-one", 3)].by_activity
    assert rows[("stage-two", 1)].status == "gap"


def test_gaps_summary_and_untagged_questions():
    result = report()
    assert [(r.lesson_slug, r.number) for r in result.gaps] == [("stage-two", 1), ("wrap-up", 1)]
    assert [(r.lesson_slug, r.number) for r in result.rows if r.status == "not assessed"] == [("dinner", 1)]
    assert result.untagged == (("stage-one-check", "untagged"),)
    lines = text_report(result)
    assert lines[0] == "Intro (intro)"
    at = lines.index("Stage 1. Starting (stage-one)")
    assert lines[at + 1:at + 4] == ["  1. Explain why a mandate matters",
                                    "       day-1-assessment/why-mandate (apply, main)",
                                    "       stage-one-check/mandate-for (understand, main)"]
    assert "  3. Draft a one-page mandate for your region" in lines
    assert lines[lines.index("  3. Draft a one-page mandate for your region") + 1] == "       assessed by activity"
    assert lines[lines.index("  1. Compute a location quotient") + 1] == "       GAP: no question assesses it"
    assert lines[-1] == ("8 objectives: 4 assessed by questions, 1 by activity only, 1 not assessed by design, "
                         "2 gap(s). 1 question(s) have no 'assesses' tag.")


def test_csv_rows_one_per_objective():
    rows = csv_rows(report())
    assert rows[0] == ["intro", "", 1, "Explain what a cluster is", "questions", 1,
                       "day-1-assessment/what-cluster (understand, main)", "understand"]
    assert ["stage-one", 1, 3, "Draft a one-page mandate for your region", "activity", 0, "", ""] in rows


def test_the_shipped_course_assesses_every_quizzable_objective():
    """Issue 17: every objective is assessed by a question or by an assessed activity, except the
    lessons a day assessment's blueprint leaves out by design (the Cluster Dinner)."""
    root = Path(__file__).resolve().parents[2]
    cat = load_catalog(root / "curriculum", root / "quizzes")
    report = coverage(cat.lessons, cat.quizzes)
    assert report.gaps == ()
    assert {r.lesson_slug for r in report.rows if r.status == "not assessed"} == {"cluster-dinner"}
    assert not report.untagged
