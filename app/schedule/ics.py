"""iCalendar documents built with the icalendar library, pure: the invitation attached to a
session mail (METHOD:REQUEST, or CANCEL with the same UID and a higher SEQUENCE) and a person's
calendar feed. Times are written in the entry's own zone (TZID) with its VTIMEZONE, so a calendar
program shows the same instant whatever zone it runs in; deadlines are all-day events."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import icalendar

from app.schedule.times import local_span

PRODID = "-//Lectern//Course schedule//EN"


@dataclass(frozen=True)
class SessionEvent:
    """One scheduled course day as a calendar event."""
    uid: str                 # stable: "scheduled-day-<id>@<host>"
    sequence: int            # 0 when added, +1 at each change and at the cancellation
    summary: str
    on: date
    starts: time
    ends: time
    zone_name: str
    place: str = ""
    link: str = ""
    description: str = ""
    url: str = ""            # the course home, for calendar programs that show a link
    cancelled: bool = False


@dataclass(frozen=True)
class DeadlineEvent:
    """An all-day event (a cohort's certificate deadline)."""
    uid: str
    summary: str
    on: date
    description: str = ""
    url: str = ""


def _calendar(name: str = "", method: str = "") -> icalendar.Calendar:
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _session(event: SessionEvent, stamp: datetime) -> icalendar.Event:
    starts, ends = local_span(event.on, event.starts, event.ends, event.zone_name)
    out = icalendar.Event()
    out.add("uid", event.uid)
    out.add("sequence", event.sequence)
    out.add("dtstamp", stamp.astimezone(UTC))
    out.add("dtstart", starts)
    out.add("dtend", ends)
    out.add("summary", event.summary)
    location = "; ".join(p for p in (event.place.strip(), event.link) if p)
    if location:
        out.add("location", location)
    description = "\n\n".join(p for p in (event.description, f"Online: {event.link}" if event.link else "") if p)
    if description:
        out.add("description", description)
    if event.url or event.link:
        out.add("url", event.link or event.url)
    out.add("status", "CANCELLED" if event.cancelled else "CONFIRMED")
    out.add("transp", "TRANSPARENT" if event.cancelled else "OPAQUE")
    return out


def _timezones(cal: icalendar.Calendar, days: Iterable[date]) -> None:
    """Add the VTIMEZONE of every zone used, with rules covering the events' dates only."""
    dates = list(days)
    if dates:
        cal.add_missing_timezones(first_date=min(dates) - timedelta(days=366),
                                  last_date=max(dates) + timedelta(days=366))


def invitation(event: SessionEvent, *, organizer: str, organizer_name: str, attendee: str, attendee_name: str,
               stamp: datetime) -> bytes:
    """The .ics for one recipient: METHOD:REQUEST for a new or changed day, CANCEL when cancelled
    (RFC 5546: same UID, SEQUENCE higher than the last one sent)."""
    cal = _calendar(method="CANCEL" if event.cancelled else "REQUEST")
    vevent = _session(event, stamp)
    vevent.add("organizer", f"mailto:{organizer}", parameters={"CN": organizer_name})
    vevent.add("attendee", f"mailto:{attendee}",
               parameters={"CN": attendee_name, "ROLE": "REQ-PARTICIPANT", "RSVP": "FALSE"})
    cal.add_component(vevent)
    _timezones(cal, [event.on])
    return bytes(cal.to_ical())


def feed(name: str, sessions: Iterable[SessionEvent], deadlines: Iterable[DeadlineEvent], *,
         stamp: datetime) -> bytes:
    """A person's whole calendar: their cohorts' scheduled days and deadlines (no METHOD: a feed
    is published, not an invitation)."""
    cal = _calendar(name=name)
    cal.add("x-published-ttl", "PT1H")
    cal.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    sessions, deadlines = list(sessions), list(deadlines)
    for event in sessions:
        cal.add_component(_session(event, stamp))
    for deadline in deadlines:
        vevent = icalendar.Event()
        vevent.add("uid", deadline.uid)
        vevent.add("dtstamp", stamp.astimezone(UTC))
        vevent.add("dtstart", deadline.on)
        vevent.add("dtend", deadline.on + timedelta(days=1))
        vevent.add("summary", deadline.summary)
        if deadline.description:
            vevent.add("description", deadline.description)
        if deadline.url:
            vevent.add("url", deadline.url)
        vevent.add("transp", "TRANSPARENT")
        cal.add_component(vevent)
    _timezones(cal, [e.on for e in sessions])
    return bytes(cal.to_ical())
