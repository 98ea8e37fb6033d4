"""Certificate codes: 80 random bits in Crockford base32, grouped, with a check character. Pure."""
from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"       # Crockford: no I, L, O, U
CHECK_ALPHABET = ALPHABET + "*~$=U"                # the five extra check symbols
ALIASES = {"O": "0", "I": "1", "L": "1"}


def _check_symbol(digits: str) -> str:
    value = 0
    for ch in digits:
        value = value * 32 + ALPHABET.index(ch)
    return CHECK_ALPHABET[value % 37]


def new_code() -> str:
    """16 symbols (80 bits from secrets) and a check symbol: XXXX-XXXX-XXXX-XXXX-C.

    New codes are drawn until their check symbol is a letter or digit: Crockford's five extra
    check symbols (*~$=U) look like a printing glitch on paper and are awkward in a URL. This
    costs 0.2 bits of the 80; codes issued earlier with them stay valid (normalise accepts them)."""
    while True:
        digits = "".join(secrets.choice(ALPHABET) for _ in range(16))
        check = _check_symbol(digits)
        if check in ALPHABET:
            return format_code(digits + check)


def format_code(raw: str) -> str:
    body, check = raw[:16], raw[16:]
    return "-".join(body[i:i + 4] for i in range(0, 16, 4)) + (f"-{check}" if check else "")


def normalise(text: str) -> str | None:
    """The canonical 17-symbol form of a typed code (any case, dashes, spaces, O/I/L for 0/1),
    or None if it cannot be a valid code (wrong length or check symbol)."""
    cleaned = "".join(ALIASES.get(ch, ch) for ch in text.upper() if ch not in " -_.\t")
    if len(cleaned) != 17:
        return None
    digits, check = cleaned[:16], cleaned[16]
    if any(ch not in ALPHABET for ch in digits) or check not in CHECK_ALPHABET:
        return None
    return cleaned if _check_symbol(digits) == check else None
