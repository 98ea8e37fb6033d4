"""Time zones and scheduled days, pure: a scheduled day is stored as its local date, wall-clock
start and end and an IANA zone; the UTC instants are derived with zoneinfo when needed, so a day
planned across a daylight-saving change keeps its wall-clock time (09:00 stays 09:00 in Berlin
whether that is 07:00Z or 08:00Z). No Flask, no SQLAlchemy."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

MAX_PLACE = 200
MAX_LINK = 500
MAX_DAYS_AHEAD = 3 * 365   # a schedule entry further ahead than this is a typo


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows (the tzdata package ships them), sorted; the
    deprecated aliases ("US/Eastern", "Etc/GMT+5", "CET"…) are left out of the choices but still
    accepted by `is_zone` when typed."""
    names = [n for n in available_timezones() if "/" in n and not n.startswith(("Etc/", "SystemV/", "US/"))
             and n.split("/")[0] not in {"Brazil", "Canada", "Chile", "Mexico"}]
    return tuple(sorted({*names, "UTC"}))


def zone_groups() -> list[tuple[str, list[str]]]:
    """Zone names grouped by their region ("Europe", "America"…), for a select's optgroups."""
    groups: dict[str, list[str]] = {}
    for name in zone_names():
        groups.setdefault(name.split("/")[0] if "/" in name else "Universal", []).append(name)
    return sorted(groups.items())


def is_zone(name: str | None) -> bool:
    if not name or len(name) > 64 or not re.fullmatch(r"[A-Za-z0-9_+\-/]+", name) or ".." in name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def zone(name: str | None, fallback: str = "UTC") -> ZoneInfo:
    """The zone of that name; `fallback` (then UTC) when the name is missing or unknown."""
    for candidate in (name, fallback, "UTC"):
        if is_zone(candidate):
            return ZoneInfo(str(candidate))
    return ZoneInfo("UTC")


def exists_locally(day: date, at: time, zone_name: str) -> bool:
    """False for a wall-clock time skipped by a daylight-saving change (02:30 on the spring-forward
    night in Europe): no instant has it."""
    tz = ZoneInfo(zone_name)
    local = datetime.combine(day, at, tzinfo=tz)
    back = local.astimezone(UTC).astimezone(tz)
    return (back.date(), back.time().replace(tzinfo=None)) == (day, at)


def to_utc(day: date, at: time, zone_name: str) -> datetime:
    """The UTC instant of a wall-clock time on a day in a zone. A time that occurs twice (the hour
    repeated in autumn) is its first occurrence (fold=0)."""
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone_name)).astimezone(UTC)


def local_span(day: date, starts: time, ends: time, zone_name: str) -> tuple[datetime, datetime]:
    """(start, end) as aware datetimes in the entry's own zone."""
    tz = ZoneInfo(zone_name)
    return datetime.combine(day, starts, tzinfo=tz), datetime.combine(day, ends, tzinfo=tz)


def utc_span(day: date, starts: time, ends: time, zone_name: str) -> tuple[datetime, datetime]:
    return to_utc(day, starts, zone_name), to_utc(day, ends, zone_name)


def today_in(zone_name: str, now: datetime) -> date:
    """The calendar date at `now` (aware) in that zone."""
    return now.astimezone(zone(zone_name)).date()


def is_safe_link(link: str) -> bool:
    """An http(s) address with a host, no spaces or control characters, and no credentials."""
    if not link or len(link) > MAX_LINK or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in link):
        return False
    parts = urlsplit(link)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and parts.username is None


@dataclass(frozen=True)
class EntryInput:
    """What a person typed for one scheduled day (already parsed into dates and times)."""
    day: int | None
    on: date | None
    starts: time | None
    ends: time | None
    zone_name: str
    place: str = ""
    link: str = ""


def problems(entry: EntryInput, *, days: set[int], today: date | None = None) -> list[tuple[str, str]]:
    """(field, message) for each thing wrong with an entry; empty when it can be saved."""
    found: list[tuple[str, str]] = []
    if entry.day not in days:
        found.append(("day", "Choose one of the course days."))
    if entry.on is None:
        found.append(("on", "Give the date of the course day."))
    elif today is not None and not (today - timedelta(days=366) <= entry.on <= today + timedelta(days=MAX_DAYS_AHEAD)):
        found.append(("on", "Give a date within three years from today."))
    if entry.starts is None:
        found.append(("starts", "Give the start time."))
    if entry.ends is None:
        found.append(("ends", "Give the end time."))
    elif entry.starts is not None and entry.ends <= entry.starts:
        found.append(("ends", "The end time must be after the start time (a course day ends on the day it starts)."))
    if not is_zone(entry.zone_name):
        found.append(("zone_name", "Choose a time zone from the list (for example Europe/Berlin)."))
    elif entry.on is not None:
        for field, at in (("starts", entry.starts), ("ends", entry.ends)):
            if at is not None and not exists_locally(entry.on, at, entry.zone_name):
                found.append((field, f"{at:%H:%M} does not exist on {entry.on:%d %b %Y} in {entry.zone_name}: "
                                     "the clocks skip that hour. Choose another time."))
    if len(entry.place) > MAX_PLACE:
        found.append(("place", f"The place may be at most {MAX_PLACE} characters long."))
    if entry.link and not is_safe_link(entry.link):
        found.append(("link", "Give the online link as a full http:// or https:// address."))
    if not entry.place.strip() and not entry.link:
        found.append(("place", "Give a place, an online link, or both."))
    return found


def day_label(number: int, title: str | None) -> str:
    """"Day 1: Opening" from the catalog's day title, which may already start with "Day 1"."""
    if not title:
        return f"Day {number}"
    return title if title.lower().startswith(f"day {number}") else f"Day {number}: {title}"


def when_text(day: date, starts: time, ends: time, entry_zone: str, reader_zone: str) -> str:
    """"Mon 26 Oct 2026, 09:00–17:00 (Europe/Berlin)" in the reader's zone; a day that ends on the
    next date there says so."""
    start_utc, end_utc = utc_span(day, starts, ends, entry_zone)
    tz = zone(reader_zone, entry_zone)
    s, e = start_utc.astimezone(tz), end_utc.astimezone(tz)
    end_part = f"{e:%H:%M}" if e.date() == s.date() else f"{e:%a %d %b} {e:%H:%M}"
    return f"{s:%a %d %b %Y}, {s:%H:%M}–{end_part} ({tz.key})"
