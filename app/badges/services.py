"""Open Badges 3.0 for certificates: the credential of a certificate (signed once, kept), the public
documents a verifier fetches (issuer Profile, Achievement, keys, revocation list), and the check of a
credential someone brings to the verification page."""
from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from app.auth.models import Role, User
from app.badges import artwork, baking, keys
from app.badges.credential import (
    Achievement,
    Award,
    ClaimsMismatch,
    Issuer,
    achievement_document,
    build_credential,
    canonical,
    credential_from_claims,
    criteria_narrative,
    jwt_claims,
    profile,
    revocation_list,
)
from app.badges.models import OpenBadge
from app.certificates import services as certificates
from app.certificates.codes import format_code
from app.certificates.models import Certificate
from app.content.catalog import Catalog, catalog
from app.db import write_transaction
from app.errors import NotFound
from app.extensions import db
from app.progress import services as progress
from app.web import public_url

KEYS = "lectern.openbadges.keys"


# --- addresses: every id in a credential is a URL this Lectern serves --------------------------

def issuer_url() -> str:
    return public_url("/badges/issuer")


def achievement_url(course_code: str) -> str:
    return public_url(f"/badges/achievements/{course_code}")


def image_url(course_code: str) -> str:
    return public_url(f"/badges/achievements/{course_code}.png")


def credential_url(code: str) -> str:
    return public_url(f"/badges/credentials/{format_code(code)}")


def revocations_url() -> str:
    return public_url("/badges/revocations")


def key_url(thumbprint: str) -> str:
    return public_url(f"/badges/keys/{thumbprint}")


# --- keys -------------------------------------------------------------------------------------

def key_folder() -> Path:
    return Path(current_app.config["LECTERN_OB_KEY_DIR"] or Path(current_app.instance_path) / "openbadges")


def signing_keys() -> keys.SigningKeys:
    """The signing key and the published public keys, loaded (or made) once per process."""
    loaded = current_app.extensions.get(KEYS)
    if loaded is None:
        loaded = keys.load(key_folder(), current_app.config["LECTERN_OB_SIGNING_KEY"])
        current_app.extensions[KEYS] = loaded
    return loaded


def jwks() -> dict[str, Any]:
    return {"keys": [keys.public_jwk(k, key_url(k.thumbprint())) for k in signing_keys().published]}


def jwk(thumbprint: str) -> dict[str, Any]:
    key = signing_keys().find(thumbprint)
    if key is None:
        raise NotFound("There is no such key.")
    return keys.public_jwk(key, key_url(thumbprint))


# --- the public documents ---------------------------------------------------------------------

def issuer(name: str | None = None) -> Issuer:
    return Issuer(id=issuer_url(), name=name or current_app.config["LECTERN_ISSUER_ORG"], url=public_url("/"))


def achievement(cat: Catalog, title: str | None = None) -> Achievement:
    course = cat.course
    narrative = criteria_narrative(course.title, course.hours, progress.outline_of(cat), course.completion.live_attendance_minutes)
    return Achievement(id=achievement_url(course.code), name=title or course.title, description=course.description,
                       narrative=narrative, image=image_url(course.code), human_code=course.code)


def profile_document() -> dict[str, Any]:
    return profile(issuer())


def achievement_json(course_code: str) -> dict[str, Any]:
    cat = catalog()
    if course_code != cat.course.code:
        raise NotFound("There is no such achievement.")
    return achievement_document(achievement(cat), issuer())


def badge_image(course_code: str) -> bytes:
    course = catalog().course
    if course_code != course.code:
        raise NotFound("There is no such badge.")
    return artwork.badge_png(course.code, course.title, current_app.config["LECTERN_ISSUER_ORG"], course.hours,
                             len(course.days))


def revocations() -> dict[str, Any]:
    """The 1EdTech Revocation List: every revoked certificate's credential, and every superseded one
    (a reissue replaced it: as on the PDF's verification page, it no longer certifies anything)."""
    rows = db.session.execute(sa.select(Certificate.code, Certificate.revoked_at).where(
        sa.or_(Certificate.revoked_at.is_not(None), Certificate.superseded_at.is_not(None)))
        .order_by(Certificate.id))
    listed = {credential_url(code): ("Revoked by the issuer" if revoked_at else "Superseded by a reissued credential")
              for code, revoked_at in rows}
    return revocation_list(revocations_url(), issuer_url(), listed)


# --- a holder's credential --------------------------------------------------------------------

def _existing(certificate_id: int) -> OpenBadge | None:
    return db.session.scalar(sa.select(OpenBadge).where(OpenBadge.certificate_id == certificate_id))


def badge_for(certificate: Certificate, *, now: datetime) -> OpenBadge:
    """The certificate's credential: the one made before, or made and signed now (validFrom is the
    certificate's issue time; the holder is identified by their e-mail address hashed with a new salt)."""
    found = _existing(certificate.id)
    if found is not None:
        return found
    holder = db.session.get_one(User, certificate.user_id)
    award = Award(credential_id=credential_url(certificate.code), subject_id=f"urn:uuid:{uuid.uuid4()}",
                  holder_name=certificate.holder_name, email=holder.email, salt=secrets.token_hex(16),
                  valid_from=certificate.issued_at, status_url=revocations_url())
    document = build_credential(award, achievement(catalog(), certificate.course_title), issuer(certificate.issuer_org))
    signing = signing_keys()
    kid = key_url(signing.current.thumbprint())
    token = keys.sign(jwt_claims(document), signing.current, kid)
    try:
        with write_transaction(db.session):
            badge = OpenBadge(certificate_id=certificate.id, credential_id=award.credential_id,
                              subject_id=award.subject_id, salt=award.salt, credential=json.dumps(document),
                              jwt=token, kid=kid, created_at=now)
            db.session.add(badge)
    except IntegrityError:      # made by a request running at the same time: theirs stands
        found = _existing(certificate.id)
        assert found is not None
        return found
    return badge


def holder_badge(code: str, viewer: User, *, now: datetime) -> tuple[Certificate, OpenBadge]:
    """A certificate's credential for its holder or an administrator (NotFound for anyone else, as for
    the PDF). A revoked or superseded certificate keeps the credential it had and gets no new one."""
    certificate = certificates.by_code(code)
    if certificate is None or not (certificate.user_id == viewer.id or viewer.has_role(Role.ADMIN)):
        raise NotFound("There is no such credential.")
    if certificate.status != "valid":
        found = _existing(certificate.id)
        if found is None:
            raise NotFound("This certificate is no longer valid, so it has no Open Badge.")
        return certificate, found
    return certificate, badge_for(certificate, now=now)


def baked_png(certificate: Certificate, badge: OpenBadge) -> bytes:
    """The badge image with the signed credential (its compact JWS) baked in."""
    cat = catalog()
    art = artwork.badge_png(certificate.course_code, certificate.course_title, certificate.issuer_org,
                            certificate.hours, len(cat.course.days))
    return baking.bake(art, badge.jwt)


def credential_of(badge: OpenBadge) -> dict[str, Any]:
    return dict(json.loads(badge.credential))


def file_stem(certificate: Certificate) -> str:
    return f"open-badge-{certificate.display_code}"


# --- checking a credential someone brings -----------------------------------------------------

FORMS = {"png": "baked badge image", "jwt": "signed credential (VC-JWT)", "json": "credential JSON"}


@dataclass(frozen=True)
class Verdict:
    form: str                                    # what was checked: a key of FORMS
    problem: str | None = None                   # why it is not a credential we issued, else None
    credential: dict[str, Any] = field(default_factory=dict)
    certificate: Certificate | None = None
    successor: Certificate | None = None

    @property
    def form_label(self) -> str:
        return FORMS[self.form]

    @property
    def status(self) -> str:
        """valid, revoked, superseded, or refused (the problem says why)."""
        if self.problem is not None:
            return "refused"
        assert self.certificate is not None
        return self.certificate.status

    @property
    def subject(self) -> dict[str, Any]:
        return dict(self.credential.get("credentialSubject") or {})

    @property
    def holder_name(self) -> str:
        names = [i.get("identityHash") for i in self.subject.get("identifier") or ()
                 if isinstance(i, dict) and i.get("identityType") == "name" and not i.get("hashed")]
        return str(names[0]) if names else ""

    @property
    def achievement(self) -> dict[str, Any]:
        return dict(self.subject.get("achievement") or {})


def check(data: bytes) -> Verdict:
    """What an uploaded or pasted credential is: a baked PNG, a compact JWS or the credential's JSON.
    A JWS must be signed with one of our published keys and its claims must match the credential;
    a JSON credential must be exactly the one we issued. Then its certificate's status decides."""
    form = "jwt"
    if data.startswith(baking.SIGNATURE):
        form = "png"
        try:
            text = baking.extract(data)
        except baking.NotAPng as exc:
            return Verdict(form, f"The image is damaged ({exc}).")
        if text is None:
            return Verdict(form, "This image carries no Open Badge: it has no openbadgecredential chunk.")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return Verdict(form, "This is neither a badge image (PNG), a signed credential (JWT) nor a credential's JSON.")
    text = text.strip()
    if text.startswith("{"):
        return _check_json("json" if form != "png" else form, text)
    return _check_jwt(form, text)


def _check_jwt(form: str, token: str) -> Verdict:
    try:
        header = keys.header_of(token)
    except keys.BadSignature:
        return Verdict(form, "This is neither a signed credential (JWT) nor a credential's JSON.")
    kid = header.get("kid")
    prefix = key_url("")
    key = signing_keys().find(kid[len(prefix):]) if isinstance(kid, str) and kid.startswith(prefix) else None
    if key is None:
        return Verdict(form, "It was not signed with any key we publish, so we did not issue it.")
    if header.get("alg") != keys.alg_of(key):
        return Verdict(form, "Its signature algorithm is not the one of our key: it was not signed by us.")
    try:
        claims = keys.verify(token, key)
    except keys.BadSignature:
        return Verdict(form, "Its signature does not verify with our key: the credential was altered after we signed it.")
    try:
        credential = credential_from_claims(claims)
    except ClaimsMismatch as exc:
        return Verdict(form, f"It is not a valid credential: {exc}.")
    if claims.get("iss") != issuer_url():
        return Verdict(form, "It names another issuer than us.")
    return _status(form, credential)


def _check_json(form: str, text: str) -> Verdict:
    try:
        document = json.loads(text)
    except ValueError:
        return Verdict(form, "This is not valid JSON.")
    if not isinstance(document, dict) or not isinstance(document.get("id"), str):
        return Verdict(form, "This JSON is not an Open Badge credential (it has no id).")
    badge = db.session.scalar(sa.select(OpenBadge).where(OpenBadge.credential_id == document["id"]))
    if badge is None:
        return Verdict(form, "We issued no credential with this id.")
    plain = {k: v for k, v in document.items() if k not in ("iss", "jti", "nbf", "sub", "exp", "iat")}
    if canonical(plain) != canonical(credential_of(badge)):
        return Verdict(form, "It does not match the credential we issued with this id: it was altered.")
    return _status(form, plain)


def _status(form: str, credential: dict[str, Any]) -> Verdict:
    prefix = public_url("/badges/credentials/")
    cid = str(credential.get("id") or "")
    certificate = certificates.by_code(cid[len(prefix):]) if cid.startswith(prefix) else None
    if certificate is None:
        return Verdict(form, "It carries our signature, but we have no record of its certificate.", credential)
    return Verdict(form, None, credential, certificate, certificates.successor_of(certificate))
