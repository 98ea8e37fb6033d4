"""Schedules of cohorts, the reader's time zone and personal calendar feeds.

Each change of a scheduled day is one unit of work: the row, its audit event and one mail per
enrolled trainee and cohort instructor (app/schedule/mails.py) commit together."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from app.audit import services as audit
from app.auth.models import SignedIn, User
from app.cohorts import services as cohorts
from app.cohorts.models import Cohort, CohortInstructor, Enrolment
from app.content.catalog import Catalog
from app.db import write_transaction
from app.errors import DomainError, InputRejected, NotFound
from app.extensions import db
from app.live import sessions
from app.live.models import LiveSession
from app.schedule import ics, mails, times
from app.schedule.models import CalendarFeed, ScheduledDay
from app.text import check_text


class ScheduleRejected(InputRejected):
    """An entry that cannot be saved: every problem with the field it belongs to."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__(" ".join(message for _field, message in problems), problems[0][0] if problems else None)
        self.problems = problems


class NotToday(DomainError):
    status_code = 409


# --- Zones --------------------------------------------------------------------------------------

site_zone = mails.site_zone
cohort_zone = mails.cohort_zone   # the zone rules live beside the mails, which services use


def reader_zone_setting(user_id: int) -> str | None:
    """The zone this person chose to read times in (None: each cohort's own)."""
    return db.session.scalar(sa.select(User.time_zone).where(User.id == user_id))


def set_reader_zone(user_id: int, zone_name: str | None) -> None:
    if zone_name and not times.is_zone(zone_name):
        raise InputRejected("Choose a time zone from the list.", "zone_name")
    with write_transaction(db.session):
        db.session.execute(sa.update(User).where(User.id == user_id).values(time_zone=zone_name or None))


def set_cohort_zone(actor_id: int, cohort_id: int, zone_name: str | None, *, now: datetime) -> Cohort:
    """The zone new entries of the cohort default to (existing entries keep their own)."""
    actor = _actor(actor_id)
    if zone_name and not times.is_zone(zone_name):
        raise InputRejected("Choose a time zone from the list.", "zone_name")
    with write_transaction(db.session):
        cohort = cohorts.cohort_for_staff(actor, cohort_id)
        before = cohort.time_zone
        cohort.time_zone = zone_name or None
        audit.record(actor_id, "schedule.time_zone", "cohort", cohort.id, cohort.name, now=now,
                     before=before, after=cohort.time_zone)
    return cohort


# --- Reading schedules --------------------------------------------------------------------------

@dataclass(frozen=True)
class EntryView:
    """A scheduled day as a page shows it to one reader."""
    entry: ScheduledDay
    cohort: Cohort
    day_title: str
    when: str            # in the reader's zone
    when_there: str      # in the entry's zone, when that differs from the reader's ("" otherwise)
    is_today: bool       # today in the entry's zone
    is_past: bool

    @property
    def id(self) -> int:
        return self.entry.id


day_title = mails.day_title


def view_of(entry: ScheduledDay, cohort: Cohort, reader_zone: str | None, cat: Catalog, now: datetime) -> EntryView:
    reader = reader_zone or cohort_zone(cohort)
    when = times.when_text(entry.on_date, entry.starts_at, entry.ends_at, entry.time_zone, reader)
    there = times.when_text(entry.on_date, entry.starts_at, entry.ends_at, entry.time_zone, entry.time_zone)
    _start, end = times.utc_span(entry.on_date, entry.starts_at, entry.ends_at, entry.time_zone)
    return EntryView(entry, cohort, day_title(cat, entry.day), when, "" if there == when else there,
                     times.today_in(entry.time_zone, now) == entry.on_date, end < now)


def _ordered(query: sa.Select[Any]) -> list[ScheduledDay]:
    return list(db.session.scalars(query.order_by(ScheduledDay.on_date, ScheduledDay.starts_at, ScheduledDay.id)))


def schedule_of(cohort: Cohort, reader_zone: str | None, cat: Catalog, *, now: datetime,
                include_cancelled: bool = True) -> list[EntryView]:
    """The cohort's scheduled days, in date order, for a reader (staff pages: cancelled ones too)."""
    query = sa.select(ScheduledDay).where(ScheduledDay.cohort_id == cohort.id)
    if not include_cancelled:
        query = query.where(ScheduledDay.cancelled_at.is_(None))
    return [view_of(e, cohort, reader_zone, cat, now) for e in _ordered(query)]


def member_cohorts(user_id: int) -> list[Cohort]:
    """The cohorts a person is in, as a trainee or as an instructor."""
    taking = sa.select(Enrolment.cohort_id).where(Enrolment.user_id == user_id)
    teaching = sa.select(CohortInstructor.cohort_id).where(CohortInstructor.user_id == user_id)
    return list(db.session.scalars(sa.select(Cohort).where(sa.or_(Cohort.id.in_(taking), Cohort.id.in_(teaching)))
                                   .order_by(Cohort.starts_on, Cohort.name)))


def upcoming_for(user_id: int, cat: Catalog, *, now: datetime) -> list[EntryView]:
    """The person's cohorts' days from yesterday on (not cancelled), in their own zone."""
    mine = {c.id: c for c in member_cohorts(user_id)}
    if not mine:
        return []
    reader = reader_zone_setting(user_id)
    rows = _ordered(sa.select(ScheduledDay).where(ScheduledDay.cohort_id.in_(mine),
                                                  ScheduledDay.cancelled_at.is_(None),
                                                  ScheduledDay.on_date >= (now - timedelta(days=1)).date()))
    return [v for v in (view_of(e, mine[e.cohort_id], reader, cat, now) for e in rows) if not v.is_past]


# --- Changing schedules -------------------------------------------------------------------------

def _actor(actor_id: int) -> User:
    actor = db.session.get(User, actor_id)
    if actor is None:
        raise NotFound("There is no such cohort.")
    return actor


def staff_entry(actor: User | SignedIn, entry_id: int) -> tuple[ScheduledDay, Cohort]:
    """A scheduled day of a cohort this person runs (administrators: any); NotFound otherwise."""
    entry = db.session.get(ScheduledDay, entry_id)
    if entry is None:
        raise NotFound("There is no such scheduled day.")
    return entry, cohorts.cohort_for_staff(actor, entry.cohort_id)


def _checked(data: times.EntryInput, cat: Catalog, now: datetime) -> times.EntryInput:
    place = " ".join(data.place.split())
    link = data.link.strip()
    checked = times.EntryInput(data.day, data.on, data.starts, data.ends, data.zone_name.strip(), place, link)
    found = times.problems(checked, days={d.number for d in cat.course.days}, today=now.date())
    if not found and place:
        try:
            check_text(place, "place", "The place")
        except InputRejected as exc:
            found.append(("place", str(exc)))
    if found:
        raise ScheduleRejected(found)
    return checked


def _facts(entry: ScheduledDay) -> dict[str, object]:
    return {"day": entry.day, "on": entry.on_date.isoformat(), "starts": f"{entry.starts_at:%H:%M}",
            "ends": f"{entry.ends_at:%H:%M}", "time_zone": entry.time_zone, "place": entry.place, "link": entry.link}


def add_entry(actor_id: int, cohort_id: int, data: times.EntryInput, cat: Catalog, *, now: datetime) -> ScheduledDay:
    actor = _actor(actor_id)
    cohorts.cohort_for_staff(actor, cohort_id)
    checked = _checked(data, cat, now)
    with write_transaction(db.session):
        cohort = cohorts.cohort_for_staff(actor, cohort_id)
        assert checked.day is not None and checked.on is not None and checked.starts and checked.ends
        entry = ScheduledDay(cohort_id=cohort.id, day=checked.day, on_date=checked.on, starts_at=checked.starts,
                             ends_at=checked.ends, time_zone=checked.zone_name, place=checked.place, link=checked.link,
                             sequence=0, created_by_id=actor_id, created_at=now, updated_at=now)
        db.session.add(entry)
        db.session.flush()
        audit.record(actor_id, "schedule.add", "cohort", cohort.id, cohort.name, now=now, entry=entry.id,
                     **_facts(entry))
        mails.queue_entry_mails("session-scheduled", entry, cohort, cat, now=now)
    return entry


def change_entry(actor_id: int, entry_id: int, data: times.EntryInput, cat: Catalog, *,
                 now: datetime) -> ScheduledDay:
    actor = _actor(actor_id)
    entry, _cohort = staff_entry(actor, entry_id)
    if entry.is_cancelled:
        raise InputRejected("This day was cancelled; schedule it again as a new day.", "day")
    checked = _checked(data, cat, now)
    with write_transaction(db.session):
        entry = db.session.get_one(ScheduledDay, entry_id, with_for_update=True, populate_existing=True)
        cohort = cohorts.cohort_for_staff(actor, entry.cohort_id)
        if entry.is_cancelled:
            raise InputRejected("This day was cancelled; schedule it again as a new day.", "day")
        before = _facts(entry)
        earlier = (entry.on_date, entry.starts_at, entry.ends_at, entry.time_zone)
        assert checked.day is not None and checked.on is not None and checked.starts and checked.ends
        entry.day, entry.on_date, entry.starts_at, entry.ends_at = checked.day, checked.on, checked.starts, checked.ends
        entry.time_zone, entry.place, entry.link = checked.zone_name, checked.place, checked.link
        after = _facts(entry)
        if after == before:
            return entry          # nothing changed: no new sequence, no mail
        entry.sequence += 1
        entry.updated_at = now
        audit.record(actor_id, "schedule.change", "cohort", cohort.id, cohort.name, now=now, entry=entry.id,
                     sequence=entry.sequence, before=before, after=after)
        mails.queue_entry_mails("session-changed", entry, cohort, cat, now=now, earlier=earlier)
    return entry


def cancel_entry(actor_id: int, entry_id: int, cat: Catalog, *, now: datetime) -> ScheduledDay:
    actor = _actor(actor_id)
    staff_entry(actor, entry_id)
    with write_transaction(db.session):
        entry = db.session.get_one(ScheduledDay, entry_id, with_for_update=True, populate_existing=True)
        cohort = cohorts.cohort_for_staff(actor, entry.cohort_id)
        if entry.is_cancelled:
            return entry
        entry.cancelled_at = now
        entry.sequence += 1
        entry.updated_at = now
        audit.record(actor_id, "schedule.cancel", "cohort", cohort.id, cohort.name, now=now, entry=entry.id,
                     sequence=entry.sequence, **_facts(entry))
        mails.queue_entry_mails("session-cancelled", entry, cohort, cat, now=now)
    return entry


def start_scheduled(actor_id: int, entry_id: int, cat: Catalog, *, now: datetime) -> LiveSession:
    """One click: the live session of a day scheduled for today (in its zone) starts, or the one
    already running for it is returned (app/live/sessions.py start_session)."""
    entry, cohort = staff_entry(_actor(actor_id), entry_id)
    if entry.is_cancelled:
        raise NotToday("This day was cancelled.")
    if times.today_in(entry.time_zone, now) != entry.on_date:
        raise NotToday(f"Day {entry.day} is scheduled for {entry.on_date:%d %b %Y}, not today.")
    return sessions.start_session(actor_id, cohort.id, entry.day, cat, now=now)


# --- Calendar feeds -----------------------------------------------------------------------------

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def has_feed(user_id: int) -> bool:
    return db.session.get(CalendarFeed, user_id) is not None


def new_feed_token(user_id: int, *, now: datetime) -> str:
    """A new secret for the person's feed; the old address (if any) stops working. Only its hash is kept."""
    token = secrets.token_urlsafe(32)
    with write_transaction(db.session):
        feed = db.session.get(CalendarFeed, user_id, with_for_update=True)
        if feed is None:
            db.session.add(CalendarFeed(user_id=user_id, token_hash=_hash(token), created_at=now))
        else:
            feed.token_hash, feed.created_at, feed.last_fetched_at = _hash(token), now, None
    return token


def stop_feed(user_id: int) -> None:
    with write_transaction(db.session):
        db.session.execute(sa.delete(CalendarFeed).where(CalendarFeed.user_id == user_id))


def feed_owner(token: str) -> User | None:
    """The active, non-guest person whose feed this token opens; None for anything else."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(sa.select(User).join(CalendarFeed, CalendarFeed.user_id == User.id)
                             .where(CalendarFeed.token_hash == _hash(token), User.is_active.is_(True),
                                    User.guest_session_id.is_(None)))


def feed_document(user: User, cat: Catalog, *, now: datetime, home_url: str, host: str) -> bytes:
    """The person's calendar: every scheduled day of their cohorts (not cancelled: calendar apps
    drop what a feed no longer lists) and each cohort's certificate deadline."""
    mine = [c for c in member_cohorts(user.id) if not c.is_archived]
    by_id = {c.id: c for c in mine}
    rows = _ordered(sa.select(ScheduledDay).where(ScheduledDay.cohort_id.in_(by_id),
                                                  ScheduledDay.cancelled_at.is_(None))) if mine else []
    days = [mails.session_event(e, by_id[e.cohort_id], cat, host=host, home_url=home_url) for e in rows]
    deadlines = [ics.DeadlineEvent(uid=f"cohort-{c.id}-deadline@{host}", summary=f"Certificate deadline: {c.name}",
                                   on=c.ends_on, url=home_url,
                                   description=f"The last day of {c.name}: finish what the certificate needs by then.")
                 for c in mine if c.ends_on is not None]
    with write_transaction(db.session):
        db.session.execute(sa.update(CalendarFeed).where(CalendarFeed.user_id == user.id)
                           .values(last_fetched_at=now))
    return ics.feed(f"{cat.course.title} ({user.display_name})", days, deadlines, stamp=now)
