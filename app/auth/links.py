"""Signed, expiring, single-use links (password reset and invitation). Pure apart from the clock."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _serializer(secret_key: str, purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=f"lectern-{purpose}")


def sign(secret_key: str, purpose: str, secret: str) -> str:
    return _serializer(secret_key, purpose).dumps(secret)


def unsign(secret_key: str, purpose: str, token: str, max_age: int) -> str | None:
    """The secret inside a token, or None when it is forged, for another purpose or too old."""
    try:
        value = _serializer(secret_key, purpose).loads(token, max_age=max_age)
    except (SignatureExpired, BadSignature):
        return None
    return value if isinstance(value, str) else None


def link_mail(name: str, url: str, expires_at: datetime, purpose: str) -> tuple[str, str]:
    """(subject, body) of the mail that carries a reset or invitation link."""
    subject = "Your Lectern invitation" if purpose == "invite" else "Reset your Lectern password"
    body = (f"Hello {name},\n\nOpen this link to set your password (it works once, until "
            f"{expires_at:%Y-%m-%d %H:%M} UTC):\n\n{url}\n")
    return subject, body
