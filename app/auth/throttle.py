"""Sign-in throttling: limits a room on one Wi-Fi passes and a password guesser does not.

Only *failures* count (a wrong password, an unknown email, a wrong enrolment code), so sixty people
signing in correctly from one venue address all get in. Three counters slow guessing (ASVS 5.0
V6.3; django-axes' "username and address" mode):

- per address (`LOGIN_ADDRESS_LIMIT`): one client cannot guess across many accounts;
- per account and address (`LOGIN_ACCOUNT_ADDRESS_LIMIT`): the tight one; it slows a guesser at
  one account without touching the owner, who signs in from another address;
- per account (`LOGIN_ACCOUNT_LIMIT`): a ceiling on guesses spread over many addresses.

A browser that has signed in to an account before carries a signed *known-device* cookie for it
(OWASP's "device cookies"); its sign-ins to that account skip the per-address and per-account
counters, so neither a guesser on the same network nor a distributed attack locks the owner out.
Only the account-and-address counter applies to it.

The counters live in Flask-Limiter's storage (memory, or Redis with REDIS_URL, so every worker
and host counts together). Limits are settings (docs/DEPLOY.md lists the defaults).
"""
from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from flask import Flask, Response, current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import RateLimitItem, parse_many
from werkzeug.wrappers import Response as BaseResponse

DEVICE_COOKIE = "lectern_device"
DEVICE_MAX_AGE = 60 * 60 * 24 * 365


@dataclass(frozen=True)
class Counter:
    """One thing counted: a named setting's limits over one key."""

    setting: str
    key: str


def _account(email: str) -> str:
    # hashed, so addresses are not stored in clear in the limiter's storage
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


def sign_in_counters(email: str, address: str, *, known_device: bool) -> tuple[Counter, ...]:
    """The counters a sign-in for `email` from `address` is checked against and adds to on failure."""
    account = _account(email)
    pair = Counter("LOGIN_ACCOUNT_ADDRESS_LIMIT", f"signin:pair:{account}:{address}")
    if known_device:
        return (pair,)
    return (Counter("LOGIN_ADDRESS_LIMIT", f"signin:addr:{address}"), pair,
            Counter("LOGIN_ACCOUNT_LIMIT", f"signin:acct:{account}"))


def password_change_counters(user_id: int, address: str) -> tuple[Counter, ...]:
    """The counters a wrong current password at /account/password adds to: per person (a stolen
    session cookie guessing its owner's password) and per address (one client across accounts)."""
    return (Counter("PASSWORD_CHANGE_ACCOUNT_LIMIT", f"pwchange:user:{user_id}"),
            Counter("PASSWORD_CHANGE_ADDRESS_LIMIT", f"pwchange:addr:{address}"))


def _items(setting: str) -> Sequence[RateLimitItem]:
    return parse_many(str(current_app.config[setting]))


def _key(counter: Counter) -> str:
    # RATELIMIT_KEY_PREFIX separates instances that share one Redis, as for Flask-Limiter's own keys
    return f"{current_app.config.get('RATELIMIT_KEY_PREFIX') or 'lectern'}:{counter.key}"


def _enabled() -> bool:
    return bool(current_app.config.get("RATELIMIT_ENABLED", True))


def retry_after(counters: Sequence[Counter]) -> int | None:
    """Seconds until every counter allows one more failure, or None when none is exhausted."""
    if not _enabled():
        return None
    from app.extensions import limiter

    wait = 0.0
    for counter in counters:
        for item in _items(counter.setting):
            if not limiter.limiter.test(item, _key(counter)):
                reset_at = limiter.limiter.get_window_stats(item, _key(counter)).reset_time
                wait = max(wait, reset_at - time.time(), 1.0)
    return math.ceil(wait) if wait else None


def record_failure(counters: Sequence[Counter]) -> None:
    if not _enabled():
        return
    from app.extensions import limiter

    for counter in counters:
        for item in _items(counter.setting):
            limiter.limiter.hit(item, _key(counter))


def client_address() -> str:
    """The client's address as seen through the trusted proxies only (ProxyFix): a forged
    X-Forwarded-For from the client itself is never read."""
    return request.remote_addr or "unknown"


# --- known devices ------------------------------------------------------------------------------

def _serializer(app: Flask) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="lectern.known-device")


def is_known_device(email: str) -> bool:
    """Whether this browser has signed in to the account for `email` before."""
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return False
    try:
        accounts = _serializer(current_app).loads(raw, max_age=DEVICE_MAX_AGE)
    except BadSignature:
        return False
    return isinstance(accounts, list) and _account(email) in accounts


def remember_device(response: BaseResponse, email: str) -> BaseResponse:
    """Mark this browser as known for the account (kept with up to five accounts per browser)."""
    accounts: list[str] = []
    raw = request.cookies.get(DEVICE_COOKIE)
    if raw:
        try:
            loaded = _serializer(current_app).loads(raw, max_age=DEVICE_MAX_AGE)
            accounts = [a for a in loaded if isinstance(a, str)] if isinstance(loaded, list) else []
        except BadSignature:
            accounts = []
    account = _account(email)
    accounts = ([a for a in accounts if a != account] + [account])[-5:]
    response.set_cookie(DEVICE_COOKIE, _serializer(current_app).dumps(accounts), max_age=DEVICE_MAX_AGE,
                        httponly=True, samesite="Lax", secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response


# --- failures-only limits on other forms (Flask-Limiter decorators) ------------------------------

def setting(name: str):
    """A limit read from the configuration when the request comes (for @limiter.limit)."""
    return lambda: str(current_app.config[name])


def note_failure() -> None:
    """Mark this request as a failure worth counting (a wrong enrolment code, say)."""
    g.throttle_failure = True


def noted_failure(response: Response) -> bool:
    """deduct_when=: count the request only if the view marked it as a failure."""
    return bool(g.get("throttle_failure"))


def succeeded(response: Response) -> bool:
    """deduct_when=: count the request only if it did what it was for (it redirects onwards)."""
    return response.status_code in (302, 303)
