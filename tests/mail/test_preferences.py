"""Email preferences and the one-click unsubscribe (RFC 8058), with CSRF on as in production: the
link and the List-Unsubscribe header stop one kind only; messages queued before an opt-out are not
sent; required kinds carry no unsubscribe and cannot be refused."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.cohorts import services as cohorts
from app.db import utcnow, write_transaction
from app.extensions import db
from app.learn.models import LessonVisit
from app.outbox import services as outbox
from app.outbox import tokens
from app.outbox.models import MailOptOut, OutboxMessage
from tests.mail.conftest import parts


@pytest.fixture
def app_config(app_config):
    return {**app_config, "WTF_CSRF_ENABLED": True}


def welcomes(smtpd, to):
    return [m for m in smtpd.messages if str(m["To"]) == to and str(m["Subject"]).startswith("Welcome to")]


def boxes(page):
    """The preferences page's checkboxes: kind → ticked."""
    return {kind: bool(ticked) for ticked, kind in
            re.findall(r'<input (checked )?id="receive-\d+" name="receive" type="checkbox" value="([a-z-]+)"', page)}


def statuses(kind):
    db.session.commit()
    return [m.status for m in db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == kind)
                                                 .order_by(OutboxMessage.id))]


def test_the_list_unsubscribe_header_one_click_post_stops_that_kind_only(app, smtpd, make_user, make_cohort):
    bo = make_user(email="bo@example.org", display_name="Bo")
    spring = make_cohort(name="Spring", track="self-study", trainees=[bo])
    (welcome,) = welcomes(smtpd, "bo@example.org")
    assert welcome["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = str(welcome["List-Unsubscribe"]).strip("<>")
    assert url.startswith("https://learn.example.org/unsubscribe/")
    text, html = parts(welcome)
    assert f"Stop \"Welcome to a cohort\" messages: {url}" in text and f'href="{url}"' in html
    assert "https://learn.example.org/account/email" in text
    # what a mail program does (RFC 8058): POST the body to the header's address, no cookies, no form token
    stranger = app.test_client()
    response = stranger.post(url.removeprefix("https://learn.example.org"), data="List-Unsubscribe=One-Click",
                             content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and "any more" in response.get_data(as_text=True)
    assert "Set-Cookie" not in response.headers or "session" not in response.headers.get("Set-Cookie", "")
    assert db.session.scalars(sa.select(MailOptOut.kind).where(MailOptOut.user_id == bo.id)).all() == ["welcome"]
    # a second click changes nothing
    assert stranger.post(url.removeprefix("https://learn.example.org")).status_code == 200
    # welcomes stop; another kind (a reminder) still arrives
    cohorts.enrol(None, make_cohort(name="Summer", track="self-study").id, [bo.id], now=utcnow())
    assert len(welcomes(smtpd, "bo@example.org")) == 1
    now = utcnow()
    db.session.add(LessonVisit(user_id=bo.id, lesson_key="x", first_seen_at=now - timedelta(days=8),
                               last_seen_at=now - timedelta(days=8)))
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["mail", "tick"]).exit_code == 0
    assert [str(m["Subject"]).split(":")[0] for m in smtpd.messages if m["To"] == "bo@example.org"][1:] == [
        "Continue where you left off"]
    assert spring.id


def test_the_unsubscribe_link_shows_a_page_then_the_button_posts(app, smtpd, make_user, make_cohort):
    bo = make_user(email="bo@example.org")
    make_cohort(track="self-study", trainees=[bo])
    path = str(welcomes(smtpd, "bo@example.org")[0]["List-Unsubscribe"]).strip("<>").removeprefix("https://learn.example.org")
    browser = app.test_client()
    page = browser.get(path)
    assert page.status_code == 200 and "Stop “Welcome to a cohort” messages?" in page.get_data(as_text=True)
    assert not db.session.scalars(sa.select(MailOptOut)).all()          # opening the link changes nothing
    assert f'action="{path}"' in page.get_data(as_text=True)
    assert browser.post(path).status_code == 200
    assert outbox.opted_out(bo.id, "welcome") and not outbox.opted_out(bo.id, "inactive-reminder")


@pytest.mark.parametrize("token", ["nonsense", tokens.sign("wrong key", 1, "welcome")])
def test_a_forged_unsubscribe_token_is_refused(app, token):
    assert app.test_client().get(f"/unsubscribe/{token}").status_code == 404
    assert app.test_client().post(f"/unsubscribe/{token}").status_code == 404


def test_required_kinds_cannot_be_refused_and_carry_no_unsubscribe(app, smtpd, make_user):
    bo = make_user()
    token = tokens.sign(app.config["SECRET_KEY"], bo.id, "password-reset")
    assert app.test_client().post(f"/unsubscribe/{token}").status_code == 404
    with write_transaction(db.session):
        outbox.queue("certificate-issued", recipient=bo.email, user_id=bo.id, dedup_key="certificate-issued:c:1",
                     now=utcnow(), context={"name": "Bo", "course": "C", "code": "X", "verify_url": "https://v",
                                            "pdf_url": "https://p", "progress_url": "https://g"})
    outbox.deliver_due()
    (mail,) = smtpd.messages
    assert mail["List-Unsubscribe"] is None and "unsubscribe" not in parts(mail)[0].lower()


def test_messages_queued_before_an_opt_out_are_not_sent(app, smtpd, make_user, make_cohort, csrf_sign_in,
                                                        csrf_token_from):
    bo = make_user(email="bo@example.org")
    smtpd.refuse = "451 4.3.0 Try again later"           # the welcomes wait in the outbox
    make_cohort(track="self-study", trainees=[bo])
    make_cohort(track="self-study", trainees=[bo])
    assert statuses("welcome") == ["queued", "queued"]
    smtpd.refuse = None
    # the preferences page: every optional kind ticked; untick the welcome
    client = csrf_sign_in(app.test_client(), bo)
    page = client.get("/account/email").get_data(as_text=True)
    assert boxes(page) == {"welcome": True, "inactive-reminder": True, "ending-soon": True,
                           "session-scheduled": True, "session-changed": True, "session-cancelled": True}
    # a signed-in person has set a password (no invitation reminders); summaries are for staff only
    assert 'value="invitation-reminder"' not in page and 'value="weekly-summary"' not in page
    assert 'value="password-reset"' not in page and 'value="certificate-issued"' not in page
    keep = ["inactive-reminder", "ending-soon", "session-scheduled", "session-changed", "session-cancelled"]
    response = client.post("/account/email", data={"csrf_token": csrf_token_from(page), "receive": keep})
    assert response.status_code == 302
    assert "saved" in client.get(response.location).get_data(as_text=True)
    assert outbox.opt_outs(bo.id) == {"welcome"}
    assert statuses("welcome") == ["cancelled", "cancelled"]
    assert outbox.deliver_due(now=utcnow() + timedelta(hours=1)).sent == 0 and not smtpd.messages
    # without its form token the page refuses to save
    assert client.post("/account/email", data={"receive": []}).status_code == 400
    assert outbox.opt_outs(bo.id) == {"welcome"}
    # ticking it again: welcomes come again
    page = client.get("/account/email").get_data(as_text=True)
    assert boxes(page)["welcome"] is False and boxes(page)["ending-soon"] is True
    client.post("/account/email", data={"csrf_token": csrf_token_from(page), "receive": keep + ["welcome"]})
    assert outbox.opt_outs(bo.id) == set()
    make_cohort(track="self-study", trainees=[bo])
    assert len(welcomes(smtpd, "bo@example.org")) == 1


def test_an_opt_out_recorded_while_a_message_waits_is_checked_at_delivery(app, smtpd, make_user, make_cohort):
    bo = make_user(email="bo@example.org")
    smtpd.refuse = "451 4.3.0 Try again later"
    make_cohort(track="self-study", trainees=[bo])
    smtpd.refuse = None
    db.session.add(MailOptOut(user_id=bo.id, kind="welcome", created_at=utcnow()))   # e.g. from another process
    db.session.commit()
    done = outbox.deliver_due(now=utcnow() + timedelta(hours=1))
    assert (done.sent, done.cancelled) == (0, 1) and statuses("welcome") == ["cancelled"] and not smtpd.messages


def test_the_preferences_page_is_linked_from_the_account_page(app, make_user, csrf_sign_in):
    client = csrf_sign_in(app.test_client(), make_user())
    assert 'href="/account/email"' in client.get("/account/password").get_data(as_text=True)
    assert 'href="/account/email"' in client.get("/").get_data(as_text=True)


def test_the_page_offers_what_can_reach_the_person_and_saving_it_keeps_the_rest(app, smtpd, make_user, csrf_sign_in,
                                                                                csrf_token_from):
    teacher = make_user(roles=("instructor",))
    outbox.unsubscribe(tokens.sign(app.config["SECRET_KEY"], teacher.id, "invitation-reminder"), now=utcnow())
    client = csrf_sign_in(app.test_client(), teacher)
    page = client.get("/account/email").get_data(as_text=True)
    assert boxes(page)["weekly-summary"] is True and 'value="invitation-reminder"' not in page
    everything_but_summaries = [name for name in boxes(page) if name != "weekly-summary"]
    response = client.post("/account/email", data={"csrf_token": csrf_token_from(page),
                                                   "receive": everything_but_summaries})
    assert response.status_code == 302
    assert outbox.opt_outs(teacher.id) == {"weekly-summary", "invitation-reminder"}   # the hidden kind kept its setting
