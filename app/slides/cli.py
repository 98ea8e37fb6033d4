"""`flask --app wsgi slides pdf DAY|SLUG FILE [--notes]`: a day's or a lesson's deck as PDF."""
from __future__ import annotations

import time
from pathlib import Path

import click
from flask.cli import AppGroup

from app.content.catalog import catalog
from app.slides.pdf import deck_of_day, deck_pdf, lesson_deck

slides_cli = AppGroup("slides", help="Slides made from the lessons.")


@slides_cli.command("pdf")
@click.argument("target")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--notes", is_flag=True, help="The presenter edition: facilitator notes after each slide.")
def pdf_command(target: str, file: Path, notes: bool) -> None:
    """Write a day's deck (TARGET: its number) or a lesson's (TARGET: its slug) as a 16:9 PDF to FILE."""
    current = catalog()
    if target.isdigit():
        deck = deck_of_day(current, int(target))
    else:
        lesson = current.lesson(target)
        deck = lesson_deck(current, lesson) if lesson is not None else None
    if deck is None:
        raise click.BadParameter(f"no day or lesson {target!r}", param_hint="TARGET")
    started = time.perf_counter()
    made = deck_pdf(deck, with_notes=notes)
    file.write_bytes(made.pdf)
    click.echo(f"{file}: {len(deck)} slides, {len(made.pdf) // 1024} KiB in {time.perf_counter() - started:.1f} s")
