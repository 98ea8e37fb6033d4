"""A real SMTP server for the mail tests: aiosmtpd's Controller on a free port, collecting what it
is given, and refusing with a chosen reply (451, 554…) while `refuse` is set."""
from __future__ import annotations

import socket
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller


class Collector:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: str | None = None      # e.g. "451 4.3.0 Try again later"
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd's hook name
        if self.refuse:
            return self.refuse
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(parsed)  # type: ignore[arg-type]
        return "250 OK"

    def recipients(self) -> list[str]:
        return [str(m["To"]) for m in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtpd():
    collector = Collector()
    controller = Controller(collector, hostname="127.0.0.1", port=free_port())
    controller.start()
    collector.port = controller.port  # type: ignore[attr-defined]
    yield collector
    controller.stop()


@pytest.fixture
def app_config(database_uri, smtpd):
    return {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_uri, "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": smtpd.port, "MAIL_USE_TLS": False, "MAIL_SENDER": "Lectern <lectern@example.org>",
            "LECTERN_BASE_URL": "https://learn.example.org", "LECTERN_ISSUER_ORG": "Acme Training"}


def parts(message: EmailMessage) -> tuple[str, str]:
    """(text, html) of a multipart/alternative message."""
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content().replace("\r\n", "\n"), html.get_content().replace("\r\n", "\n")
