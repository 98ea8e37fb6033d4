"""Schedule tests run with CSRF on and a real SMTP server (aiosmtpd, from tests/mail), so a
schedule change's mails are delivered and their .ics attachments can be read back."""
import pytest

from tests.mail.conftest import smtpd  # noqa: F401 - the fixture, shared


@pytest.fixture
def app_config(database_uri, smtpd):  # noqa: F811
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "WTF_CSRF_ENABLED": True,
            "MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtpd.port, "MAIL_USE_TLS": False,
            "MAIL_SENDER": "Acme Training <lectern@example.org>", "LECTERN_BASE_URL": "https://learn.example.org",
            "LECTERN_ISSUER_ORG": "Acme Training", "LECTERN_TIME_ZONE": "Europe/Berlin"}
