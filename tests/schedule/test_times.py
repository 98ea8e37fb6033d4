"""Pure: wall-clock times in a zone → UTC across daylight-saving changes, and the entry checks."""
from datetime import UTC, date, datetime, time

import pytest

from app.schedule import times
from app.schedule.times import EntryInput


@pytest.mark.parametrize(("day", "zone", "expected"), [
    (date(2026, 10, 23), "Europe/Berlin", datetime(2026, 10, 23, 7, 0, tzinfo=UTC)),    # CEST, UTC+2
    (date(2026, 10, 26), "Europe/Berlin", datetime(2026, 10, 26, 8, 0, tzinfo=UTC)),    # CET after 25 Oct
    (date(2026, 10, 30), "America/New_York", datetime(2026, 10, 30, 13, 0, tzinfo=UTC)),  # EDT, UTC-4
    (date(2026, 11, 2), "America/New_York", datetime(2026, 11, 2, 14, 0, tzinfo=UTC)),   # EST after 1 Nov
    (date(2027, 3, 29), "Europe/Berlin", datetime(2027, 3, 29, 7, 0, tzinfo=UTC)),      # CEST again
    (date(2026, 10, 26), "UTC", datetime(2026, 10, 26, 9, 0, tzinfo=UTC)),
])
def test_nine_oclock_stays_nine_oclock_across_daylight_saving(day, zone, expected):
    assert times.to_utc(day, time(9), zone) == expected
    start, end = times.utc_span(day, time(9), time(17), zone)
    assert end - start == (end.replace(hour=17) - end.replace(hour=9))   # eight hours on a day without a change


def test_a_time_skipped_by_the_spring_change_does_not_exist_and_is_refused():
    assert not times.exists_locally(date(2027, 3, 28), time(2, 30), "Europe/Berlin")
    assert times.exists_locally(date(2027, 3, 28), time(3, 30), "Europe/Berlin")
    # the repeated autumn hour exists (its first occurrence is used)
    assert times.exists_locally(date(2026, 10, 25), time(2, 30), "Europe/Berlin")
    assert times.to_utc(date(2026, 10, 25), time(2, 30), "Europe/Berlin") == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    found = times.problems(EntryInput(1, date(2027, 3, 28), time(2, 30), time(5), "Europe/Berlin", "Room 1"),
                           days={1, 2})
    assert [f for f, _m in found] == ["starts"] and "does not exist" in found[0][1]


def _entry(**changes):
    values = {"day": 1, "on": date(2027, 1, 11), "starts": time(9), "ends": time(17), "zone_name": "Europe/Berlin",
              "place": "Room 2", "link": ""}
    values.update(changes)
    return EntryInput(**values)


def test_a_good_entry_has_no_problems():
    assert times.problems(_entry(), days={1, 2}, today=date(2026, 12, 7)) == []
    assert times.problems(_entry(place="", link="https://meet.example.com/x"), days={1, 2}) == []


@pytest.mark.parametrize(("changes", "field"), [
    ({"day": 3}, "day"),
    ({"day": None}, "day"),
    ({"on": None}, "on"),
    ({"on": date(2031, 1, 1)}, "on"),
    ({"ends": time(9)}, "ends"),
    ({"ends": time(8)}, "ends"),
    ({"starts": None}, "starts"),
    ({"zone_name": "Mars/Olympus"}, "zone_name"),
    ({"zone_name": "../../etc/passwd"}, "zone_name"),
    ({"zone_name": ""}, "zone_name"),
    ({"link": "javascript:alert(1)"}, "link"),
    ({"link": "ftp://files.example.com/x"}, "link"),
    ({"link": "https://user:pw@example.com/"}, "link"),
    ({"link": "https://exa mple.com/"}, "link"),
    ({"link": "meet.example.com"}, "link"),
    ({"place": "", "link": ""}, "place"),
    ({"place": "x" * 201}, "place"),
])
def test_each_wrong_field_is_named(changes, field):
    found = times.problems(_entry(**changes), days={1, 2}, today=date(2026, 12, 7))
    assert field in [f for f, _m in found], found


def test_when_text_is_in_the_readers_zone():
    berlin = times.when_text(date(2026, 10, 26), time(9), time(17), "Europe/Berlin", "Europe/Berlin")
    assert berlin == "Mon 26 Oct 2026, 09:00–17:00 (Europe/Berlin)"
    assert times.when_text(date(2026, 10, 26), time(9), time(17), "Europe/Berlin", "America/New_York") == \
        "Mon 26 Oct 2026, 04:00–12:00 (America/New_York)"
    # an evening in New York is the next morning in Tokyo
    assert times.when_text(date(2027, 1, 11), time(18), time(22), "America/New_York", "Asia/Tokyo") == \
        "Tue 12 Jan 2027, 08:00–12:00 (Asia/Tokyo)"
    # a day in Tokyo ends at midnight, on the next date, in Los Angeles
    assert times.when_text(date(2027, 1, 11), time(9), time(17), "Asia/Tokyo", "America/Los_Angeles") == \
        "Sun 10 Jan 2027, 16:00–Mon 11 Jan 00:00 (America/Los_Angeles)"


def test_today_is_the_date_in_the_entrys_zone():
    late = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)
    assert times.today_in("UTC", late) == date(2026, 12, 7)
    assert times.today_in("Europe/Berlin", late) == date(2026, 12, 8)
    assert times.today_in("America/New_York", late) == date(2026, 12, 7)


def test_zone_choices_are_real_zones_and_group_by_region():
    names = times.zone_names()
    assert "Europe/Berlin" in names and "America/New_York" in names and "UTC" in names
    assert all(times.is_zone(n) for n in names)
    groups = dict(times.zone_groups())
    assert "Europe/Berlin" in groups["Europe"]
