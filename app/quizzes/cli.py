"""`flask --app wsgi quizzes import-gift | export-gift | close-overdue`"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import yaml
from flask import current_app
from flask.cli import AppGroup

from app.content.quizzes import parse_quiz
from app.db import utcnow
from app.quizzes.gift import export_gift, import_gift
from app.quizzes.services import close_overdue

quizzes_cli = AppGroup("quizzes", help="Import and export question banks (Moodle GIFT); close timed-out attempts.")


@quizzes_cli.command("import-gift")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The Lectern quiz file to write, e.g. quizzes/stage-05-extra.yaml")
@click.option("--lesson", help="The slug of the lesson this knowledge check belongs to.")
@click.option("--day", type=int, help="Make it a day assessment for this day instead.")
@click.option("--title", help="Quiz title (default: from the file name).")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def import_command(source: Path, out: Path, lesson: str | None, day: int | None, title: str | None,
                   force: bool) -> None:
    """Convert a GIFT file to a Lectern quiz; report what GIFT had that Lectern cannot hold."""
    if (lesson is None) == (day is None):
        raise click.UsageError("give either --lesson SLUG (a knowledge check) or --day N (a day assessment)")
    if out.exists() and not force:
        raise click.ClickException(f"{out} exists; add --force to overwrite it")
    result = import_gift(source.read_text(encoding="utf-8"))
    for note in result.notes:
        click.echo(f"{source}:{note.line}: {note.message}", err=True)
    if not result.questions:
        raise click.ClickException("no question in the file could be imported")
    quiz: dict[str, Any] = {"id": out.stem, "title": title or out.stem.replace("-", " ").capitalize(),
            "kind": "knowledge-check" if lesson else "day-assessment"}
    quiz.update({"lesson": lesson} if lesson else {"day": day})
    quiz.update({"pass_mark": 70, "attempts": "unlimited", "questions": result.questions})
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(f"# Imported from {source.name} by `flask quizzes import-gift`.\n"
                   + yaml.safe_dump(quiz, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
    _parsed, problems = parse_quiz(out, str(out))
    for problem in problems:
        click.echo(str(problem), err=True)
    click.echo(f"Wrote {out}: {len(result.questions)} question(s); {len(result.notes)} note(s) above.")
    if problems:
        raise SystemExit(1)


@quizzes_cli.command("export-gift")
@click.argument("quiz", type=str)
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
def export_command(quiz: str, out: Path) -> None:
    """Write a Lectern quiz (its id, or a quiz file) as GIFT for Moodle."""
    path = Path(quiz) if quiz.endswith((".yaml", ".yml")) else Path(current_app.config["QUIZZES_DIR"]) / f"{quiz}.yaml"
    if not path.exists():
        raise click.ClickException(f"no quiz file {path}")
    parsed, problems = parse_quiz(path, str(path))
    if parsed is None:
        for problem in problems:
            click.echo(str(problem), err=True)
        raise SystemExit(1)
    text, notes = export_gift(list(parsed.questions), parsed.title)
    for note in notes:
        click.echo(f"{path}:{note.line}: {note.message}", err=True)
    out.write_text(text, encoding="utf-8")
    click.echo(f"Wrote {out}: {len(parsed.questions) - sum('not exported' in n.message for n in notes)} question(s).")


@quizzes_cli.command("close-overdue")
def close_overdue_command() -> None:
    """Close every timed attempt left open past its deadline plus grace, marked on the answers saved
    by then (pages do this for the people they show; run this from cron to keep the data tidy)."""
    closed = close_overdue(now=utcnow())
    click.echo(f"Closed {closed} timed-out {'attempt' if closed == 1 else 'attempts'}.")
