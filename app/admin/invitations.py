"""Inviting the people a CSV import created: one click after the import. With a mail server each
person gets their own link by mail (a background job queues the mails in the outbox and delivers
them); without one, the links come on a printable sheet, which the page can also save as a CSV for
a mail merge."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.auth import services as accounts
from app.auth.services import IssuedLink
from app.db import utcnow
from app.jobs import services as jobs
from app.mail import mail_configured
from app.outbox import rules
from app.outbox import services as outbox
from app.web import public_url

BATCH = 50   # links issued (and their mails queued) per unit of work


class _AlreadyQueued(Exception):
    pass


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
        job = jobs.start("users.invite", current_user.id, {"actor_id": current_user.id, "user_ids": people,
                                                           "import_job": job_id},
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
    """The invitation job: per batch, in one unit of work, a link per person and the mail carrying it
    (app/outbox), then delivery of the queued mails. People who set a password meanwhile are skipped,
    and so are people this import's invitation was queued for already (inviting everyone twice mails
    each person once). A mail that cannot be sent stays in the outbox with its error and is retried."""
    cfg = current_app.config
    ids = [int(i) for i in params.get("user_ids", [])]
    scope = ("import", params.get("import_job") or job_id)
    already = outbox.queued_keys([rules.dedup_key("invitation", "user", uid, *scope) for uid in ids])
    todo = [uid for uid in ids if rules.dedup_key("invitation", "user", uid, *scope) not in already]
    queued = 0

    def mail_them(batch: list[IssuedLink]) -> None:
        nonlocal queued
        now = utcnow()
        for link in batch:
            if outbox.queue_link(link, _link_url(link), now=now, scope=scope) is None:
                raise _AlreadyQueued   # a concurrent run queued this person's: keep its link, drop this batch
            queued += 1

    issued_total = 0
    for start in range(0, len(todo), BATCH):
        try:
            batch = accounts.issue_invitations(todo[start:start + BATCH], secret_key=cfg["SECRET_KEY"],
                                               max_age=cfg["TOKEN_MAX_AGE_INVITE"],
                                               created_by_id=params.get("actor_id"), now=utcnow(), on_issued=mail_them)
        except (IntegrityError, _AlreadyQueued):   # another run queued these meanwhile: theirs stand
            batch = []
        issued_total += len(batch)
        jobs.update_job(job_id, stage="Queueing invitations", done=min(start + BATCH, len(todo)), total=len(ids))
    jobs.update_job(job_id, stage="Mailing invitations")
    delivered = outbox.deliver_due()
    return {"queued": queued, "mailed": delivered.sent, "waiting": delivered.retrying + delivered.failed,
            "already": len(already), "skipped": len(todo) - issued_total}


def register(bp: Blueprint) -> None:
    """Adds the "invite everyone imported" page to admin's blueprint (create_app calls this)."""
    bp.add_url_rule("/jobs/<int:job_id>/invite", view_func=invite_imported, methods=["POST"])
