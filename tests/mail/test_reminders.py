"""`flask --app wsgi mail tick` against a real SMTP server: each reminder queued once however often
the tick runs, delivered, to the right people only; the weekly summary's content."""
import re
from datetime import date, timedelta

import sqlalchemy as sa

from app.auth import services as accounts
from app.cohorts import services as cohorts
from app.cohorts.models import Enrolment
from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.learn.models import LessonVisit
from app.outbox.models import OutboxMessage
from app.reminders import services as reminders
from tests.mail.conftest import parts


def visit(user, days_ago, now, slug=None):
    lesson = catalog().lessons[3] if slug is None else catalog().lesson(slug)
    at = now - timedelta(days=days_ago)
    db.session.add(LessonVisit(user_id=user.id, lesson_key=lesson.slug, first_seen_at=at, last_seen_at=at,
                               seconds_spent=60))
    db.session.commit()
    return lesson


def tick(app, now):
    result = app.test_cli_runner().invoke(args=["mail", "tick", "--now", now.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def received(smtpd, subject_part):
    return [m for m in smtpd.messages if subject_part in str(m["Subject"])]


def test_tick_twice_queues_each_reminder_once_and_delivers_them_to_the_right_people(
        app, smtpd, make_user, make_cohort, make_eligible, make_live_session):
    now = utcnow()
    app.config["MAIL_SUMMARY_WEEKDAY"] = now.weekday()
    tess, olga = make_user(roles=("instructor",), display_name="Tess Teacher"), make_user(roles=("instructor",))
    bo = make_user(display_name="Bo Stalled", email="bo@example.org")
    cy = make_user(display_name="Cy Finished", email="cy@example.org")
    di = make_user(display_name="Di Gone", email="di@example.org")
    ed = make_user(display_name="Ed Unstarted", email="ed@example.org")
    flo = make_user(display_name="Flo Elsewhere", email="flo@example.org")
    today = now.date()
    cohort = make_cohort(name="Spring", track="self-study", instructors=[tess], trainees=[bo, cy, di, ed],
                         starts_on=today - timedelta(days=20), ends_on=today + timedelta(days=5))
    make_cohort(name="Other", track="self-study", instructors=[olga], trainees=[flo],
                starts_on=today - timedelta(days=20), ends_on=today + timedelta(days=30))
    make_cohort(name="Old", track="self-study", instructors=[tess], trainees=[flo],
                starts_on=today - timedelta(days=90), ends_on=today - timedelta(days=1))
    # a guest of a live session, somehow in the cohort, and stalled: never mailed
    guest = make_user(display_name="Gus Guest", email="guest-1@guests.invalid", password_hash=None,
                      guest_session_id=make_live_session(make_cohort(instructors=[tess]), by=tess).id)
    db.session.add(Enrolment(cohort_id=cohort.id, user_id=guest.id, enrolled_at=now, source="code"))
    db.session.commit()
    lesson = visit(bo, 9, now)
    visit(guest, 9, now)
    visit(flo, 10, now)
    make_eligible(cy)
    visit(di, 9, now)
    accounts.set_active(make_user(roles=("admin",)).id, di.id, False, now=now)     # deactivated: never mailed
    ann = make_user(display_name="Ann Invited", email="ann@example.org", password_hash=None)
    first = accounts.issue_link(ann.id, "invite", secret_key=app.config["SECRET_KEY"], max_age=14 * 86400,
                                created_by_id=None, now=now - timedelta(days=4))
    smtpd.messages.clear()    # the welcomes of the enrolments above

    output = tick(app, now)
    assert output.startswith("Queued: 2 ending-soon, 2 inactive-reminder, 1 invitation-reminder, 2 weekly-summary.")
    again = tick(app, now)
    assert "nothing new" in again and tick(app, now + timedelta(hours=2)).startswith("Queued: nothing new")

    to = sorted((str(m["To"]), str(m["Subject"]).split(":")[0].strip()) for m in smtpd.messages)
    assert to == sorted([
        ("ann@example.org", "Reminder"),
        ("bo@example.org", "Continue where you left off"),
        ("bo@example.org", "Spring ends on " + f"{cohort.ends_on:%A} {cohort.ends_on.day} {cohort.ends_on:%B %Y}"),
        ("ed@example.org", "Spring ends on " + f"{cohort.ends_on:%A} {cohort.ends_on.day} {cohort.ends_on:%B %Y}"),
        ("flo@example.org", "Continue where you left off"),
        (tess.email, "Your cohorts this week (" + f"{now.isocalendar()[0]}-W{now.isocalendar()[1]:02d})"),
        (olga.email, "Your cohorts this week (" + f"{now.isocalendar()[0]}-W{now.isocalendar()[1]:02d})"),
    ])
    db.session.commit()
    assert {m.status for m in db.session.scalars(sa.select(OutboxMessage))} == {"sent"}

    # "continue where you left off" links to the lesson Bo was last on
    (comeback,) = [m for m in received(smtpd, "Continue where") if m["To"] == "bo@example.org"]
    text, html = parts(comeback)
    assert f"https://learn.example.org/lessons/{lesson.slug}" in text and lesson.title in text
    assert "for 9 days" in text and f'href="https://learn.example.org/lessons/{lesson.slug}"' in html
    # the cohort ending soon says what is missing for the certificate
    (ending,) = [m for m in received(smtpd, "Spring ends") if m["To"] == "ed@example.org"]
    assert "Complete" in parts(ending)[0] and "more lessons" in parts(ending)[0] and "(in 5 days)" in parts(ending)[0]
    # the invitation reminder carries a fresh link that works; the first one is void
    (reminder,) = received(smtpd, "Reminder")
    url = re.search(r"https://learn\.example\.org(/invite/\S+)", parts(reminder)[0]).group(1)
    person = app.test_client()
    assert "not valid any more" not in person.get(url).get_data(as_text=True)
    assert "not valid any more" in person.get(f"/invite/{first.token}").get_data(as_text=True)
    assert reminder["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_weekly_summary_names_the_stalled_and_the_finished_of_the_instructors_own_cohorts(
        app, smtpd, make_user, make_cohort, make_eligible):
    now = utcnow()
    app.config["MAIL_SUMMARY_WEEKDAY"] = now.weekday()
    tess, olga = make_user(roles=("instructor",)), make_user(roles=("instructor",))
    bo, cy, ed = (make_user(display_name=n) for n in ("Bo Stalled", "Cy Finished", "Ed Unstarted"))
    flo, gil = make_user(display_name="Flo Elsewhere"), make_user(display_name="Gil Archived")
    today = now.date()
    spring = make_cohort(name="Spring", track="self-study", instructors=[tess], trainees=[bo, cy, ed],
                         starts_on=today - timedelta(days=10))
    make_cohort(name="Other", track="self-study", instructors=[olga], trainees=[flo])
    archived = make_cohort(name="Archive", track="self-study", instructors=[tess], trainees=[gil])
    archived.is_archived = True
    db.session.commit()
    visit(bo, 12, now)
    visit(flo, 12, now)
    visit(gil, 12, now)
    make_eligible(cy)
    smtpd.messages.clear()
    tick(app, now)
    (summary,) = [m for m in received(smtpd, "Your cohorts this week") if m["To"] == tess.email]
    text, html = parts(summary)
    assert "Spring" in text and "3 enrolled: 1 finished, 1 in progress (1 stalled), 1 not started." in " ".join(text.split())
    assert "Bo Stalled (not back for 12 days)" in " ".join(text.split()) and "Cy Finished" in text
    assert "Flo Elsewhere" not in text and "Other" not in text and "Archive" not in text and "Gil" not in text
    assert f"https://learn.example.org/teach/cohorts/{spring.id}" in text
    assert "Bo Stalled" in html and "Cy Finished" in html and "Flo" not in html
    # the next day is not the summary's weekday: nothing more
    assert "weekly-summary" not in tick(app, now + timedelta(days=1))


def test_without_a_mail_server_the_tick_queues_nothing_and_voids_no_link(app, smtpd, make_user):
    app.config["MAIL_SERVER"] = None
    ann = make_user(password_hash=None)
    link = accounts.issue_link(ann.id, "invite", secret_key=app.config["SECRET_KEY"], max_age=14 * 86400,
                               created_by_id=None, now=utcnow() - timedelta(days=5))
    result = app.test_cli_runner().invoke(args=["mail", "tick"])
    assert result.exit_code != 0 and "No mail server" in result.output
    assert reminders.tick().queued == {}

    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
    assert "not valid any more" not in app.test_client().get(f"/invite/{link.token}").get_data(as_text=True)


def test_one_welcome_per_enrolment_with_the_cohort_dates_and_the_course_link(app, smtpd, make_user, make_cohort):
    bo = make_user(email="bo@example.org", display_name="Bo")
    spring = make_cohort(name="Spring", track="self-study", starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 26))
    for _ in range(2):   # joining twice with the code, then the administrator enrolling again: one enrolment
        cohorts.join_with_code(bo.id, spring.enrolment_code, now=utcnow())
    cohorts.enrol(None, spring.id, [bo.id], now=utcnow())
    (welcome,) = received(smtpd, "Welcome to Spring")
    text, html = parts(welcome)
    assert "runs from Monday 1 March 2027 to Friday 26 March 2027" in " ".join(text.split())
    assert "Open the course:\nhttps://learn.example.org/\n" in text and 'href="https://learn.example.org/"' in html
    # someone imported without a password yet is told an invitation follows
    ann = make_user(email="ann@example.org", password_hash=None)
    cohorts.enrol(None, spring.id, [ann.id], now=utcnow())
    (to_ann,) = [m for m in received(smtpd, "Welcome to Spring") if m["To"] == "ann@example.org"]
    assert "separate invitation" in parts(to_ann)[0]


def test_a_tick_after_one_that_queued_everything_renders_no_message_again(app, smtpd, make_user, make_cohort,
                                                                         monkeypatch):
    """An ending cohort's trainees are due every day until it ends: a later tick finds their reminders
    queued already (one query for all the dedup keys) instead of rendering each one to be refused."""
    from app.outbox import render

    now = utcnow()
    today = now.date()
    trainees = [make_user(display_name=f"Trainee {n}") for n in range(3)]
    make_cohort(name="Ending", track="self-study", trainees=trainees, starts_on=today - timedelta(days=20),
                ends_on=today + timedelta(days=5))
    smtpd.messages.clear()    # the welcomes
    assert reminders.tick(now=now).queued == {"ending-soon": 3}
    rendered = []
    real = render.render
    monkeypatch.setattr(render, "render", lambda *a, **k: rendered.append(a[0].name) or real(*a, **k))

    again = reminders.tick(now=now + timedelta(hours=2))
    assert not any(again.queued.values()) and again.delivery.sent == 0 and rendered == []
    assert len(received(smtpd, "Ending ends on")) == 3
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)
                             .where(OutboxMessage.kind == "ending-soon")) == 3
