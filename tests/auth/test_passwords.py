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


# --- finding 2 (issue 15): at most PASSWORD_HASH_CONCURRENCY Argon2 computations per process ---

def test_finding_2_hash_gate_lets_only_its_limit_run_at_once():
    import threading
    import time

    gate = passwords.HashGate(2, 5.0)
    running, most, lock = 0, 0, threading.Lock()

    def work():
        nonlocal running, most
        with gate.turn():
            with lock:
                running += 1
                most = max(most, running)
            time.sleep(0.02)
            with lock:
                running -= 1

    threads = [threading.Thread(target=work) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 2 and running == 0


def test_finding_2_hash_gate_refuses_after_its_wait_and_frees_its_slot():
    import threading
    import time

    gate = passwords.HashGate(1, 0.05)
    holding, release = threading.Event(), threading.Event()

    def hold():
        with gate.turn():
            holding.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait(5)
    started = time.monotonic()
    with pytest.raises(passwords.HashingBusy) as info, gate.turn():
        pass
    assert 0.04 <= time.monotonic() - started < 1.0          # waited its short while, then gave up
    assert info.value.retry_after == 2 and "busy" in str(info.value)
    release.set()
    holder.join()
    with gate.turn():                                         # the slot came back
        pass
    with gate.turn():                                         # a refused turn did not leak one either
        pass


def test_finding_2_every_argon2_hash_and_check_goes_through_the_gate(monkeypatch):
    hashed = passwords.hash_password("lantern orchard velvet")
    gate = passwords.HashGate(1, 0.0)
    monkeypatch.setattr(passwords, "_gate", gate)
    with gate.turn():
        with pytest.raises(passwords.HashingBusy):
            passwords.hash_password("lantern orchard velvet")
        with pytest.raises(passwords.HashingBusy):
            passwords.verify_password(hashed, "lantern orchard velvet")
        with pytest.raises(passwords.HashingBusy):
            passwords.verify_password(None, "no account: the dummy check is gated too")
    assert passwords.verify_password(hashed, "lantern orchard velvet")


def test_finding_2_configure_gate_sets_the_limit():
    before = passwords._gate
    try:
        passwords.configure_gate(3, 0.5)
        assert (passwords._gate.limit, passwords._gate.wait) == (3, 0.5)
        same = passwords._gate
        passwords.configure_gate(3, 0.5)
        assert passwords._gate is same                        # another app with the same settings keeps it
        with pytest.raises(ValueError):
            passwords.HashGate(0, 1.0)
    finally:
        passwords._gate = before


def test_the_timing_equaliser_has_the_hashers_own_cost_and_matches_nothing():
    from argon2 import PasswordHasher

    assert not PasswordHasher().check_needs_rehash(passwords._DUMMY_HASH)   # same work as a real check
    assert passwords.verify_password(None, "lectern-timing-equaliser") is False
