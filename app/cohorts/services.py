"""Cohorts, their instructors and enrolments; who may see which cohort."""
from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.audit import services as audit
from app.auth.models import Role, SignedIn, User, UserRole
from app.cohorts.models import Cohort, CohortInstructor, Enrolment, SiteSetting, Track
from app.db import rowcount, write_transaction
from app.errors import InputRejected, NotFound
from app.extensions import db
from app.mail import mail_configured
from app.outbox import services as outbox
from app.outbox.render import long_date
from app.text import check_text

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
SELF_REGISTRATION = "self_registration"


def new_enrolment_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def normalise_code(raw: str) -> str:
    return "".join(ch for ch in raw.upper() if ch.isalnum())


def get_cohort(cohort_id: int) -> Cohort:
    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise NotFound("There is no such cohort.")
    return cohort


def cohort_by_name(name: str) -> Cohort | None:
    return db.session.scalar(sa.select(Cohort).where(Cohort.name_key == " ".join(name.split()).lower()))


def all_cohorts() -> list[Cohort]:
    return list(db.session.scalars(sa.select(Cohort).order_by(Cohort.is_archived, Cohort.starts_on.desc(), Cohort.name)))


def cohorts_taught_by(user_id: int) -> list[Cohort]:
    return list(db.session.scalars(
        sa.select(Cohort).join(CohortInstructor, CohortInstructor.cohort_id == Cohort.id)
        .where(CohortInstructor.user_id == user_id).order_by(Cohort.is_archived, Cohort.starts_on.desc(), Cohort.name)))


def cohort_for_staff(user: User | SignedIn, cohort_id: int) -> Cohort:
    """The cohort if this person may see it: administrators all, instructors the ones they teach."""
    cohort = get_cohort(cohort_id)
    if user.has_role(Role.ADMIN) or any(i.id == user.id for i in cohort.instructors):
        return cohort
    raise NotFound("There is no such cohort.")


def trainees(cohort_id: int) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).join(Enrolment, Enrolment.user_id == User.id).where(Enrolment.cohort_id == cohort_id)
        .order_by(User.display_name, User.id)))


def trainee_of(cohort_id: int, user_id: int) -> User:
    """A person enrolled in the cohort (NotFound for anyone else)."""
    person = db.session.scalar(sa.select(User).join(Enrolment, Enrolment.user_id == User.id)
                               .where(Enrolment.cohort_id == cohort_id, User.id == user_id))
    if person is None:
        raise NotFound("This person is not in the cohort.")
    return person


def cohorts_of(user_id: int) -> list[Cohort]:
    return list(db.session.scalars(sa.select(Cohort).join(Enrolment, Enrolment.cohort_id == Cohort.id)
                                   .where(Enrolment.user_id == user_id).order_by(Cohort.starts_on.desc())))


def enrolment_counts() -> dict[int, int]:
    return dict(db.session.execute(sa.select(Enrolment.cohort_id, sa.func.count()).group_by(Enrolment.cohort_id)).all())


def _check(name: str, track: str, starts_on: date | None, ends_on: date | None) -> str:
    name = " ".join(name.split())
    if not name:
        raise InputRejected("Give the cohort a name.", "name")
    if len(name) > 120:
        raise InputRejected("Cohort names can be up to 120 characters.", "name")
    check_text(name, "name", "The cohort name")
    if track not in {t.value for t in Track}:
        raise InputRejected("Choose self-study, live or blended.", "track")
    if starts_on and ends_on and ends_on < starts_on:
        raise InputRejected("The cohort cannot end before it starts.", "ends_on")
    return name


def parse_emails(text: str) -> tuple[list[str], list[str]]:
    """A pasted list of addresses, one per line or separated by commas or semicolons ("Ana Ruiz
    <ana@example.org>" gives the address): (addresses, lower-cased and without repeats; entries
    that are not an address, as typed). Pure."""
    emails: list[str] = []
    wrong: list[str] = []
    for entry in re.split(r"[\n\r,;]+", text or ""):
        entry = entry.strip()
        if not entry:
            continue
        bracketed = re.fullmatch(r"[^<>]*<([^<>\s]+)>", entry)
        address = bracketed.group(1) if bracketed else entry
        if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", address):
            if address.lower() not in emails:
                emails.append(address.lower())
        else:
            wrong.append(entry)
    return emails, wrong


def _instructors(ids: Iterable[int]) -> list[int]:
    wanted = sorted(set(ids))
    if not wanted:
        return []
    found = set(db.session.scalars(sa.select(UserRole.user_id).where(UserRole.user_id.in_(wanted),
                                                                     UserRole.role == Role.INSTRUCTOR.value)))
    if found != set(wanted):
        raise InputRejected("Only people with the instructor role can run a cohort.", "instructors")
    return wanted


def _labels(user_ids: Iterable[int]) -> list[str]:
    """People as the audit log names them: "Tess Teacher <tess@example.org>"."""
    ids = list(user_ids)
    if not ids:
        return []
    people = {u.id: f"{u.display_name} <{u.email}>" for u in db.session.scalars(sa.select(User).where(User.id.in_(ids)))}
    return [people.get(i, f"#{i}") for i in ids]


def save_cohort(actor_id: int, cohort_id: int | None, *, name: str, track: str, starts_on: date | None,
                ends_on: date | None, instructor_ids: Iterable[int], now: datetime) -> Cohort:
    """Create a cohort (cohort_id None) or change one; names are unique (the database says so)."""
    name = _check(name, track, starts_on, ends_on)
    instructor_list = _instructors(instructor_ids)
    try:
        with write_transaction(db.session):
            if cohort_id is None:
                cohort = Cohort(name=name, name_key=name.lower(), track=track, starts_on=starts_on, ends_on=ends_on,
                                enrolment_code=new_enrolment_code(), created_at=now)
                db.session.add(cohort)
                db.session.flush()
                action = "cohort.create"
            else:
                cohort = get_cohort(cohort_id)
                cohort.name, cohort.name_key = name, name.lower()
                cohort.track, cohort.starts_on, cohort.ends_on = track, starts_on, ends_on
                action = "cohort.update"
            db.session.execute(sa.delete(CohortInstructor).where(CohortInstructor.cohort_id == cohort.id))
            for uid in instructor_list:
                db.session.add(CohortInstructor(cohort_id=cohort.id, user_id=uid))
            audit.record(actor_id, action, "cohort", cohort.id, name, now=now, track=track,
                         starts_on=starts_on.isoformat() if starts_on else None,
                         ends_on=ends_on.isoformat() if ends_on else None, instructors=_labels(instructor_list))
    except IntegrityError:
        raise InputRejected(f"There is already a cohort called “{name}”.", "name") from None
    db.session.expire_all()
    return get_cohort(cohort.id)


def new_code(actor_id: int, cohort_id: int, *, now: datetime) -> Cohort:
    with write_transaction(db.session):
        cohort = get_cohort(cohort_id)
        cohort.enrolment_code = new_enrolment_code()
        audit.record(actor_id, "cohort.new-code", "cohort", cohort.id, cohort.name, now=now)
    return cohort



def welcome_context(cohort: Cohort, person: User) -> dict[str, object]:
    """What the welcome mail says about the cohort (plain values, absolute links). The one place to
    add what a welcome should carry. `schedule`: the scheduled course days, a line each."""
    from app.content.catalog import catalog
    from app.schedule.mails import welcome_lines  # schedules belong to cohorts (listed in pyproject.toml)

    return {"name": person.display_name, "cohort": cohort.name, "starts_on": long_date(cohort.starts_on),
            "ends_on": long_date(cohort.ends_on), "schedule": welcome_lines(cohort, person, catalog()),
            "has_password": person.password_hash is not None, "course_url": outbox.absolute_url("learn.home")}


def queue_welcome(enrolment: Enrolment, cohort: Cohort, person: User, *, now: datetime) -> None:
    """The welcome mail for a new enrolment, in the enrolment's unit of work (when SMTP is set up;
    never to a live session's guest or a deactivated account)."""
    if not mail_configured(current_app.config) or person.guest_session_id is not None or not person.is_active:
        return
    db.session.flush()    # the enrolment's id keys the message: one welcome per enrolment
    if outbox.queue_welcome(enrolment_id=enrolment.id, user_id=person.id, email=person.email,
                            context=welcome_context(cohort, person), now=now) is not None:
        outbox.request_delivery()


def enrol(actor_id: int | None, cohort_id: int, user_ids: Iterable[int], *, now: datetime,
          source: str = "admin") -> int:
    """Enrol people (already enrolled ones are left as they are). Returns how many were added."""
    added = 0
    with write_transaction(db.session):
        cohort = get_cohort(cohort_id)
        existing = set(db.session.scalars(sa.select(Enrolment.user_id).where(Enrolment.cohort_id == cohort_id)))
        for uid in sorted(set(user_ids) - existing):
            person = db.session.get(User, uid)
            if person is None or person.guest_session_id is not None:    # a live session's guest is nobody's trainee
                raise NotFound("There is no such person.")
            enrolment = Enrolment(cohort_id=cohort_id, user_id=uid, enrolled_at=now, source=source)
            db.session.add(enrolment)
            queue_welcome(enrolment, cohort, person, now=now)
            audit.record(actor_id, "cohort.enrol", "cohort", cohort.id, cohort.name, now=now,
                         person=f"{person.display_name} <{person.email}>", source=source)
            added += 1
    return added


def unenrol(actor_id: int, cohort_id: int, user_id: int, *, now: datetime) -> None:
    """Take someone out of a cohort. Their own progress and results are kept."""
    with write_transaction(db.session):
        cohort = get_cohort(cohort_id)
        person = db.session.get(User, user_id)
        removed = rowcount(db.session.execute(sa.delete(Enrolment).where(Enrolment.cohort_id == cohort_id,
                                                                Enrolment.user_id == user_id)))
        if removed and person:
            audit.record(actor_id, "cohort.unenrol", "cohort", cohort.id, cohort.name, now=now,
                         person=f"{person.display_name} <{person.email}>")


def cohort_by_code(code: str) -> Cohort | None:
    return db.session.scalar(sa.select(Cohort).where(Cohort.enrolment_code == normalise_code(code),
                                                     Cohort.is_archived.is_(False)))


def join_with_code(user_id: int, code: str, *, now: datetime) -> Cohort:
    cohort = cohort_by_code(code)
    if cohort is None:
        raise InputRejected("That enrolment code is not valid. Check it with your course administrator.")
    try:
        with write_transaction(db.session):
            enrolment = Enrolment(cohort_id=cohort.id, user_id=user_id, enrolled_at=now, source="code")
            db.session.add(enrolment)
            db.session.flush()    # a second join fails here, before any mail is queued
            person = db.session.get(User, user_id)
            if person is not None:
                queue_welcome(enrolment, cohort, person, now=now)
            audit.record(user_id, "cohort.join", "cohort", cohort.id, cohort.name, now=now)
    except IntegrityError:
        pass  # already in it
    return cohort


def self_registration_open() -> bool:
    setting = db.session.get(SiteSetting, SELF_REGISTRATION)
    return setting is not None and setting.value == "on"


def set_self_registration(actor_id: int, on: bool, *, now: datetime) -> None:
    with write_transaction(db.session):
        setting = db.session.get(SiteSetting, SELF_REGISTRATION)
        if setting is None:
            db.session.add(SiteSetting(key=SELF_REGISTRATION, value="on" if on else "off", updated_at=now))
        else:
            setting.value, setting.updated_at = ("on" if on else "off"), now
        audit.record(actor_id, "settings.self-registration", "setting", SELF_REGISTRATION,
                     "Self-registration", now=now, value="on" if on else "off")


def instructors() -> list[User]:
    return list(db.session.scalars(sa.select(User).join(UserRole, UserRole.user_id == User.id)
                                   .where(UserRole.role == Role.INSTRUCTOR.value, User.is_active.is_(True))
                                   .order_by(User.display_name)))

