"""Inviting the people a CSV import created: one click after the import. With a mail server each
person gets their own link by mail (a background job: mail servers are slow); without one, the
links come on a printable sheet, which the page can also save as a CSV for a mail merge."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user

from app.auth import services as accounts
from app.auth.links import link_mail
from app.auth.services import IssuedLink
from app.db import utcnow
from app.jobs import services as jobs
from app.mail import mail_configured, send_mail
from app.web import public_url

BATCH = 50   # links issued per unit of work while mailing


def _link_url(issued: IssuedLink) -> str:
    with current_app.test_request_context():   # a job has no request to build addresses from
        return public_url(url_for("auth.invite", token=issued.token))


def _imported(job_id: int) -> list[int]:
    """The accounts a finished import created (the people to invite)."""
    job = jobs.get_job(job_id, current_user.id, is_admin=True)
    if job.kind != "users.import" or job.status != "done" or not (job.result or {}).get("ok"):
        abort(404)
    return [int(i) for i in job.result.get("created_ids", [])]


def invite_imported(job_id: int):
    people = _imported(job_id)
    cfg = current_app.config
    if mail_configured(cfg):
        job = jobs.start("users.invite", current_user.id, {"actor_id": current_user.id, "user_ids": people},
                         total=len(people), context={"import_job": job_id})
        return redirect(url_for("admin.job", job_id=job.id))
    issued = accounts.issue_invitations(people, secret_key=cfg["SECRET_KEY"], max_age=cfg["TOKEN_MAX_AGE_INVITE"],
                                        created_by_id=current_user.id, now=utcnow())
    current_app.logger.info("%d invitation links issued by user %d after import job %d", len(issued),
                            current_user.id, job_id)
    rows = [(link, _link_url(link)) for link in issued]
    return render_template("admin/invitations.html", rows=rows, skipped=len(people) - len(issued), job_id=job_id,
                           expires_at=issued[0].expires_at if issued else None)


def invite_job(job_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """The mailing job: a link per person (issued in batches), mailed one by one. People who set a
    password meanwhile are skipped; a mail that fails is reported by name, and its link stays valid
    for the administrator to pass on from the person's page."""
    cfg = current_app.config
    ids = [int(i) for i in params.get("user_ids", [])]
    mailed, failed, issued_total = 0, [], 0
    for start in range(0, len(ids), BATCH):
        batch = accounts.issue_invitations(ids[start:start + BATCH], secret_key=cfg["SECRET_KEY"],
                                           max_age=cfg["TOKEN_MAX_AGE_INVITE"], created_by_id=params.get("actor_id"),
                                           now=utcnow())
        issued_total += len(batch)
        for link in batch:
            subject, body = link_mail(link.user.display_name, _link_url(link), link.expires_at, "invite")
            try:
                send_mail(cfg, link.user.email, subject, body)
                mailed += 1
            except OSError as exc:
                current_app.logger.warning("Could not mail the invitation to user %d: %s", link.user.id, exc)
                failed.append({"id": link.user.id, "name": link.user.display_name, "email": link.user.email,
                               "reason": type(exc).__name__})
        jobs.update_job(job_id, stage="Mailing invitations", done=min(start + BATCH, len(ids)), total=len(ids))
    return {"mailed": mailed, "failed": failed, "skipped": len(ids) - issued_total}


def register(bp: Blueprint) -> None:
    """Adds the "invite everyone imported" page to admin's blueprint (create_app calls this)."""
    bp.add_url_rule("/jobs/<int:job_id>/invite", view_func=invite_imported, methods=["POST"])
