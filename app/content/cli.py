"""`flask --app wsgi content check | cues | coverage`"""
from __future__ import annotations

import csv
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from app.content import blueprint, coverage, cues
from app.content.catalog import Catalog, load_catalog
from app.content.problems import ContentInvalid, ContentProblem
from app.csvout import safe_cell

content_cli = AppGroup("content", help="Check the course files.")


def _load() -> Catalog:
    """The catalog as the server would load it; on problems, print them (file:line: message) and exit 1."""
    try:
        return load_catalog(current_app.config["CURRICULUM_DIR"], current_app.config["QUIZZES_DIR"])
    except ContentInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} problem(s) found; the content was not loaded.", err=True)
        raise SystemExit(1) from None


def assessment_problems(catalog: Catalog) -> list[ContentProblem]:
    """What `content check` holds loaded content to beyond loading it: the cue check and the
    blueprint check (failures and warnings)."""
    found = cues.problems(catalog.quizzes)
    for quiz in catalog.quizzes:
        found.extend(blueprint.check(quiz, catalog.lessons))
    return sorted(found)


def _print_table(rows: list[list[str]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) if i == 0 else cell.rjust(width)
                             for i, (cell, width) in enumerate(zip(row, widths, strict=True))).rstrip())


@content_cli.command("check")
@click.option("--verbose", "-v", is_flag=True, help="Also print the cue figures of every quiz.")
def check_command(verbose: bool) -> None:
    """Load the content as the server would, then run the cue and blueprint checks; print every
    problem as file:line: message."""
    catalog = _load()
    found = assessment_problems(catalog)
    failures = [p for p in found if not p.warning]
    for problem in found:
        click.echo(str(problem), err=True)
    if verbose:
        _print_table(cues.table(catalog.quizzes))
    warnings = f" {len(found) - len(failures)} warning(s)." if len(found) > len(failures) else ""
    if failures:
        click.echo(f"{len(failures)} problem(s) found.{warnings}", err=True)
        raise SystemExit(1)
    stages = sorted({lesson.stage for lesson in catalog.lessons if lesson.stage})
    questions = [q for quiz in catalog.quizzes for q in quiz.questions]
    click.echo(f"OK: {len(catalog.lessons)} lessons over {len(catalog.course.days)} days, "
               f"{len(stages)} stages, {catalog.words:,} words, {len(catalog.glossary)} glossary terms; "
               f"{len(catalog.quizzes)} quizzes, {len(questions)} questions of "
               f"{len({q.type for q in questions})} types; "
               f"{len(catalog.checklist.items) if catalog.checklist else 0} checklist items.{warnings}")


@content_cli.command("cues")
@click.option("--csv", "as_csv", is_flag=True, help="Comma-separated values instead of a table.")
def cues_command(as_csv: bool) -> None:
    """The cue figures per quiz and over all quizzes: longest-option share, key/distractor length
    ratio, true/false 'false' share, the cue-only strategy's expected score."""
    rows = cues.table(_load().quizzes)
    if as_csv:
        csv.writer(sys.stdout).writerows([[safe_cell(c) for c in row] for row in rows])
    else:
        _print_table(rows)


@content_cli.command("coverage")
@click.option("--csv", "as_csv", is_flag=True, help="Comma-separated values, one row per objective.")
def coverage_command(as_csv: bool) -> None:
    """Objectives × questions: for each lesson objective, the questions assessing it and their
    levels; objectives assessed by an activity; gaps."""
    catalog = _load()
    report = coverage.coverage(catalog.lessons, catalog.quizzes)
    if as_csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(coverage.CSV_HEADER)
        writer.writerows([[safe_cell(c) for c in row] for row in coverage.csv_rows(report)])
    else:
        for line in coverage.text_report(report):
            click.echo(line)
