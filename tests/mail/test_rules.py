"""The outbox's pure rules: backoff, giving up, stale claims, dedup keys, unsubscribe headers."""
from datetime import UTC, datetime, timedelta

import pytest

from app.outbox import kinds, rules

NOW = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(("attempts", "minutes"), [(0, 0), (1, 1), (2, 2), (3, 4), (4, 8), (8, 128), (9, 256),
                                                   (10, 360), (50, 360)])
def test_backoff_doubles_from_a_minute_up_to_six_hours(attempts, minutes):
    assert rules.retry_delay(attempts) == timedelta(minutes=minutes)


def test_backoff_base_and_cap_can_be_chosen():
    assert rules.retry_delay(3, base=timedelta(seconds=10), cap=timedelta(seconds=30)) == timedelta(seconds=30)


def test_a_failed_attempt_is_queued_again_after_the_backoff_until_the_last_one():
    assert rules.after_failure(1, NOW, max_attempts=3) == ("queued", NOW + timedelta(minutes=1))
    assert rules.after_failure(2, NOW, max_attempts=3) == ("queued", NOW + timedelta(minutes=2))
    assert rules.after_failure(3, NOW, max_attempts=3) == ("failed", NOW)


def test_a_claim_is_stale_only_after_the_timeout():
    assert not rules.claim_is_stale(NOW - timedelta(minutes=9), NOW)
    assert rules.claim_is_stale(NOW - timedelta(minutes=11), NOW)
    assert rules.claim_is_stale(None, NOW)


def test_dedup_key_names_kind_entity_and_scope():
    assert rules.dedup_key("invitation", "auth-link", 42) == "invitation:auth-link:42"
    assert rules.dedup_key("invitation", "user", 7, "import", 3) == "invitation:user:7:import:3"
    # the same cause gives the same key; different causes never share one
    assert rules.dedup_key("invitation", "user", 7, "import", 3) == rules.dedup_key("invitation", "user", "7", "import", "3")
    assert rules.dedup_key("invitation", "user", "7:import") != rules.dedup_key("invitation", "user", 7, "import")
    assert rules.dedup_key("invitation", "user", 7) != rules.dedup_key("password-reset", "user", 7)


@pytest.mark.parametrize("bad", [("", "user", 1), ("invitation", "", 1), ("invitation", "user", "")])
def test_dedup_key_refuses_missing_parts(bad):
    with pytest.raises(ValueError):
        rules.dedup_key(*bad)


def test_required_kinds_never_carry_unsubscribe_headers_and_opt_out_kinds_do():
    for name in ("invitation", "password-reset", "certificate-issued"):
        assert not kinds.kind(name).opt_out
        assert kinds.list_headers(kinds.kind(name), "https://x/unsubscribe/t") == {}
    reminder = kinds.MessageKind("reminder", "Reminder", "reminder.jinja", opt_out=True)
    assert kinds.list_headers(reminder, "https://x/unsubscribe/t") == {
        "List-Unsubscribe": "<https://x/unsubscribe/t>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"}
    assert kinds.list_headers(reminder, None) == {}


def test_mail_settings_are_read_and_checked():
    from app import create_app
    from app.config import ConfigError, from_environment

    settings = from_environment({"MAIL_MAX_ATTEMPTS": "5", "MAIL_TIMEOUT": "20"}, "/tmp")
    assert (settings["MAIL_MAX_ATTEMPTS"], settings["MAIL_TIMEOUT"]) == (5, 20)
    with pytest.raises(ConfigError, match="MAIL_MAX_ATTEMPTS"):
        from_environment({"MAIL_MAX_ATTEMPTS": "many"}, "/tmp")
    with pytest.raises(ConfigError, match="MAIL_MAX_ATTEMPTS"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "MAIL_MAX_ATTEMPTS": 0})
