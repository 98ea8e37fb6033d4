"""`flask --app wsgi mail tick` (run the reminder rules now, queue what is due, deliver: for cron)
and `flask --app wsgi mail cron` (with Redis: RQ's cron scheduler enqueues the tick every
MAIL_TICK_SECONDS for the job workers). Both are added to the `mail` group by create_app."""
from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click
from flask import Flask, current_app

from app.jobs import services as jobs
from app.mail import mail_configured
from app.reminders import services

if TYPE_CHECKING:
    from rq.cron import CronScheduler


@click.command("tick")
@click.option("--now", "at", metavar="ISO-TIME", default=None,
              help="Run as if it were this UTC time (to check what would go out on a given day).")
def tick_command(at: str | None) -> None:
    """Queue the reminders and summaries due now, then deliver what is due. Safe to run twice."""
    if not mail_configured(current_app.config):
        raise click.ClickException("No mail server is configured: set MAIL_SERVER (docs/DEPLOY.md, \"Mail\").")
    now = None
    if at:
        try:
            now = datetime.fromisoformat(at)
        except ValueError:
            raise click.BadParameter("use an ISO time such as 2027-03-01T08:00", param_hint="--now") from None
        now = now.replace(tzinfo=UTC) if now.tzinfo is None else now.astimezone(UTC)
    done = services.tick(now=now)
    queued = ", ".join(f"{n} {kind}" for kind, n in sorted(done.queued.items()) if n) or "nothing new"
    click.echo(f"Queued: {queued}. Delivered: {done.delivery.sent} sent, {done.delivery.retrying} to retry later, "
               f"{done.delivery.failed} failed for good"
               + (f", {done.delivery.cancelled} cancelled (opted out)" if done.delivery.cancelled else "") + ".")


@click.command("cron")
def cron_command() -> None:
    """With Redis: enqueue the tick every MAIL_TICK_SECONDS for `flask --app wsgi jobs worker` (RQ's
    CronScheduler). Two of these running at once only means some ticks run twice, which is safe."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if jobs.backend(app.config) != "rq":
        raise click.ClickException("No Redis queue here (REDIS_URL or JOBS_BACKEND=rq): run "
                                   "`flask --app wsgi mail tick` from cron instead (docs/DEPLOY.md, \"Mail\").")
    scheduler = cron_scheduler(app)
    click.echo(f"Mail tick every {app.config['MAIL_TICK_SECONDS']} s on queue {jobs.queue(app).name!r}: "
               "run `flask --app wsgi jobs worker` too.")
    scheduler.start()


def cron_scheduler(app: Flask) -> CronScheduler:
    """RQ's cron scheduler with the tick registered (enqueued every MAIL_TICK_SECONDS on the app's queue),
    and, when an LRS is set, the xAPI delivery (`flask --app wsgi xapi send`) at the same interval."""
    from rq.cron import CronScheduler

    from app.jobs.worker import run_periodic

    queue = jobs.queue(app)
    scheduler = CronScheduler(connection=queue.connection, name=f"lectern-mail-{queue.name}-{os.getpid()}")
    scheduler.register(run_periodic, queue.name, args=("mail.tick",), interval=int(app.config["MAIL_TICK_SECONDS"]),
                       job_timeout=jobs.RQ_JOB_TIMEOUT, name="lectern.mail.tick")
    if app.config.get("LECTERN_XAPI_ENDPOINT"):   # statements an LRS refused for a while are retried too
        scheduler.register(run_periodic, queue.name, args=("xapi.send",), interval=int(app.config["MAIL_TICK_SECONDS"]),
                           job_timeout=jobs.RQ_JOB_TIMEOUT, name="lectern.xapi.send")
    return scheduler
