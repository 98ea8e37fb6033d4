import time

from app.auth import links


def test_signed_secret_round_trips_for_its_purpose_only():
    token = links.sign("key", "reset", "s3cret")
    assert links.unsign("key", "reset", token, max_age=60) == "s3cret"
    assert links.unsign("key", "invite", token, max_age=60) is None
    assert links.unsign("other-key", "reset", token, max_age=60) is None
    assert links.unsign("key", "reset", token + "x", max_age=60) is None


def test_expired_token_is_refused():
    token = links.sign("key", "reset", "s3cret")
    time.sleep(1.1)
    assert links.unsign("key", "reset", token, max_age=0) is None


def test_secrets_are_random_and_stored_only_as_hashes():
    a, b = links.new_secret(), links.new_secret()
    assert a != b and len(a) >= 40
    assert links.secret_hash(a) != a and len(links.secret_hash(a)) == 64
