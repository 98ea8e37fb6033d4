"""With SMTP settings, invitation links are mailed (to a tiny SMTP server of the test's own)."""
import re
import socketserver
import threading

import pytest


class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 test ESMTP\r\n")
        in_data, lines = False, []
        while True:
            raw = self.rfile.readline()
            if not raw:
                return
            line = raw.decode().rstrip("\r\n")
            if in_data:
                if line == ".":
                    self.server.messages.append("\n".join(lines))
                    in_data, lines = False, []
                    self.wfile.write(b"250 queued\r\n")
                else:
                    lines.append(line)
                continue
            verb = line.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                self.wfile.write(b"250 test\r\n")
            elif verb == "DATA":
                in_data = True
                self.wfile.write(b"354 go ahead\r\n")
            elif verb == "QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 ok\r\n")


@pytest.fixture
def smtp_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _SMTPHandler)
    server.messages = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


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
