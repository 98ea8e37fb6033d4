"""A class on one venue Wi-Fi signs in; a guesser does not get far (app/auth/throttle.py, issue 13)."""
import pytest

from app.cohorts import services as cohorts
from app.db import utcnow


@pytest.fixture
def app_config(database_uri):
    # the shipped default limits, switched on (the test configuration switches them off)
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "RATELIMIT_ENABLED": True,
            "LECTERN_BASE_URL": "http://class.example:5000"}


def post_login(app, email, password, address, client=None, **headers):
    client = client or app.test_client()
    response = client.post("/login", data={"email": email, "password": password},
                           environ_base={"REMOTE_ADDR": address}, headers=headers)
    return client, response


def test_sixty_people_on_one_address_all_sign_in_within_a_minute(app, make_user, password):
    people = [make_user() for _ in range(60)]
    statuses = [post_login(app, p.email, password, "203.0.113.7")[1].status_code for p in people]
    assert statuses == [302] * 60


def test_a_few_typos_in_the_room_do_not_stop_the_others(app, make_user, password):
    people = [make_user() for _ in range(30)]
    for person in people[:8]:  # eight people mistype first
        assert post_login(app, person.email, "not-my-password", "203.0.113.7")[1].status_code == 422
    assert [post_login(app, p.email, password, "203.0.113.7")[1].status_code for p in people] == [302] * 30


def test_thirty_wrong_passwords_for_many_accounts_from_one_address_are_throttled(app, make_user, password):
    people = [make_user() for _ in range(30)]
    statuses = [post_login(app, p.email, "guess-123456", "198.51.100.9")[1].status_code for p in people]
    assert statuses[:20] == [422] * 20 and set(statuses[20:]) == {429}
    _, blocked = post_login(app, people[0].email, password, "198.51.100.9")
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    assert "Too many attempts to sign in from here" in blocked.get_data(as_text=True)
    # another address (another venue) is not affected
    assert post_login(app, people[0].email, password, "198.51.100.10")[1].status_code == 302


def test_guesses_spread_over_addresses_do_not_lock_the_owner_out(app, make_user, password):
    owner = make_user(roles=("admin",))
    attackers = [f"192.0.2.{n}" for n in range(1, 5)]
    statuses = {a: [post_login(app, owner.email, f"guess-{a}-{i}", a)[1].status_code for i in range(5)] for a in attackers}
    assert all(s == [422] * 5 for s in statuses.values())          # 20 wrong passwords in all
    # each attacking address is now slowed at this account, even with the right password
    for address in attackers:
        assert post_login(app, owner.email, f"more-{address}", address)[1].status_code == 429
        assert post_login(app, owner.email, password, address)[1].status_code == 429
    # the owner, from a new address, signs in
    assert post_login(app, owner.email, password, "203.0.113.50")[1].status_code == 302


def test_a_known_device_passes_the_account_ceiling(app, make_user, password):
    app.config["LOGIN_ACCOUNT_LIMIT"] = "8 per hour"
    owner = make_user()
    owner_client, first = post_login(app, owner.email, password, "203.0.113.50")
    assert first.status_code == 302 and "lectern_device=" in first.headers.get("Set-Cookie", "")
    owner_client.post("/logout")
    for n in range(8):  # a distributed guess: eight addresses, one try each
        assert post_login(app, owner.email, "guess-abcdefg", f"192.0.2.{n + 1}")[1].status_code == 422
    # a browser that never signed in to this account now waits, even with the right password...
    assert post_login(app, owner.email, password, "203.0.113.99")[1].status_code == 429
    # ...but the owner's own browser, from anywhere, gets in
    assert post_login(app, owner.email, password, "203.0.113.99", client=owner_client)[1].status_code == 302


def test_a_forged_device_cookie_is_ignored(app, make_user, password):
    app.config["LOGIN_ACCOUNT_LIMIT"] = "2 per hour"
    owner = make_user()
    for n in range(2):
        post_login(app, owner.email, "guess-abcdefg", f"192.0.2.{n + 1}")
    client = app.test_client()
    client.set_cookie("lectern_device", "W10.forged.signature")
    assert post_login(app, owner.email, password, "203.0.113.99", client=client)[1].status_code == 429


def test_a_forged_x_forwarded_for_does_not_reset_the_address_count(app, make_user, password):
    people = [make_user() for _ in range(21)]
    for person in people[:20]:
        post_login(app, person.email, "guess-123456", "198.51.100.9")
    _, forged = post_login(app, people[20].email, password, "198.51.100.9", **{"X-Forwarded-For": "10.9.8.7"})
    assert forged.status_code == 429


def test_a_session_survives_a_change_of_network(app, make_user, password):
    user = make_user()
    client, response = post_login(app, user.email, password, "192.168.1.23")  # venue Wi-Fi
    assert response.status_code == 302
    for address, headers in (("100.64.12.9", {}),                                   # phone moves to 4G
                             ("100.64.12.9", {"X-Forwarded-For": "1.2.3.4"}),      # a carrier proxy adds a header
                             ("198.51.100.1", {"User-Agent": "Another browser"})):
        page = client.get("/", environ_base={"REMOTE_ADDR": address}, headers=headers)
        assert page.status_code == 200 and "Day 1" in page.get_data(as_text=True), (address, headers)


def test_signing_out_ends_every_copy_of_the_cookie(app, make_user, password):
    user = make_user()
    client, _ = post_login(app, user.email, password, "192.168.1.23")
    stolen = app.test_client()
    for cookie in client._cookies.values():
        stolen.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    assert stolen.get("/", headers={"X-Forwarded-For": "192.168.1.23"}).status_code == 200
    client.post("/logout")
    assert stolen.get("/", headers={"X-Forwarded-For": "192.168.1.23"}).status_code == 302


def test_register_and_enrolment_codes_count_wrong_codes_only(app, make_user, password):
    admin = make_user(roles=("admin",))
    cohort = cohorts.save_cohort(admin.id, None, name="Room", track="live", starts_on=None, ends_on=None,
                                 instructor_ids=[], now=utcnow())
    code = cohort.enrolment_code
    cohorts.set_self_registration(admin.id, True, now=utcnow())
    room = "203.0.113.7"
    created = [app.test_client().post("/register", environ_base={"REMOTE_ADDR": room}, data={
        "email": f"new{i}@example.org", "display_name": f"New {i}", "password": "a fine long passphrase",
        "code": code}).status_code for i in range(25)]
    assert created == [302] * 25
    wrong = [app.test_client().post("/register", environ_base={"REMOTE_ADDR": "198.51.100.9"}, data={
        "email": f"x{i}@example.org", "display_name": "X", "password": "a fine long passphrase",
        "code": f"WRONG{i:03d}"}).status_code for i in range(21)]
    assert wrong[:20] == [422] * 20 and wrong[20] == 429
    # enrolment codes for signed-in people: twenty-five people join with the right code from one address
    joined = []
    for _ in range(25):
        person = make_user()
        client, _ = post_login(app, person.email, password, room)
        joined.append(client.post("/cohorts/join", data={"code": code}, environ_base={"REMOTE_ADDR": room}).status_code)
    assert joined == [302] * 25
