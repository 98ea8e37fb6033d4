"""Open Badges 3.0: the OpenBadgeCredential of a certificate, as plain data. Pure.

What a credential says is fixed here: the W3C Verifiable Credential (data model 2.0) that 1EdTech's
Open Badges 3.0 calls an OpenBadgeCredential, with its issuer Profile, the Achievement (the course,
its criteria narrated from the course's completion rule) and the AchievementSubject (the holder,
by a salted hash of their e-mail address and by name). The signed form (VC-JWT) is the credential
plus the JWT claims the specification asks for (`jwt_claims`); app/badges/keys.py signs it.
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from app.progress.progress import CourseOutline

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"   # defines 1EdTechRevocationList
CONTEXTS = (VC_CONTEXT, OB_CONTEXT)
CREDENTIAL_TYPES = ("VerifiableCredential", "OpenBadgeCredential")
CREDENTIAL_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential-jsonschema1.json"
STATUS_TYPE = "1EdTechRevocationList"
JWT_ONLY_CLAIMS = ("iss", "jti", "nbf", "sub", "exp", "iat")


@dataclass(frozen=True)
class Issuer:
    id: str            # the address that serves this Profile as JSON
    name: str
    url: str           # the organisation's site (the Lectern's public address)


@dataclass(frozen=True)
class Achievement:
    id: str            # the address that serves this Achievement as JSON
    name: str
    description: str
    narrative: str     # Markdown, as the specification allows
    image: str         # the badge PNG's address
    human_code: str    # the course code


@dataclass(frozen=True)
class Award:
    """One certificate as a credential: who, when, and where its status is published."""

    credential_id: str
    subject_id: str
    holder_name: str
    email: str
    salt: str
    valid_from: datetime
    status_url: str


def identity_hash(email: str, salt: str) -> str:
    """"sha256$" and the hex SHA-256 of the address (trimmed, lower case) followed by the salt, as
    Open Badges hashes an IdentityObject: a verifier who knows the address recomputes it."""
    return "sha256$" + hashlib.sha256((email.strip().lower() + salt).encode("utf-8")).hexdigest()


def timestamp(moment: datetime) -> str:
    """A DateTimeZ in whole seconds (the JWT's nbf is whole seconds and must equal validFrom)."""
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def criteria_narrative(course_title: str, hours: float, outline: CourseOutline, attendance_minutes: int) -> str:
    """What a trainee does to earn the badge, in words (Markdown), from the course's completion rule:
    the same rule that decides eligibility (app/progress/progress.py missing_for_certificate)."""
    days = len(outline.days)
    lines = []
    if outline.rule_all_lessons:
        text = f"Complete all {_count(len(outline.lessons), 'lesson', 'lessons')} of the course"
        if outline.rule_live_attendance:
            text += (f"; a trainee in a live or blended cohort may instead attend each day's live sessions "
                     f"for at least {attendance_minutes} minutes")
        lines.append(text + ".")
    if outline.rule_stage_checks:
        stage_slugs = {slug for _stage, slug in outline.stage_lessons}
        checks = [title for slug, _quiz, title in outline.lesson_quizzes if slug in stage_slugs]
        if checks:
            lines.append(f"Pass the knowledge check of each of the {_count(len(outline.stage_lessons), 'stage', 'stages')}"
                         f" ({_count(len(checks), 'check', 'checks')}).")
    if outline.rule_day_assessments and outline.day_assessments:
        titles = [title for _day, _quiz, title in sorted(outline.day_assessments)]
        lines.append("Pass the " + (" and the ".join(titles) if len(titles) <= 2
                                    else ", the ".join(titles[:-1]) + " and the " + titles[-1]) + ".")
    for _key, title in outline.activities:
        lines.append(f"Have the assessed activity “{title}” marked by an instructor at {outline.activity_pass}% or more.")
    head = (f"Awarded for completing *{course_title}*, a professional training course of {hours:g} hours"
            f"{f' over {days} days' if days > 1 else ''}.")
    if not lines:
        return head
    return head + " It is earned by meeting every requirement of the course's completion rule:\n\n" + "\n".join(
        f"- {line}" for line in lines)


def profile(issuer: Issuer) -> dict[str, Any]:
    """The issuer Profile as served at its id (and embedded in every credential)."""
    return {"@context": list(CONTEXTS), **_profile(issuer)}


def _profile(issuer: Issuer) -> dict[str, Any]:
    return {"id": issuer.id, "type": ["Profile"], "name": issuer.name, "url": issuer.url}


def _achievement(achievement: Achievement, issuer: Issuer) -> dict[str, Any]:
    return {"id": achievement.id, "type": ["Achievement"], "achievementType": "CertificateOfCompletion",
            "name": achievement.name, "description": achievement.description, "humanCode": achievement.human_code,
            "criteria": {"narrative": achievement.narrative},
            "image": {"id": achievement.image, "type": "Image", "caption": f"{achievement.name} badge"},
            "creator": _profile(issuer)}


def achievement_document(achievement: Achievement, issuer: Issuer) -> dict[str, Any]:
    """The Achievement as served at its id."""
    return {"@context": list(CONTEXTS), **_achievement(achievement, issuer)}


def build_credential(award: Award, achievement: Achievement, issuer: Issuer) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential of one award."""
    return {
        "@context": [*CONTEXTS, OB_EXTENSIONS_CONTEXT],
        "id": award.credential_id,
        "type": list(CREDENTIAL_TYPES),
        "issuer": _profile(issuer),
        "validFrom": timestamp(award.valid_from),
        "name": achievement.name,
        "description": f"{award.holder_name} completed {achievement.name}, awarded by {issuer.name}.",
        "image": {"id": achievement.image, "type": "Image", "caption": f"{achievement.name} badge"},
        "credentialSubject": {
            "id": award.subject_id,
            "type": ["AchievementSubject"],
            "identifier": [
                {"type": "IdentityObject", "identityType": "emailAddress", "hashed": True,
                 "identityHash": identity_hash(award.email, award.salt), "salt": award.salt},
                {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": award.holder_name},
            ],
            "achievement": _achievement(achievement, issuer),
        },
        "credentialStatus": {"id": award.status_url, "type": STATUS_TYPE},
        "credentialSchema": [{"id": CREDENTIAL_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def jwt_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The JWT payload of the VC-JWT proof (Open Badges 3.0, "JSON Web Token Proof Format"): the
    credential itself with iss = issuer.id, jti = id, nbf = validFrom and sub = credentialSubject.id."""
    valid_from = datetime.strptime(credential["validFrom"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return {**credential, "iss": credential["issuer"]["id"], "jti": credential["id"],
            "nbf": int(valid_from.timestamp()), "sub": credential["credentialSubject"]["id"]}


class ClaimsMismatch(ValueError):
    """A JWT payload whose claims contradict the credential it carries."""


def credential_from_claims(claims: Mapping[str, Any]) -> dict[str, Any]:
    """The credential a verified JWT payload carries (a `vc` claim, as VC data model 1.1 put it, or
    the payload itself), after the checks the specification makes: iss, jti, sub and nbf must agree
    with the credential (ClaimsMismatch names the first that does not)."""
    vc = claims.get("vc")
    credential = dict(vc) if isinstance(vc, Mapping) else {k: v for k, v in claims.items() if k not in JWT_ONLY_CLAIMS}
    try:
        issuer = credential["issuer"]
        issuer_id = issuer["id"] if isinstance(issuer, Mapping) else issuer
        subject_id = credential["credentialSubject"].get("id")
        valid_from = datetime.strptime(credential.get("validFrom") or credential["issuanceDate"], "%Y-%m-%dT%H:%M:%SZ")
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise ClaimsMismatch(f"the credential inside is incomplete ({exc})") from None
    checks = (("iss", issuer_id), ("jti", credential.get("id")), ("sub", subject_id),
              ("nbf", int(valid_from.replace(tzinfo=UTC).timestamp())))
    for claim, expected in checks:
        if claims.get(claim) != expected:
            raise ClaimsMismatch(f"its {claim} claim does not match the credential")
    return credential


def canonical(document: Mapping[str, Any]) -> str:
    """One text per JSON document (sorted keys, no spaces), to compare a pasted credential with ours."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def revocation_list(list_id: str, issuer_id: str, revoked: Mapping[str, str]) -> dict[str, Any]:
    """The 1EdTech Revocation List at `list_id`: each revoked credential's id with the reason."""
    return {"id": list_id, "issuer": issuer_id,
            "revokedCredentials": [{"id": cid, "revoked": True, "revocationReason": reason}
                                   for cid, reason in revoked.items()]}
