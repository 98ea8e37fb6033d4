"""`flask --app wsgi users import FILE`: people from a CSV file (added to the `users` group in create_app)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from app.db import utcnow
from app.imports.services import check_people_csv, import_people


@click.command("import")
@with_appcontext
@click.argument("source", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check every row and report problems; write nothing.")
def import_command(source: str, dry_run: bool) -> None:
    """Import people from a CSV file (email, name, role, cohort) in one transaction."""
    try:
        text = Path(source).read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise click.ClickException("the file is not UTF-8 text") from None
    if dry_run:
        checked = check_people_csv(text)
    else:
        checked, created, enrolled = import_people(None, text, now=utcnow(), source_name=Path(source).name)
    for problem in checked.problems:
        click.echo(f"{source}:{problem.line}: {problem.message}", err=True)
    if checked.problems:
        click.echo(f"{len(checked.problems)} problem(s); nothing was imported.", err=True)
        raise SystemExit(1)
    if dry_run:
        click.echo(f"{len(checked.rows)} rows are correct (dry run: nothing written).")
    else:
        click.echo(f"Imported {_count(len(checked.rows), 'row')}: {_count(len(created), 'new account')}, "
                   f"{_count(enrolled, 'enrolment')}.")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
