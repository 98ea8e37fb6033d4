"""`flask --app wsgi content check`"""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.content.catalog import load_catalog
from app.content.problems import ContentInvalid

content_cli = AppGroup("content", help="Check the course files.")


@content_cli.command("check")
def check_command() -> None:
    """Load curriculum/ as the server would; print every problem as file:line: message."""
    try:
        catalog = load_catalog(current_app.config["CURRICULUM_DIR"], current_app.config["QUIZZES_DIR"])
    except ContentInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{len(exc.problems)} problem(s) found; the content was not loaded.", err=True)
        raise SystemExit(1) from None
    stages = sorted({lesson.stage for lesson in catalog.lessons if lesson.stage})
    questions = [q for quiz in catalog.quizzes for q in quiz.questions]
    click.echo(f"OK: {len(catalog.lessons)} lessons over {len(catalog.course.days)} days, "
               f"{len(stages)} stages, {catalog.words:,} words, {len(catalog.glossary)} glossary terms; "
               f"{len(catalog.quizzes)} quizzes, {len(questions)} questions of "
               f"{len({q.type for q in questions})} types; "
               f"{len(catalog.checklist.items) if catalog.checklist else 0} checklist items.")
