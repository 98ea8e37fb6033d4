from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.db import utcnow
from app.demo.services import DEMO_ACCOUNTS, seed_demo

demo_cli = AppGroup("demo", help="Demo data for trying Lectern out.")


@demo_cli.command("seed")
def seed_command() -> None:
    """Create the demo accounts on an empty database (skipped when LECTERN_DEMO=0)."""
    if not current_app.config["LECTERN_DEMO"]:
        click.echo("LECTERN_DEMO=0: no demo accounts created.")
        return
    if seed_demo(now=utcnow()):
        click.echo("Demo accounts created.")
    else:
        click.echo("The database already has accounts; demo accounts left as they are.")
    click.echo("Demo sign-ins:")
    for email, _name, roles, password in DEMO_ACCOUNTS:
        click.echo(f"  {roles[0]:<11} {email:<24} {password}")
