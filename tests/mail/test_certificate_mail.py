"""Issuing a certificate queues the holder's mail with it: the verification link and the PDF's link."""
import sqlalchemy as sa

from app.certificates import services
from app.content.catalog import catalog
from app.db import utcnow
from app.extensions import db
from app.outbox.models import OutboxMessage
from tests.mail.conftest import parts


def test_an_issued_certificate_is_mailed_once_with_its_links(app, make_user, smtpd):
    person = make_user(display_name="Zoë <b>Ångström</b>", email="zoe@example.org")
    certificate = services.issue(None, person.id, catalog(), now=utcnow(), override_reason="Assessed live")
    code = certificate.display_code
    [mail] = smtpd.messages
    assert mail["To"] == "zoe@example.org" and mail["Subject"].startswith("Your certificate for ")
    text, html = parts(mail)
    assert f"https://learn.example.org/verify/{code}" in text and f"https://learn.example.org/certificates/{code}.pdf" in text
    assert f'href="https://learn.example.org/verify/{code}"' in html and "Acme Training" in html
    assert "Zoë &lt;b&gt;Ångström&lt;/b&gt;" in html and "Zoë <b>Ångström</b>" in text
    db.session.commit()
    [row] = db.session.scalars(sa.select(OutboxMessage))
    assert row.kind == "certificate-issued" and row.dedup_key == f"certificate-issued:certificate:{certificate.id}"
    assert row.status == "sent"


def test_without_a_mail_server_issuing_queues_nothing(app, make_user):
    app.config["MAIL_SERVER"] = None
    person = make_user()
    services.issue(None, person.id, catalog(), now=utcnow(), override_reason="Assessed live")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OutboxMessage)) == 0
