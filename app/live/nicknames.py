"""Guests' nicknames (docs/LIVE.md, "Guests"): what a guest may call themselves. Pure.

A nickname is shown to the presenter, on the leaderboard and in the poll export, so it is held to
the rules of names (app/text.py) and must not pass for someone else: it needs a letter or a digit
(nothing made of spaces, dots or invisible characters), may not claim a role of the room ("Instructor",
"Admin") or the "(guest)" mark, and may not be a member's name (checked against the cohort by the
service). Unique within the session, whatever the case: `nickname_key` is what the database compares.
"""
from __future__ import annotations

import hashlib
import unicodedata

from app.errors import InputRejected
from app.text import check_text

MAX_NICKNAME = 40
GUEST_MARK = "(guest)"
RESERVED = frozenset({
    "admin", "administrator", "instructor", "teacher", "trainer", "presenter", "host", "moderator", "staff",
    "lectern", "system", "guest", "everyone", "anonymous", "support",
})
# zero-width and other format characters make two names that look the same differ (and a name look empty)
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Mn", "Me", "Zl", "Zp"})


def fold(text: str) -> str:
    """A nickname as compared: compatibility-normalised, case-folded, spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def check_nickname(raw: str) -> str:
    """The nickname to keep (spaces tidied), or InputRejected (field "nickname") saying why not."""
    check_text(raw or "", "nickname", "The nickname")       # before tidying: a line break is refused, not folded
    nickname = " ".join((raw or "").split())
    if not nickname:
        raise InputRejected("Choose a nickname to show in the room.", "nickname")
    if len(nickname) > MAX_NICKNAME:
        raise InputRejected(f"Keep the nickname to {MAX_NICKNAME} characters.", "nickname")
    if any(unicodedata.category(c) in _INVISIBLE_CATEGORIES and not _joins_letters(nickname, i)
           for i, c in enumerate(nickname)):
        raise InputRejected("The nickname contains an invisible character. Retype it with letters and digits.",
                            "nickname")
    if not any(unicodedata.category(c)[0] in "LN" for c in nickname):
        raise InputRejected("A nickname needs at least one letter or digit.", "nickname")
    folded = fold(nickname)
    bare = "".join(c for c in folded if unicodedata.category(c)[0] in "LN")
    if GUEST_MARK in folded or bare in RESERVED:
        raise InputRejected("That nickname could be taken for the staff or the room's own labels. Choose another.",
                            "nickname")
    return nickname


def _joins_letters(text: str, i: int) -> bool:
    """A combining mark after a letter (an accent typed as two characters) is a letter's part, not a trick."""
    return unicodedata.category(text[i]) in ("Mn", "Me") and i > 0 and unicodedata.category(text[i - 1])[0] == "L"


def impersonates(nickname: str, names: list[str]) -> bool:
    """True if the nickname is, compared as nicknames are, one of these people's names."""
    mine = fold(nickname)
    return any(fold(name) == mine for name in names)


def nickname_key(session_id: int, nickname: str) -> str:
    """The guest's placeholder address: unique per session and folded nickname (users.email is
    unique, so the database keeps nicknames unique within a session), in the reserved .invalid
    domain (RFC 2606): it can never receive mail, and email_validator refuses it at sign-in forms."""
    digest = hashlib.sha256(fold(nickname).encode()).hexdigest()[:24]
    return f"guest-{session_id}-{digest}@guest.invalid"
