"""Password rules and hashing (Argon2id). Pure: no Flask, no database.

Every Argon2 hash or check goes through one gate per process (`HashGate`): each takes 64 MiB and a
core for about a tenth of a second, so forty at once took a worker from 240 MB to 1.2 GB (issue 15,
finding 2). The gate lets `PASSWORD_HASH_CONCURRENCY` run at once; one that cannot start within
`PASSWORD_HASH_WAIT` seconds raises `HashingBusy` (the pages answer 503 with Retry-After).
"""
from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
MAX_LENGTH = 256  # generous; anything a password manager produces fits

_hasher = PasswordHasher()  # argon2-cffi defaults: Argon2id, RFC 9106 low-memory profile
# Verified against when an account has no password, so that it takes as long as a real check. Made
# once with the hasher's parameters and written here: hashing it at import cost 0.3 s of every start.
_DUMMY_HASH = "$argon2id$v=19$m=65536,t=3,p=4$IQWi+3bqdQcqCMSltQ8N4Q$YVpgqBu+fN56ExVwM8mOmpB/mZBQOUBzrnRwwY6o/Ec"
if _hasher.check_needs_rehash(_DUMMY_HASH):  # argon2-cffi's defaults changed: match them, at a cost
    _DUMMY_HASH = _hasher.hash("lectern-timing-equaliser")


class HashingBusy(Exception):
    """Too many password checks are running in this process; try again in `retry_after` seconds."""

    def __init__(self, retry_after: int):
        super().__init__("The server is busy checking other passwords. Try again in a few seconds.")
        self.retry_after = retry_after


class HashGate:
    """At most `limit` Argon2 computations at once; waits up to `wait` seconds for a turn."""

    def __init__(self, limit: int, wait: float):
        if limit < 1 or wait < 0:
            raise ValueError("a hash gate needs a limit of at least 1 and a wait of 0 seconds or more")
        self.limit, self.wait = limit, wait
        self._slots = threading.BoundedSemaphore(limit)

    @contextmanager
    def turn(self) -> Iterator[None]:
        if not self._slots.acquire(timeout=self.wait):
            raise HashingBusy(math.ceil(self.wait) + 1)  # a moment longer than a turn was waited for
        try:
            yield
        finally:
            self._slots.release()


_gate = HashGate(2, 1.0)


def configure_gate(limit: int, wait: float) -> None:
    """Set this process's gate (create_app does, from PASSWORD_HASH_CONCURRENCY and PASSWORD_HASH_WAIT)."""
    global _gate
    if (_gate.limit, _gate.wait) != (limit, wait):
        _gate = HashGate(limit, wait)  # computations holding the old gate finish and release it


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    path = Path(__file__).with_name("common-passwords.txt")
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problems(password: str, *, email: str = "", name: str = "") -> list[str]:
    """Every reason this password is refused; an empty list means it is acceptable."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    folded = password.strip().lower()
    if folded in common_passwords() or len(set(folded)) <= 2:
        problems.append("This password is too common or easy to guess; choose another.")
    personal = {email.lower(), email.split("@")[0].lower(), name.strip().lower()} - {""}
    if folded in personal:
        problems.append("Do not use your email address or name as your password.")
    return problems


def hash_password(password: str) -> str:
    """The Argon2id hash; raises HashingBusy when the process is at its limit."""
    with _gate.turn():
        return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches. Takes about as long when there is no hash at all.
    Raises HashingBusy when the process is at its limit."""
    with _gate.turn():
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
