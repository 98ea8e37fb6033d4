"""xAPI 1.0.3 statements, pure: who (an account, never an address), what (ADL verbs where ADL has
one), which activity (stable IRIs under the public address), with result and context. Each cause
gives its statement a stable id (uuid5 of the instance's address and the cause), so building it
again, queueing it twice or sending it again is never a second statement in the LRS.

docs/INTEROP.md, "xAPI", lists the statements, verbs and activity types.
"""
from __future__ import annotations

import math
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from app.jobs import backoff

XAPI_VERSION = "1.0.3"
PLATFORM = "Lectern"
LANGUAGE = "en"
# Fixed forever: changing it would give every cause a new statement id (and the LRS a second copy).
NAMESPACE = uuid.UUID("5d0c2b1e-7a0f-5b7e-9c55-1ec7e2a0a113")

ADL = "http://adlnet.gov/expapi"
VERBS: dict[str, str] = {
    "completed": f"{ADL}/verbs/completed",
    "attempted": f"{ADL}/verbs/attempted",
    "passed": f"{ADL}/verbs/passed",
    "failed": f"{ADL}/verbs/failed",
    "answered": f"{ADL}/verbs/answered",
    "attended": f"{ADL}/verbs/attended",
    # ADL has no verb for earning: the Tin Can registry's "earned" is the one LRS dashboards know.
    "earned": "http://id.tincanapi.com/verb/earned",
    # No registry has "revoked": a Lectern IRI under the instance's address (Site.lectern_iri).
    "revoked": "",
}
TYPES: dict[str, str] = {
    "course": f"{ADL}/activities/course",
    "day": f"{ADL}/activities/module",
    "lesson": f"{ADL}/activities/lesson",
    "quiz": f"{ADL}/activities/assessment",
    "question": f"{ADL}/activities/question",
    "live-session": f"{ADL}/activities/meeting",
    "certificate": "http://id.tincanapi.com/activitytype/certificate",
}
MAX_RESPONSE = 1000     # characters of a live answer sent as result.response


def statement_id(base_url: str, cause: str) -> str:
    """The statement's id: the same cause at the same instance always gives the same UUID."""
    return str(uuid.uuid5(NAMESPACE, f"{base_url.rstrip('/')}|{cause}"))


def iso_duration(seconds: float) -> str:
    """Seconds as an ISO 8601 duration, as xAPI wants it: 3725 → "PT1H2M5S", 0 → "PT0S"."""
    total = max(0, int(round(seconds)))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    out = "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "")
    return out + (f"{secs}S" if secs or out == "PT" else "")


def timestamp(at: datetime) -> str:
    """An ISO 8601 timestamp in UTC with milliseconds (xAPI: the LRS keeps millisecond precision)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _text(value: str, limit: int = 500) -> str:
    value = " ".join((value or "").split())
    return value if len(value) <= limit else value[:limit - 1] + "…"


def _map(text: str) -> dict[str, str]:
    return {LANGUAGE: _text(text)}


@dataclass(frozen=True)
class Activity:
    kind: str           # a key of TYPES
    iri: str
    name: str
    description: str = ""

    def as_object(self) -> dict[str, Any]:
        definition: dict[str, Any] = {"name": _map(self.name or self.kind), "type": TYPES[self.kind]}
        if self.description.strip():
            definition["description"] = _map(self.description)
        return {"objectType": "Activity", "id": self.iri, "definition": definition}


@dataclass(frozen=True)
class Site:
    """The instance: its public address (every IRI and the actors' home page)."""

    base_url: str

    @property
    def home(self) -> str:
        return self.base_url.rstrip("/")

    def lectern_iri(self, *parts: object) -> str:
        return self.home + "/xapi/" + "/".join(quote(str(p), safe="") for p in parts)

    def activity_iri(self, *parts: object) -> str:
        return self.lectern_iri("activities", *parts)

    def verb(self, name: str) -> dict[str, Any]:
        iri = VERBS[name] or self.lectern_iri("verbs", name)
        return {"id": iri, "display": {"en-US": name}}

    def actor(self, user_id: int) -> dict[str, Any]:
        """The person as an account of this instance, by their stable user id: no address, no name
        (an LRS is often shared with other systems; docs/INTEROP.md, "Privacy")."""
        return {"objectType": "Agent", "account": {"homePage": self.home, "name": str(user_id)}}

    # --- the activities -----------------------------------------------------------------------
    def course(self, code: str, title: str, description: str = "") -> Activity:
        return Activity("course", self.activity_iri("course", code), title, description)

    def day(self, code: str, number: int, title: str, summary: str = "") -> Activity:
        return Activity("day", self.activity_iri("course", code, "day", number), f"Day {number}: {title}", summary)

    def lesson(self, slug: str, title: str) -> Activity:
        return Activity("lesson", self.activity_iri("lesson", slug), title)

    def quiz(self, quiz_id: str, title: str, description: str = "") -> Activity:
        return Activity("quiz", self.activity_iri("quiz", quiz_id), title, description)

    def question(self, quiz_id: str, question_id: str, prompt: str) -> Activity:
        return Activity("question", self.activity_iri("quiz", quiz_id, "question", question_id), prompt)

    def live_session(self, session_id: int, name: str) -> Activity:
        return Activity("live-session", self.activity_iri("live-session", session_id), name)

    def live_poll(self, session_id: int, seq: int, prompt: str) -> Activity:
        """A question typed on the spot in a live session (bank questions use `question`)."""
        return Activity("question", self.activity_iri("live-session", session_id, "poll", seq), prompt)

    def certificate(self, code: str, course_title: str) -> Activity:
        return Activity("certificate", self.activity_iri("certificate", code), f"Certificate: {course_title}",
                        f"Code {code}")

    # --- the statement ------------------------------------------------------------------------
    def statement(self, cause: str, *, user_id: int, verb: str, obj: Activity, at: datetime,
                  result: Mapping[str, Any] | None = None, parents: Sequence[Activity] = (),
                  grouping: Sequence[Activity] = (), registration: str | None = None) -> dict[str, Any]:
        context: dict[str, Any] = {"platform": PLATFORM, "language": LANGUAGE}
        if registration:
            context["registration"] = registration
        activities: dict[str, Any] = {}
        if parents:
            activities["parent"] = [a.as_object() for a in parents]
        if grouping:
            activities["grouping"] = [a.as_object() for a in grouping]
        if activities:
            context["contextActivities"] = activities
        out: dict[str, Any] = {"id": statement_id(self.home, cause), "actor": self.actor(user_id),
                               "verb": self.verb(verb), "object": obj.as_object(), "context": context,
                               "timestamp": timestamp(at), "version": XAPI_VERSION}
        if result:
            out["result"] = dict(result)
        return out

    def registration(self, cause: str) -> str:
        """A UUID grouping the statements of one attempt (xAPI context.registration)."""
        return statement_id(self.home, cause)


def score(points: float | None, out_of: float | None) -> dict[str, Any] | None:
    """xAPI's score: scaled in [0, 1], raw between min and max. None without marks."""
    if points is None or out_of is None or not math.isfinite(points) or not math.isfinite(out_of) or out_of <= 0:
        return None
    raw = round(min(max(points, 0.0), out_of), 4)
    return {"scaled": round(raw / out_of, 4), "raw": raw, "min": 0, "max": round(out_of, 4)}


# --- one function per cause (docs/INTEROP.md lists them) ------------------------------------------

def lesson_completed(site: Site, *, completion_id: int, user_id: int, lesson: Activity, day: Activity,
                     course: Activity, at: datetime) -> dict[str, Any]:
    return site.statement(f"lesson-completion:{completion_id}", user_id=user_id, verb="completed",
                          obj=lesson, at=at, result={"completion": True}, parents=[day], grouping=[course])


def quiz_attempted(site: Site, *, attempt_id: int, user_id: int, quiz: Activity, parents: Sequence[Activity],
                   course: Activity, at: datetime) -> dict[str, Any]:
    """An attempt began (ADL "attempted")."""
    return site.statement(f"quiz-attempt:{attempt_id}:started", user_id=user_id, verb="attempted", obj=quiz, at=at,
                          parents=parents, grouping=[course], registration=site.registration(f"quiz-attempt:{attempt_id}"))


def quiz_finished(site: Site, *, attempt_id: int, user_id: int, quiz: Activity, parents: Sequence[Activity],
                  course: Activity, started_at: datetime, finished_at: datetime, points: float | None,
                  out_of: float | None, passed: bool) -> dict[str, Any]:
    """A submitted (or timed-out) attempt, marked: "passed" or "failed", with its score."""
    result: dict[str, Any] = {"success": bool(passed), "completion": True,
                              "duration": iso_duration((finished_at - started_at).total_seconds())}
    marks = score(points, out_of)
    if marks is not None:
        result["score"] = marks
    return site.statement(f"quiz-attempt:{attempt_id}:submitted", user_id=user_id,
                          verb="passed" if passed else "failed", obj=quiz, at=finished_at, result=result,
                          parents=parents, grouping=[course], registration=site.registration(f"quiz-attempt:{attempt_id}"))


def response_text(answer: Any) -> str:
    """A live answer as the text of result.response: option ids joined by "[,]" (xAPI's
    separator for choices), a text as it was typed, a number as a number."""
    if isinstance(answer, (list, tuple)):
        return "[,]".join(response_text(a) for a in answer)[:MAX_RESPONSE]
    if isinstance(answer, dict):
        return "[,]".join(f"{k}[.]{response_text(v)}" for k, v in sorted(answer.items()))[:MAX_RESPONSE]
    if isinstance(answer, bool) or answer is None:
        return str(answer).lower()
    return str(answer)[:MAX_RESPONSE]


def poll_answered(site: Site, *, answer_id: int, user_id: int, question: Activity, session: Activity,
                  course: Activity, answer: Any, scored: bool, fraction: float, at: datetime) -> dict[str, Any]:
    """An answer to a poll in a live session (built when the poll closes, from the answer's row)."""
    result: dict[str, Any] = {"response": response_text(answer), "completion": True}
    if scored:
        result["success"] = fraction >= 1.0
        result["score"] = {"scaled": round(min(max(fraction, 0.0), 1.0), 4)}
    return site.statement(f"live-answer:{answer_id}", user_id=user_id, verb="answered", obj=question, at=at,
                          result=result, parents=[session], grouping=[course])


def session_attended(site: Site, *, session_id: int, user_id: int, session: Activity, day: Activity,
                     course: Activity, seconds: int, at: datetime) -> dict[str, Any]:
    """Presence in a live session, measured by the heartbeats (built when the session ends)."""
    return site.statement(f"live-session:{session_id}:attended:{user_id}", user_id=user_id, verb="attended",
                          obj=session, at=at, result={"duration": iso_duration(seconds), "completion": True},
                          parents=[day], grouping=[course])


def certificate_earned(site: Site, *, certificate_id: int, user_id: int, certificate: Activity, course: Activity,
                       at: datetime) -> dict[str, Any]:
    return site.statement(f"certificate:{certificate_id}:earned", user_id=user_id, verb="earned", obj=certificate,
                          at=at, result={"completion": True, "success": True}, parents=[course])


def certificate_revoked(site: Site, *, certificate_id: int, user_id: int, certificate: Activity, course: Activity,
                        at: datetime) -> dict[str, Any]:
    """The holder's certificate was revoked (the actor is the holder it is about, not the revoker)."""
    return site.statement(f"certificate:{certificate_id}:revoked", user_id=user_id, verb="revoked", obj=certificate,
                          at=at, parents=[course])


# --- delivery rules -----------------------------------------------------------------------------

BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=6)
MAX_ATTEMPTS = 10
CLAIM_TIMEOUT = timedelta(minutes=10)


def retry_delay(attempts: int) -> timedelta:
    """The wait after `attempts` failed deliveries: base, 2×base, 4×base, … up to cap."""
    return backoff.retry_delay(attempts, base=BACKOFF_BASE, cap=BACKOFF_CAP)


def after_failure(attempts: int, now: datetime, *, max_attempts: int = MAX_ATTEMPTS,
                  permanent: bool = False) -> tuple[str, datetime]:
    """(status, next attempt) once delivery attempt number `attempts` failed: queued again after the
    backoff, or failed for good at the last attempt or when the LRS refused the statement itself."""
    return backoff.after_failure(attempts, now, max_attempts=max_attempts, base=BACKOFF_BASE, cap=BACKOFF_CAP,
                                 permanent=permanent)


def classify(status: int) -> str:
    """What an LRS's HTTP status means for the statements sent: "sent" (stored, or already there),
    "split" (the batch was refused: send each alone to find which), "retry" or "refused"."""
    if status in (200, 204):
        return "sent"
    if status in (400, 409):
        return "split"
    if status in (408, 429) or status >= 500 or status in (401, 403, 404):
        return "retry"     # a down or misconfigured LRS: keep the statements and try later
    return "refused"
