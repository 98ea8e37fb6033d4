"""`flask --app wsgi certificates issue | revoke | export` (stable interface, DESIGN.md §3)."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.auth.services import user_by_email
from app.certificates import services
from app.cohorts import services as cohorts
from app.content.catalog import catalog
from app.db import utcnow
from app.errors import DomainError

certificates_cli = AppGroup("certificates", help="Issue, revoke and export completion certificates.")


@certificates_cli.command("issue")
@click.option("--email", help="Issue to this person.")
@click.option("--cohort", "cohort_name", help="Issue to every eligible trainee of this cohort.")
@click.option("--override-reason", help="Issue although the person is not eligible, recording why.")
def issue_command(email: str | None, cohort_name: str | None, override_reason: str | None) -> None:
    """Issue certificates; for --email the certificate code is printed on the last line."""
    if bool(email) == bool(cohort_name):
        raise click.UsageError("give either --email or --cohort")
    try:
        if email:
            person = user_by_email(email)
            if person is None:
                raise click.ClickException(f"No account for {email}.")
            certificate = services.issue(None, person.id, catalog(), now=utcnow(), override_reason=override_reason)
            click.echo(f"Issued to {certificate.holder_name}; verify at {services.verify_url(certificate.code)}")
            click.echo(certificate.display_code)
            return
        cohort = cohorts.cohort_by_name(cohort_name or "")
        if cohort is None:
            raise click.ClickException(f"No cohort called {cohort_name!r}.")
        ids = [p.id for p in cohorts.trainees(cohort.id)]
        outcome = services.issue_many(None, ids, catalog(), now=utcnow(), cohort_id=cohort.id,
                                      progress_cb=lambda done, total: click.echo(f"  {done}/{total}", err=True))
        click.echo(f"Issued {outcome.issued} certificate(s) in {cohort.name}; "
                   f"{outcome.skipped} trainee(s) not eligible or already certified.")
        for failure in outcome.failed:
            click.echo(f"Not issued to {failure.holder_name}: {failure.reason}", err=True)
        if outcome.failed:
            raise click.ClickException(f"{len(outcome.failed)} certificate(s) could not be made; see above.")
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None


@certificates_cli.command("revoke")
@click.argument("code")
@click.option("--reason", required=True)
def revoke_command(code: str, reason: str) -> None:
    try:
        certificate = services.revoke(None, code, reason, now=utcnow())
    except DomainError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Revoked {certificate.display_code} ({certificate.holder_name}).")


@certificates_cli.command("export")
@click.argument("code")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
def export_command(code: str, target: Path) -> None:
    """Write the stored PDF of a certificate, exactly as issued."""
    certificate = services.by_code(code)
    if certificate is None:
        raise click.ClickException("There is no certificate with that code.")
    target.write_bytes(services.pdf_of(certificate.id))
    click.echo(f"Wrote {target} ({certificate.status}, SHA-256 {certificate.sha256}).")
