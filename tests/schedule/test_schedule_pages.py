"""Scheduling course days from the cohort pages: validation, CSRF and access, the mails with their
.ics invitations (once each), the reader's time zone, and the one-click start."""
import re
from datetime import UTC, date, datetime, time, timedelta

import icalendar
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.content.catalog import catalog
from app.db import utcnow, write_transaction
from app.extensions import db
from app.live.models import LiveSession
from app.outbox.models import OutboxMessage
from app.schedule import mails, services, times
from app.schedule.models import ScheduledDay
from tests.plugins.factories import csrf_token_from, signed_in_with_csrf


def _client(app, user):
    return signed_in_with_csrf(app.test_client(), user)


def _post(client, url, data, page="/account/calendar"):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


def _entry_data(on, starts="09:00", ends="17:00", zone="Europe/Berlin", place="Room 2, Training Centre", link="",
                day=1):
    return {"day": str(day), "on_date": on.isoformat(), "starts": starts, "ends": ends, "zone_name": zone,
            "place": place, "link": link}


def _people(make_user, make_cohort):
    teacher = make_user(roles=("instructor",), email="teacher@example.org", display_name="Ida Instructor")
    trainees = [make_user(email=f"t{i}@example.org", display_name=f"Trainee {i}") for i in range(3)]
    cohort = make_cohort(name="Autumn", instructors=[teacher], trainees=trainees)
    return teacher, trainees, cohort


def _calendar(mail):
    [part] = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    return part, icalendar.Calendar.from_ical(part.get_content())


def test_an_instructor_schedules_a_day_and_everyone_gets_one_invitation(app, make_user, make_cohort, smtpd):
    teacher, trainees, cohort = _people(make_user, make_cohort)
    smtpd.messages.clear()       # the welcome mails of the enrolments
    client = _client(app, teacher)
    on = date(2027, 3, 29)       # the Monday after Berlin's clocks go forward: 09:00 CEST = 07:00Z
    response = _post(client, f"/schedule/cohorts/{cohort.id}", _entry_data(on))
    assert response.status_code == 303
    [entry] = db.session.scalars(sa.select(ScheduledDay))
    assert (entry.day, entry.on_date, entry.starts_at, entry.time_zone) == (1, on, time(9), "Europe/Berlin")
    assert sorted(smtpd.recipients()) == sorted([teacher.email] + [t.email for t in trainees])
    mail = next(m for m in smtpd.messages if m["To"] == trainees[0].email)
    assert "Day 1" in mail["Subject"] and "is scheduled" in mail["Subject"]
    part, cal = _calendar(mail)
    assert part.get_param("method") == "REQUEST" and part.get_filename() == "invite.ics"
    [event] = cal.walk("VEVENT")
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2027, 3, 29, 7, 0, tzinfo=UTC)
    assert str(event["UID"]) == f"scheduled-day-{entry.id}@learn.example.org" and int(event["SEQUENCE"]) == 0
    assert str(event["ATTENDEE"]) == f"mailto:{trainees[0].email}"
    text = mail.get_body(("plain",)).get_content()
    assert "Mon 29 Mar 2027, 09:00–17:00 (Europe/Berlin)" in text and "Room 2, Training Centre" in text
    [event_row] = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "schedule.add"))
    assert event_row.details["entry"] == entry.id
    # the same cause again queues nothing: one message per entry, sequence and person
    with write_transaction(db.session):
        again = mails.queue_entry_mails("session-scheduled", entry, cohort, catalog(), now=utcnow())
    assert again == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind.like("session-%"))) == 4


def test_changing_and_cancelling_send_the_same_uid_with_a_higher_sequence(app, make_user, make_cohort, smtpd):
    teacher, trainees, cohort = _people(make_user, make_cohort)
    client = _client(app, teacher)
    _post(client, f"/schedule/cohorts/{cohort.id}", _entry_data(date(2027, 1, 11)))
    [entry] = db.session.scalars(sa.select(ScheduledDay))
    smtpd.messages.clear()
    response = _post(client, f"/schedule/entries/{entry.id}/edit", _entry_data(date(2027, 1, 12), starts="10:00"),
                     page=f"/schedule/entries/{entry.id}/edit")
    assert response.status_code == 303
    assert len(smtpd.messages) == 4 and all(m["Subject"].startswith("Changed:") for m in smtpd.messages)
    part, cal = _calendar(smtpd.messages[0])
    [event] = cal.walk("VEVENT")
    assert part.get_param("method") == "REQUEST" and int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == f"scheduled-day-{entry.id}@learn.example.org"
    assert event.decoded("DTSTART").astimezone(UTC) == datetime(2027, 1, 12, 9, 0, tzinfo=UTC)
    assert "It was: Mon 11 Jan 2027, 09:00–17:00" in smtpd.messages[0].get_body(("plain",)).get_content()
    # saving it unchanged mails nobody
    smtpd.messages.clear()
    _post(client, f"/schedule/entries/{entry.id}/edit", _entry_data(date(2027, 1, 12), starts="10:00"),
          page=f"/schedule/entries/{entry.id}/edit")
    assert smtpd.messages == []
    response = _post(client, f"/schedule/entries/{entry.id}/cancel", {}, page=f"/schedule/entries/{entry.id}/edit")
    assert response.status_code == 303
    assert len(smtpd.messages) == 4 and all(m["Subject"].startswith("Cancelled:") for m in smtpd.messages)
    part, cal = _calendar(smtpd.messages[0])
    [event] = cal.walk("VEVENT")
    assert part.get_param("method") == "CANCEL" and str(cal["METHOD"]) == "CANCEL" and int(event["SEQUENCE"]) == 2
    assert str(event["UID"]) == f"scheduled-day-{entry.id}@learn.example.org"
    # cancelling twice changes nothing more
    smtpd.messages.clear()
    _post(client, f"/schedule/entries/{entry.id}/cancel", {})
    assert smtpd.messages == []
    assert {a for (a,) in db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.action.like("schedule.%")))} \
        == {"schedule.add", "schedule.change", "schedule.cancel"}


def test_wrong_entries_come_back_with_each_field_named_and_nothing_is_saved(app, make_user, make_cohort, smtpd):
    teacher, _trainees, cohort = _people(make_user, make_cohort)
    smtpd.messages.clear()       # the welcome mails of the enrolments
    client = _client(app, teacher)
    response = _post(client, f"/schedule/cohorts/{cohort.id}",
                     _entry_data(date(2027, 1, 11), starts="17:00", ends="09:00", zone="Mars/Olympus",
                                 link="javascript:alert(1)", place="Room <b>9</b>"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The end time must be after the start time" in page
    assert "Choose a time zone from the list" in page
    assert "full http:// or https:// address" in page
    assert 'value="Room &lt;b&gt;9&lt;/b&gt;"' in page        # what was typed is kept, escaped
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScheduledDay)) == 0
    assert smtpd.messages == []


def test_posts_without_a_csrf_token_are_refused(app, make_user, make_cohort):
    teacher, _trainees, cohort = _people(make_user, make_cohort)
    client = _client(app, teacher)
    assert client.post(f"/schedule/cohorts/{cohort.id}", data=_entry_data(date(2027, 1, 11))).status_code == 400
    assert client.post("/account/calendar/feed").status_code == 400
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ScheduledDay)) == 0


def test_trainees_and_other_cohorts_instructors_cannot_edit(app, make_user, make_cohort, smtpd):
    teacher, trainees, cohort = _people(make_user, make_cohort)
    _post(_client(app, teacher), f"/schedule/cohorts/{cohort.id}", _entry_data(date(2027, 1, 11)))
    [entry] = db.session.scalars(sa.select(ScheduledDay))
    stranger = make_user(roles=("instructor",))
    make_cohort(name="Other", instructors=[stranger])
    for person, status in ((trainees[0], 403), (stranger, 404)):
        client = _client(app, person)
        assert client.get(f"/schedule/cohorts/{cohort.id}").status_code == status
        assert _post(client, f"/schedule/cohorts/{cohort.id}", _entry_data(date(2027, 2, 1))).status_code == status
        assert _post(client, f"/schedule/entries/{entry.id}/edit", _entry_data(date(2027, 2, 1))).status_code == status
        assert _post(client, f"/schedule/entries/{entry.id}/cancel", {}).status_code == status
        assert _post(client, f"/schedule/entries/{entry.id}/start", {}).status_code == status
        assert _post(client, f"/schedule/cohorts/{cohort.id}/time-zone", {"cohort-zone_name": "UTC"}).status_code == status
    db.session.expire_all()
    [still] = db.session.scalars(sa.select(ScheduledDay))
    assert still.on_date == date(2027, 1, 11) and still.cancelled_at is None and still.sequence == 0
    # an administrator may
    admin = make_user(roles=("admin",))
    assert _client(app, admin).get(f"/schedule/cohorts/{cohort.id}").status_code == 200


def test_a_trainee_sees_their_cohorts_days_in_their_own_zone_and_no_other_cohorts(app, make_user, make_cohort, smtpd):
    teacher, trainees, cohort = _people(make_user, make_cohort)
    other = make_cohort(name="Elsewhere", instructors=[teacher])
    soon = utcnow().date() + timedelta(days=10)
    client = _client(app, teacher)
    _post(client, f"/schedule/cohorts/{cohort.id}", _entry_data(soon, place="Our room"))
    _post(client, f"/schedule/cohorts/{other.id}", _entry_data(soon, place="Their secret room", day=2))
    trainee = _client(app, trainees[0])
    home = trainee.get("/").get_data(as_text=True)
    start = times.to_utc(soon, time(9), "Europe/Berlin")
    berlin = f"{start.astimezone(times.zone('Europe/Berlin')):%H:%M}–"
    assert "Our room" in home and f"{berlin}" in home and "(Europe/Berlin)" in home
    assert "Their secret room" not in home
    response = _post(trainee, "/account/calendar/time-zone", {"zone_name": "America/New_York"})
    assert response.status_code == 303
    home = trainee.get("/").get_data(as_text=True)
    new_york = start.astimezone(times.zone("America/New_York"))
    assert f"{new_york:%H:%M}–" in home and "(America/New_York)" in home
    assert f"{berlin}" in home and "where it takes place" in home      # the local time is still shown
    # a made-up zone is refused with the form again
    assert _post(trainee, "/account/calendar/time-zone", {"zone_name": "Nowhere/Land"}).status_code == 422


def test_the_one_click_start_opens_todays_session(app, make_user, make_cohort, smtpd):
    teacher, _trainees, cohort = _people(make_user, make_cohort)
    client = _client(app, teacher)
    today = times.today_in("Europe/Berlin", utcnow())
    _post(client, f"/schedule/cohorts/{cohort.id}", _entry_data(today, starts="00:00", ends="23:59", day=2))
    _post(client, f"/schedule/cohorts/{cohort.id}", _entry_data(today + timedelta(days=3)))
    later, now_entry = sorted(db.session.scalars(sa.select(ScheduledDay)), key=lambda e: e.on_date, reverse=True)
    page = client.get(f"/teach/cohorts/{cohort.id}").get_data(as_text=True)
    assert page.count("Start Day") == 1 and "Start Day 2 session" in page
    # a day that is not today cannot be started
    response = _post(client, f"/schedule/entries/{later.id}/start", {}, page=f"/teach/cohorts/{cohort.id}")
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/teach/cohorts/{cohort.id}#schedule")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveSession)) == 0
    response = _post(client, f"/schedule/entries/{now_entry.id}/start", {}, page=f"/teach/cohorts/{cohort.id}")
    [session] = db.session.scalars(sa.select(LiveSession))
    assert (session.cohort_id, session.day, session.ended_at) == (cohort.id, 2, None)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/live/{session.id}/present")
    # a second click returns the running session
    _post(client, f"/schedule/entries/{now_entry.id}/start", {}, page=f"/teach/cohorts/{cohort.id}")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LiveSession)) == 1


def test_the_admin_cohort_page_shows_the_schedule(app, make_user, make_cohort, smtpd):
    teacher, _trainees, cohort = _people(make_user, make_cohort)
    _post(_client(app, teacher), f"/schedule/cohorts/{cohort.id}", _entry_data(date(2027, 1, 11)))
    admin = make_user(roles=("admin",))
    page = _client(app, admin).get(f"/admin/cohorts/{cohort.id}").get_data(as_text=True)
    assert "Mon 11 Jan 2027, 09:00–17:00 (Europe/Berlin)" in page
    assert re.search(r'href="/schedule/cohorts/\d+"', page)


def test_the_cohort_zone_is_the_default_for_new_days(app, make_user, make_cohort, smtpd):
    teacher, _trainees, cohort = _people(make_user, make_cohort)
    client = _client(app, teacher)
    page = client.get(f"/schedule/cohorts/{cohort.id}").get_data(as_text=True)
    assert page.count('<option selected value="Europe/Berlin">') == 1     # the site's zone (LECTERN_TIME_ZONE)
    assert _post(client, f"/schedule/cohorts/{cohort.id}/time-zone",
                 {"cohort-zone_name": "America/New_York"}).status_code == 303
    page = client.get(f"/schedule/cohorts/{cohort.id}").get_data(as_text=True)
    assert page.count('<option selected value="America/New_York">') == 2  # the new day's default and the cohort's own
    db.session.expire_all()
    assert services.cohort_zone(db.session.get(type(cohort), cohort.id)) == "America/New_York"
