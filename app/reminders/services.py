"""Reminders: load the facts the pure rule needs (app/reminders/rules.py), queue what is due, then
deliver. `tick` is what `flask --app wsgi mail tick` (cron) and the RQ cron scheduler run; it is
safe to run twice or from two places at once: each message's dedup key names its cause, so a second
run in the same period queues nothing, and delivery claims each message once.

Nothing is queued without a mail server: an invitation reminder issues a fresh link (voiding the
one in the first mail), which must not happen to links an administrator printed instead.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app

from app.auth import services as accounts
from app.auth.models import AuthToken, User
from app.auth.services import IssuedLink
from app.cohorts.models import Cohort, Enrolment
from app.content.catalog import catalog
from app.db import utcnow, write_transaction
from app.extensions import db
from app.learn.models import LessonCompletion, LessonVisit
from app.mail import mail_configured
from app.outbox import services as outbox
from app.outbox.models import OutboxMessage
from app.outbox.render import long_date
from app.progress import services as progress_services
from app.progress.progress import continue_lesson, missing_for_certificate
from app.reminders import rules


def settings_from(config: Any) -> rules.Settings:
    return rules.Settings(invitation_days=int(config["MAIL_REMIND_INVITATION_DAYS"]),
                          inactive_days=int(config["MAIL_REMIND_INACTIVE_DAYS"]),
                          ending_days=int(config["MAIL_REMIND_ENDING_DAYS"]),
                          summary_weekday=int(config["MAIL_SUMMARY_WEEKDAY"]))


def _person(user: User) -> rules.Person:
    return rules.Person(user.id, user.email, user.display_name, user.is_active, user.guest_session_id is not None,
                        user.password_hash is not None)


def _latest_sent(kind: str) -> dict[int, datetime]:
    return {uid: at for uid, at in db.session.execute(
        sa.select(OutboxMessage.recipient_user_id, sa.func.max(OutboxMessage.created_at))
        .where(OutboxMessage.kind == kind, OutboxMessage.recipient_user_id.is_not(None))
        .group_by(OutboxMessage.recipient_user_id)) if uid is not None}


def invitation_facts(now: datetime) -> list[rules.Invitation]:
    """Each person's outstanding invitation link (issuing one voids the others: at most one each)."""
    reminded = _latest_sent("invitation-reminder")
    rows = db.session.execute(
        sa.select(AuthToken, User).join(User, User.id == AuthToken.user_id)
        .where(AuthToken.purpose == "invite", AuthToken.used_at.is_(None), AuthToken.expires_at > now,
               User.password_hash.is_(None), User.is_active.is_(True), User.guest_session_id.is_(None))
        .order_by(AuthToken.id))
    return [rules.Invitation(link.id, _person(user), link.created_at, link.expires_at, link.used_at,
                             reminded.get(user.id)) for link, user in rows]


def cohort_facts(now: datetime) -> list[rules.Cohort]:
    """The cohorts that may be running today, with their instructors and trainees' standing."""
    today = now.date()
    cohorts = list(db.session.scalars(
        sa.select(Cohort).where(Cohort.is_archived.is_(False),
                                sa.or_(Cohort.starts_on.is_(None), Cohort.starts_on <= today),
                                sa.or_(Cohort.ends_on.is_(None), Cohort.ends_on >= today)).order_by(Cohort.id)))
    if not cohorts:
        return []
    enrolments = list(db.session.scalars(sa.select(Enrolment).where(Enrolment.cohort_id.in_([c.id for c in cohorts]))
                                         .order_by(Enrolment.id)))
    ids = sorted({e.user_id for e in enrolments})
    cat = catalog()
    outline = progress_services.outline_of(cat)
    facts = progress_services.facts_for(ids, attendance_minutes=cat.course.completion.live_attendance_minutes)
    last_seen: dict[int, dict[str, datetime]] = defaultdict(dict)
    for uid, key, at in db.session.execute(sa.select(LessonVisit.user_id, LessonVisit.lesson_key,
                                                     LessonVisit.last_seen_at).where(LessonVisit.user_id.in_(ids))):
        last_seen[uid][key] = at
    last_completed = dict(db.session.execute(
        sa.select(LessonCompletion.user_id, sa.func.max(LessonCompletion.completed_at))
        .where(LessonCompletion.user_id.in_(ids)).group_by(LessonCompletion.user_id)).all())
    reminded = _latest_sent("inactive-reminder")
    ordered = [lesson.slug for lesson in cat.lessons]
    trainees: dict[int, list[rules.Trainee]] = defaultdict(list)
    for e in enrolments:
        fact = facts[e.user_id]
        seen = [*last_seen[e.user_id].values(), *([last_completed[e.user_id]] if e.user_id in last_completed else [])]
        missing = tuple(missing_for_certificate(outline, fact))
        slug = continue_lesson(ordered, fact.completed, last_seen[e.user_id])
        lesson = cat.lesson(slug) if slug else None
        trainees[e.cohort_id].append(rules.Trainee(
            _person(e.user), e.id, started=bool(fact.completed or fact.visited), finished=not missing,
            last_seen_at=max(seen) if seen else None, resume_slug=slug, resume_title=lesson.title if lesson else None,
            missing=missing, last_inactive_reminder_at=reminded.get(e.user_id)))
    return [rules.Cohort(c.id, c.name, c.starts_on, c.ends_on, c.is_archived,
                         tuple(_person(i) for i in c.instructors), tuple(trainees[c.id])) for c in cohorts]



def _context(due: rules.Due, now: datetime) -> dict[str, Any]:
    """What each kind's template needs, from the rule's data: names, dates in words, absolute links."""
    d, name = due.data, due.person.name
    if due.kind == "inactive-reminder":
        slug = d.get("lesson_slug")
        return {"name": name, "cohort": d["cohort"], "days": d["days"], "lesson": d.get("lesson_title") or "the course",
                "url": outbox.absolute_url("learn.lesson", slug=slug) if slug else outbox.absolute_url("learn.home"),
                "ends_on": long_date(d.get("ends_on"))}  # type: ignore[arg-type]
    if due.kind == "ending-soon":
        return {"name": name, "cohort": d["cohort"], "ends_on": long_date(d["ends_on"]),  # type: ignore[arg-type]
                "days_left": d["days_left"], "missing": d["missing"], "url": outbox.absolute_url("progress.progress")}
    if due.kind == "weekly-summary":
        cohorts = [{"name": c.name, "url": outbox.absolute_url("teach.cohort", cohort_id=c.cohort_id),
                    "enrolled": c.enrolled, "finished": list(c.finished), "in_progress": c.in_progress,
                    "not_started": c.not_started,
                    "stalled": [f"{who} (not back for {days} days)" for who, days in c.stalled]}
                   for c in d["cohorts"]]  # type: ignore[attr-defined]
        return {"name": name, "week": d["week"], "today": long_date(now.date()), "cohorts": cohorts,
                "stalled_days": int(current_app.config["MAIL_REMIND_INACTIVE_DAYS"])}
    raise ValueError(due.kind)


class _Raced(Exception):
    """Another run queued this reminder meanwhile: drop the link issued for it."""


def _queue_invitation_reminder(due: rules.Due, now: datetime) -> bool:
    if outbox.opted_out(due.person.id, due.kind):
        return False     # never void the person's link for a mail that will not go (queue_due skipped
                         # the keys queued before; one queued meanwhile raises _Raced and voids nothing)
    cfg = current_app.config
    invited_on = long_date(due.data["invited_on"])  # type: ignore[arg-type]

    def mail(link: IssuedLink) -> None:
        queued = outbox.queue("invitation-reminder", recipient=link.user.email, user_id=link.user.id, now=now,
                              dedup_key=due.key,
                              context={"name": link.user.display_name, "invited_on": invited_on,
                                       "url": outbox.absolute_url("auth.invite", token=link.token),
                                       "expires_at": f"{link.expires_at:%Y-%m-%d %H:%M}"})
        if queued is None:
            raise _Raced

    try:
        accounts.issue_link(due.person.id, "invite", secret_key=cfg["SECRET_KEY"], max_age=cfg["TOKEN_MAX_AGE_INVITE"],
                            created_by_id=None, now=now, on_issued=mail)
    except _Raced:
        return False
    current_app.logger.info("Invitation reminder queued for user %d (a new link replaces link %s)",
                            due.person.id, due.data["link_id"])
    return True


def queue_due(now: datetime) -> dict[str, int]:
    """Queue every reminder due at `now`; returns how many of each kind were queued."""
    settings = settings_from(current_app.config)
    due = rules.due_messages(now=now, invitations=invitation_facts(now), cohorts=cohort_facts(now), settings=settings)
    # Most of what is due was queued by an earlier tick (an ending cohort is due every day): skip those
    # without rendering them; the unique dedup key still decides when two ticks race.
    already = outbox.queued_keys([item.key for item in due])
    db.session.commit()   # end the reads: each message is its own unit of work
    counts: dict[str, int] = defaultdict(int)
    for item in (item for item in due if item.key not in already):
        if item.kind == "invitation-reminder":
            counts[item.kind] += _queue_invitation_reminder(item, now)
            continue
        with write_transaction(db.session):
            queued = outbox.queue(item.kind, recipient=item.person.email, user_id=item.person.id,
                                  dedup_key=item.key, context=_context(item, now), now=now)
        counts[item.kind] += queued is not None
    return dict(counts)


@dataclass(frozen=True)
class Tick:
    queued: dict[str, int]
    delivery: outbox.Delivery


def tick(*, now: datetime | None = None) -> Tick:
    """Queue the reminders due now, then deliver every message that is due (retries included)."""
    if not mail_configured(current_app.config):
        return Tick({}, outbox.Delivery())
    queued = queue_due(now or utcnow())
    return Tick(queued, outbox.deliver_due(now=now))


def tick_job(job_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """The "mail.tick" job (the RQ cron scheduler runs it; see app/jobs/worker.py run_periodic)."""
    done = tick()
    return {"queued": done.queued, "sent": done.delivery.sent, "retrying": done.delivery.retrying,
            "failed": done.delivery.failed}
