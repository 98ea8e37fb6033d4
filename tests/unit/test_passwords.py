import pytest

from app.auth import passwords


@pytest.mark.parametrize("candidate", ["", "short", "123456789"])
def test_short_passwords_are_refused(candidate):
    assert "Use at least 10 characters." in passwords.password_problems(candidate)


@pytest.mark.parametrize("candidate", ["1234567890", "qwertyuiop", "Password123", "aaaaaaaaaaaa"])
def test_common_and_trivial_passwords_are_refused(candidate):
    problems = passwords.password_problems(candidate)
    assert any("too common" in p for p in problems), problems


def test_long_passwords_up_to_256_characters_are_accepted():
    assert passwords.password_problems("x7-" * 85) == []  # 255 characters
    assert passwords.password_problems("y" * 257)


def test_email_and_name_are_refused_as_passwords():
    problems = passwords.password_problems("maria.lopez", email="maria.lopez@example.org")
    assert any("email address or name" in p for p in problems)
    assert passwords.password_problems("Jane Doe-Smith", name="jane doe-smith")


def test_good_password_passes():
    assert passwords.password_problems("lantern orchard velvet") == []


def test_hash_is_argon2id_and_verifies():
    hashed = passwords.hash_password("lantern orchard velvet")
    assert hashed.startswith("$argon2id$")
    assert passwords.verify_password(hashed, "lantern orchard velvet")
    assert not passwords.verify_password(hashed, "lantern orchard velvet!")
    assert not passwords.verify_password(None, "anything at all")
    assert not passwords.verify_password("not-a-hash", "anything at all")
