"""The signed token in an unsubscribe link: a person's id and one message kind, signed with the
app's secret key (itsdangerous, its own salt, no expiry: a link in an old mail must keep working,
RFC 8058). It can only ever stop one kind of optional message for one person. Pure."""
from __future__ import annotations

from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeSerializer

SALT = "lectern.mail.unsubscribe"


@dataclass(frozen=True)
class Unsubscribe:
    user_id: int
    kind: str


def sign(secret_key: str, user_id: int, kind: str) -> str:
    return str(URLSafeSerializer(secret_key, salt=SALT).dumps([user_id, kind]))


def read(secret_key: str, token: str) -> Unsubscribe | None:
    """The person and kind a token names, or None when it was not signed by us (or is malformed)."""
    try:
        value = URLSafeSerializer(secret_key, salt=SALT).loads(token)
    except BadSignature:
        return None
    if (not isinstance(value, list) or len(value) != 2 or not isinstance(value[0], int)
            or isinstance(value[0], bool) or not isinstance(value[1], str)):
        return None
    return Unsubscribe(value[0], value[1])
