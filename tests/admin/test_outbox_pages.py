"""The outbox for administrators: newest first, filtered, paginated; a message's text and sandboxed
HTML; resend (POST, CSRF, audited), refused to instructors and trainees."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.audit.models import AuditEvent
from app.db import utcnow, write_transaction
from app.extensions import db
from app.outbox import services as outbox
from app.outbox.models import OutboxMessage


@pytest.fixture
def app_config(database_uri):
    # CSRF on; a mail server that is not listening (messages stay queued, with the error)
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "WTF_CSRF_ENABLED": True,
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": 9, "MAIL_USE_TLS": False, "MAIL_TIMEOUT": 2}


def queue(n, kind="test", name="Person"):
    now = utcnow()
    with write_transaction(db.session):
        for i in range(n):
            if kind == "test":
                outbox.queue("test", recipient=f"t{i}@example.org", dedup_key=f"test:n:{i}", now=now + timedelta(seconds=i),
                             context={"sent_at": "now", "server": "here"})
            else:
                outbox.queue("password-reset", recipient=f"r{i}@example.org", dedup_key=f"password-reset:n:{i}",
                             now=now + timedelta(seconds=i),
                             context={"name": f"{name} {i}", "url": "https://x/reset/t", "expires_at": "soon"})
    return list(db.session.scalars(sa.select(OutboxMessage.id).order_by(OutboxMessage.id)))


def test_outbox_lists_newest_first_filters_and_pages(app, make_user, client, csrf_sign_in):
    queue(55)
    queue(2, kind="password-reset")
    outbox.deliver_due()          # nobody listens on port 9: all queued again with the error
    db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.recipient == "t0@example.org").values(status="sent"))
    db.session.commit()
    csrf_sign_in(client, make_user(roles=("admin",)))
    first = client.get("/admin/outbox").get_data(as_text=True)
    assert "57 messages, newest first" in first and "Page 1 of 2" in first
    assert first.index("r1@example.org") < first.index("r0@example.org") < first.index("t54@example.org")
    assert "t0@example.org" not in first and "t0@example.org" in client.get("/admin/outbox?page=2").get_data(as_text=True)
    resets = client.get("/admin/outbox?kind=password-reset").get_data(as_text=True)
    assert "2 messages" in resets and "t1@example.org" not in resets
    sent = client.get("/admin/outbox?status=sent").get_data(as_text=True)
    assert "1 message," in sent and "t0@example.org" in sent
    assert "ConnectionRefusedError" in client.get("/admin/outbox?status=queued").get_data(as_text=True)
    assert "57 messages" in client.get("/admin/outbox?status=nonsense&kind=<x>&page=99").get_data(as_text=True)


def test_a_message_shows_text_escaped_and_html_in_a_sandboxed_frame(app, make_user, client, csrf_sign_in):
    [message_id] = queue(1, kind="password-reset", name="<script>alert(1)</script>")
    csrf_sign_in(client, make_user(roles=("admin",)))
    page = client.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt; 0," in page and "<script>alert" not in page
    assert re.search(r'<iframe [^>]*sandbox src="/admin/outbox/\d+/preview"', page)
    preview = client.get(f"/admin/outbox/{message_id}/preview")
    assert preview.status_code == 200 and preview.mimetype == "text/html"
    policy = preview.headers["Content-Security-Policy"]
    assert "sandbox" in policy and "script-src" not in policy and "default-src 'none'" in policy
    assert preview.headers["X-Frame-Options"] == "SAMEORIGIN" and "<script>alert" not in preview.get_data(as_text=True)
    assert client.get("/admin/outbox/999999").status_code == 404


def test_resend_needs_csrf_and_an_admin_and_is_audited(app, make_user, client, csrf_sign_in, password):
    [message_id] = queue(1)
    outbox.deliver_due()
    db.session.execute(sa.update(OutboxMessage).values(status="failed"))
    db.session.commit()
    admin = make_user(roles=("admin",))
    for role in ("instructor", "trainee"):
        other = app.test_client()
        csrf_sign_in(other, make_user(roles=(role,)))
        token = re.search(r'name="csrf_token" value="([^"]+)"', other.get("/account/password").get_data(as_text=True))
        data = {"csrf_token": token.group(1)} if token else {}
        assert other.post(f"/admin/outbox/{message_id}/resend", data=data).status_code == 403
        assert other.get("/admin/outbox").status_code == 403
    csrf_sign_in(client, admin)
    assert client.post(f"/admin/outbox/{message_id}/resend").status_code == 400          # no CSRF token
    page = client.get(f"/admin/outbox/{message_id}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/admin/outbox/{message_id}/resend", data={"csrf_token": token})
    assert response.status_code == 302 and response.location.endswith(f"/admin/outbox/{message_id}")
    db.session.commit()
    message = db.session.get(OutboxMessage, message_id)
    # queued again, attempted once more at once (the server still refuses), the error kept for the page
    assert message.status == "queued" and message.attempts == 1 and "ConnectionRefusedError" in message.last_error
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "mail.resend"))
    assert event.actor_id == admin.id and event.target_id == str(message_id) and event.details["previous_status"] == "failed"
    assert "t0@example.org" in event.target_label
