"""Reading the course: completions, visits and private reflection notes."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError

from app.content.catalog import Catalog, Lesson
from app.db import write_transaction
from app.errors import DomainError, InputRejected, NotFound
from app.extensions import db
from app.learn import visits
from app.learn.models import LessonCompletion, LessonVisit, ReflectionNote
from app.learn.visits import VISIT_REFRESH
from app.progress.progress import Share, Status, combined_status, continue_lesson, lesson_status, share_done
from app.text import check_text
from app.xapi import services as xapi

NOTE_MAX_CHARS = 10_000


def get_lesson(catalog: Catalog, slug: str) -> Lesson:
    lesson = catalog.lesson(slug)
    if lesson is None:
        raise NotFound("There is no lesson at this address.")
    return lesson


@dataclass(frozen=True)
class LearnerState:
    completed: dict[str, datetime] = field(default_factory=dict)
    last_seen: dict[str, datetime] = field(default_factory=dict)


_COMPLETIONS, _VISITS = LessonCompletion.__table__, LessonVisit.__table__
_LEARNER_STATE = sa.union_all(
    sa.select(sa.literal("c").label("what"), _COMPLETIONS.c.lesson_key, _COMPLETIONS.c.completed_at.label("at"))
    .where(_COMPLETIONS.c.user_id == sa.bindparam("user_id")),
    sa.select(sa.literal("v").label("what"), _VISITS.c.lesson_key, _VISITS.c.last_seen_at.label("at"))
    .where(_VISITS.c.user_id == sa.bindparam("user_id")),
)


def learner_state(user_id: int) -> LearnerState:
    """Completions and latest visits in one statement."""
    completed: dict[str, datetime] = {}
    last_seen: dict[str, datetime] = {}
    for what, key, at in db.session.execute(_LEARNER_STATE, {"user_id": user_id}):
        (completed if what == "c" else last_seen)[key] = at
    return LearnerState(completed, last_seen)


def complete_lesson(user_id: int, lesson: Lesson, *, now: datetime) -> bool:
    """Mark a lesson complete; True if it was not complete before. Repeats record nothing new."""
    try:
        with write_transaction(db.session):
            completion = LessonCompletion(user_id=user_id, lesson_key=lesson.key, content_hash=lesson.content_hash,
                                          completed_at=now)
            db.session.add(completion)
            xapi.lesson_completed(completion)
    except IntegrityError:
        return False
    return True


def record_visit(user_id: int, lesson: Lesson, state: LearnerState, *, now: datetime) -> None:
    """Remember the view and count study time (app/learn/visits.py: the rule, and the batches that
    keep the write off the request path). A reload within VISIT_REFRESH of the lesson's last
    written view is not even queued."""
    previous = state.last_seen.get(lesson.key)
    if previous is not None and now - previous < VISIT_REFRESH:
        return
    visits.record(visits.View(user_id, lesson.key, now))


@dataclass(frozen=True)
class NoteShown:
    body: str
    updated_at: datetime


def notes_for(user_id: int, lesson: Lesson) -> dict[str, NoteShown]:
    """The person's notes on this lesson's reflection prompts (no query for a lesson without any)."""
    if not lesson.reflection_keys:
        return {}
    notes = ReflectionNote.__table__.c
    rows = db.session.execute(sa.select(notes.prompt_key, notes.body, notes.updated_at)
                              .where(notes.user_id == user_id, notes.lesson_key == lesson.key))
    return {key: NoteShown(body, updated_at) for key, body, updated_at in rows}


def notes_in_course_order(user_id: int, catalog: Catalog) -> list[tuple[Lesson, Markup, ReflectionNote]]:
    """(lesson, prompt html, note) for every reflection prompt the person has written a note for, in course order."""
    notes = {n.prompt_key: n for n in db.session.scalars(sa.select(ReflectionNote).where(ReflectionNote.user_id == user_id))}
    return [(lesson, segment.html, notes[segment.key]) for lesson in catalog.lessons for segment in lesson.segments
            if segment.kind == "reflection" and segment.key in notes and notes[segment.key].body]


def save_note(user_id: int, lesson: Lesson, prompt_key: str, body: str, *, now: datetime) -> None:
    """Create or replace the trainee's own note for one reflection prompt of this lesson."""
    if prompt_key not in lesson.reflection_keys:
        raise NotFound("This lesson has no such reflection prompt.")
    body = body.replace("\r\n", "\n").strip()
    if len(body) > NOTE_MAX_CHARS:
        raise InputRejected(f"Notes can be up to {NOTE_MAX_CHARS:,} characters; this one has {len(body):,}.")
    check_text(body, "body", "The note", multiline=True)
    for _attempt in range(2):
        try:
            with write_transaction(db.session):
                note = db.session.scalar(sa.select(ReflectionNote).where(
                    ReflectionNote.user_id == user_id, ReflectionNote.prompt_key == prompt_key).with_for_update())
                if note is None:
                    db.session.add(ReflectionNote(user_id=user_id, lesson_key=lesson.key, prompt_key=prompt_key,
                                                  body=body, created_at=now, updated_at=now))
                else:
                    note.body, note.updated_at = body, now
            return
        except IntegrityError:
            continue  # the same note was created in parallel: update it on the second pass
    raise DomainError("Your note could not be saved; please try again.")


# --- what the pages show ---------------------------------------------------------------------

@dataclass(frozen=True)
class ItemView:
    start: str
    end: str
    kind: str
    title: str
    lessons: tuple[tuple[Lesson, Status], ...]
    status: Status | None


@dataclass(frozen=True)
class DayView:
    number: int
    label: str
    title: str
    summary: str
    items: tuple[ItemView, ...]
    share: Share
    minutes: int


@dataclass(frozen=True)
class Overview:
    days: tuple[DayView, ...]
    share: Share
    continue_with: Lesson | None
    started: bool


def overview(catalog: Catalog, state: LearnerState) -> Overview:
    completed, visited = set(state.completed), set(state.last_seen)
    days = []
    for day in catalog.course.days:
        items = []
        for item in day.agenda:
            pairs = tuple((catalog.lesson(s), lesson_status(s, completed, visited)) for s in item.lesson_slugs
                          if catalog.lesson(s) is not None)
            status = combined_status([s for _l, s in pairs]) if pairs else None
            items.append(ItemView(item.start, item.end, item.kind, item.title, pairs, status))  # type: ignore[arg-type]
        lessons = catalog.day_lessons(day.number)
        days.append(DayView(day.number, day.label, day.title.split(": ", 1)[-1], day.summary, tuple(items),
                            share_done([lesson.slug for lesson in lessons], completed),
                            sum(lesson.minutes for lesson in lessons)))
    ordered = [lesson.slug for lesson in catalog.lessons]
    slug = continue_lesson(ordered, completed, state.last_seen)
    return Overview(tuple(days), share_done(ordered, completed), catalog.lesson(slug) if slug else None,
                    bool(completed or visited))
