"""xAPI: statements queued in the unit of work that caused them, sent to a Learning Record Store by
the "xapi.send" job (docs/INTEROP.md, "xAPI").

Nothing happens unless LECTERN_XAPI_ENDPOINT is set: the cause functions below return at once.
With it, each cause adds its statements to the caller's open unit of work (inside write_transaction),
so they commit with what they record, or not at all, and asks for a delivery job once it commits
(app/jobs: RQ with Redis, else a thread; inline in tests). A request never waits for the LRS.

Every statement's id is derived from its cause (statements.statement_id) and unique in the table:
a cause that runs twice queues one statement, and the LRS, given the same id and content again,
stores nothing new (200/204, or 409 from some LRSs: taken as delivered).

Delivery (`deliver_due`) claims up to XAPI_BATCH due statements with one conditional UPDATE (queued
→ sending, with a claim token), POSTs them to <endpoint>/statements as one JSON array with
`X-Experience-API-Version: 1.0.3` and Basic auth, and records the outcome under that token. A
refused batch (400/409) is sent again statement by statement (PUT ?statementId=) to find the one
the LRS will not take; an unreachable or failing LRS leaves the statements queued with the error and
an exponential backoff (statements.retry_delay) until XAPI_MAX_ATTEMPTS. `flask --app wsgi xapi
send` runs a delivery by hand or from cron.

Features call the cause functions with their own objects (read by attribute, see the Protocols), so
this package imports no other feature: quizzes, learn, live and certificates import it, never the reverse.
"""
from __future__ import annotations

import base64
import json
import secrets
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol
from urllib.parse import quote

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects import postgresql, sqlite

from app.content.catalog import Catalog, catalog
from app.db import after_commit, rowcount, utcnow, write_transaction
from app.extensions import db
from app.jobs import services as jobs
from app.jobs.models import Job
from app.xapi import statements as st
from app.xapi.models import XapiStatement

JOB_KIND = "xapi.send"
QUEUED_JOB_FRESH = timedelta(minutes=5)   # a queued send job younger than this will see new statements


def configured(config: Any = None) -> bool:
    return bool((config if config is not None else current_app.config).get("LECTERN_XAPI_ENDPOINT"))


def site() -> st.Site:
    return st.Site(str(current_app.config["LECTERN_BASE_URL"]))


# --- queueing ---------------------------------------------------------------------------------------

def queue(items: Iterable[tuple[int | None, str, dict[str, Any]]], *, now: datetime) -> int:
    """Add (user id, cause, statement) triples to the current unit of work (call inside
    write_transaction); a statement whose id is queued already is skipped. Returns how many were offered."""
    rows = []
    for user_id, cause, statement in items:
        rows.append({"statement_id": statement["id"], "cause": cause[:300], "user_id": user_id, "statement": statement,
                     "status": "queued", "attempts": 0, "next_attempt_at": now, "created_at": now})
    if not rows:
        return 0
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for start in range(0, len(rows), 500):
        db.session.execute(insert(XapiStatement).on_conflict_do_nothing(index_elements=["statement_id"]),
                           rows[start:start + 500])
    request_delivery()
    return len(rows)


_DELIVERY_ASKED = "lectern_xapi_delivery_asked"


def request_delivery() -> None:
    """After the current unit of work commits, start a send job: one per unit of work, and none
    while one is still waiting to start (it will find these statements too)."""
    session = db.session()
    transaction = session.get_transaction()
    if transaction is not None and session.info.get(_DELIVERY_ASKED) is transaction:
        return
    session.info[_DELIVERY_ASKED] = transaction
    after_commit(db.session, _start_delivery)


def _start_delivery() -> None:
    if not configured():
        return
    waiting = db.session.scalar(sa.select(sa.func.count()).select_from(Job).where(
        Job.kind == JOB_KIND, Job.status == "queued", Job.created_at > utcnow() - QUEUED_JOB_FRESH))
    if not waiting or current_app.config.get("JOBS_INLINE"):
        jobs.start(JOB_KIND, None, {})
    db.session.commit()   # end the read, so this request sees what an inline delivery did


# --- the causes ---------------------------------------------------------------------------------------

def _course(cat: Catalog) -> st.Activity:
    return site().course(cat.course.code, cat.course.title, cat.course.description)


def _day(cat: Catalog, number: int | None) -> st.Activity | None:
    day = next((d for d in cat.course.days if d.number == number), None)
    return site().day(cat.course.code, day.number, day.title, day.summary) if day else None


def _lesson(cat: Catalog, slug: str | None) -> st.Activity | None:
    lesson = cat.lesson(slug) if slug else None
    return site().lesson(lesson.slug, lesson.title) if lesson else None


class CompletionLike(Protocol):
    id: int
    user_id: int
    lesson_key: str
    completed_at: datetime


def lesson_completed(completion: CompletionLike) -> None:
    """A lesson marked complete (a flushed LessonCompletion), inside its unit of work."""
    if not configured():
        return
    db.session.flush()   # the completion's id names the statement
    cat = catalog()
    found = cat.lesson(completion.lesson_key)
    if found is None:
        return
    course = _course(cat)
    statement = st.lesson_completed(site(), completion_id=completion.id, user_id=completion.user_id,
                                    lesson=site().lesson(found.slug, found.title),
                                    day=_day(cat, found.day_number) or course, course=course, at=completion.completed_at)
    queue([(completion.user_id, f"lesson-completion:{completion.id}", statement)], now=utcnow())


class AttemptLike(Protocol):
    id: int
    user_id: int
    quiz_key: str
    started_at: datetime
    finished_at: datetime | None
    score_points: float | None
    score_out_of: float | None
    passed: bool | None


def _quiz(cat: Catalog, quiz_key: str) -> tuple[st.Activity, list[st.Activity]]:
    quiz = cat.quiz(quiz_key)
    if quiz is None:   # a quiz since removed from the content: still its own activity
        return site().quiz(quiz_key, quiz_key), []
    parents = [a for a in (_lesson(cat, quiz.lesson), _day(cat, quiz.day)) if a is not None]
    return site().quiz(quiz.id, quiz.title, quiz.description), parents


def quiz_started(attempt: AttemptLike) -> None:
    """A new attempt ("attempted"), inside the unit of work that starts it (flushed: it has an id)."""
    if not configured():
        return
    db.session.flush()
    cat = catalog()
    quiz, parents = _quiz(cat, attempt.quiz_key)
    queue([(attempt.user_id, f"quiz-attempt:{attempt.id}:started", st.quiz_attempted(
        site(), attempt_id=attempt.id, user_id=attempt.user_id, quiz=quiz, parents=parents, course=_course(cat),
        at=attempt.started_at))], now=utcnow())


def quiz_finished(attempt: AttemptLike) -> None:
    """A submitted or timed-out attempt, marked ("passed" or "failed" with the score)."""
    if not configured() or attempt.finished_at is None:
        return
    cat = catalog()
    quiz, parents = _quiz(cat, attempt.quiz_key)
    queue([(attempt.user_id, f"quiz-attempt:{attempt.id}:submitted", st.quiz_finished(
        site(), attempt_id=attempt.id, user_id=attempt.user_id, quiz=quiz, parents=parents, course=_course(cat),
        started_at=attempt.started_at, finished_at=attempt.finished_at, points=attempt.score_points,
        out_of=attempt.score_out_of, passed=bool(attempt.passed)))], now=utcnow())


@dataclass(frozen=True)
class LiveAnswerFact:
    answer_id: int
    user_id: int
    answer: Any
    fraction: float
    answered_at: datetime


@dataclass(frozen=True)
class LivePollFact:
    session_id: int
    day: int
    seq: int
    quiz_key: str | None
    question_id: str | None
    prompt: str
    scored: bool


def _live_session(cat: Catalog, session_id: int, day_number: int) -> st.Activity:
    day = next((d for d in cat.course.days if d.number == day_number), None)
    name = f"Live session, Day {day_number}" + (f": {day.title}" if day else "")
    return site().live_session(session_id, name)


def poll_answered(poll: LivePollFact, answers: Sequence[LiveAnswerFact]) -> int:
    """The answers of a poll that just closed ("answered", one statement per person), in bulk,
    inside the unit of work that closes it: answering itself writes nothing more."""
    if not configured() or not answers:
        return 0
    cat, here = catalog(), site()
    course, session = _course(cat), _live_session(cat, poll.session_id, poll.day)
    question = (here.question(poll.quiz_key, poll.question_id, poll.prompt) if poll.quiz_key and poll.question_id
                else here.live_poll(poll.session_id, poll.seq, poll.prompt))
    return queue(((a.user_id, f"live-answer:{a.answer_id}", st.poll_answered(
        here, answer_id=a.answer_id, user_id=a.user_id, question=question, session=session, course=course,
        answer=a.answer, scored=poll.scored, fraction=a.fraction, at=a.answered_at)) for a in answers), now=utcnow())


def session_attended(session_id: int, day_number: int, presence: Sequence[tuple[int, int]], *, ended_at: datetime) -> int:
    """Everyone who joined a live session that just ended ("attended", with the seconds present),
    inside the unit of work that ends it. `presence`: (user id, seconds) pairs."""
    if not configured() or not presence:
        return 0
    cat, here = catalog(), site()
    course = _course(cat)
    session = _live_session(cat, session_id, day_number)
    day = _day(cat, day_number) or course
    return queue(((uid, f"live-session:{session_id}:attended:{uid}", st.session_attended(
        here, session_id=session_id, user_id=uid, session=session, day=day, course=course, seconds=seconds,
        at=ended_at)) for uid, seconds in presence), now=utcnow())


class CertificateLike(Protocol):
    id: int
    user_id: int
    code: str
    course_title: str
    course_code: str
    issued_at: datetime
    revoked_at: datetime | None

    @property
    def display_code(self) -> str: ...


def _certificate_activities(certificate: CertificateLike) -> tuple[st.Activity, st.Activity]:
    here = site()
    return (here.certificate(certificate.display_code, certificate.course_title),
            here.course(certificate.course_code, certificate.course_title))


def certificate_earned(certificate: CertificateLike) -> None:
    """A certificate issued (or reissued: the new one is earned), inside the unit of work storing it."""
    if not configured():
        return
    activity, course = _certificate_activities(certificate)
    queue([(certificate.user_id, f"certificate:{certificate.id}:earned", st.certificate_earned(
        site(), certificate_id=certificate.id, user_id=certificate.user_id, certificate=activity, course=course,
        at=certificate.issued_at))], now=utcnow())


def certificate_revoked(certificate: CertificateLike) -> None:
    if not configured() or certificate.revoked_at is None:
        return
    activity, course = _certificate_activities(certificate)
    queue([(certificate.user_id, f"certificate:{certificate.id}:revoked", st.certificate_revoked(
        site(), certificate_id=certificate.id, user_id=certificate.user_id, certificate=activity, course=course,
        at=certificate.revoked_at))], now=utcnow())


# --- delivery -----------------------------------------------------------------------------------------

def send_job(job_id: int, params: dict[str, Any]) -> dict[str, Any]:
    """The "xapi.send" job: send what is due now."""
    done = deliver_due()
    return {"sent": done.sent, "retrying": done.retrying, "failed": done.failed}


@dataclass(frozen=True)
class Delivery:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    batches: int = 0


@dataclass(frozen=True)
class Answer:
    status: int          # HTTP status; 0 when the LRS could not be reached
    text: str


def _due(now: datetime, *, ignore_backoff: bool = False) -> sa.ColumnElement[bool]:
    stale = now - st.CLAIM_TIMEOUT
    waited = sa.true() if ignore_backoff else XapiStatement.next_attempt_at <= now
    return sa.or_(sa.and_(XapiStatement.status == "queued", waited),
                  sa.and_(XapiStatement.status == "sending", XapiStatement.claimed_at < stale))


def deliver_due(*, now: datetime | None = None, limit: int = 10_000, ignore_backoff: bool = False) -> Delivery:
    """Send every statement due at `now` (default: the clock), in batches of XAPI_BATCH. Safe to
    run twice and at once (each batch is claimed first). Without an endpoint nothing is sent.
    `ignore_backoff`: every queued statement is due (the LRS is back: do not wait out the backoff)."""
    if not configured():
        return Delivery()
    size = max(1, int(current_app.config.get("LECTERN_XAPI_BATCH") or 50))
    counts = {"sent": 0, "retrying": 0, "failed": 0, "batches": 0}
    handled, after = 0, 0
    while handled < limit:   # in id order, each statement at most once per run (a failure waits for the next)
        moment = now or utcnow()
        ids = list(db.session.scalars(sa.select(XapiStatement.id)
                                      .where(XapiStatement.id > after, _due(moment, ignore_backoff=ignore_backoff))
                                      .order_by(XapiStatement.id).limit(min(size, limit - handled))))
        db.session.commit()
        if not ids:
            break
        after = ids[-1]
        token = secrets.token_hex(16)
        with write_transaction(db.session):
            claimed = rowcount(db.session.execute(
                sa.update(XapiStatement).where(XapiStatement.id.in_(ids), _due(moment, ignore_backoff=ignore_backoff))
                .values(status="sending", claim_token=token, claimed_at=moment, attempts=XapiStatement.attempts + 1)
                .execution_options(synchronize_session=False)))
        handled += len(ids)
        if not claimed:
            continue
        counts["batches"] += 1
        outcomes = _send_claimed(token, moment)
        for outcome in outcomes.values():
            counts[{"queued": "retrying"}.get(outcome, outcome)] += 1
        if outcomes and all(outcome == "queued" for outcome in outcomes.values()):
            break   # the LRS is down or refuses us: leave the rest queued for the next run, untried
    return Delivery(**counts)


def _send_claimed(token: str, now: datetime) -> dict[int, str]:
    """Send the statements claimed under `token`; record and return each one's new status."""
    rows = db.session.execute(sa.select(XapiStatement.id, XapiStatement.statement, XapiStatement.attempts)
                              .where(XapiStatement.claim_token == token).order_by(XapiStatement.id)).all()
    db.session.commit()   # no transaction open while the LRS answers
    outcomes: dict[int, tuple[str, str | None]] = {}
    answer = post_statements([r.statement for r in rows])
    verdict = st.classify(answer.status) if answer.status else "retry"
    if verdict == "split" and len(rows) > 1:
        for row in rows:
            one = put_statement(row.statement)
            outcomes[row.id] = _outcome(one)
    else:
        outcome = _outcome(answer)
        outcomes = {row.id: outcome for row in rows}
    cap = int(current_app.config.get("LECTERN_XAPI_MAX_ATTEMPTS") or st.MAX_ATTEMPTS)
    result: dict[int, str] = {}
    groups: dict[tuple[str, str | None, int], list[int]] = {}   # one UPDATE per outcome, not per statement
    for row in rows:
        verdict_one, error = outcomes[row.id]
        groups.setdefault((verdict_one, error, row.attempts), []).append(row.id)
    with write_transaction(db.session):
        for (verdict_one, error, attempts), ids in groups.items():
            if verdict_one == "sent":
                values: dict[str, Any] = {"status": "sent", "sent_at": now, "last_error": error}
            else:
                status, next_at = st.after_failure(attempts, now, max_attempts=cap, permanent=verdict_one == "refused")
                values = {"status": status, "next_attempt_at": next_at, "last_error": error}
                current_app.logger.warning("xAPI: %d statement(s) (ids %d–%d), attempt %d: %s; %s", len(ids), ids[0],
                                           ids[-1], attempts, error, "will retry" if status == "queued" else "failed")
            for start in range(0, len(ids), 500):
                db.session.execute(sa.update(XapiStatement)
                                   .where(XapiStatement.id.in_(ids[start:start + 500]), XapiStatement.claim_token == token)
                                   .values(claim_token=None, **values).execution_options(synchronize_session=False))
            result.update(dict.fromkeys(ids, values["status"]))
    return result


def _outcome(answer: Answer) -> tuple[str, str | None]:
    """(what to do with the statements, the note to keep) for one answer of the LRS."""
    if answer.status == 0:
        return "retry", answer.text[:1000]
    verdict = st.classify(answer.status)
    if verdict == "sent":
        return "sent", None
    if answer.status == 409:   # the LRS holds this id already: the statement was delivered before
        return "sent", f"409 Conflict: the LRS already holds this statement id ({answer.text[:300]})"
    note = f"HTTP {answer.status}: {answer.text}"[:1000]
    return ("refused" if verdict in ("refused", "split") else "retry"), note


def _request(method: str, url: str, body: Any) -> Answer:
    cfg = current_app.config
    headers = {"X-Experience-API-Version": st.XAPI_VERSION, "Content-Type": "application/json",
               "User-Agent": "Lectern xAPI"}
    username, password = cfg.get("LECTERN_XAPI_USERNAME") or "", cfg.get("LECTERN_XAPI_PASSWORD") or ""
    if username or password:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    data = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    req = urllib.request.Request(url, data=data, method=method, headers=headers)  # noqa: S310 - the configured http(s) endpoint
    try:
        with urllib.request.urlopen(req, timeout=float(cfg.get("LECTERN_XAPI_TIMEOUT") or 10)) as response:  # noqa: S310
            return Answer(response.status, response.read(2000).decode("utf-8", "replace"))
    except urllib.error.HTTPError as exc:
        try:
            return Answer(exc.code, exc.read(2000).decode("utf-8", "replace") if exc.fp else str(exc.reason))
        finally:
            exc.close()
    except (OSError, ValueError) as exc:   # refused, timed out, DNS, TLS…
        return Answer(0, f"{type(exc).__name__}: {exc}")


def statements_url() -> str:
    return str(current_app.config["LECTERN_XAPI_ENDPOINT"]).rstrip("/") + "/statements"


def post_statements(batch: Sequence[dict[str, Any]]) -> Answer:
    return _request("POST", statements_url(), list(batch))


def put_statement(statement: dict[str, Any]) -> Answer:
    return _request("PUT", f"{statements_url()}?statementId={quote(statement['id'])}", statement)


@dataclass(frozen=True)
class Counts:
    queued: int
    sending: int
    sent: int
    failed: int


def counts() -> Counts:
    found = dict(db.session.execute(sa.select(XapiStatement.status, sa.func.count())
                                    .group_by(XapiStatement.status)).all())
    return Counts(**{s: int(found.get(s, 0)) for s in ("queued", "sending", "sent", "failed")})


def retry_failed(*, now: datetime | None = None) -> int:
    """Queue the failed statements again (after the LRS or its settings were fixed)."""
    with write_transaction(db.session):
        return rowcount(db.session.execute(
            sa.update(XapiStatement).where(XapiStatement.status == "failed")
            .values(status="queued", attempts=0, next_attempt_at=now or utcnow())))
