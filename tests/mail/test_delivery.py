"""Delivery against a real SMTP server (aiosmtpd): once per message however often, or however many at
once, the delivery runs; a failing server leaves messages queued with the error, retried after the
backoff; a worker that died mid-send is taken over after the claim timeout."""
import re
import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.db import utcnow, write_transaction
from app.extensions import db
from app.jobs import services as jobs
from app.jobs.models import Job
from app.outbox import rules
from app.outbox import services as outbox
from app.outbox.models import OutboxMessage
from tests.mail.conftest import parts


@pytest.fixture
def import_people(upload_people, people_csv):
    def run(client, n):
        response = upload_people(client, people_csv(n), "import")
        assert response.status_code == 302
        return int(response.location.rsplit("/", 1)[1])
    return run


def statuses():
    db.session.commit()    # a fresh snapshot: deliveries run in their own sessions too
    return [(m.recipient, m.status, m.attempts, m.last_error) for m in
            db.session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id))]


def invitations(smtpd):
    """The invitations among the mails (an import also welcomes each person to their cohort)."""
    return [m for m in smtpd.messages if str(m["Subject"]).startswith("Your Lectern invitation")]


def tokens(smtpd):
    return {re.search(r"/invite/(\S+)", parts(m)[0]).group(1) for m in invitations(smtpd)}


def count(kind):
    return db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage).where(OutboxMessage.kind == kind))


def test_thirty_imported_are_invited_once_even_when_delivery_and_invite_everyone_run_twice(
        app, smtpd, import_admin, import_people):
    client = import_admin()
    job_id = import_people(client, 30)
    response = client.post(f"/admin/jobs/{job_id}/invite")
    assert response.status_code == 302
    assert "✓ Mailed 30 invitations" in client.get(response.location).get_data(as_text=True)
    invited = invitations(smtpd)
    assert len(invited) == 30 and len({str(m["To"]) for m in invited}) == 30 and len(tokens(smtpd)) == 30
    assert len(smtpd.messages) == 60 and count("welcome") == 30   # and each was welcomed to the cohort once
    # the delivery job delivered again, directly and as a job: nothing goes out twice
    assert outbox.deliver_due() == outbox.Delivery()
    jobs.start("mail.deliver", None, {})
    assert outbox.deliver_due(now=utcnow() + timedelta(days=1)).sent == 0
    # and "invite everyone imported" clicked again queues nothing new: the links already mailed stay valid
    again = client.post(f"/admin/jobs/{job_id}/invite")
    assert "30 people had been sent this invitation already" in " ".join(client.get(again.location).get_data(as_text=True).split())
    assert len(invitations(smtpd)) == 30 and len(smtpd.messages) == 60
    assert count("invitation") == 30
    assert {s for _r, s, _a, _e in statuses()} == {"sent"}
    person = app.test_client()
    first = re.search(r"https://learn\.example\.org(/invite/\S+)", parts(invitations(smtpd)[0])[0]).group(1)
    assert "not valid any more" not in person.get(first).get_data(as_text=True)


def test_two_deliveries_at_once_send_each_message_once(app, smtpd, import_admin, import_people, monkeypatch):
    monkeypatch.setattr(outbox, "deliver_due", lambda **kw: outbox.Delivery())   # the invite job only queues
    client = import_admin()
    client.post(f"/admin/jobs/{import_people(client, 30)}/invite")
    monkeypatch.undo()
    assert len(statuses()) == 60 and not smtpd.messages      # 30 welcomes (the import), 30 invitations
    db.session.commit()
    results, start = [], threading.Barrier(2)

    def deliver():
        with app.app_context():
            start.wait()
            results.append(outbox.deliver_due())
            db.session.remove()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(r.sent for r in results) == 60
    assert sorted(smtpd.recipients()) == sorted(r for r, *_ in statuses()) and len(set(smtpd.recipients())) == 30
    assert len(invitations(smtpd)) == 30 and len({str(m["To"]) for m in invitations(smtpd)}) == 30
    assert {(s, a) for _r, s, a, _e in statuses()} == {("sent", 1)}


def queue_three(now):
    with write_transaction(db.session):
        for n in range(3):
            outbox.queue("test", recipient=f"p{n}@example.org", dedup_key=f"test:n:{n}", now=now,
                         context={"sent_at": "now", "server": "here"})


@pytest.mark.parametrize("refusal", ["451 4.3.0 Try again later", "554 5.7.1 Not now"])
def test_a_refusing_server_leaves_messages_queued_with_the_error_and_a_later_run_delivers(app, smtpd, refusal):
    t0 = utcnow()
    queue_three(t0)
    smtpd.refuse = refusal
    assert outbox.deliver_due(now=t0).retrying == 3
    rows = statuses()
    assert {(s, a) for _r, s, a, _e in rows} == {("queued", 1)} and all(refusal[:3] in e for *_x, e in rows)
    assert not smtpd.messages
    smtpd.refuse = None
    assert outbox.deliver_due(now=t0 + timedelta(seconds=30)) == outbox.Delivery()   # still waiting (1 minute)
    assert outbox.deliver_due(now=t0 + timedelta(minutes=1, seconds=1)).sent == 3
    assert {(s, a, e) for _r, s, a, e in statuses()} == {("sent", 2, None)} and len(smtpd.messages) == 3


def test_a_closed_port_is_retried_with_backoff_and_failed_after_the_last_attempt(app, smtpd):
    from tests.mail.conftest import free_port

    app.config.update(MAIL_PORT=free_port(), MAIL_MAX_ATTEMPTS=3)
    t0 = utcnow()
    queue_three(t0)
    assert outbox.deliver_due(now=t0).retrying == 3
    assert outbox.deliver_due(now=t0 + timedelta(minutes=1)).retrying == 3           # attempt 2, then 2 minutes
    assert outbox.deliver_due(now=t0 + timedelta(minutes=2)) == outbox.Delivery()
    assert outbox.deliver_due(now=t0 + timedelta(minutes=3)).failed == 3              # attempt 3 = MAIL_MAX_ATTEMPTS
    rows = statuses()
    assert {(s, a) for _r, s, a, _e in rows} == {("failed", 3)} and all("ConnectionRefusedError" in e for *_x, e in rows)
    assert outbox.deliver_due(now=t0 + timedelta(days=1)) == outbox.Delivery()       # failed stays failed


def test_a_dead_workers_claim_is_taken_over_after_the_timeout_only(app, smtpd):
    t0 = utcnow()
    queue_three(t0)
    db.session.execute(sa.update(OutboxMessage).values(status="sending", claim_token="dead", claimed_at=t0, attempts=1))
    db.session.commit()
    assert outbox.deliver_due(now=t0 + timedelta(minutes=5)) == outbox.Delivery()
    assert outbox.deliver_due(now=t0 + rules.CLAIM_TIMEOUT + timedelta(seconds=1)).sent == 3
    assert {(s, a) for _r, s, a, _e in statuses()} == {("sent", 2)} and len(smtpd.messages) == 3


def test_a_late_answer_from_a_superseded_claim_changes_nothing(app, smtpd):
    t0 = utcnow()
    queue_three(t0)
    message_id = db.session.scalar(sa.select(OutboxMessage.id).order_by(OutboxMessage.id))
    assert outbox.deliver_one(message_id, now=t0) == "sent"
    assert outbox.deliver_one(message_id, now=t0) == "sending"       # not due any more: not claimed, not sent
    assert len(smtpd.messages) == 1


def test_without_a_mail_server_nothing_is_delivered_and_messages_wait(app, smtpd):
    app.config["MAIL_SERVER"] = None
    queue_three(utcnow())
    assert outbox.deliver_due() == outbox.Delivery() and {s for _r, s, _a, _e in statuses()} == {"queued"}


def test_mail_deliver_job_is_registered_and_records_what_it_did(app, smtpd):
    queue_three(utcnow())
    job_id = jobs.start("mail.deliver", None, {}).id
    db.session.commit()    # a fresh snapshot: the job ran in its own session
    done = db.session.get(Job, job_id)
    assert done.status == "done" and done.result["sent"] == 3


def test_cli_mail_test_and_deliver(app, smtpd):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "test", "ops@example.org"])
    assert result.exit_code == 0, result.output
    assert "Sent to ops@example.org" in result.output
    [mail] = smtpd.messages
    assert mail["To"] == "ops@example.org" and "Acme Training" in mail["Subject"]
    queue_three(utcnow())
    result = runner.invoke(args=["mail", "deliver"])
    assert result.exit_code == 0 and "3 sent" in result.output
    smtpd.refuse = "554 5.7.1 No"
    result = runner.invoke(args=["mail", "test", "ops@example.org"])
    assert result.exit_code != 0 and "554" in result.output
    app.config["MAIL_SERVER"] = None
    assert "No mail server" in runner.invoke(args=["mail", "deliver"]).output


def test_the_same_dedup_key_queues_one_message_and_keeps_the_rest_of_the_unit_of_work(app, smtpd):
    now = utcnow()
    with write_transaction(db.session):
        first = outbox.queue("test", recipient="a@example.org", dedup_key="test:same:1", now=now,
                             context={"sent_at": "now", "server": "here"})
        assert first is not None
        db.session.flush()
        assert outbox.queue("test", recipient="b@example.org", dedup_key="test:same:1", now=now,
                            context={"sent_at": "now", "server": "here"}) is None
        outbox.queue("test", recipient="c@example.org", dedup_key="test:other:1", now=now,
                     context={"sent_at": "now", "server": "here"})
    assert sorted(r for r, *_ in statuses()) == ["a@example.org", "c@example.org"]
    with write_transaction(db.session):     # a later unit of work: still one
        assert outbox.queue("test", recipient="d@example.org", dedup_key="test:same:1", now=now,
                            context={"sent_at": "now", "server": "here"}) is None
    assert len(statuses()) == 2


def test_a_one_time_link_leaves_the_outbox_once_sent_and_such_a_message_is_not_sent_again(app, smtpd):
    """The database keeps only hashes of invitation tokens; the outbox keeps a link only until it is sent."""
    from app.auth import services as accounts
    from app.auth.services import create_user

    with app.test_request_context():
        now = utcnow()
        person = create_user("lin@example.org", "Lin Link", ("trainee",), password=None, now=now)
        admin = create_user("root@example.org", "Root", ("admin",), password="a long admin password", now=now)
        urls = []

        def mail_it(link):
            urls.append(f"https://learn.example.org/invite/{link.token}")
            outbox.queue_link(link, urls[-1], now=now)
        accounts.issue_link(person.id, "invite", secret_key=app.config["SECRET_KEY"], max_age=3600,
                            created_by_id=admin.id, now=now, on_issued=mail_it)
        [message] = db.session.scalars(sa.select(OutboxMessage).where(OutboxMessage.kind == "invitation"))
        assert urls[0] in message.body_text and urls[0] in message.body_html      # queued: the link is there
        assert outbox.deliver_due().sent == 1
        text, html = parts(invitations(smtpd)[0])
        assert urls[0] in text and urls[0] in html                                # the person got it
        db.session.expire_all()
        stored = db.session.get(OutboxMessage, message.id)
        token = urls[0].rsplit("/", 1)[1]
        assert token not in stored.body_text and token not in stored.body_html    # the outbox no longer has it
        assert f"/invite/{rules.REMOVED}" in stored.body_text
        with pytest.raises(outbox.LinkRemoved):
            outbox.resend(admin.id, message.id, now=utcnow())


def test_one_time_link_rule():
    text = "Set it at https://x.example/invite/AbCdEfGhIjKlMnOpQrSt_-12 or https://x.example/reset/ZZZZZZZZZZZZZZZZZZZZ."
    cleaned = rules.without_one_time_links(text)
    assert "AbCdEf" not in cleaned and "ZZZZ" not in cleaned and cleaned.count(rules.REMOVED) == 2
    assert rules.carries_one_time_link(text) and not rules.carries_one_time_link(cleaned)
    assert rules.had_one_time_link(cleaned) and rules.without_one_time_links(cleaned) == cleaned
    assert not rules.carries_one_time_link("https://x.example/lessons/invite-people")   # not a link's secret
