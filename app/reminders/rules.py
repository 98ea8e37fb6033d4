"""Which reminder mails are due at `now`, from plain facts. Pure: no Flask, no database.

Four kinds, each sent at most once per cause (the dedup key names the cause, so running the rule
twice in the same period queues nothing new):
- invitation reminder: an invitation link still unused `invitation_days` after it was issued
  (not expired, the person has no password yet), once per link, and never for a link that a
  reminder itself issued (otherwise every reminder would start the next one);
- "you have not been back": an enrolled trainee of a running cohort who started and has not
  finished, not seen for `inactive_days`; once per spell of inactivity (keyed by the last-seen day)
  and never within `inactive_days` of the previous one;
- cohort ending soon: `ending_days` or fewer before the cohort's last day, to trainees still
  missing something for the certificate; once per person and cohort;
- weekly summary: on `summary_weekday`, to each instructor of running cohorts, once per ISO week.

Nobody deactivated, no live-session guest and nobody in an archived, not yet started or ended
cohort is mailed.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from app.outbox.rules import dedup_key


@dataclass(frozen=True)
class Settings:
    invitation_days: int = 3
    inactive_days: int = 7
    ending_days: int = 7
    summary_weekday: int = 0          # Monday = 0 … Sunday = 6 (date.weekday())


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    name: str
    is_active: bool = True
    is_guest: bool = False
    has_password: bool = True

    @property
    def mailable(self) -> bool:
        return self.is_active and not self.is_guest


@dataclass(frozen=True)
class Invitation:
    """A person's latest invitation link."""

    link_id: int
    person: Person
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    reminded_at: datetime | None = None   # the person's latest invitation reminder, if any


@dataclass(frozen=True)
class Trainee:
    person: Person
    enrolment_id: int
    started: bool                          # opened or completed at least one lesson
    finished: bool                         # nothing missing for the certificate
    last_seen_at: datetime | None = None   # latest lesson visit or completion
    resume_slug: str | None = None         # "continue where you left off"
    resume_title: str | None = None
    missing: tuple[str, ...] = ()          # what the certificate still needs
    last_inactive_reminder_at: datetime | None = None


@dataclass(frozen=True)
class Cohort:
    id: int
    name: str
    starts_on: date | None
    ends_on: date | None
    is_archived: bool = False
    instructors: tuple[Person, ...] = ()
    trainees: tuple[Trainee, ...] = ()

    def running(self, today: date) -> bool:
        return (not self.is_archived and (self.starts_on is None or self.starts_on <= today)
                and (self.ends_on is None or today <= self.ends_on))


@dataclass(frozen=True)
class Due:
    """One message to queue: its kind, recipient, dedup key and what the mail needs to say."""

    kind: str
    person: Person
    key: str
    data: dict[str, object] = field(default_factory=dict, compare=False)


def invitation_reminders(invitations: Iterable[Invitation], now: datetime, settings: Settings) -> list[Due]:
    wait = timedelta(days=settings.invitation_days)
    due = []
    for inv in invitations:
        p = inv.person
        if not p.mailable or p.has_password or inv.used_at is not None or inv.expires_at <= now:
            continue
        if now - inv.issued_at < wait:
            continue
        if inv.reminded_at is not None and inv.reminded_at >= inv.issued_at:
            continue   # this link is the reminder's own (or a reminder followed it already)
        due.append(Due("invitation-reminder", p, dedup_key("invitation-reminder", "auth-link", inv.link_id),
                       {"link_id": inv.link_id, "invited_on": inv.issued_at.date()}))
    return due


def _running(cohorts: Iterable[Cohort], today: date) -> list[Cohort]:
    return [c for c in cohorts if c.running(today)]


def stalled(trainee: Trainee, now: datetime, days: int) -> bool:
    """Started, not finished, and not seen for `days` or more."""
    return (trainee.started and not trainee.finished and trainee.last_seen_at is not None
            and now - trainee.last_seen_at >= timedelta(days=days))


def inactive_reminders(cohorts: Iterable[Cohort], now: datetime, settings: Settings) -> list[Due]:
    """One per person (even in two running cohorts: the first by end date names the cohort)."""
    gap = timedelta(days=settings.inactive_days)
    due: dict[int, Due] = {}
    ordered = sorted(_running(cohorts, now.date()), key=lambda c: (c.ends_on or date.max, c.id))
    for cohort in ordered:
        for t in cohort.trainees:
            if not t.person.mailable or t.person.id in due or not stalled(t, now, settings.inactive_days):
                continue
            if t.last_inactive_reminder_at is not None and now - t.last_inactive_reminder_at < gap:
                continue
            assert t.last_seen_at is not None
            due[t.person.id] = Due(
                "inactive-reminder", t.person,
                dedup_key("inactive-reminder", "user", t.person.id, t.last_seen_at.date().isoformat()),
                {"cohort": cohort.name, "days": (now - t.last_seen_at).days, "lesson_slug": t.resume_slug,
                 "lesson_title": t.resume_title, "ends_on": cohort.ends_on})
    return list(due.values())


def ending_soon(cohorts: Iterable[Cohort], now: datetime, settings: Settings) -> list[Due]:
    today = now.date()
    due = []
    for cohort in _running(cohorts, today):
        if cohort.ends_on is None or (cohort.ends_on - today).days > settings.ending_days:
            continue
        for t in cohort.trainees:
            if not t.person.mailable or t.finished or not t.missing:
                continue
            due.append(Due("ending-soon", t.person, dedup_key("ending-soon", "cohort", cohort.id, t.person.id),
                           {"cohort": cohort.name, "ends_on": cohort.ends_on, "days_left": (cohort.ends_on - today).days,
                            "missing": list(t.missing)}))
    return due


@dataclass(frozen=True)
class CohortSummary:
    cohort_id: int
    name: str
    enrolled: int
    finished: tuple[str, ...]
    stalled: tuple[tuple[str, int], ...]     # (name, days since last seen), longest first
    in_progress: int                          # started and not finished (stalled included)
    not_started: int


def summarise(cohort: Cohort, now: datetime, days: int) -> CohortSummary:
    people = [t for t in cohort.trainees if not t.person.is_guest]
    finished = sorted(t.person.name for t in people if t.finished)
    stuck = sorted(((t.person.name, (now - t.last_seen_at).days) for t in people
                    if stalled(t, now, days) and t.last_seen_at is not None), key=lambda s: (-s[1], s[0]))
    return CohortSummary(cohort.id, cohort.name, len(people), tuple(finished), tuple(stuck),
                         sum(1 for t in people if t.started and not t.finished),
                         sum(1 for t in people if not t.started and not t.finished))


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def weekly_summaries(cohorts: Iterable[Cohort], now: datetime, settings: Settings) -> list[Due]:
    today = now.date()
    if today.weekday() != settings.summary_weekday:
        return []
    taught: dict[int, tuple[Person, list[Cohort]]] = {}
    for cohort in sorted(_running(cohorts, today), key=lambda c: (c.name, c.id)):
        for instructor in cohort.instructors:
            if instructor.mailable:
                taught.setdefault(instructor.id, (instructor, []))[1].append(cohort)
    week = iso_week(today)
    return [Due("weekly-summary", person, dedup_key("weekly-summary", "user", person.id, week),
                {"week": week, "cohorts": [summarise(c, now, settings.inactive_days) for c in theirs]})
            for person, theirs in taught.values()]


def due_messages(*, now: datetime, invitations: Sequence[Invitation], cohorts: Sequence[Cohort],
                 settings: Settings) -> list[Due]:
    """Everything due at `now`, in a stable order."""
    return (invitation_reminders(invitations, now, settings) + inactive_reminders(cohorts, now, settings)
            + ending_soon(cohorts, now, settings) + weekly_summaries(cohorts, now, settings))
