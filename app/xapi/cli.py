"""`flask --app wsgi xapi send` (send the statements that are due: run it from cron, so retries
happen even when nothing new is learnt) and `flask --app wsgi xapi status`."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from app.xapi import services

xapi_cli = AppGroup("xapi", help="Send learning records (xAPI statements) to the Learning Record Store.")


def _need_endpoint() -> None:
    if not services.configured():
        raise click.ClickException("No LRS is configured: set LECTERN_XAPI_ENDPOINT (docs/INTEROP.md, \"xAPI\").")


@xapi_cli.command("send")
@click.option("--retry-failed", is_flag=True, help="First queue again the statements that failed for good.")
@click.option("--now", "right_away", is_flag=True, help="Send every queued statement now, without waiting out the "
              "backoff of earlier failures (the LRS is back).")
def send_command(retry_failed: bool, right_away: bool) -> None:
    """Send the statements that are due (queued, or retries whose wait is over)."""
    _need_endpoint()
    if retry_failed:
        click.echo(f"{services.retry_failed()} failed statements queued again.")
    done = services.deliver_due(ignore_backoff=right_away)
    where = current_app.config["LECTERN_XAPI_ENDPOINT"]
    click.echo(f"{done.sent} sent to {where}, {done.retrying} to retry later, {done.failed} failed for good.")
    if done.retrying or done.failed:
        raise SystemExit(1)


@xapi_cli.command("status")
def status_command() -> None:
    """How many statements are queued, being sent, sent and failed."""
    found = services.counts()
    click.echo(f"{found.queued} queued, {found.sending} being sent, {found.sent} sent, {found.failed} failed.")
