"""Which counters a sign-in is checked against (app/auth/throttle.py)."""
from app.auth.throttle import sign_in_counters


def test_an_unknown_browser_is_counted_per_address_per_account_and_address_and_per_account():
    counters = sign_in_counters("Ana@Example.org ", "203.0.113.7", known_device=False)
    assert [c.setting for c in counters] == ["LOGIN_ADDRESS_LIMIT", "LOGIN_ACCOUNT_ADDRESS_LIMIT", "LOGIN_ACCOUNT_LIMIT"]
    assert counters == sign_in_counters("ana@example.org", "203.0.113.7", known_device=False)  # one account
    assert all("ana@example.org" not in c.key for c in counters)                            # stored hashed


def test_a_known_device_is_counted_only_per_account_and_address():
    counters = sign_in_counters("ana@example.org", "203.0.113.7", known_device=True)
    assert [c.setting for c in counters] == ["LOGIN_ACCOUNT_ADDRESS_LIMIT"]


def test_accounts_and_addresses_do_not_share_counters():
    a = sign_in_counters("ana@example.org", "203.0.113.7", known_device=False)
    b = sign_in_counters("ben@example.org", "203.0.113.7", known_device=False)
    c = sign_in_counters("ana@example.org", "203.0.113.8", known_device=False)
    assert a[0] == b[0] and a[1] != b[1] and a[2] != b[2]        # same address, other account
    assert a[0] != c[0] and a[1] != c[1] and a[2] == c[2]        # same account, other address


def test_finding_2_wrong_current_passwords_count_per_person_and_per_address():
    from app.auth.throttle import password_change_counters

    a = password_change_counters(7, "203.0.113.7")
    b = password_change_counters(8, "203.0.113.7")
    c = password_change_counters(7, "198.51.100.4")
    assert [x.setting for x in a] == ["PASSWORD_CHANGE_ACCOUNT_LIMIT", "PASSWORD_CHANGE_ADDRESS_LIMIT"]
    assert a[0] != b[0] and a[1] == b[1]      # other person, same address
    assert a[0] == c[0] and a[1] != c[1]      # same person, other address
