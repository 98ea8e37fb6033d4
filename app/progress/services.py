"""Loading what progress is computed from: one query per kind of record, for one or many people."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from app.activities import services as activities_services
from app.cohorts.models import Cohort, Enrolment, Track
from app.content.catalog import Catalog, catalog
from app.extensions import db
from app.learn.models import LessonCompletion, LessonVisit
from app.live.attendance import seconds_by_day
from app.live.rules import attended
from app.progress.progress import (
    ActivityRecord,
    CourseOutline,
    LearnerFacts,
    QuizRecord,
    Report,
    report,
)
from app.quizzes import services as quizzes_services
from app.quizzes.models import QuizAttempt

ATTEMPT_TIME_CAP = timedelta(hours=2)


def outline_of(catalog: Catalog) -> CourseOutline:
    rule = catalog.course.completion
    return CourseOutline(
        lessons=tuple((lesson.slug, lesson.day_number, lesson.title) for lesson in catalog.lessons),
        stage_lessons=tuple((lesson.stage, lesson.slug) for lesson in catalog.lessons if lesson.stage),
        lesson_quizzes=tuple((q.lesson, q.id, q.title) for q in catalog.quizzes if q.lesson),
        day_assessments=tuple((q.day, q.id, q.title) for q in catalog.quizzes if q.day),
        rule_all_lessons=rule.all_lessons, rule_stage_checks=rule.stage_checks_passed,
        rule_day_assessments=rule.day_assessments_passed, rule_live_attendance=rule.live_attendance_replaces_lessons,
        activities=tuple((key, activity.title) for key in rule.activities if (activity := catalog.activity(key))),
        activity_pass=rule.activity_pass,
    )


def facts_for(user_ids: Iterable[int], *, attendance_minutes: int | None = None,
              now: datetime | None = None) -> dict[int, LearnerFacts]:
    """LearnerFacts for each person, from six queries whatever the number of people. Quiz
    attempts count as attempts used; best score and pass come from results that count only.

    Live track: enrolled in a live or blended cohort. A day counts as attended when the person was
    present in that day's live sessions for the course's `live_attendance_minutes`.

    Given `now`, timed quiz attempts these people left open past their closing time are closed
    first (marked on the answers saved by then), so the facts are those of `now`.
    """
    ids = list(user_ids)
    if now is not None:
        quizzes_services.close_overdue(now=now, user_ids=ids)
    if attendance_minutes is None:
        attendance_minutes = catalog().course.completion.live_attendance_minutes
    completed: dict[int, set[str]] = defaultdict(set)
    visited: dict[int, set[str]] = defaultdict(set)
    quizzes: dict[int, dict[str, QuizRecord]] = defaultdict(dict)
    if ids:
        for user_id, key in db.session.execute(
                sa.select(LessonCompletion.user_id, LessonCompletion.lesson_key).where(LessonCompletion.user_id.in_(ids))):
            completed[user_id].add(key)
        for user_id, key in db.session.execute(
                sa.select(LessonVisit.user_id, LessonVisit.lesson_key).where(LessonVisit.user_id.in_(ids))):
            visited[user_id].add(key)
        counted = QuizAttempt.counts
        rows = db.session.execute(
            sa.select(QuizAttempt.user_id, QuizAttempt.quiz_key, sa.func.count(),
                      sa.func.max(sa.case((counted, QuizAttempt.score_percent), else_=None)),
                      sa.func.max(sa.case((sa.and_(counted, QuizAttempt.passed.is_(True)), 1), else_=0)))
            .where(QuizAttempt.user_id.in_(ids), QuizAttempt.finished_at.is_not(None))
            .group_by(QuizAttempt.user_id, QuizAttempt.quiz_key))
        for user_id, quiz_key, count, best, passed in rows:
            quizzes[user_id][quiz_key] = QuizRecord(int(count), float(best) if best is not None else None, bool(passed))
    live_track = frozenset(_live_track(ids))
    attended = _attended_days(ids, attendance_minutes)
    activities = {uid: {key: ActivityRecord(s.state.value, s.best_points, s.best_out_of) for key, s in by_key.items()}
                  for uid, by_key in activities_services.standings_for(ids).items()}
    return {uid: LearnerFacts(frozenset(completed[uid]), frozenset(visited[uid]), dict(quizzes[uid]),
                              attended.get(uid, frozenset()), uid in live_track, activities.get(uid, {})) for uid in ids}


def report_for(user_id: int, cat: Catalog, *, now: datetime | None = None) -> Report:
    facts = facts_for([user_id], attendance_minutes=cat.course.completion.live_attendance_minutes, now=now)[user_id]
    return report(outline_of(cat), facts)


def _live_track(ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(db.session.scalars(
        sa.select(Enrolment.user_id).join(Cohort, Cohort.id == Enrolment.cohort_id)
        .where(Enrolment.user_id.in_(ids), Cohort.track.in_((Track.LIVE.value, Track.BLENDED.value)))))


def _attended_days(ids: list[int], minutes: int) -> dict[int, frozenset[int]]:
    """Days each person attended live: their presence (or corrected minutes) over that day's sessions."""
    return {uid: frozenset(day for day, seconds in days.items() if attended(seconds, minutes))
            for uid, days in seconds_by_day(ids).items()}


@dataclass(frozen=True)
class LiveDay:
    """Minutes of a course day's live sessions that count for one person, against the rule's."""

    day: int
    minutes: int
    required: int

    @property
    def attended(self) -> bool:
        return attended(self.minutes * 60, self.required)


def live_days(user_id: int, cat: Catalog) -> list[LiveDay]:
    """For a trainee of a live or blended cohort, each course day's counted minutes (measured, or an
    instructor's correction); empty for everyone else. Two queries."""
    if not _live_track([user_id]):
        return []
    seconds = seconds_by_day([user_id]).get(user_id, {})
    required = cat.course.completion.live_attendance_minutes
    return [LiveDay(day.number, seconds.get(day.number, 0) // 60, required) for day in cat.course.days]


def study_seconds(user_id: int) -> int:
    """Time on lesson pages plus time in finished quiz attempts (each capped)."""
    lessons = db.session.scalar(sa.select(sa.func.coalesce(sa.func.sum(LessonVisit.seconds_spent), 0))
                                .where(LessonVisit.user_id == user_id)) or 0
    attempts = db.session.execute(sa.select(QuizAttempt.started_at, QuizAttempt.finished_at)
                                  .where(QuizAttempt.user_id == user_id, QuizAttempt.finished_at.is_not(None))).all()
    quiz_seconds = sum(min(finished - started, ATTEMPT_TIME_CAP).total_seconds() for started, finished in attempts
                       if finished is not None)
    return int(lessons + quiz_seconds)
