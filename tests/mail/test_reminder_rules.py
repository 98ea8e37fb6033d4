"""The reminder rule with a fixed clock: which messages are due, once, and to whom never."""
from datetime import UTC, date, datetime, timedelta

import pytest

from app.reminders import rules
from app.reminders.rules import Cohort, Invitation, Person, Settings, Trainee

NOW = datetime(2027, 3, 8, 9, 0, tzinfo=UTC)          # a Monday
S = Settings()
ANN = Person(1, "ann@example.org", "Ann", has_password=False)
BO = Person(2, "bo@example.org", "Bo")
CY = Person(3, "cy@example.org", "Cy")
TESS = Person(9, "tess@example.org", "Tess")


def invite(person=ANN, *, age=timedelta(days=3), expires_in=timedelta(days=11), **kw):
    return Invitation(10 + person.id, person, NOW - age, NOW + expires_in, **kw)


def trainee(person=BO, *, seen_days_ago=7, started=True, finished=False, missing=("Pass the Day 1 assessment",), **kw):
    return Trainee(person, 100 + person.id, started=started, finished=finished,
                   last_seen_at=NOW - timedelta(days=seen_days_ago) if seen_days_ago is not None else None,
                   resume_slug="hazards", resume_title="Hazards", missing=() if finished else missing, **kw)


def cohort(*trainees, starts=date(2027, 3, 1), ends=date(2027, 3, 31), archived=False, instructors=(TESS,), cid=5):
    return Cohort(cid, f"Cohort {cid}", starts, ends, archived, tuple(instructors), tuple(trainees))


def kinds_of(due):
    return sorted((d.kind, d.person.id) for d in due)


# --- invitation reminders -------------------------------------------------------------------------

@pytest.mark.parametrize(("age", "due"), [(timedelta(days=3), True), (timedelta(days=3) - timedelta(seconds=1), False),
                                          (timedelta(days=10), True), (timedelta(0), False)])
def test_an_invitation_is_reminded_from_n_days_after_it_was_issued(age, due):
    assert bool(rules.invitation_reminders([invite(age=age)], NOW, S)) is due


@pytest.mark.parametrize("inv", [
    invite(expires_in=timedelta(0)),                                 # expired now
    invite(expires_in=-timedelta(days=1)),                           # expired
    invite(used_at=NOW - timedelta(days=1)),                         # used (or voided)
    invite(Person(1, "a@x.org", "Ann", has_password=True)),          # set a password meanwhile
    invite(Person(1, "a@x.org", "Ann", has_password=False, is_active=False)),   # deactivated
    invite(Person(1, "a@x.org", "Ann", has_password=False, is_guest=True)),     # a live session's guest
    invite(reminded_at=NOW - timedelta(days=3)),                     # the link is the reminder's own
])
def test_no_invitation_reminder(inv):
    assert rules.invitation_reminders([inv], NOW, S) == []


def test_an_invitation_reminder_is_keyed_by_its_link_and_a_later_invitation_may_be_reminded_again():
    first = rules.invitation_reminders([invite()], NOW, S)
    assert [d.key for d in first] == ["invitation-reminder:auth-link:11"]
    # an administrator invited again after the last reminder: that new link is reminded in its turn
    again = invite(age=timedelta(days=4), reminded_at=NOW - timedelta(days=9))
    assert len(rules.invitation_reminders([again], NOW, S)) == 1
    assert rules.invitation_reminders([invite()], NOW, Settings(invitation_days=5)) == []


# --- "you have not been back" -----------------------------------------------------------------------

@pytest.mark.parametrize(("days", "due"), [(7, True), (6, False), (30, True)])
def test_inactive_from_n_days(days, due):
    assert bool(rules.inactive_reminders([cohort(trainee(seen_days_ago=days))], NOW, S)) is due


def test_inactive_boundary_to_the_second():
    t = Trainee(BO, 1, True, False, NOW - timedelta(days=7) + timedelta(seconds=1), "hazards", "Hazards", ("x",))
    assert rules.inactive_reminders([cohort(t)], NOW, S) == []


@pytest.mark.parametrize("t", [
    trainee(started=False, seen_days_ago=None),            # never started: not "not been back"
    trainee(finished=True),                                # done
    trainee(Person(2, "b@x.org", "Bo", is_active=False)),  # deactivated
    trainee(Person(2, "b@x.org", "Bo", is_guest=True)),    # guest
    trainee(last_inactive_reminder_at=NOW - timedelta(days=6)),   # reminded less than N days ago
])
def test_no_inactive_reminder(t):
    assert rules.inactive_reminders([cohort(t)], NOW, S) == []


@pytest.mark.parametrize("c", [
    cohort(trainee(), archived=True),
    cohort(trainee(), ends=date(2027, 3, 7)),               # ended yesterday
    cohort(trainee(), starts=date(2027, 3, 9)),             # starts tomorrow
])
def test_only_running_cohorts_remind(c):
    assert rules.inactive_reminders([c], NOW, S) == [] and rules.ending_soon([c], NOW, S) == []
    assert rules.weekly_summaries([c], NOW, S) == []


def test_inactive_once_per_spell_keyed_by_last_seen_day_and_once_per_person_across_cohorts():
    due = rules.inactive_reminders([cohort(trainee(), cid=5), cohort(trainee(), cid=6, ends=date(2027, 3, 20))], NOW, S)
    assert len(due) == 1 and due[0].key == "inactive-reminder:user:2:2027-03-01"
    assert due[0].data["cohort"] == "Cohort 6" and due[0].data["lesson_slug"] == "hazards" and due[0].data["days"] == 7
    # reminded 7 days ago, seen since then and gone again: a new spell, a new key
    later = trainee(seen_days_ago=8, last_inactive_reminder_at=NOW - timedelta(days=7))
    assert [d.key for d in rules.inactive_reminders([cohort(later)], NOW, S)] == ["inactive-reminder:user:2:2027-02-28"]


def test_the_same_tick_twice_gives_the_same_keys():
    facts = dict(now=NOW, invitations=[invite()], cohorts=[cohort(trainee(), trainee(CY, seen_days_ago=1))], settings=S)
    assert [d.key for d in rules.due_messages(**facts)] == [d.key for d in rules.due_messages(**facts)]
    assert len({d.key for d in rules.due_messages(**facts)}) == len(rules.due_messages(**facts))


# --- cohort ending soon -------------------------------------------------------------------------------

@pytest.mark.parametrize(("ends", "due"), [(date(2027, 3, 15), True), (date(2027, 3, 16), False),
                                           (date(2027, 3, 8), True), (date(2027, 3, 7), False), (None, False)])
def test_ending_soon_window(ends, due):
    assert bool(rules.ending_soon([cohort(trainee(seen_days_ago=0), ends=ends)], NOW, S)) is due


def test_ending_soon_lists_what_is_missing_and_skips_the_finished_deactivated_and_guests():
    c = cohort(trainee(missing=("Complete 2 more lessons", "Pass the Day 2 assessment")),
               trainee(CY, finished=True),
               trainee(Person(4, "d@x.org", "Di", is_active=False)), trainee(Person(5, "e@x.org", "Ed", is_guest=True)),
               trainee(Person(6, "f@x.org", "Flo"), started=False, seen_days_ago=None),
               ends=date(2027, 3, 10))
    due = rules.ending_soon([c], NOW, S)
    assert kinds_of(due) == [("ending-soon", 2), ("ending-soon", 6)]    # not started still needs everything
    assert due[0].key == "ending-soon:cohort:5:2" and due[0].data["days_left"] == 2
    assert due[0].data["missing"] == ["Complete 2 more lessons", "Pass the Day 2 assessment"]


# --- weekly summary --------------------------------------------------------------------------------------

def test_weekly_summary_on_the_configured_weekday_once_per_iso_week_for_the_instructors_own_cohorts():
    other = Person(8, "olga@example.org", "Olga")
    mine = cohort(trainee(seen_days_ago=9), trainee(CY, finished=True), trainee(Person(4, "d@x.org", "Di"), seen_days_ago=1),
                  trainee(Person(5, "e@x.org", "Ed"), started=False, seen_days_ago=None))
    theirs = cohort(trainee(Person(6, "f@x.org", "Flo"), seen_days_ago=20), cid=6, instructors=(other,))
    archived = cohort(trainee(), cid=7, archived=True)
    due = rules.weekly_summaries([mine, theirs, archived], NOW, S)
    assert kinds_of(due) == [("weekly-summary", 8), ("weekly-summary", 9)]
    tess = next(d for d in due if d.person.id == 9)
    assert tess.key == "weekly-summary:user:9:2027-W10"
    (summary,) = tess.data["cohorts"]
    assert summary.name == "Cohort 5" and summary.finished == ("Cy",) and summary.stalled == (("Bo", 9),)
    assert (summary.enrolled, summary.in_progress, summary.not_started) == (4, 2, 1)
    assert rules.weekly_summaries([mine], NOW + timedelta(days=1), S) == []                 # Tuesday
    assert len(rules.weekly_summaries([mine], NOW + timedelta(days=1), Settings(summary_weekday=1))) == 1
    assert rules.weekly_summaries([mine], NOW + timedelta(days=7), S)[0].key == "weekly-summary:user:9:2027-W11"


def test_deactivated_and_guest_instructors_get_no_summary():
    c = cohort(trainee(), instructors=(Person(9, "t@x.org", "Tess", is_active=False), Person(7, "g@x", "G", is_guest=True)))
    assert rules.weekly_summaries([c], NOW, S) == []


def test_iso_week_across_the_year_end():
    assert rules.iso_week(date(2027, 1, 1)) == "2026-W53" and rules.iso_week(date(2027, 1, 4)) == "2027-W01"
