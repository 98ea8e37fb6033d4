"""`flask --app wsgi mail test ADDRESS` (a message through the whole path, now) and
`flask --app wsgi mail deliver` (deliver what is due: run it from cron, so retries happen)."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.mail import mail_configured
from app.outbox import services

mail_cli = AppGroup("mail", help="Send the outbox's messages and test the mail server.")


def _need_smtp() -> None:
    if not mail_configured(current_app.config):
        raise click.ClickException("No mail server is configured: set MAIL_SERVER (docs/DEPLOY.md, \"Mail\").")


@mail_cli.command("test")
@click.argument("address")
def test_command(address: str) -> None:
    """Send a test message to ADDRESS now and say how it went."""
    _need_smtp()
    cfg = current_app.config
    message = services.send_test(address.strip())
    where = f"{cfg['MAIL_SERVER']}:{cfg['MAIL_PORT']}"
    if message.status != "sent":
        raise click.ClickException(f"{where} did not take the message to {message.recipient}: {message.last_error} "
                                   f"(outbox message {message.id})")
    click.echo(f"Sent to {message.recipient} through {where} (outbox message {message.id}). "
               "If it does not arrive, look in the spam folder and at the sender domain's SPF and DKIM records.")


@mail_cli.command("deliver")
def deliver_command() -> None:
    """Deliver the messages that are due (queued, or retries whose wait is over)."""
    _need_smtp()
    done = services.deliver_due()
    click.echo(f"{done.sent} sent, {done.retrying} to retry later, {done.failed} failed for good"
               + (f", {done.skipped} taken by another delivery" if done.skipped else "") + ".")
