"""`flask --app wsgi users ...`"""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.auth import services
from app.auth.models import Role
from app.db import utcnow
from app.errors import DomainError
from app.web import public_url

users_cli = AppGroup("users", help="Create people and make sign-in links.")


@users_cli.command("create")
@click.option("--email", required=True, help="Email address (case does not matter).")
@click.option("--name", required=True, help="Display name, as printed on certificates.")
@click.option("--role", "roles", required=True, multiple=True,
              type=click.Choice([r.value for r in Role]), help="Repeat for several roles.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted for when omitted.")
def create_command(email: str, name: str, roles: tuple[str, ...], password: str) -> None:
    """Create an account that can sign in straight away."""
    try:
        user = services.create_user(email, name, roles, password=password, now=utcnow())
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Created {user.email} ({', '.join(sorted(r.value for r in user.roles))}).")


@users_cli.command("link")
@click.option("--email", required=True)
@click.option("--purpose", type=click.Choice(["reset", "invite"]), default="reset", show_default=True)
def link_command(email: str, purpose: str) -> None:
    """Print a single-use password-reset or invitation link for an existing account."""
    user = services.user_by_email(email)
    if user is None:
        raise click.ClickException(f"No account for {email}.")
    cfg = current_app.config
    issued = services.issue_link(user.id, purpose, secret_key=cfg["SECRET_KEY"],
                                 max_age=cfg["TOKEN_MAX_AGE_RESET" if purpose == "reset" else "TOKEN_MAX_AGE_INVITE"],
                                 created_by_id=None, now=utcnow())
    click.echo(public_url(f"/{purpose}/{issued.token}"))
