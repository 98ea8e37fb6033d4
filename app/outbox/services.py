"""The outbox: messages are queued in the unit of work that caused them and delivered by a job.

Queueing (`queue`) adds a row to the caller's open unit of work (inside write_transaction), so the
invitation and its message commit together or not at all; `request_delivery` then asks, after the
commit, for a "mail.deliver" job (app/jobs: RQ with Redis, else a thread; inline in tests).

Delivery (`deliver_due`) claims each due message with one conditional UPDATE (queued → sending,
with a claim token and time) before talking to SMTP, and records the outcome only under that
token: of two deliveries running at once, or one job delivered twice, exactly one sends a given
message. A claim left "sending" past CLAIM_TIMEOUT (its worker died) is taken again, so a message
may go out twice only if a worker dies between the SMTP server accepting it and the next line.
A failed attempt is retried after an exponential backoff (app/outbox/rules.py) until
MAIL_MAX_ATTEMPTS, then the message is failed with the error; an administrator can resend it.
Retries happen at the next delivery run: after new mail, or `flask --app wsgi mail deliver` (cron).
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, has_request_context, url_for
from sqlalchemy.exc import IntegrityError

from app.audit import services as audit
from app.db import after_commit, rowcount, utcnow, write_transaction
from app.errors import DomainError, NotFound
from app.extensions import db
from app.jobs import services as jobs
from app.mail import build_message, deliver, mail_configured
from app.outbox import kinds, render, rules, tokens
from app.outbox.models import STATUSES, MailOptOut, OutboxMessage
from app.web import public_url

PER_PAGE = 50


class BeingSent(DomainError):
    status_code = 409


class LinkRemoved(DomainError):
    status_code = 409


def queue(kind_name: str, *, recipient: str, dedup_key: str, context: dict[str, Any], now: datetime,
          user_id: int | None = None) -> OutboxMessage | None:
    """Render a message and add it to the current unit of work (call inside write_transaction).
    None when a message with this dedup key exists already (the same cause queues one message), or
    when the recipient opted out of this kind. A kind people may refuse, sent to an account, carries
    a one-click unsubscribe link in its footer and the RFC 8058 List-Unsubscribe headers."""
    message_kind = kinds.kind(kind_name)
    unsubscribe_url = preferences_url = None
    if message_kind.opt_out and user_id is not None:
        if opted_out(user_id, message_kind.name):
            return None
        unsubscribe_url = absolute_url("outbox.unsubscribe", token=tokens.sign(
            current_app.config["SECRET_KEY"], user_id, message_kind.name))
        preferences_url = absolute_url("outbox.preferences")
    rendered = render.render(message_kind, context, org=current_app.config["LECTERN_ISSUER_ORG"],
                             unsubscribe_url=unsubscribe_url, preferences_url=preferences_url)
    message = OutboxMessage(kind=message_kind.name, dedup_key=dedup_key, recipient=recipient,
                            recipient_user_id=user_id, subject=rendered.subject, body_text=rendered.text,
                            body_html=rendered.html, headers=kinds.list_headers(message_kind, unsubscribe_url),
                            status="queued", attempts=0, next_attempt_at=now, created_at=now)
    try:
        with db.session.begin_nested():
            db.session.add(message)
    except IntegrityError:
        return None
    return message


def absolute_url(endpoint: str, **values: Any) -> str:
    """The public address of a page, for a mail: also from a job or the command line (no request)."""
    if has_request_context():
        return public_url(url_for(endpoint, **values))
    with current_app.test_request_context():
        return public_url(url_for(endpoint, **values))


# --- Preferences: per-kind opt-outs -----------------------------------------------------------------

def opted_out(user_id: int, kind_name: str) -> bool:
    return db.session.get(MailOptOut, (user_id, kind_name)) is not None


def opt_outs(user_id: int) -> set[str]:
    """The kinds this person refused (only kinds that may be refused count)."""
    optional = {k.name for k in kinds.optional_kinds()}
    return set(db.session.scalars(sa.select(MailOptOut.kind).where(MailOptOut.user_id == user_id))) & optional


def _cancel_queued(user_id: int, kind_names: set[str], now: datetime) -> None:
    if kind_names:
        db.session.execute(sa.update(OutboxMessage).where(
            OutboxMessage.recipient_user_id == user_id, OutboxMessage.kind.in_(sorted(kind_names)),
            OutboxMessage.status == "queued").values(
            status="cancelled", last_error=f"The recipient opted out ({now:%Y-%m-%d %H:%M} UTC).", claim_token=None))


def save_preferences(user_id: int, receive: set[str], *, now: datetime, offered: set[str] | None = None) -> set[str]:
    """One unit of work: of the optional kinds `offered` (default: all), the person receives those in
    `receive` and none of the others (what is still queued of those is cancelled); kinds not offered
    keep their setting. Returns the kinds newly refused or kept refused among those offered."""
    optional = {k.name for k in kinds.optional_kinds()} & (offered if offered is not None else
                                                           {k.name for k in kinds.optional_kinds()})
    refuse = optional - set(receive)
    with write_transaction(db.session):
        db.session.execute(sa.delete(MailOptOut).where(MailOptOut.user_id == user_id,
                                                       MailOptOut.kind.in_(sorted(optional - refuse))))
        have = set(db.session.scalars(sa.select(MailOptOut.kind).where(MailOptOut.user_id == user_id)
                                      .with_for_update()))
        for name in sorted(refuse - have):
            db.session.add(MailOptOut(user_id=user_id, kind=name, created_at=now))
        _cancel_queued(user_id, refuse - have, now)
    return refuse


class NotUnsubscribable(DomainError):
    status_code = 404


def unsubscribe_target(token: str) -> tokens.Unsubscribe:
    """Who and what an unsubscribe link names (NotUnsubscribable for a forged token or a required
    kind). An account deleted since has nothing to stop: its opt-out row cannot be stored (foreign key)."""
    target = tokens.read(current_app.config["SECRET_KEY"], token)
    message_kind = kinds.BY_NAME.get(target.kind) if target else None
    if target is None or message_kind is None or not message_kind.opt_out:
        raise NotUnsubscribable("This unsubscribe link is not valid.")
    return target


def unsubscribe(token: str, *, now: datetime) -> tokens.Unsubscribe:
    """The one-click unsubscribe (RFC 8058): refuse this link's one kind, in one unit of work.
    Repeating it changes nothing."""
    target = unsubscribe_target(token)
    with write_transaction(db.session):
        if not opted_out(target.user_id, target.kind):
            try:
                with db.session.begin_nested():
                    db.session.add(MailOptOut(user_id=target.user_id, kind=target.kind, created_at=now))
            except IntegrityError:
                pass   # a second click at the same moment (already refused), or the account is gone
        _cancel_queued(target.user_id, {target.kind}, now)
    return target


def queued_keys(keys: list[str]) -> set[str]:
    """Which of these dedup keys have a message already (to skip issuing a link for nothing; the
    unique constraint still decides if two requests race)."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        found.update(db.session.scalars(sa.select(OutboxMessage.dedup_key)
                                        .where(OutboxMessage.dedup_key.in_(keys[start:start + 500]))))
    return found


_DELIVERY_ASKED = "lectern_outbox_delivery_asked"


def request_delivery() -> None:
    """After the current unit of work commits, start a delivery job (when SMTP is configured): one
    job per unit of work, however many messages it queued."""
    session = db.session()
    transaction = session.get_transaction()
    if transaction is not None and session.info.get(_DELIVERY_ASKED) is transaction:
        return
    session.info[_DELIVERY_ASKED] = transaction
    after_commit(db.session, _start_delivery)


def _start_delivery() -> None:
    if mail_configured(current_app.config):
        jobs.start("mail.deliver", None, {})
        db.session.commit()   # end the read jobs.start began, so this request sees what an inline delivery did


def deliver_job(job_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """The "mail.deliver" job: deliver what is due now."""
    done = deliver_due()
    return {"sent": done.sent, "retrying": done.retrying, "failed": done.failed}


@dataclass(frozen=True)
class Delivery:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0     # claimed by another delivery meanwhile
    cancelled: int = 0   # the recipient opted out of the kind after it was queued


def _due(now: datetime) -> sa.ColumnElement[bool]:
    stale = now - rules.CLAIM_TIMEOUT
    return sa.or_(sa.and_(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now),
                  sa.and_(OutboxMessage.status == "sending", OutboxMessage.claimed_at < stale))


def deliver_due(*, now: datetime | None = None, limit: int = 1000) -> Delivery:
    """Deliver every message due at `now` (default: the clock), one by one. Safe to run twice and
    concurrently. Without SMTP settings nothing is sent and the messages stay queued."""
    if not mail_configured(current_app.config):
        return Delivery()
    fixed = now
    ids = list(db.session.scalars(sa.select(OutboxMessage.id).where(_due(fixed or utcnow()))
                                  .order_by(OutboxMessage.id).limit(limit)))
    db.session.commit()   # end the read before the mail server's slow answers
    counts = {"sent": 0, "retrying": 0, "failed": 0, "skipped": 0, "cancelled": 0}
    for message_id in ids:
        # each claim is timed when it is made (a long run must not make its own later claims look stale)
        outcome = deliver_one(message_id, now=fixed or utcnow())
        counts[{"sending": "skipped", "queued": "retrying"}.get(outcome, outcome)] += 1
    return Delivery(**counts)


def deliver_one(message_id: int, *, now: datetime) -> str:
    """Claim, send, record. Returns the message's new status ("sent", "queued" to retry, "failed",
    "cancelled" when the recipient refused its kind since it was queued), or "sending" when another
    delivery has it."""
    cfg = current_app.config
    token = secrets.token_hex(16)
    with write_transaction(db.session):
        claimed = rowcount(db.session.execute(
            sa.update(OutboxMessage).where(OutboxMessage.id == message_id, _due(now))
            .values(status="sending", claim_token=token, claimed_at=now, attempts=OutboxMessage.attempts + 1)))
    if claimed != 1:
        return "sending"
    message = db.session.get_one(OutboxMessage, message_id, populate_existing=True)
    if (message.recipient_user_id is not None and message.kind in kinds.BY_NAME
            and kinds.kind(message.kind).opt_out and opted_out(message.recipient_user_id, message.kind)):
        with write_transaction(db.session):
            db.session.execute(sa.update(OutboxMessage)
                               .where(OutboxMessage.id == message_id, OutboxMessage.claim_token == token)
                               .values(status="cancelled", claim_token=None,
                                       last_error="Not sent: the recipient opted out of these messages."))
        return "cancelled"
    email = build_message(cfg, message.recipient, message.subject, message.body_text, message.body_html,
                          headers=message.headers, attachments=message.attachments or ())
    attempts, message_text, message_html = message.attempts, message.body_text, message.body_html
    db.session.commit()
    error = None
    try:
        deliver(cfg, email)
    except Exception as exc:  # noqa: BLE001 - any failure (SMTP, network, a bad header) is recorded and retried
        error = f"{type(exc).__name__}: {exc}"[:1000]
        current_app.logger.warning("Mail %d to %s: attempt %d failed: %s", message_id, email["To"], attempts, error)
    if error is None:
        status, values = "sent", {"status": "sent", "sent_at": now, "last_error": None}
        if rules.carries_one_time_link(message_text) or rules.carries_one_time_link(message_html):
            values |= {"body_text": rules.without_one_time_links(message_text),
                       "body_html": rules.without_one_time_links(message_html)}
    else:
        status, next_at = rules.after_failure(attempts, now, max_attempts=int(cfg.get("MAIL_MAX_ATTEMPTS") or
                                                                              rules.MAX_ATTEMPTS))
        values = {"status": status, "next_attempt_at": next_at, "last_error": error}
    with write_transaction(db.session):
        db.session.execute(sa.update(OutboxMessage)
                           .where(OutboxMessage.id == message_id, OutboxMessage.claim_token == token)
                           .values(claim_token=None, **values))
    return status


def resend(actor_id: int, message_id: int, *, now: datetime) -> OutboxMessage:
    """Queue a message again as it was (a failed one, or a sent one that went astray), audited."""
    with write_transaction(db.session):
        message = db.session.get(OutboxMessage, message_id, with_for_update=True, populate_existing=True)
        if message is None:
            raise NotFound("There is no such message.")
        if message.status == "sending" and not rules.claim_is_stale(message.claimed_at, now):
            raise BeingSent("This message is being sent right now.")
        if rules.had_one_time_link(message.body_text):
            raise LinkRemoved("This message carried a one-time link, removed once it was sent. Make a new "
                              "invitation or reset link from the person's page instead.")
        audit.record(actor_id, "mail.resend", "outbox_message", message.id,
                     f"{message.kind} to {message.recipient}", now=now, previous_status=message.status,
                     attempts=message.attempts)
        message.status, message.attempts, message.next_attempt_at = "queued", 0, now
        message.last_error = message.claim_token = None
        request_delivery()
    return message


@dataclass(frozen=True)
class Page:
    messages: list[OutboxMessage]
    total: int
    page: int
    pages: int


def list_messages(*, status: str = "", kind: str = "", page: int = 1, per_page: int = PER_PAGE) -> Page:
    """The outbox, newest first, filtered by status and kind (unknown filters are ignored)."""
    where = []
    if status in STATUSES:
        where.append(OutboxMessage.status == status)
    if kind in kinds.BY_NAME:
        where.append(OutboxMessage.kind == kind)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(*where)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    rows = list(db.session.scalars(sa.select(OutboxMessage).where(*where).order_by(OutboxMessage.id.desc())
                                   .offset((page - 1) * per_page).limit(per_page)))
    return Page(rows, total, page, pages)


def get_message(message_id: int) -> OutboxMessage:
    message = db.session.get(OutboxMessage, message_id)
    if message is None:
        raise NotFound("There is no such message.")
    return message


def status_of(message_id: int) -> str:
    return db.session.scalar(sa.select(OutboxMessage.status).where(OutboxMessage.id == message_id)) or ""


def send_test(address: str, *, now: datetime | None = None) -> OutboxMessage:
    """A test message through the whole path (outbox row, claim, SMTP), delivered here and now."""
    now = now or utcnow()
    cfg = current_app.config
    with write_transaction(db.session):
        message = queue("test", recipient=address, dedup_key=rules.dedup_key("test", "address", address,
                                                                             secrets.token_hex(6)),
                        context={"sent_at": f"{now:%Y-%m-%d %H:%M}", "server": f"{cfg['MAIL_SERVER']}:{cfg['MAIL_PORT']}"},
                        now=now)
        assert message is not None
        db.session.flush()
        message_id = message.id
    deliver_one(message_id, now=now)
    return get_message(message_id)


# --- Which messages: one function per cause, called inside the cause's unit of work -----------------

LINK_KINDS = {"invite": "invitation", "reset": "password-reset"}


def queue_link(link: Any, url: str, *, now: datetime, scope: tuple[Any, ...] = ()) -> OutboxMessage | None:
    """The mail carrying an invitation or reset link (`link`: app.auth.services.IssuedLink). Keyed by
    the link, or by the person within `scope` (("import", job id): inviting everyone an import
    created twice queues one invitation each)."""
    kind_name = LINK_KINDS[link.purpose]
    key = (rules.dedup_key(kind_name, "user", link.user.id, *scope) if scope
           else rules.dedup_key(kind_name, "auth-link", link.link_id))
    return queue(kind_name, recipient=link.user.email, user_id=link.user.id, dedup_key=key, now=now,
                 context={"name": link.user.display_name, "url": url,
                          "expires_at": f"{link.expires_at:%Y-%m-%d %H:%M}"})


def queue_certificate_issued(*, certificate_id: int, user_id: int, email: str, name: str, course: str, code: str,
                             verify_url: str, pdf_url: str, now: datetime) -> OutboxMessage | None:
    """The mail telling a holder their certificate is issued: the verification link and the PDF's."""
    return queue("certificate-issued", recipient=email, user_id=user_id, now=now,
                 dedup_key=rules.dedup_key("certificate-issued", "certificate", certificate_id),
                 context={"name": name, "course": course, "code": code, "verify_url": verify_url, "pdf_url": pdf_url,
                          "progress_url": absolute_url("progress.progress")})


def queue_welcome(*, enrolment_id: int, user_id: int, email: str, context: dict[str, Any],
                  now: datetime) -> OutboxMessage | None:
    """The welcome to a cohort, one per enrolment (`context`: app.cohorts.services.welcome_context)."""
    return queue("welcome", recipient=email, user_id=user_id, now=now, context=context,
                 dedup_key=rules.dedup_key("welcome", "enrolment", enrolment_id))


def queue_registration(*, email: str, user_id: int | None, name: str, cohort: str, sign_in_url: str,
                       now: datetime) -> OutboxMessage | None:
    """The mail after a self-registration: to the new account, or to the owner of the address when
    it had one (`user_id` None: nothing in it says which, to anyone but the owner)."""
    return queue("registration", recipient=email, user_id=user_id, now=now,
                 dedup_key=rules.dedup_key("registration", "address", email, f"{now:%Y%m%dT%H%M%S%f}"),
                 context={"existing": user_id is None, "name": name, "cohort": cohort, "sign_in_url": sign_in_url})
