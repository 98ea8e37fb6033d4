"""`flask --app wsgi live ...`"""
from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from app.db import utcnow
from app.live import guests

live_cli = AppGroup("live", help="Live sessions.")


@live_cli.command("purge-guests")
@click.option("--older-than-days", "days", type=click.IntRange(min=0), default=30, show_default=True,
              help="Delete the guests of sessions that ended this many days ago or more.")
def purge_guests_command(days: int) -> None:
    """Delete the guests (and their answers) of sessions that ended long ago (docs/LIVE.md, "Guests")."""
    gone = guests.purge_ended(before=utcnow() - timedelta(days=days))
    click.echo(f"{gone} guest{'s' if gone != 1 else ''} deleted.")
