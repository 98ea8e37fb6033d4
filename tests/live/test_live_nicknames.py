"""Guests' nickname rules (app/live/nicknames.py): pure."""
import pytest

from app.errors import InputRejected
from app.live import nicknames


@pytest.mark.parametrize("raw, kept", [
    ("Sam", "Sam"), ("  Sam   the  Visitor ", "Sam the Visitor"), ("7", "7"), ("Zoë", "Zoë"),
    ("Zoe\u0308", "Zoe\u0308"), ("محمد", "محمد"), ("李雷", "李雷"), ("x" * 40, "x" * 40), ("Ana (visitor)", "Ana (visitor)"),
])
def test_nicknames_kept(raw, kept):
    assert nicknames.check_nickname(raw) == kept


@pytest.mark.parametrize("raw, why", [
    ("", "Choose a nickname"), ("    ", "Choose a nickname"), ("\u3000\u00a0", "Choose a nickname"),
    ("x" * 41, "40 characters"), ("...", "letter or digit"), ("- _ -", "letter or digit"),
    ("\u200b\u200b", "invisible"), ("Sam\u200bmy", "invisible"), ("\u2060Sam", "invisible"),
    ("Sam\u202eevil", "text-direction"), ("Sam\nNewline", "line break"), ("Sam\x00", "NUL"),
    ("Instructor", "staff"), ("ADMIN", "staff"), ("T-E-A-C-H-E-R", "staff"), ("Presenter!", "staff"),
    ("Bob (guest)", "staff"), ("Bob (GUEST)", "staff"),
])
def test_nicknames_refused(raw, why):
    with pytest.raises(InputRejected) as refused:
        nicknames.check_nickname(raw)
    assert why in str(refused.value) and refused.value.field == "nickname"


def test_impersonation_compares_as_nicknames_do():
    assert nicknames.impersonates("ana  RUIZ", ["Ana Ruiz", "Ben"])
    assert nicknames.impersonates("Ａｎａ Ruiz", ["Ana Ruiz"])       # full-width letters fold (NFKC)
    assert not nicknames.impersonates("Ana R.", ["Ana Ruiz"])


def test_the_placeholder_address_is_unique_per_session_and_folded_nickname():
    a = nicknames.nickname_key(3, "Sam")
    assert a == nicknames.nickname_key(3, " sAM ") and a != nicknames.nickname_key(4, "Sam")
    assert a != nicknames.nickname_key(3, "Sam2")
    assert a == a.lower() and a.endswith("@guest.invalid") and len(a) < 254
