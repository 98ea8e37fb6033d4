"""Pure: the .ics invitation and the feed, parsed back with icalendar, carry the right UTC instants
across a daylight-saving change, a VTIMEZONE for each zone, stable UIDs and the method."""
from datetime import UTC, date, datetime, time

import icalendar

from app.schedule import ics

STAMP = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def _event(**changes):
    values = {"uid": "scheduled-day-7@learn.example.org", "sequence": 0, "summary": "Day 1 (Autumn cohort)",
              "on": date(2026, 10, 26), "starts": time(9), "ends": time(17), "zone_name": "Europe/Berlin",
              "place": "Room 2, Training Centre", "link": "https://meet.example.com/a?b=c,d;e"}
    values.update(changes)
    return ics.SessionEvent(**values)


def _utc(component, name):
    return component.decoded(name).astimezone(UTC)


def test_an_invitation_is_a_request_with_the_entrys_zone_and_right_instants():
    raw = ics.invitation(_event(), organizer="lectern@example.org", organizer_name="Acme Training",
                         attendee="zoe@example.org", attendee_name="Zoë, Ångström", stamp=STAMP)
    cal = icalendar.Calendar.from_ical(raw)
    assert str(cal["METHOD"]) == "REQUEST" and str(cal["VERSION"]) == "2.0"
    [event] = cal.walk("VEVENT")
    assert str(event["UID"]) == "scheduled-day-7@learn.example.org" and int(event["SEQUENCE"]) == 0
    assert _utc(event, "DTSTART") == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    assert _utc(event, "DTEND") == datetime(2026, 10, 26, 16, 0, tzinfo=UTC)
    assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    [tz] = cal.walk("VTIMEZONE")
    assert str(tz["TZID"]) == "Europe/Berlin"
    assert str(event["ORGANIZER"]) == "mailto:lectern@example.org"
    assert str(event["ATTENDEE"]) == "mailto:zoe@example.org" and event["ATTENDEE"].params["CN"] == "Zoë, Ångström"
    assert "https://meet.example.com/a?b=c,d;e" in str(event["LOCATION"]) and str(event["STATUS"]) == "CONFIRMED"


def test_a_cancellation_keeps_the_uid_and_raises_the_sequence():
    raw = ics.invitation(_event(sequence=2, cancelled=True), organizer="l@example.org", organizer_name="L",
                         attendee="z@example.org", attendee_name="Z", stamp=STAMP)
    cal = icalendar.Calendar.from_ical(raw)
    [event] = cal.walk("VEVENT")
    assert str(cal["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == "scheduled-day-7@learn.example.org" and int(event["SEQUENCE"]) == 2


def test_the_feed_holds_days_across_the_change_in_two_zones_and_all_day_deadlines():
    days = [_event(uid="d1@x", on=date(2026, 10, 23)), _event(uid="d2@x", on=date(2026, 10, 26)),
            _event(uid="d3@x", on=date(2026, 10, 30), zone_name="America/New_York"),
            _event(uid="d4@x", on=date(2026, 11, 2), zone_name="America/New_York")]
    deadline = ics.DeadlineEvent(uid="cohort-3-deadline@x", summary="Certificate deadline: Autumn", on=date(2026, 11, 30))
    cal = icalendar.Calendar.from_ical(ics.feed("Course (Zoë)", days, [deadline], stamp=STAMP))
    assert "METHOD" not in cal
    starts = {str(e["UID"]): _utc(e, "DTSTART") for e in cal.walk("VEVENT") if str(e["UID"]).startswith("d")}
    assert starts == {"d1@x": datetime(2026, 10, 23, 7, 0, tzinfo=UTC), "d2@x": datetime(2026, 10, 26, 8, 0, tzinfo=UTC),
                      "d3@x": datetime(2026, 10, 30, 13, 0, tzinfo=UTC), "d4@x": datetime(2026, 11, 2, 14, 0, tzinfo=UTC)}
    assert sorted(str(t["TZID"]) for t in cal.walk("VTIMEZONE")) == ["America/New_York", "Europe/Berlin"]
    [due] = [e for e in cal.walk("VEVENT") if str(e["UID"]) == "cohort-3-deadline@x"]
    assert due.decoded("DTSTART") == date(2026, 11, 30) and due.decoded("DTEND") == date(2026, 12, 1)
