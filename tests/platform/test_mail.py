"""With SMTP settings, invitation links are mailed (to a tiny SMTP server of the test's own)."""
import re

import pytest


@pytest.fixture
def app_config(database_uri, smtp_server):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtp_server.server_address[1], "MAIL_USE_TLS": False}


def test_invitation_is_mailed_when_smtp_is_configured(client, make_user, sign_in, smtp_server):
    sign_in(make_user(roles=("admin",)))
    page = client.post("/admin/users/new", data={"email": "mailme@example.org", "display_name": "Mail Me",
                                                 "roles": ["trainee"]}).get_data(as_text=True)
    assert "has been emailed to mailme@example.org" in page
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert "To: mailme@example.org" in message and "Subject: Your Lectern invitation" in message
    assert re.search(r"/invite/\S+", message)
