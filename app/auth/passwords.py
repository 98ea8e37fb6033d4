"""Password rules and hashing (Argon2id). Pure: no Flask, no database."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 10
MAX_LENGTH = 256  # generous; anything a password manager produces fits

_hasher = PasswordHasher()  # argon2-cffi defaults: Argon2id, RFC 9106 low-memory profile
_DUMMY_HASH = _hasher.hash("lectern-timing-equaliser")


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
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when the password matches. Takes about as long when there is no hash at all."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
