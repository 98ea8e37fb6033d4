"""Issuing, revoking, reissuing and verifying certificates. One unit of work per call."""
from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import segno
import sqlalchemy as sa
from flask import current_app, render_template
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from app.audit import services as audit
from app.auth.models import User
from app.certificates.codes import format_code, new_code, normalise
from app.certificates.eligibility import Eligibility, eligibility
from app.certificates.fitting import name_size
from app.certificates.models import Certificate
from app.content.catalog import Catalog
from app.db import utcnow, write_transaction
from app.errors import AlreadyIssued, CertificateNotMade, InputRejected, NotEligible, NotFound
from app.extensions import db
from app.jobs import services as jobs
from app.learn.models import LessonCompletion
from app.mail import mail_configured
from app.outbox import services as outbox
from app.pdf import lazy_render
from app.pdf.limits import PdfError
from app.progress import services as progress
from app.quizzes.models import QuizAttempt
from app.web import public_url
from app.xapi import services as xapi

CSS = (Path(__file__).with_name("certificate.css")).read_text(encoding="utf-8")
BATCH = 50


@dataclass(frozen=True)
class Snapshot:
    """Everything printed on a certificate, fixed at issue."""

    code: str
    holder_name: str
    course_title: str
    course_code: str
    hours: float
    completed_on: date
    issuer_org: str
    issuer_name: str
    verify_url: str

    @property
    def hours_text(self) -> str:
        return f"{self.hours:g} hours"

    @property
    def completed_text(self) -> str:
        return f"{self.completed_on.day} {self.completed_on:%B %Y}"


def verify_url(code: str) -> str:
    return public_url(f"/verify/{format_code(code)}")  # no url_for: jobs render certificates outside requests


def _context(snapshot: Snapshot) -> dict[str, Any]:
    return {**snapshot.__dict__, "code": format_code(snapshot.code), "hours_text": snapshot.hours_text,
            "completed_text": snapshot.completed_text, "name_size": name_size(snapshot.holder_name)}


def _qr_svg(snapshot: Snapshot) -> Markup:
    qr = segno.make(snapshot.verify_url, error="m").svg_inline(scale=4, dark="#0b3445", border=0)
    return Markup(qr)  # noqa: S704 - an SVG segno made from our own code


def _html(snapshot: Snapshot) -> str:
    """The whole certificate as one document: what `_layers` print in two (the reference the tests
    and bench/certificates.py compare them with)."""
    return render_template("certificates/certificate.html", c=_context(snapshot), qr_svg=_qr_svg(snapshot))


def _background_html(snapshot: Snapshot) -> str:
    """What this certificate shares with the others of a bulk issue: nothing of the person's own, so
    one background serves every certificate whose name takes the same height (lazy_render.FIT)."""
    shared = {**_context(snapshot), "code": "", "holder_name": "", "verify_url": "",
              "completed_text": "30 September 2000"}   # not shown; one line, as every date
    return render_template("certificates/certificate.html", c=shared, layer="background", fit=lazy_render.FIT)


def _layers(snapshot: Snapshot, max_waiting: int | None = None) -> tuple[str, str]:
    """(background, foreground) of one certificate, printed over each other they are `_html`'s page:
    the foreground's spacers are the background's measured gaps above and below the name (measured
    once per process; with max_waiting, PdfQueueFull if that has to wait behind a full queue)."""
    background = _background_html(snapshot)
    placed = lazy_render.measure(background, CSS, ("frame", "fit", "date"), max_waiting=max_waiting)
    gaps = {"above": placed["fit"][0] - placed["frame"][2], "below": placed["date"][0] - placed["fit"][1]}
    foreground = render_template("certificates/certificate.html", c=_context(snapshot), qr_svg=_qr_svg(snapshot),
                                 layer="foreground", gaps={k: repr(v) for k, v in gaps.items()})
    return background, foreground


@dataclass(frozen=True)
class NotMade:
    """A certificate of a bulk issue whose PDF could not be made (the others were issued)."""

    user_id: int
    holder_name: str
    reason: str


@dataclass(frozen=True)
class BulkIssue:
    issued: int
    skipped: int                      # not eligible, or already holding a certificate
    failed: tuple[NotMade, ...] = ()


def render_certificates(snapshots: list[Snapshot], *, pool: Executor | None = None,
                        max_waiting: int | None = None) -> list[bytes]:
    """PDFs for these certificates (app/pdf), printed in two layers (`_layers`): the parts every
    certificate shares laid out once per process and name height, each person's own parts laid out
    together in batches of BATCH; on the worker processes of `pool` (lazy_render.render_pool, for bulk
    runs), else in this process. The page is the same as `_html`'s laid out whole.
    With max_waiting (a request), PdfQueueFull if the process's render queue is full."""
    return lazy_render.render_layered_parallel([_layers(s, max_waiting) for s in snapshots], CSS, time_limit=120.0,
                                               chunk=BATCH, pool=pool, max_waiting=max_waiting)


def _render_each(snapshots: list[Snapshot], pool: Executor | None) -> list[bytes | PdfError]:
    """PDFs for a batch; if the batch fails, each certificate alone, so one that cannot be made
    fails alone (its PdfError in its place) and the rest are issued."""
    try:
        return list(render_certificates(snapshots, pool=pool))
    except PdfError:
        pass
    made: list[bytes | PdfError] = []
    for snapshot in snapshots:
        try:
            made.append(render_certificates([snapshot])[0])
        except PdfError as exc:
            made.append(exc)
    return made


def _render_one(snapshot: Snapshot) -> bytes:
    try:
        return render_certificates([snapshot], max_waiting=current_app.config["PDF_RENDER_QUEUE"])[0]
    except PdfError as exc:
        raise CertificateNotMade(snapshot.holder_name, str(exc)) from None


def current_certificate(user_id: int, course_code: str) -> Certificate | None:
    return db.session.scalar(sa.select(Certificate).where(
        Certificate.user_id == user_id, Certificate.course_code == course_code,
        Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None)))


def eligibilities(catalog: Catalog, user_ids: Iterable[int], *, now: datetime | None = None) -> dict[int, Eligibility]:
    """Given `now`, quiz attempts left open past their time limit are closed first (progress.facts_for)."""
    outline = progress.outline_of(catalog)
    return {uid: eligibility(outline, facts) for uid, facts in progress.facts_for(list(user_ids), now=now).items()}


def _completed_on(user_ids: list[int], fallback: date) -> dict[int, date]:
    """The day each person finished: their latest lesson completion or passed quiz (two queries)."""
    latest: dict[int, datetime] = {}
    for table, moment, extra in ((LessonCompletion, LessonCompletion.completed_at, sa.true()),
                                 (QuizAttempt, QuizAttempt.finished_at,
                                  sa.and_(QuizAttempt.passed.is_(True), QuizAttempt.counts))):
        rows = db.session.execute(sa.select(table.user_id, sa.func.max(moment)).where(table.user_id.in_(user_ids), extra)
                                  .group_by(table.user_id))
        for user_id, when in rows:
            if when is not None and (user_id not in latest or when > latest[user_id]):
                latest[user_id] = when
    return {uid: (latest[uid].date() if uid in latest and isinstance(latest[uid], datetime) else fallback)
            for uid in user_ids}


def _snapshot(person: User, catalog: Catalog, issuer: User | None, completed_on: date) -> Snapshot:
    code = normalise(new_code())
    assert code is not None
    config = current_app.config
    return Snapshot(code=code, holder_name=person.display_name, course_title=catalog.course.title,
                    course_code=catalog.course.code, hours=catalog.course.hours, completed_on=completed_on,
                    issuer_org=config["LECTERN_ISSUER_ORG"],
                    issuer_name=config.get("LECTERN_ISSUER_NAME") or (issuer.display_name if issuer else config["LECTERN_ISSUER_ORG"]),
                    verify_url=verify_url(code))


def _store(snapshot: Snapshot, pdf: bytes, *, user_id: int, actor_id: int | None, cohort_id: int | None,
           override_reason: str | None, now: datetime) -> Certificate:
    certificate = Certificate(
        code=snapshot.code, user_id=user_id, cohort_id=cohort_id, holder_name=snapshot.holder_name,
        course_title=snapshot.course_title, course_code=snapshot.course_code, hours=snapshot.hours,
        completed_on=snapshot.completed_on, issuer_org=snapshot.issuer_org, issuer_name=snapshot.issuer_name,
        issued_by_id=actor_id, issued_at=now, override_reason=override_reason, pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest())
    db.session.add(certificate)
    db.session.flush()
    audit.record(actor_id, "certificate.issue", "certificate", format_code(snapshot.code),
                 f"{snapshot.holder_name} ({format_code(snapshot.code)})", now=now, user_id=user_id,
                 override_reason=override_reason)
    _mail_holder(certificate, now=now)
    xapi.certificate_earned(certificate)
    return certificate


def _mail_holder(certificate: Certificate, *, now: datetime) -> None:
    """With a mail server, the holder's "certificate issued" mail joins the unit of work that stores it."""
    if not mail_configured(current_app.config):
        return
    holder = db.session.get_one(User, certificate.user_id)
    code = format_code(certificate.code)
    queued = outbox.queue_certificate_issued(
        certificate_id=certificate.id, user_id=holder.id, email=holder.email, name=certificate.holder_name,
        course=certificate.course_title, code=code, verify_url=verify_url(certificate.code),
        pdf_url=public_url(f"/certificates/{code}.pdf"), now=now)
    if queued is not None:
        outbox.request_delivery()


def issue(actor_id: int | None, user_id: int, catalog: Catalog, *, now: datetime, cohort_id: int | None = None,
          override_reason: str | None = None) -> Certificate:
    """Issue one certificate: to an eligible trainee, or with a recorded reason to anyone else."""
    person = db.session.get(User, user_id)
    if person is None:
        raise NotFound("There is no such person.")
    if current_certificate(user_id, catalog.course.code) is not None:
        raise AlreadyIssued(f"{person.display_name} already has a valid certificate; reissue it instead.")
    override_reason = (override_reason or "").strip() or None
    status = eligibilities(catalog, [user_id], now=now)[user_id]
    if not status.eligible and override_reason is None:
        raise NotEligible(status.unmet)
    issuer = db.session.get(User, actor_id) if actor_id else None
    snapshot = _snapshot(person, catalog, issuer,
                         _completed_on([user_id], now.date())[user_id] if status.eligible else now.date())
    pdf = _render_one(snapshot)
    try:
        with write_transaction(db.session):
            certificate = _store(snapshot, pdf, user_id=user_id, actor_id=actor_id, cohort_id=cohort_id,
                                 override_reason=None if status.eligible else override_reason, now=now)
    except IntegrityError:
        raise AlreadyIssued(f"{person.display_name} already has a valid certificate.") from None
    return certificate


def issue_many(actor_id: int | None, user_ids: Iterable[int], catalog: Catalog, *, now: datetime,
               cohort_id: int | None = None, progress_cb: Callable[[int, int], None] | None = None) -> BulkIssue:
    """Issue to every eligible person without a current certificate. A certificate that cannot be
    made is left out and reported by name; the others are issued."""
    ids = list(dict.fromkeys(user_ids))
    status = eligibilities(catalog, ids, now=now)
    have = set(db.session.scalars(sa.select(Certificate.user_id).where(
        Certificate.user_id.in_(ids), Certificate.course_code == catalog.course.code,
        Certificate.revoked_at.is_(None), Certificate.superseded_at.is_(None)))) if ids else set()
    todo = [uid for uid in ids if status[uid].eligible and uid not in have]
    people = {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(todo)))} if todo else {}
    issuer = db.session.get(User, actor_id) if actor_id else None
    finished = _completed_on(todo, now.date()) if todo else {}
    issued, done, failed = 0, 0, []
    step = BATCH * 4  # render four batches at a time (one per core), then store them together
    with lazy_render.render_pool(len(todo), chunk=BATCH) as pool:  # one set of workers for the whole run
        for start in range(0, len(todo), step):
            batch = todo[start:start + step]
            snapshots = [_snapshot(people[uid], catalog, issuer, finished[uid]) for uid in batch]
            made = _render_each(snapshots, pool)
            with write_transaction(db.session):
                for uid, snapshot, pdf in zip(batch, snapshots, made):
                    if isinstance(pdf, PdfError):
                        failed.append(NotMade(uid, snapshot.holder_name, str(pdf)))
                        continue
                    _store(snapshot, pdf, user_id=uid, actor_id=actor_id, cohort_id=cohort_id, override_reason=None,
                           now=now)
                    issued += 1
            done += len(batch)
            if progress_cb:
                progress_cb(done, len(todo))
    return BulkIssue(issued, len(ids) - len(todo), tuple(failed))


def issue_cohort_job(job_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """The "issue to everyone eligible" job (app/jobs): params actor_id, cohort_id, user_ids."""
    from app.content.catalog import catalog

    def step(done: int, total: int) -> None:
        jobs.update_job(job_id, stage="Issuing certificates", done=done, total=total)

    outcome = issue_many(params["actor_id"], params["user_ids"], catalog(), now=utcnow(),
                         cohort_id=params["cohort_id"], progress_cb=step)
    return {"ok": not outcome.failed, "issued": outcome.issued, "skipped": outcome.skipped,
            "failed": [{"user_id": f.user_id, "name": f.holder_name, "reason": f.reason} for f in outcome.failed]}


def looks_like_pdf(data: bytes) -> bool:
    """PDF files start with "%PDF-" (ISO 32000 allows it within the first 1,024 bytes)."""
    return b"%PDF-" in data[:1024]


_KINDS = ((b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"), (b"GIF8", "a GIF image"),
          (b"PK\x03\x04", "a ZIP or Office document"), (b"\xd0\xcf\x11\xe0", "an old Office document"))


def what_file(data: bytes) -> str:
    """", it looks like a PNG image" for the common files people upload by mistake, else ""."""
    for magic, kind in _KINDS:
        if data.startswith(magic):
            return f" (it looks like {kind})"
    return ""


def by_code(text: str) -> Certificate | None:
    code = normalise(text or "")
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code)) if code else None


def revoke(actor_id: int | None, code_text: str, reason: str, *, now: datetime) -> Certificate:
    reason = (reason or "").strip()
    if not reason:
        raise InputRejected("Say why the certificate is revoked.")
    with write_transaction(db.session):
        certificate = by_code(code_text)
        if certificate is None:
            raise NotFound("There is no certificate with that code.")
        if certificate.revoked_at is not None:
            raise InputRejected("This certificate is already revoked.")
        certificate.revoked_at, certificate.revoked_reason, certificate.revoked_by_id = now, reason, actor_id
        audit.record(actor_id, "certificate.revoke", "certificate", certificate.display_code,
                     f"{certificate.holder_name} ({certificate.display_code})", now=now, reason=reason)
        xapi.certificate_revoked(certificate)
    return certificate


def reissue(actor_id: int | None, code_text: str, catalog: Catalog, *, now: datetime) -> Certificate:
    """A new certificate with the person's current name; the old one becomes superseded and points to it."""
    old = by_code(code_text)
    if old is None:
        raise NotFound("There is no certificate with that code.")
    if old.status != "valid":
        raise InputRejected(f"Only a valid certificate can be reissued; this one is {old.status}.")
    person = db.session.get_one(User, old.user_id)
    issuer = db.session.get(User, actor_id) if actor_id else None
    snapshot = _snapshot(person, catalog, issuer, old.completed_on)
    pdf = _render_one(snapshot)
    with write_transaction(db.session):
        old = db.session.get_one(Certificate, old.id)
        if old.status != "valid":
            raise InputRejected("The certificate changed while it was being reissued; try again.")
        old.superseded_at = now
        db.session.flush()
        new = _store(snapshot, pdf, user_id=old.user_id, actor_id=actor_id, cohort_id=old.cohort_id,
                     override_reason=old.override_reason, now=now)
        old.superseded_by_id = new.id
        audit.record(actor_id, "certificate.reissue", "certificate", old.display_code,
                     f"{old.holder_name} → {new.holder_name}", now=now, new_code=new.display_code)
    return new


def pdf_of(certificate_id: int) -> bytes:
    return db.session.scalars(sa.select(Certificate.pdf).where(Certificate.id == certificate_id)).one()


def by_pdf(data: bytes) -> Certificate | None:
    return db.session.scalar(sa.select(Certificate).where(Certificate.sha256 == hashlib.sha256(data).hexdigest()))


def successor_of(certificate: Certificate) -> Certificate | None:
    """The certificate that superseded this one (reissued), if any."""
    return db.session.get(Certificate, certificate.superseded_by_id) if certificate.superseded_by_id else None


def certificates_of(user_id: int) -> list[Certificate]:
    return certificates_for([user_id]).get(user_id, [])


def certificates_for(user_ids: Iterable[int]) -> dict[int, list[Certificate]]:
    """Each person's certificates, newest first, from one query."""
    ids = list(user_ids)
    out: dict[int, list[Certificate]] = {}
    if ids:
        for certificate in db.session.scalars(sa.select(Certificate).where(Certificate.user_id.in_(ids))
                                              .order_by(Certificate.issued_at.desc(), Certificate.id.desc())):
            out.setdefault(certificate.user_id, []).append(certificate)
    return out


def linkedin_url(certificate: Certificate) -> str:
    """LinkedIn's "add licence or certification" form, prefilled."""
    query = urlencode({"startTask": "CERTIFICATION_NAME", "name": certificate.course_title,
                       "organizationName": certificate.issuer_org, "issueYear": certificate.issued_at.year,
                       "issueMonth": certificate.issued_at.month, "certUrl": verify_url(certificate.code),
                       "certId": certificate.display_code})
    return f"https://www.linkedin.com/profile/add?{query}"

