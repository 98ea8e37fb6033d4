"""The personal calendar feed: an unguessable address (only its hash stored), no session needed,
the person's cohorts' days and deadlines with the right instants across daylight-saving changes,
and 404 for a wrong, reset or stopped address."""
import hashlib
import re
from datetime import UTC, date, datetime, time

import icalendar
import sqlalchemy as sa

from app.accesslog import redact_link_tokens
from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.schedule import services
from app.schedule.models import CalendarFeed
from app.schedule.times import EntryInput
from tests.plugins.factories import csrf_token_from, signed_in_with_csrf


def _add(actor, cohort, on, zone="Europe/Berlin", day=1, place="Room 2"):
    return services.add_entry(actor.id, cohort.id, EntryInput(day, on, time(9), time(17), zone, place), catalog(),
                              now=utcnow())


def _new_address(client) -> str:
    token = csrf_token_from(client.get("/account/calendar").get_data(as_text=True))
    page = client.post("/account/calendar/feed", data={"csrf_token": token}).get_data(as_text=True)
    [url] = re.findall(r'value="(https://learn\.example\.org/calendar/[^"]+\.ics)"', page)
    return url.removeprefix("https://learn.example.org")


def test_the_feed_holds_the_persons_days_and_deadlines_across_daylight_saving(app, make_user, make_cohort):
    admin = make_user(roles=("admin",))
    teacher = make_user(roles=("instructor",))
    person = make_user(display_name="Zoë")
    berlin = make_cohort(name="Berlin", trainees=[person], instructors=[teacher], by=admin, ends_on=date(2026, 11, 30))
    new_york = make_cohort(name="New York", trainees=[person], by=admin)
    elsewhere = make_cohort(name="Not mine", by=admin, ends_on=date(2026, 12, 24))
    first = _add(admin, berlin, date(2026, 10, 23))
    second = _add(admin, berlin, date(2026, 10, 26), day=2)
    _add(admin, new_york, date(2026, 10, 30), zone="America/New_York")
    _add(admin, new_york, date(2026, 11, 2), zone="America/New_York", day=2)
    _add(admin, elsewhere, date(2026, 10, 28), place="Secret")
    cancelled = _add(admin, berlin, date(2026, 11, 9))
    services.cancel_entry(admin.id, cancelled.id, catalog(), now=utcnow())

    path = _new_address(signed_in_with_csrf(app.test_client(), person))
    response = app.test_client().get(path)          # a calendar app: no cookie at all
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert "no-store" in response.headers["Cache-Control"] and "Set-Cookie" not in response.headers
    cal = icalendar.Calendar.from_ical(response.data)
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    starts = sorted(e.decoded("DTSTART").astimezone(UTC) for e in events.values()
                    if isinstance(e.decoded("DTSTART"), datetime))
    assert starts == [datetime(2026, 10, 23, 7, 0, tzinfo=UTC), datetime(2026, 10, 26, 8, 0, tzinfo=UTC),
                      datetime(2026, 10, 30, 13, 0, tzinfo=UTC), datetime(2026, 11, 2, 14, 0, tzinfo=UTC)]
    assert f"scheduled-day-{first.id}@learn.example.org" in events and f"scheduled-day-{second.id}@learn.example.org" in events
    assert f"scheduled-day-{cancelled.id}@learn.example.org" not in events
    assert "Secret" not in response.get_data(as_text=True)
    deadline = events[f"cohort-{berlin.id}-deadline@learn.example.org"]
    assert deadline.decoded("DTSTART") == date(2026, 11, 30) and "Certificate deadline" in str(deadline["SUMMARY"])
    assert sorted(str(t["TZID"]) for t in cal.walk("VTIMEZONE")) == ["America/New_York", "Europe/Berlin"]
    # the same UIDs on the next fetch (calendar apps update, not duplicate)
    again = icalendar.Calendar.from_ical(app.test_client().get(path).data)
    assert {str(e["UID"]) for e in again.walk("VEVENT")} == set(events)
    # an instructor's feed has the days of the cohorts they teach
    teacher_path = _new_address(signed_in_with_csrf(app.test_client(), teacher))
    teacher_cal = icalendar.Calendar.from_ical(app.test_client().get(teacher_path).data)
    assert {str(e["UID"]) for e in teacher_cal.walk("VEVENT")} == {
        f"scheduled-day-{first.id}@learn.example.org", f"scheduled-day-{second.id}@learn.example.org",
        f"cohort-{berlin.id}-deadline@learn.example.org"}


def test_wrong_reset_and_stopped_addresses_get_404_and_only_a_hash_is_kept(app, make_user, make_cohort):
    person = make_user()
    make_cohort(trainees=[person])
    client = signed_in_with_csrf(app.test_client(), person)
    old = _new_address(client)
    token = old.removeprefix("/calendar/").removesuffix(".ics")
    [row] = db.session.scalars(sa.select(CalendarFeed))
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in row.token_hash
    anonymous = app.test_client()
    assert anonymous.get(old).status_code == 200
    assert anonymous.get("/calendar/" + "A" * 43 + ".ics").status_code == 404
    assert anonymous.get(old[:-5] + "x.ics").status_code == 404
    assert anonymous.get("/calendar/.ics").status_code == 404
    new = _new_address(client)
    assert new != old
    assert anonymous.get(old).status_code == 404 and anonymous.get(new).status_code == 200
    page = client.get("/account/calendar").get_data(as_text=True)
    assert new not in page and "Make a new calendar address" in page      # shown once, never again
    csrf = csrf_token_from(page)
    assert client.post("/account/calendar/feed/stop", data={"csrf_token": csrf}).status_code == 303
    assert anonymous.get(new).status_code == 404
    # a deactivated person's feed stops too
    third = _new_address(client)
    person.is_active = False
    db.session.commit()
    assert anonymous.get(third).status_code == 404


def test_the_feed_token_is_kept_out_of_access_logs():
    line = '127.0.0.1 - "GET /calendar/abcDEF_-123.ics HTTP/1.1" 200'
    assert redact_link_tokens(line) == '127.0.0.1 - "GET /calendar/[redacted] HTTP/1.1" 200'


def test_the_account_page_needs_sign_in_and_is_linked_from_the_password_page(app, make_user):
    assert app.test_client().get("/account/calendar").status_code in (302, 401)
    person = make_user()
    client = signed_in_with_csrf(app.test_client(), person)
    assert 'href="/account/calendar"' in client.get("/account/password").get_data(as_text=True)
    page = client.get("/account/calendar").get_data(as_text=True)
    assert '<optgroup label="Europe">' in page and '<option value="Europe/Berlin">' in page
