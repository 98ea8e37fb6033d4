"""Assessed activities: trainees submit, the cohort's instructors mark and return. Units of work.

Access: a trainee reaches only their own submissions (looked up by their id); a submission is shown
to staff only through a cohort they may see (`cohorts.cohort_for_staff`: its instructors, and
administrators) that the submitter is enrolled in. Anything else is "not found".
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.activities.marking import (
    FEEDBACK_MAX_CHARS,
    MAX_SUBMISSIONS,
    SUBMISSION_MAX_CHARS,
    MarkingIncomplete,
    Standing,
    SubmissionFacts,
    mark,
    standing,
)
from app.activities.models import ActivitySubmission
from app.audit import services as audit
from app.auth.models import User
from app.cohorts import services as cohorts
from app.cohorts.models import Cohort, Enrolment
from app.content.catalog import Catalog, Lesson
from app.content.rubrics import AssessedActivity
from app.db import rowcount, write_transaction
from app.errors import DomainError, InputRejected, NotFound
from app.extensions import db
from app.text import check_text


class SubmissionLimitReached(DomainError):
    status_code = 409


class AlreadyReturned(DomainError):
    status_code = 409


def _facts(rows: Iterable[ActivitySubmission]) -> list[SubmissionFacts]:
    return [SubmissionFacts(r.number, r.submitted_at, r.returned_at, r.points, r.out_of) for r in rows]


# --- trainees ---------------------------------------------------------------------------------

def activity_of(lesson: Lesson, key: str) -> AssessedActivity:
    activity = next((a for a in lesson.activities if a.key == key), None)
    if activity is None:
        raise NotFound("This lesson has no such activity.")
    return activity


def own_submissions(user_id: int, activity_key: str) -> list[ActivitySubmission]:
    return list(db.session.scalars(sa.select(ActivitySubmission).where(
        ActivitySubmission.user_id == user_id, ActivitySubmission.activity_key == activity_key)
        .order_by(ActivitySubmission.number)))


@dataclass(frozen=True)
class Panel:
    """An assessed activity as its trainee sees it on the lesson page."""

    activity: AssessedActivity
    submissions: tuple[ActivitySubmission, ...]
    standing: Standing
    start_text: str             # what the form starts from

    @property
    def latest(self) -> ActivitySubmission | None:
        return self.submissions[-1] if self.submissions else None

    @property
    def resubmissions_left(self) -> int:
        return MAX_SUBMISSIONS - len(self.submissions)


def panels_for(user_id: int, lesson: Lesson, notes: Mapping[str, str]) -> dict[str, Panel]:
    """Each assessed activity of the lesson for this trainee. A first submission starts from their
    reflection notes on the lesson (`notes`: prompt key → text), a resubmission from the last text."""
    activities = lesson.activities
    if not activities:
        return {}
    rows = db.session.scalars(sa.select(ActivitySubmission).where(
        ActivitySubmission.user_id == user_id, ActivitySubmission.activity_key.in_([a.key for a in activities]))
        .order_by(ActivitySubmission.number))
    by_key: dict[str, list[ActivitySubmission]] = defaultdict(list)
    for row in rows:
        by_key[row.activity_key].append(row)
    from_notes = "\n\n".join(notes[k] for k in lesson.reflection_keys if notes.get(k))
    return {a.key: Panel(a, tuple(by_key[a.key]), standing(_facts(by_key[a.key])),
                         by_key[a.key][-1].body if by_key[a.key] else from_notes) for a in activities}


def submit(user_id: int, lesson: Lesson, activity_key: str, body: str, *, now: datetime) -> tuple[ActivitySubmission, bool]:
    """Submit the trainee's text for review; (submission, True) when recorded now. While one is under
    review, submitting again records nothing and returns it (a double click); after MAX_SUBMISSIONS
    SubmissionLimitReached. The database holds both limits, so parallel requests record once too."""
    activity = activity_of(lesson, activity_key)
    body = body.replace("\r\n", "\n").strip()
    if not body:
        raise InputRejected("Write your work in the box before submitting it.", "body")
    if len(body) > SUBMISSION_MAX_CHARS:
        raise InputRejected(f"A submission can be up to {SUBMISSION_MAX_CHARS:,} characters; this one has "
                            f"{len(body):,}.", "body")
    check_text(body, "body", "Your submission", multiline=True)
    try:
        with write_transaction(db.session):
            existing = own_submissions(user_id, activity.key)
            pending = next((s for s in existing if not s.is_returned), None)
            if pending is not None:
                return pending, False
            if len(existing) >= MAX_SUBMISSIONS:
                raise SubmissionLimitReached(f"You have already submitted this activity {MAX_SUBMISSIONS} times, "
                                             "the most it allows.")
            row = ActivitySubmission(user_id=user_id, activity_key=activity.key, lesson_key=lesson.key,
                                     content_hash=lesson.content_hash, number=len(existing) + 1, body=body,
                                     submitted_at=now)
            db.session.add(row)
        return row, True
    except IntegrityError:
        pass  # a parallel request recorded one first
    existing = own_submissions(user_id, activity.key)
    pending = next((s for s in existing if not s.is_returned), None)
    if pending is not None:
        return pending, False
    raise SubmissionLimitReached(f"You have already submitted this activity {MAX_SUBMISSIONS} times, the most it allows.")


def standings_for(user_ids: Iterable[int]) -> dict[int, dict[str, Standing]]:
    """Every person's standing on every activity they submitted, in one query."""
    ids = list(user_ids)
    rows: dict[int, dict[str, list[SubmissionFacts]]] = defaultdict(lambda: defaultdict(list))
    if ids:
        for user_id, key, number, submitted_at, returned_at, points, out_of in db.session.execute(
                sa.select(ActivitySubmission.user_id, ActivitySubmission.activity_key, ActivitySubmission.number,
                          ActivitySubmission.submitted_at, ActivitySubmission.returned_at, ActivitySubmission.points,
                          ActivitySubmission.out_of).where(ActivitySubmission.user_id.in_(ids))):
            rows[user_id][key].append(SubmissionFacts(number, submitted_at, returned_at, points, out_of))
    return {uid: {key: standing(facts) for key, facts in rows[uid].items()} for uid in ids}


def submissions_by_activity(user_id: int) -> dict[str, list[ActivitySubmission]]:
    """One person's submissions by activity, oldest first (their progress page, an instructor's drill-down
    after the cohort check)."""
    out: dict[str, list[ActivitySubmission]] = defaultdict(list)
    for row in db.session.scalars(sa.select(ActivitySubmission).where(ActivitySubmission.user_id == user_id)
                                  .order_by(ActivitySubmission.number)):
        out[row.activity_key].append(row)
    return dict(out)


# --- instructors ------------------------------------------------------------------------------

def _staff_cohort(actor_id: int, cohort_id: int) -> Cohort:
    actor = db.session.get(User, actor_id)
    if actor is None:
        raise NotFound("There is no such cohort.")
    return cohorts.cohort_for_staff(actor, cohort_id)


def cohort_submissions(actor_id: int, cohort_id: int) -> tuple[Cohort, list[ActivitySubmission]]:
    """The cohort's submissions: those awaiting review first (oldest first), then the returned ones
    (most recently returned first)."""
    cohort = _staff_cohort(actor_id, cohort_id)
    members = sa.select(Enrolment.user_id).where(Enrolment.cohort_id == cohort.id)
    rows = list(db.session.scalars(sa.select(ActivitySubmission).where(ActivitySubmission.user_id.in_(members))))
    awaiting = sorted((r for r in rows if not r.is_returned), key=lambda r: (r.submitted_at, r.id))
    returned = sorted((r for r in rows if r.is_returned), key=lambda r: (r.returned_at, r.id), reverse=True)
    return cohort, awaiting + returned


def submission_for_staff(actor_id: int, cohort_id: int, submission_id: int) -> tuple[Cohort, ActivitySubmission]:
    cohort = _staff_cohort(actor_id, cohort_id)
    submission = db.session.get(ActivitySubmission, submission_id)
    if submission is None or db.session.scalar(sa.select(Enrolment.id).where(
            Enrolment.cohort_id == cohort.id, Enrolment.user_id == submission.user_id)) is None:
        raise NotFound("There is no such submission in this cohort.")
    return cohort, submission


def earlier_submissions(submission: ActivitySubmission) -> list[ActivitySubmission]:
    return [s for s in own_submissions(submission.user_id, submission.activity_key) if s.number < submission.number]


def return_submission(actor_id: int, cohort_id: int, submission_id: int, cat: Catalog,
                      choices: Mapping[int, int | None], feedback: str, *, now: datetime) -> ActivitySubmission:
    """Mark a submission against its activity's rubric (one level per criterion), add feedback and
    return it to the trainee. Returning twice (a double click) raises AlreadyReturned; audited."""
    _cohort, submission = submission_for_staff(actor_id, cohort_id, submission_id)
    activity = cat.activity(submission.activity_key)
    if activity is None:
        raise NotFound("This activity is no longer in the course, so it cannot be marked.")
    if submission.is_returned:
        raise AlreadyReturned("This submission was already returned.")
    feedback = feedback.replace("\r\n", "\n").strip()
    if len(feedback) > FEEDBACK_MAX_CHARS:
        raise InputRejected(f"Feedback can be up to {FEEDBACK_MAX_CHARS:,} characters; this has {len(feedback):,}.",
                            "feedback")
    check_text(feedback, "feedback", "The feedback", multiline=True)
    try:
        marks = mark(activity.rubric, choices)
    except MarkingIncomplete as exc:
        raise InputRejected(str(exc), "marks") from None
    trainee = submission.user
    with write_transaction(db.session):
        done = rowcount(db.session.execute(
            sa.update(ActivitySubmission)
            .where(ActivitySubmission.id == submission_id, ActivitySubmission.returned_at.is_(None))
            .values(returned_at=now, marked_by_id=actor_id, marks=[m.as_json() for m in marks.marks],
                    points=marks.points, out_of=marks.out_of, feedback=feedback or None)
            .execution_options(synchronize_session=False)))
        if not done:
            raise AlreadyReturned("This submission was already returned.")
        audit.record(actor_id, "activity.returned", "activity_submission", submission_id,
                     f"{activity.title} · {trainee.display_name}", now=now, activity=activity.key,
                     number=submission.number, points=marks.points, out_of=marks.out_of, cohort_id=cohort_id)
    db.session.expire_all()
    return db.session.get(ActivitySubmission, submission_id)  # type: ignore[return-value]
