"""The session-scheduled / -changed / -cancelled mails: one per enrolled trainee and per cohort
instructor, queued in the outbox inside the unit of work that changed the schedule, each with an
.ics invitation (METHOD:REQUEST, or CANCEL; the same UID throughout, SEQUENCE = the entry's).
The times in the text are in the recipient's zone (their setting, else the cohort's)."""
from __future__ import annotations

from datetime import date, datetime, time
from email.utils import parseaddr
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from app.auth.models import User
from app.cohorts.models import Cohort, CohortInstructor, Enrolment
from app.content.catalog import Catalog
from app.extensions import db
from app.mail import mail_configured
from app.outbox import rules
from app.outbox import services as outbox
from app.schedule import ics, times
from app.schedule.models import ScheduledDay
from app.web import public_url

ENTITY = "scheduled-day"
ACCOUNT_PATH = "/account/calendar"   # app/schedule/views.py account (mails are also queued outside requests)


def host() -> str:
    """The host name in calendar UIDs (stable for a deployment: from LECTERN_BASE_URL)."""
    return urlsplit(str(current_app.config.get("LECTERN_BASE_URL") or "")).hostname or "lectern.invalid"


def entry_uid(entry_id: int, host_name: str) -> str:
    return f"scheduled-day-{entry_id}@{host_name}"


def site_zone() -> str:
    return str(current_app.config.get("LECTERN_TIME_ZONE") or "UTC")


def cohort_zone(cohort: Cohort) -> str:
    """The cohort's zone, else the site's (LECTERN_TIME_ZONE)."""
    return cohort.time_zone if cohort.time_zone and times.is_zone(cohort.time_zone) else site_zone()


def day_title(cat: Catalog, number: int) -> str:
    """'Day 1: <the day's title in the course file>'."""
    return times.day_label(number, next((d.title for d in cat.course.days if d.number == number), None))


def session_event(entry: ScheduledDay, cohort: Cohort, cat: Catalog, *, host: str, home_url: str) -> ics.SessionEvent:
    return ics.SessionEvent(
        uid=entry_uid(entry.id, host), sequence=entry.sequence,
        summary=f"{cat.course.title}, {day_title(cat, entry.day)} ({cohort.name})",
        on=entry.on_date, starts=entry.starts_at, ends=entry.ends_at, zone_name=entry.time_zone,
        place=entry.place, link=entry.link, url=home_url, cancelled=entry.is_cancelled,
        description=f"{cat.course.title}: {day_title(cat, entry.day)} for {cohort.name}.\nCourse: {home_url}")


def recipients(cohort_id: int) -> list[User]:
    """Active people with a real address: the cohort's trainees, then its instructors (each once)."""
    taking = sa.select(Enrolment.user_id).where(Enrolment.cohort_id == cohort_id)
    teaching = sa.select(CohortInstructor.user_id).where(CohortInstructor.cohort_id == cohort_id)
    return list(db.session.scalars(
        sa.select(User).where(sa.or_(User.id.in_(taking), User.id.in_(teaching)), User.is_active.is_(True),
                              User.guest_session_id.is_(None)).order_by(User.id)))


def queue_entry_mails(kind: str, entry: ScheduledDay, cohort: Cohort, cat: Catalog, *, now: datetime,
                      earlier: tuple[date, time, time, str] | None = None) -> int:
    """Queue the kind's mail for everyone in the cohort (call inside the change's write_transaction).
    Keyed by entry, sequence and person: the same change never mails anyone twice. Returns how
    many were queued. Without a mail server nothing is queued (as for certificates): the pages and
    the calendar feed carry the schedule."""
    config = current_app.config
    if not mail_configured(config):
        return 0
    host_name = host()
    home_url, account_url = public_url("/"), public_url(ACCOUNT_PATH)
    organizer_name, organizer = parseaddr(str(config.get("MAIL_SENDER") or ""))
    event = session_event(entry, cohort, cat, host=host_name, home_url=home_url)
    method = "CANCEL" if entry.is_cancelled else "REQUEST"
    filename = "cancel.ics" if entry.is_cancelled else "invite.ics"
    their_zone = cohort_zone(cohort)
    queued = 0
    for person in recipients(cohort.id):
        reader = person.time_zone if person.time_zone and times.is_zone(person.time_zone) else their_zone
        when = times.when_text(entry.on_date, entry.starts_at, entry.ends_at, entry.time_zone, reader)
        there = times.when_text(entry.on_date, entry.starts_at, entry.ends_at, entry.time_zone, entry.time_zone)
        start = times.to_utc(entry.on_date, entry.starts_at, entry.time_zone).astimezone(times.zone(reader))
        context = {
            "name": person.display_name, "course": cat.course.title, "cohort": cohort.name,
            "day_label": day_title(cat, entry.day), "when": when, "when_there": "" if there == when else there,
            "short_when": f"{start:%a %d %b %Y, %H:%M} {start.tzname() or reader}",
            "place": entry.place, "link": entry.link, "home_url": home_url, "account_url": account_url,
            "reader_zone": reader,
            "before": times.when_text(*earlier, reader) if earlier else "",
        }
        message = outbox.queue(kind, recipient=person.email, user_id=person.id, now=now, context=context,
                               dedup_key=rules.dedup_key(kind, ENTITY, entry.id, entry.sequence, "user", person.id))
        if message is None:
            continue
        document = ics.invitation(event, organizer=organizer or "no-reply@localhost",
                                  organizer_name=organizer_name or str(config.get("LECTERN_ISSUER_ORG") or "Lectern"),
                                  attendee=person.email, attendee_name=person.display_name, stamp=now)
        message.attachments = [{"filename": filename, "content_type": f"text/calendar; method={method}",
                                "text": document.decode()}]
        queued += 1
    if queued:
        outbox.request_delivery()
    return queued


def welcome_lines(cohort: Cohort, person: User, cat: Catalog) -> list[str]:
    """The cohort's scheduled course days for its welcome mail, one line each in the reader's zone
    ("Day 1: Opening: Mon 11 Jan 2027, 09:00–17:00 (Europe/Berlin), Room 2"); cancelled days left out."""
    reader = person.time_zone if person.time_zone and times.is_zone(person.time_zone) else cohort_zone(cohort)
    entries = db.session.scalars(sa.select(ScheduledDay).where(ScheduledDay.cohort_id == cohort.id,
                                                               ScheduledDay.cancelled_at.is_(None))
                                 .order_by(ScheduledDay.on_date, ScheduledDay.starts_at, ScheduledDay.id))
    lines = []
    for entry in entries:
        where = ", ".join(part for part in (entry.place, entry.link) if part)
        when = times.when_text(entry.on_date, entry.starts_at, entry.ends_at, entry.time_zone, reader)
        lines.append(f"{day_title(cat, entry.day)}: {when}" + (f", {where}" if where else ""))
    return lines
